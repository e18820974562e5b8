"""总览: the city's five-star share against the yearly target, distributions, problems,
completion of the current year (催报) and self-vs-reviewed gaps."""

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

st.subheader(T.SECTION_TARGET)
st.caption(dashboard.target_note())
attain = dashboard.target_panel(actor)
with st.expander(T.SECTION_TARGET + T.SECTION_TARGET_DATA):
    dashboard.target_table(attain)

st.subheader(T.SECTION_DISTRIBUTION)
dashboard.distribution_panel(actor, year, frame)

st.subheader(T.SECTION_HEAT)
dashboard.heat_panel(actor, year, frame)

st.subheader(T.SECTION_PROBLEMS)
dashboard.problems_panel(actor, year, frame)

st.subheader(T.SECTION_COMPLETION)
dashboard.completion_panel(actor, year, frame)

st.subheader(T.SECTION_GAPS)
dashboard.gaps_panel(actor, year)

live.watch("dashboard")
