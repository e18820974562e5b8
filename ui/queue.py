"""The review queues' columns, defined once for both levels (初审 and 复核).

Each column is built from a queue frame (db.services.first_review.first_queue or
db.services.review.load_queue) by one function; its heading is in texts.review.QUEUE_COLUMNS.
A level names the columns it shows; on a phone the queue is a list (ui.phone.table_or_list)
with the organisation as the title and the columns of PHONE beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from formatting import china_time, points_text
from texts import common as C
from texts import review as T
from ui import levels
from ui.phone import table_or_list


def standing_name(key: object) -> str:
    """未开始 / 已否决 / the level (formatting.standing_key), as on every screen."""
    if key is None or (isinstance(key, float) and pd.isna(key)):
        return "—"
    return C.STANDING_NAMES.get(str(key), str(key))


COLUMNS: dict[str, Callable[[pd.DataFrame], Iterable[Any]]] = {
    "code": lambda f: f["code"],
    "name": lambda f: f["name"],
    "org_type": lambda f: [C.ORG_TYPE_NAMES.get(t, t) for t in f["org_type"]],
    "region": lambda f: f["region"],
    "status_name": lambda f: [C.STATUS_NAMES.get(s, s) for s in f["status"]],
    "submitted_at": lambda f: [china_time(t, missing="—") for t in f["submitted_at"]],
    "waiting": levels.waiting_column,
    "self_composite": lambda f: f["self_composite"],
    "self_level_name": lambda f: [standing_name(v) for v in f["self_standing"]],
    "reviewed_composite": lambda f: f["reviewed_composite"],
    "reviewed_level_name": lambda f: [standing_name(v) for v in f["reviewed_standing"]],
    "changed": lambda f: f["changed"],
    "resubmitted_changes": lambda f: f["resubmitted_changes"],
}
NUMBERS = ("self_composite", "reviewed_composite")  # composites, one decimal

# What each level shows, in this order: the name, then what a reviewer decides by (status,
# days waited, the composites and levels, changes), then where and when and the code. At
# 1,400 px the 复核 queue's self and reviewed results were out of sight to the right of 编码,
# 所属部门 and 提交时间; 所属部门 is a filter, the name already says it.
FIRST_LEVEL = (
    "name",
    "org_type",
    "waiting",
    "self_composite",
    "self_level_name",
    "submitted_at",
    "code",
)
SECOND_LEVEL = (
    "name",
    "status_name",
    "waiting",
    "self_composite",
    "self_level_name",
    "reviewed_composite",
    "reviewed_level_name",
    "changed",
    "resubmitted_changes",
    "region",
    "submitted_at",
    "code",
)
# Widths in pixels: a heading of n characters needs about 14n + 6 (four characters, 62).
WIDTHS = {
    "name": 220,
    "org_type": 62,
    "status_name": 56,
    "waiting": 90,
    "self_composite": 78,
    "self_level_name": 62,
    "reviewed_composite": 78,
    "reviewed_level_name": 62,
    "changed": 62,
    "resubmitted_changes": 132,
    "region": 56,
    "submitted_at": 128,
    "code": 80,
}
# Beside the organisation's name in a phone's list (those the level shows).
PHONE = (
    "status_name",
    "waiting",
    "self_composite",
    "self_level_name",
    "reviewed_composite",
    "reviewed_level_name",
    "changed",
)
PHONE_LIMIT = 30  # entries listed on a phone; the filters narrow the rest


def queue_frame(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The queue's rows with the level's columns, as the table shows them."""
    return pd.DataFrame(
        {key: list(COLUMNS[key](frame)) for key in columns}, index=range(len(frame))
    )


def _phone_text(table: pd.DataFrame) -> pd.DataFrame:
    """Composites with one decimal and no cell for what is not there (a phone's list)."""
    shown = table.copy()
    for key in NUMBERS:
        if key in shown:
            shown[key] = [None if pd.isna(v) else points_text(v) for v in shown[key]]
    if "changed" in shown:
        shown["changed"] = [v if v else None for v in shown["changed"]]
    return shown


def show_queue(frame: pd.DataFrame, columns: Sequence[str], name: str, **table: Any) -> Any:
    """The queue as a table on a wide screen and as a list on a phone; keywords go to
    st.dataframe (its selection comes back)."""
    shown = queue_frame(frame, columns)
    labels = {key: T.QUEUE_COLUMNS[key] for key in columns}
    config = {
        key: st.column_config.NumberColumn(labels[key], format="%.1f", width=WIDTHS[key])
        if key in NUMBERS
        else st.column_config.Column(labels[key], width=WIDTHS[key])
        for key in columns
    }
    return table_or_list(
        shown,
        name,
        "name",
        labels=labels,
        phone_columns=[c for c in PHONE if c in columns],
        phone_frame=_phone_text(shown),
        limit=PHONE_LIMIT,
        column_config=config,
        **table,
    )


__all__ = [
    "COLUMNS",
    "FIRST_LEVEL",
    "PHONE",
    "SECOND_LEVEL",
    "WIDTHS",
    "queue_frame",
    "show_queue",
    "standing_name",
]
