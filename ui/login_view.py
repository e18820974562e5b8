"""The login page (also under a bookmarked path) and the page a role may not open."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from settings import get_settings
from texts import auth as T
from texts import common as C
from ui.login_form import login_form_html
from ui.text import plain


def show_login(next_path: str = "", not_found: str = "") -> None:
    """Title, outcome of the last attempt, the form (posting back to `next_path`), demo hint.

    not_found: the address asked for when it is no page (said above the form).
    """
    st.title(C.APP_TITLE)
    st.caption(C.APP_SUBTITLE)
    settings = get_settings()
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader(T.LOGIN_TITLE)
        outcome = st.query_params.get("login")
        if outcome in SSO_OUTCOMES:
            st.error(SSO_OUTCOMES[outcome])
        elif outcome == "failed":
            st.error(T.LOGIN_FAILED.format(minutes=get_settings().lockout_minutes))
        elif outcome == "throttled":
            st.error(T.LOGIN_THROTTLED)
        elif outcome == "expired":
            st.warning(T.SESSION_EXPIRED)
        elif not_found:
            st.warning(T.NOT_FOUND_LOGIN.format(path=plain(not_found[:80])))
        elif next_path:
            st.info(T.LOGIN_TO_CONTINUE)
        if settings.password_login_admins_only:
            st.info(T.PASSWORD_ADMINS_ONLY, icon=":material/badge:")
        st.html(login_form_html(next_path))
        if settings.oidc_enabled:
            single_sign_on_button()
    if settings.demo_mode:
        with right:
            st.info(T.DEMO_NOTICE.format(password="demo123456"))
            st.table(
                {
                    T.USERNAME: list(T.DEMO_ACCOUNTS),
                    T.DEMO_ROLE: [role for role, _ in T.DEMO_ACCOUNTS.values()],
                    T.DEMO_SCOPE: [scope for _, scope in T.DEMO_ACCOUNTS.values()],
                }
            )


# The login page's `?login=` outcomes of a single sign-on (web/routes.sso_login): the service's
# refusal reasons (db.services.auth.SsoRefused.reason) and a failed sign-in at the provider.
SSO_OUTCOMES = {
    "sso_unknown": T.SSO_UNKNOWN,
    "sso_disabled": T.SSO_DISABLED,
    "sso_awaiting_approval": T.SSO_PENDING,
    "sso_registered": T.SSO_REGISTERED,
    "sso_failed": T.SSO_FAILED,
}


SSO_BUTTON_WIDTH = 384  # px: the login form's max-width


def single_sign_on_button() -> None:
    """统一身份认证登录: st.login() sends the browser to the intranet's provider (web/sso.py)."""
    st.caption(T.SSO_OR)
    # As wide as the password form above it (24rem), narrower on a phone.
    if st.button(T.SSO_BUTTON, key="login:sso", width=SSO_BUTTON_WIDTH):
        st.login()


def show_no_access(title: str, home: StreamlitPage | None) -> None:
    """A known page this role may not open: say so in Chinese and offer the way home."""
    st.title(T.NO_ACCESS_TITLE.format(page=title))
    st.warning(T.NO_ACCESS_TEXT)
    if home is not None:
        st.page_link(home, label=T.NO_ACCESS_HOME.format(page=home.title), icon=":material/home:")


def show_not_found(path: str, home: StreamlitPage | None) -> None:
    """An address that is no page of this system: say so in Chinese and offer the way home."""
    st.title(T.NOT_FOUND_TITLE)
    st.warning(T.NOT_FOUND_TEXT.format(path=plain(path[:80])))
    if home is not None:
        st.page_link(home, label=T.NO_ACCESS_HOME.format(page=home.title), icon=":material/home:")
