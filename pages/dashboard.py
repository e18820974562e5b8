"""总览: the city's five-star share against the yearly target, distributions, problems,
completion of the current year (催报) and self-vs-reviewed gaps."""

from collections.abc import Callable

import streamlit as st

from permissions import Action
from texts import leadership as T
from ui import dashboard, data, live, rankings
from ui.feedback import shown_errors
from ui.session import require_actor

actor = require_actor(Action.VIEW_RESULTS)

st.title(dashboard.scoped_title(actor, T.DASHBOARD_TITLE))
st.caption(
    T.DASHBOARD_CAPTION.format(scope=dashboard.scope_words(actor))
    + T.UPDATED_AT.format(seconds=live.refresh_seconds())
)

with shown_errors(stop=True):
    year, _basis = rankings.year_and_basis(actor, "db", with_basis=False)
    frame = data.city_frame(actor, year)
if frame.empty:
    st.info(T.NO_DATA)
    st.stop()

dashboard.kpis(actor, year, frame)

dashboard.comparison_panel(actor, year)


def _target() -> None:
    st.subheader(T.SECTION_TARGET)
    st.caption(dashboard.target_note())
    attain = dashboard.target_panel(actor)
    with st.expander(T.SECTION_TARGET + T.SECTION_TARGET_DATA):
        dashboard.target_table(attain)


# One section at a time: the open tab alone is drawn (a dozen charts and tables at once made
# the first load of 总览 two to three times that of the lightest page); the chosen tab is kept.
sections: dict[str, Callable[[], None]] = {
    T.TAB_TARGET: _target,
    T.TAB_DISTRIBUTION: lambda: dashboard.distribution_panel(actor, year, frame),
    T.TAB_HEAT: lambda: dashboard.heat_panel(actor, year, frame),
    T.TAB_PROBLEMS: lambda: dashboard.problems_panel(actor, year, frame),
    T.TAB_COMPLETION: lambda: dashboard.completion_panel(actor, year, frame),
    T.SECTION_GAPS: lambda: dashboard.gaps_panel(actor, year),
}
headings = {
    T.TAB_DISTRIBUTION: T.SECTION_DISTRIBUTION,
    T.TAB_HEAT: T.SECTION_HEAT,
    T.TAB_PROBLEMS: T.SECTION_PROBLEMS,
    T.TAB_COMPLETION: T.SECTION_COMPLETION,
}
tabs = st.tabs(list(sections), key=dashboard.TAB_KEY, on_change="rerun")
for (label, draw), tab in zip(sections.items(), tabs, strict=True):
    if tab.open:
        with tab:
            if label in headings:
                st.subheader(headings[label])
            draw()

live.watch("dashboard")
