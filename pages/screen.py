"""大屏: the overview for a wall screen; `?panel=N` fixes a panel, otherwise panels cycle."""

import streamlit as st

from permissions import Action
from texts import leadership as T
from ui import dashboard, data, live, screen
from ui.feedback import shown_errors
from ui.session import current_actor, require_actor

actor = require_actor(Action.VIEW_RESULTS)

st.html(screen.SCREEN_CSS)
fixed = screen.panel_from_query(st.query_params.get("panel"))
head, tail = st.columns([5, 1])
head.title(dashboard.scoped_title(actor, T.SCREEN_TITLE))
tail.page_link("pages/dashboard.py", label=T.SCREEN_EXIT, icon=":material/close:")


@st.fragment(run_every=live.refresh_seconds())
def wall() -> None:
    """Re-drawn every refresh: fresh figures from the shared cache, next panel if cycling."""
    viewer = current_actor()
    if viewer is None:
        st.rerun(scope="app")
    assert viewer is not None
    year = data.current_year(viewer)
    if year is None:
        st.info(T.NO_YEARS)
        return
    with shown_errors(stop=True):
        frame = data.city_frame(viewer, year)
    if frame.empty:
        st.info(T.NO_DATA)
        return
    panel = screen.next_panel(fixed)
    dashboard.kpis(viewer, year, frame)
    st.caption(
        T.SCREEN_CAPTION.format(
            year=year, panel=T.SCREEN_PANEL_NAMES[panel], seconds=live.refresh_seconds()
        )
    )
    screen.render(viewer, year, frame, panel)


wall()
