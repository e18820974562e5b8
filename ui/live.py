"""Self-refreshing pages: a tiny fragment polls the shared change counter and reruns the page
only when the data changed (or the viewer's session ended).

Idle viewers cost almost nothing (one cached counter read per tick), and a save made in any
server process shows up within COUNTER_POLL_SECONDS + refresh seconds.
"""

from __future__ import annotations

import streamlit as st

from settings import get_settings
from ui import data
from ui.session import current_actor


def refresh_seconds() -> int:
    return get_settings().refresh_seconds


def watch(key: str) -> None:
    """Remember the data version this run shows; rerun the page when it moves on."""
    seen_key = f"_live_{key}"
    st.session_state[seen_key] = data.data_version()

    @st.fragment(run_every=refresh_seconds())
    def _tick() -> None:
        if current_actor() is None or data.data_version() != st.session_state.get(seen_key):
            st.rerun(scope="app")

    _tick()
