"""历年趋势: the city's and one organisation's composite, stars and level over the years."""

import streamlit as st

from permissions import Action
from texts import leadership as T
from ui import charts, dashboard, data, live, trends
from ui.feedback import shown_errors
from ui.session import require_actor

actor = require_actor(Action.VIEW_RESULTS)
with shown_errors(stop=True):
    history = data.city_history(actor)
    changes = data.level_changes(actor)

st.title(dashboard.scoped_title(actor, T.TRENDS_TITLE))
st.caption(T.TRENDS_CAPTION.format(scope=dashboard.scope_words(actor)))
if history.empty:
    st.info(T.NO_DATA)
    st.stop()

years = sorted(int(y) for y in history["year"].unique())
city_tab, org_tab = st.tabs([dashboard.scope_words(actor), T.TRENDS_ORG])

with city_tab:
    trends.city_years(trends.city_table(history, changes))
    left, right = st.columns(2)
    charts.show(
        left,
        ("city_levels",),
        lambda: charts.city_levels_chart(history, dashboard.scope_words(actor)),
        scope=data.scope_key(actor),
    )
    charts.show(
        right, ("changes",), lambda: charts.changes_chart(changes), scope=data.scope_key(actor)
    )
    if len(years) < 2:
        st.info(T.TRENDS_NEED_TWO)
    else:
        year = st.selectbox(T.YEAR, years[1:][::-1], key="tr_year")
        st.subheader(T.TRENDS_CHANGES_TABLE.format(year=year))
        moved = trends.change_rows(changes, year)
        if moved.empty:
            st.caption(T.TRENDS_CHANGES_NONE)
        else:
            trends.organisations(moved, "tr-changes")
        st.subheader(T.TRENDS_NOT_FIVE.format(prev=year - 1, year=year))
        twice = trends.not_five_rows(history, year)
        if twice.empty:
            st.caption(T.TRENDS_NOT_FIVE_NONE)
        else:
            trends.organisations(twice, "tr-not-five")

with org_tab:
    latest = history[history["year"] == years[-1]].sort_values("code")
    names = dict(zip(latest.index, latest["name"] + "（" + latest["code"] + "）", strict=True))
    org_id = st.selectbox(
        T.TRENDS_ORG_PICK, list(names), format_func=names.__getitem__, key="tr_org"
    )
    if org_id is not None:
        rows = trends.org_rows(history, int(org_id))
        charts.show(
            st.container(),
            ("org_trend", int(org_id)),
            lambda: charts.org_trend_chart(rows, data.five_star_lines(actor, years)),
            scope=data.scope_key(actor),
        )
        st.markdown(f"**{T.TRENDS_ORG_TABLE}**")
        trends.org_years(trends.org_table(rows))

live.watch("trends")
