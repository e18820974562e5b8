"""Entry point: `streamlit run app.py`.

Imported by the server, this module is the ASGI app (st.App) with the login, logout, evidence
and health routes and the security middleware; run as the Streamlit script (`__main__`), it
draws the shell: navigation per role.
"""

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config as streamlit_config
from streamlit.runtime.pages_manager import PagesManager

from logs import configure_logging
from settings import get_settings
from web.chrome import ChineseChrome
from web.middleware import SecurityMiddleware
from web.routes import ROUTES
from web.sso import SingleSignOnCallback, auth_secrets, cookie_secret

configure_logging()  # once per process: the server imports this module before any session

# Navigation is always st.navigation. Left to itself, Streamlit sees the pages/ folder and runs
# the first session after start-up as a legacy multipage app, whose menu of bare file names
# ("admin", "learning", ...) shows until app.py's st.navigation replaces it.
PagesManager.uses_pages_directory = False

# Single sign-on (OIDC_*): st.login's [auth] section comes from our settings, in memory (no
# secrets file). Streamlit's session middleware, which carries the OAuth state from /auth/login
# to /oauth2callback, signs with server.cookieSecret: the same derived key on every replica.
_auth = auth_secrets(get_settings())
if _auth is not None and not streamlit_config.is_manually_set("server.cookieSecret"):
    streamlit_config.set_option("server.cookieSecret", cookie_secret(get_settings()))

# The middleware wraps Streamlit's own routes too: security headers everywhere, no metrics;
# a completed sign-in at the provider goes on to our own session (web/sso.py).
app = st.App(
    "app.py",
    routes=ROUTES,
    middleware=[
        Middleware(SecurityMiddleware),
        Middleware(ChineseChrome),
        Middleware(SingleSignOnCallback),
    ],
    secrets=_auth,
)

if __name__ == "__main__":
    from texts import common as C
    from ui.navigation import build_navigation
    from ui.phone import phone_style
    from ui.session import current_actor
    from ui.shell import prepare, sidebar

    st.set_page_config(page_title=C.APP_TITLE, page_icon="⭐", layout="wide")
    phone_style()
    prepare()
    actor = current_actor()
    page = build_navigation(actor)
    sidebar(actor)
    page.run()
