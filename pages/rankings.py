"""实时排名: every organisation of the year ranked live, with filters and a drill-down."""

import streamlit as st

from permissions import Action
from texts import leadership as T
from ui import dashboard, data, live, rankings
from ui.feedback import shown_errors
from ui.session import require_actor

actor = require_actor(Action.VIEW_RESULTS)

st.title(dashboard.scoped_title(actor, T.RANKINGS_TITLE))
st.caption(
    T.RANKINGS_CAPTION.format(scope=dashboard.scope_words(actor))
    + T.UPDATED_AT.format(seconds=live.refresh_seconds())
)


@st.fragment
def ranking_view() -> None:
    """Year, basis, filters, table and detail: a filter change reruns only this part.

    The table is sent before the filters drawn above it: the grid is what takes the browser
    longest to draw, so it starts first (the filters are read from their state).
    """
    with shown_errors(stop=True):
        year, basis = rankings.year_and_basis(actor, "rk")
        frame = data.city_frame(actor, year, basis)
    if frame.empty:
        st.info(T.NO_DATA)
        return
    filters_area, summary_area = st.container(), st.container()
    chosen = rankings.chosen_filters()
    shown = rankings.apply_filters(frame, chosen)
    rankings.show_table_or_list(rankings.cached_table(actor, year, basis, shown.index))
    with filters_area:
        drawn = rankings.filter_widgets(frame)
    if drawn != chosen:  # a box emptied because its options changed: the table follows it
        st.rerun()
    five = int(shown["five_star"].sum())
    share = f"{five / len(shown):.1%}" if len(shown) else "—"
    left, right = summary_area.columns([4, 1])
    left.caption(
        T.SHOWN_COUNT.format(shown=len(shown), total=len(frame))
        + "　"
        + T.SHOWN_SUMMARY.format(five=five, share=share)
        + "　"
        + dashboard.scope_note(actor, year)
    )
    with right:
        rankings.export_button(actor, year, key="rk_export")
    org_id = rankings.detail_picker(frame, shown)
    if org_id is not None:
        with shown_errors():
            rankings.show_detail(actor, frame.loc[org_id], year)


ranking_view()
live.watch("rankings")
