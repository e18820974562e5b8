"""The 审计日志 screen's parts: filters, the table, exports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from db.services import audit as A
from db.services.common import Actor
from documents.xlsx import XLSX_MIME
from formatting import china_date, china_time
from texts import admin as T
from ui.phone import LIST_LIMIT, table_or_list

LIMITS = (200, 500, 1000)


def filters(actions: list[str]) -> tuple[A.AuditFilter, int]:
    """Date range, event kinds, user, text; and how many rows to show."""
    # The service reads the dates as China's days (UTC+8): so must the default "today", or from
    # 16:00 UTC on the entries of the Chinese day already begun fall after the range.
    today = china_date(datetime.now(UTC))
    cols = st.columns([1, 1, 2])
    start = cols[0].date_input(T.AUDIT_FROM, value=today - timedelta(days=30), key="audit:from")
    end = cols[1].date_input(T.AUDIT_TO, value=today, key="audit:to")
    chosen = cols[2].multiselect(
        T.AUDIT_ACTIONS,
        actions,
        format_func=lambda a: T.ACTION_NAMES.get(a, a),
        key="audit:actions",
        placeholder=T.ALL_ACTIONS,
    )
    cols = st.columns([1, 2, 1])
    user = cols[0].text_input(T.AUDIT_ACTOR, key="audit:user")
    text = cols[1].text_input(T.AUDIT_TEXT, key="audit:text")
    limit = cols[2].selectbox(T.AUDIT_LIMIT, LIMITS, key="audit:limit")
    flt = A.AuditFilter(
        start=start if isinstance(start, date) else None,
        end=end if isinstance(end, date) else None,
        actions=tuple(chosen),
        actor_name=user,
        text=text,
    )
    return flt, int(limit)


def table(frame: pd.DataFrame, total: int) -> None:
    if frame.empty:
        st.info(T.AUDIT_EMPTY)
        return
    st.caption(T.AUDIT_COUNT.format(total=total, shown=len(frame)))
    shown = frame.assign(at=[china_time(t, missing="—").replace("T", " ") for t in frame["at"]])
    table_or_list(
        shown[list(T.AUDIT_COLUMNS)],
        "audit-log",
        "at",
        labels=T.AUDIT_COLUMNS,
        limit=LIST_LIMIT,
        height=520,
        column_config={
            "sentence": st.column_config.TextColumn(T.AUDIT_COLUMNS["sentence"], width="large")
        },
    )


def exports(actor: Actor, flt: A.AuditFilter) -> None:
    cols = st.columns(2)
    cols[0].download_button(
        T.AUDIT_EXPORT_CSV,
        data=lambda: A.export_audit(actor, flt, fmt="csv"),
        file_name=T.AUDIT_EXPORT_CSV_NAME,
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )
    cols[1].download_button(
        T.AUDIT_EXPORT_XLSX,
        data=lambda: A.export_audit(actor, flt, fmt="xlsx"),
        file_name=T.AUDIT_EXPORT_XLSX_NAME,
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
    )


__all__ = ["exports", "filters", "table"]
