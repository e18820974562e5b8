"""The frame around every page: database readiness and the sidebar."""

from __future__ import annotations

import streamlit as st

from db.bootstrap import prepare_database
from db.services.common import Actor
from settings import get_settings
from texts import auth as T
from texts import common as C
from ui.login_form import logout_form_html
from ui.text import plain


@st.cache_resource(show_spinner="正在准备数据库…")
def _prepared(database_url: str) -> bool:
    prepare_database()
    return True


def prepare() -> None:
    """Migrate (and seed the demo) once per server process and database."""
    _prepared(get_settings().database_url)


def sidebar(actor: Actor | None) -> None:
    if actor is None:
        return
    with st.sidebar:
        st.caption(T.SIGNED_IN_AS.format(name=plain(actor.label), role=C.ROLE_NAMES[actor.role]))
        st.html(logout_form_html())
