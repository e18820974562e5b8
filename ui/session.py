"""Who is looking at the page: the signed session cookie, checked against the database."""

from __future__ import annotations

import streamlit as st

from db.services.auth import resolve_session
from db.services.common import Actor, require
from permissions import Action
from ui.feedback import shown_errors
from ui.reminders import notice_banner
from web.cookies import COOKIE_NAME, unsign_token

# AppTest cannot send cookies; tests put a real session token here instead. It is
# resolved against the database exactly like the cookie's token.
TEST_TOKEN_KEY = "_session_token"


def session_token() -> str | None:
    token = st.session_state.get(TEST_TOKEN_KEY)
    if token:
        return str(token)
    try:
        raw = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no browser context (e.g. bare script run)
        raw = None
    return unsign_token(raw)


def current_actor() -> Actor | None:
    """The logged-in user for this rerun, or None (logout or disabling ends it at once)."""
    return resolve_session(session_token())


def require_actor(action: Action) -> Actor:
    """The logged-in user, if the permission table lets it do the page's `action`.

    Anonymous visitors are stopped silently (the login page is their only page); a user without
    the permission sees the refusal, which is logged like any service refusal.
    """
    actor = current_actor()
    if actor is None:
        st.stop()
    with shown_errors(stop=True):
        require(actor, action)
    notice_banner(actor)
    return actor
