"""The rubric as tables in the browser (管理 → 评价细则), for an open year with no scores yet.

A table per star (and one for 加分/扣分/否决) edits the same records the file holds
(`rubric.rubric_to_records`); the edited tables are rebuilt with `rubric.rubric_from_records`
(the file's rules and messages) and handed as YAML text to the same check and import service as an
uploaded file, as the next version of the year's rubric.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

import scoring
from db.services import years
from rubric import Rubric, RubricError, dump_rubric, rubric_from_records, rubric_to_records
from texts import admin as T

_TEXT = ("code", "task_title", "title", "standard", "deduction_rule", "evidence", "check_method")
_AUTO_NUMBERS = ("auto_minimum", "auto_maximum", "auto_step", "auto_per_step")
STAR_COLUMNS = (
    "code",
    "task_no",
    "task_title",
    "title",
    "standard",
    "deduction_rule",
    "max_points",
    "evidence",
    "evidence_required",
    "check_method",
    "auto_unit",
    "auto_label",
    *_AUTO_NUMBERS,
)
OTHER_COLUMNS = (
    "kind",
    "code",
    "title",
    "standard",
    "deduction_rule",
    "max_points",
    "evidence",
    "evidence_required",
    "check_method",
)
OTHER_KINDS = ("bonus", "deduction", "veto")


def editable_reason(row: years.YearRow) -> str | None:
    """Why the browser editor is not offered for this year (None: it is)."""
    if row.status != "open":
        return T.RUBRIC_EDIT_NOT_OPEN.format(year=row.year)
    if row.scored_entries:
        return T.RUBRIC_EDIT_SCORED.format(year=row.year, n=row.scored_entries)
    return None


def _column_config(columns: tuple[str, ...]) -> dict[str, Any]:
    labels = T.RUBRIC_EDIT_COLUMNS
    config: dict[str, Any] = {}
    for name in columns:
        if name in ("task_no",):
            config[name] = st.column_config.NumberColumn(labels[name], step=1, format="%d")
        elif name == "max_points":
            config[name] = st.column_config.NumberColumn(labels[name], step=0.5, format="%g")
        elif name in _AUTO_NUMBERS:
            config[name] = st.column_config.NumberColumn(labels[name], format="%g")
        elif name == "evidence_required":
            config[name] = st.column_config.CheckboxColumn(labels[name], default=True)
        elif name == "kind":
            config[name] = st.column_config.SelectboxColumn(
                labels[name],
                options=list(OTHER_KINDS),
                format_func=lambda k: T.RUBRIC_EDIT_KINDS[str(k)],
                required=True,
            )
        elif name == "code":
            config[name] = st.column_config.TextColumn(labels[name], required=True)
        else:
            config[name] = st.column_config.TextColumn(labels[name])
    return config


def _frame(records: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for r in records:
        row = {}
        for name in columns:
            value = r.get(name)
            if isinstance(value, Decimal):
                value = float(value)
            row[name] = value
        rows.append(row)
    return pd.DataFrame(rows, columns=list(columns))


def _cell(value: Any) -> Any:
    """A table cell as the rubric reads it: None for empty, exact text for numbers."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        # The editor holds floats; str() keeps what was typed (2.5, 0.5) for Decimal parsing.
        return int(value) if value.is_integer() else str(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def _records(frame: pd.DataFrame, **fixed: Any) -> list[dict[str, Any]]:
    out = []
    for raw in frame.to_dict("records"):
        record = {k: _cell(v) for k, v in raw.items()}
        if all(v is None for k, v in record.items() if k != "evidence_required"):
            continue  # a row added and left empty
        for name in _TEXT:
            if name in record and record[name] is None and name != "code":
                record[name] = ""
        if record.get("evidence_required") is None:
            record["evidence_required"] = True
        record.update(fixed)
        out.append(record)
    return out


def rubric_editor(row: years.YearRow, rubric: Rubric) -> str | None:
    """The editing tables; the edited rubric as YAML text when it differs and is valid."""
    st.markdown(f"**{T.RUBRIC_EDIT_HEADER}**")
    reason = editable_reason(row)
    if reason:
        st.caption(reason)
        return None
    st.caption(T.RUBRIC_EDIT_INTRO)
    records = rubric_to_records(rubric)
    key = f"admin:rubric-edit:{row.cycle_id}:{row.version}"
    tabs = st.tabs([scoring.STAR_NAMES[k] for k in scoring.STAR_KEYS] + [T.RUBRIC_EDIT_OTHER])
    edited: list[dict[str, Any]] = []
    bases: dict[str, Decimal] = {}
    for tab, star in zip(tabs, scoring.STAR_KEYS, strict=False):
        with tab:
            base = st.number_input(
                T.RUBRIC_EDIT_BASE.format(star=scoring.STAR_NAMES[star]),
                value=float(rubric.bases[star]),
                min_value=0.0,
                step=0.5,
                format="%g",
                key=f"{key}:base:{star}",
            )
            bases[star] = Decimal(str(base))
            mine = [r for r in records if r["kind"] == "criterion" and r["star"] == star]
            table = st.data_editor(
                _frame(mine, STAR_COLUMNS),
                num_rows="dynamic",
                hide_index=True,
                width="stretch",
                column_config=_column_config(STAR_COLUMNS),
                key=f"{key}:{star}",
            )
            edited += _records(table, kind="criterion", star=star)
    with tabs[-1]:
        others = [r for r in records if r["kind"] in OTHER_KINDS]
        table = st.data_editor(
            _frame(others, OTHER_COLUMNS),
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config=_column_config(OTHER_COLUMNS),
            key=f"{key}:other",
        )
        edited += _records(table, star=None, task_no=None, task_title=None)
    # The tables do not show where a figure comes from (member data): a row keeps its code's.
    sources = {r["code"]: r["auto_source"] for r in records}
    for i, record in enumerate(edited):
        record["sort_order"] = i
        record.setdefault("auto_source", sources.get(record.get("code")))
    try:
        new = rubric_from_records(
            rubric.title,
            rubric.version + 1,
            rubric.thresholds,
            bases,
            edited,
            vanguard=rubric.vanguard,
            ballot=rubric.ballot,
        )
    except RubricError as exc:
        st.error(T.RUBRIC_EDIT_INVALID.format(error=str(exc)), icon=":material/error:")
        return None
    if _same(new, rubric):
        st.caption(T.RUBRIC_EDIT_UNCHANGED)
        return None
    return dump_rubric(new)


def _same(new: Rubric, old: Rubric) -> bool:
    """Equal but for the version number the editor adds."""
    return rubric_to_records(new) == rubric_to_records(old) and new.bases == old.bases


__all__ = ["editable_reason", "rubric_editor"]
