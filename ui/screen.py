"""The 大屏 (wall screen): large type, full width, panels that cycle or stay fixed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.services import attainment, statistics
from db.services.common import Actor
from texts import leadership as T
from ui import charts, dashboard, data

# Static CSS only (no user text): bigger type, no sidebar or toolbar on a wall screen, and
# charts as tall as the display below the headline figures (charts.big sizes them to it).
SCREEN_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"] {display:none !important;}
.block-container, [data-testid="stMainBlockContainer"] {padding-top:1rem !important;
 max-width:100% !important;}
[data-testid="stMetricValue"] {font-size:3.4rem !important; line-height:1.1;}
[data-testid="stMetricLabel"] p {font-size:1.4rem !important;}
[data-testid="stMetricDelta"] {font-size:1.2rem !important;}
h1 {font-size:2.6rem !important;}
h3 {font-size:1.8rem !important;}
[data-testid="stCaptionContainer"] p {font-size:1.1rem !important;}
[data-testid="stVegaLiteChart"] {height:calc(100vh - 330px) !important; min-height:300px;}
[data-testid="stVegaLiteChart"] > div, [data-testid="stVegaLiteChart"] .vega-embed
 {height:100% !important;}
[data-testid="stTable"] td, [data-testid="stTable"] th {font-size:1.35rem !important;
 padding:0.45rem 0.7rem !important;}
</style>"""
PANELS = len(T.SCREEN_PANEL_NAMES)


def panel_from_query(value: str | None) -> int | None:
    """`?panel=N` (1-based) fixes one panel; anything else cycles."""
    try:
        n = int(value or "")
    except ValueError:
        return None
    return n - 1 if 1 <= n <= PANELS else None


def next_panel(fixed: int | None, key: str = "scr_panel") -> int:
    """The panel of this run: the fixed one, or the next in the cycle."""
    if fixed is not None:
        return fixed
    current = st.session_state.get(key)
    panel = 0 if current is None else (int(current) + 1) % PANELS
    st.session_state[key] = panel
    return panel


def render(actor: Actor, year: int, frame: pd.DataFrame, panel: int) -> None:
    """Draw one panel of the wall screen."""
    if panel == 0:
        label = data.scope_label(actor, T.CITY_SCOPE)
        attain = data.attainment_table(actor, label)
        left, right = st.columns(2)
        charts.show(
            left,
            ("big_target",),
            lambda: charts.big(charts.target_chart(attain, label)),
            scope=data.scope_key(actor),
        )
        if (attain["scope"] != label).any():
            charts.show(
                right,
                ("big_regions", year),
                lambda: charts.big(charts.region_share_bars(attain, year, label)),
                scope=data.scope_key(actor),
            )
    elif panel == 1:
        left, right = st.columns([3, 2])
        with left:
            st.subheader(T.SCREEN_TOP.format(n=12))
            dashboard.top_table(frame, 12)
        charts.show(
            right,
            ("big_levels", year),
            lambda: charts.big(charts.level_chart(frame)),
            scope=data.scope_key(actor),
        )
    elif panel == 2:
        left, right = st.columns([3, 2])
        charts.show(
            left,
            ("big_heat", year),
            lambda: charts.big(
                charts.star_heatmap(
                    attainment.region_star_share(frame), data.thresholds(actor, year).star_ratio
                )
            ),
            scope=data.scope_key(actor),
        )
        charts.show(
            right,
            ("big_histogram", year),
            lambda: charts.big(
                charts.composite_histogram(frame, data.thresholds(actor, year).five_star_composite)
            ),
            scope=data.scope_key(actor),
        )
    elif panel == 3:
        scope = statistics.submitted(frame)
        if scope.empty:
            st.info(T.NO_DATA)
            return
        stats = data.criterion_stats(actor, year)
        reasons, _lost = data.missed(actor, year)
        left, right = st.columns(2)
        charts.show(
            left,
            ("big_weakest", year),
            lambda: charts.big(charts.weakest_chart(stats, 10)),
            scope=data.scope_key(actor),
        )
        charts.show(
            right,
            ("big_missed", year),
            lambda: charts.big(charts.missed_chart(reasons)),
            scope=data.scope_key(actor),
        )
    else:
        counts = statistics.completion_counts(frame)
        left, right = st.columns([3, 2])
        charts.show(
            left,
            ("big_completion", year),
            lambda: charts.big(charts.completion_chart(counts)),
            scope=data.scope_key(actor),
        )
        with right:
            pending = counts[counts["state"].isin(("not_started", "in_progress", "returned"))]
            st.metric(T.SECTION_CHASE, int(pending["orgs"].sum()))
            by_region = (
                statistics.completion_state(frame)
                .isin(("not_started", "in_progress", "returned"))
                .groupby(frame["region"])
                .sum()
            )
            st.table(
                pd.DataFrame(
                    {T.COL_REGION: by_region.index, T.COL_ORG_COUNT: by_region.values}
                ).set_index(T.COL_REGION)
            )
