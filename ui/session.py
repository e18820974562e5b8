"""Who is looking at the page: the signed session cookie, checked against the database."""

from __future__ import annotations

import streamlit as st

from db.services.auth import resolve_session
from db.services.common import Actor
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


def require_actor() -> Actor:
    """The logged-in user; stops the page for anonymous visitors."""
    actor = current_actor()
    if actor is None:
        st.stop()
    assert actor is not None
    return actor
