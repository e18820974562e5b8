"""The 部门进度 page's panels: a department's organisations from db.services.department."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.services import department
from db.services.common import Actor
from formatting import china_time
from texts import common as C
from texts import leadership as T
from ui import charts, data
from ui.phone import LIST_LIMIT, table_or_list, two_up
from ui.text import plain

NAMES_SHOWN = 30


def pick(choices: list[department.Department]) -> department.Department:
    """The department to show: a department's account has its own; a wider scope chooses."""
    if len(choices) == 1:
        return choices[0]
    labels = {d.id: f"{d.name}（{d.region}）" for d in choices}
    chosen = st.selectbox(T.DEPT_PICK, list(labels), format_func=labels.__getitem__, key="dp_dept")
    return next(d for d in choices if d.id == chosen)


def branch_table(view: department.DepartmentView) -> pd.DataFrame:
    """The organisations with Chinese headers (rank only once handed in, both ranks)."""
    b = view.branches
    return pd.DataFrame(
        {
            T.COL_NAME: b["name"],
            T.COL_STATUS: b["state"].map(T.COMPLETION_NAMES),
            T.COL_PROGRESS: b["progress"].astype(float),
            T.COL_LIT: b["lit"],
            T.COL_LEVEL: b["standing"].map(C.STANDING_NAMES),
            T.COL_COMPOSITE: b["composite"].astype(float),
            T.COL_GAP_FIVE: b["gap"].astype(float),
            T.COL_RANK: b["rank"],
            T.COL_REGION_RANK: b["region_rank"],
            T.COL_CONTACT: b["contact"].fillna(""),
            T.COL_UPDATED: b["updated_at"].map(lambda t: china_time(t) if pd.notna(t) else ""),
        }
    )


def show(actor: Actor, view: department.DepartmentView) -> None:
    """Figures, who has not started, completion chart and the table of organisations."""
    st.subheader(view.department.name)
    branches = view.branches
    if branches.empty:
        st.info(T.DEPT_EMPTY)
        return
    cols = two_up("dept-kpis").columns(4)
    cols[0].metric(T.DEPT_KPI_ORGS, len(branches))
    cols[1].metric(
        T.KPI_SUBMITTED,
        T.KPI_SUBMITTED_VALUE.format(n=view.handed_in, total=len(branches)),
        help=T.KPI_SUBMITTED_HELP,
    )
    cols[2].metric(T.DEPT_KPI_FIVE, int(branches["five_star"].sum()))
    cols[3].metric(T.DEPT_KPI_NOT_STARTED, len(view.not_started))
    waiting = view.not_started
    if waiting.empty:
        st.success(T.DEPT_ALL_STARTED)
    else:
        names = "、".join(plain(n) for n in waiting["name"].head(NAMES_SHOWN))
        st.warning(T.DEPT_NOT_STARTED.format(n=len(waiting), names=names))
    left, right = st.columns([2, 3])
    charts.show(
        left,
        ("dept_completion", view.department.id, view.year),
        lambda: charts.completion_chart(view.counts),
        scope=data.scope_key(actor),
    )
    with right:
        st.markdown(f"**{T.DEPT_TABLE}**")
        st.caption(T.DEPT_LIT_HELP)
        table = branch_table(view)
        table_or_list(
            table,
            "dp-branches",
            T.COL_NAME,
            phone_columns=(
                T.COL_STATUS,
                T.COL_PROGRESS,
                T.COL_LEVEL,
                T.COL_COMPOSITE,
                T.COL_GAP_FIVE,
                T.COL_RANK,
            ),
            limit=LIST_LIMIT,
            placeholder="—",
            column_config={
                T.COL_PROGRESS: charts.progress_column(),
                T.COL_COMPOSITE: st.column_config.NumberColumn(format="%.1f"),
                T.COL_GAP_FIVE: st.column_config.NumberColumn(format="%.1f", help=T.DEPT_GAP_HELP),
                T.COL_RANK: st.column_config.NumberColumn(format="%d"),
                T.COL_REGION_RANK: st.column_config.NumberColumn(format="%d"),
            },
        )
