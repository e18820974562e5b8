"""The app's own stylesheet for phones, and the two pieces of markup it styles.

Below PHONE_MAX (Streamlit stacks columns there too) the pages get: fields with 16 px text
(phones zoom into a focused field with smaller text), smaller titles and metric figures, long
criterion texts folded to two lines with a 展开全文 switch, and wide tables shown as lists.
Above it nothing changes: the switch and the lists are hidden, the tables shown as before.

Pure CSS (one <style>, no script, no external asset): a fold is a container keyed
``wx-fold-…`` holding a checkbox label; a wide table sits in ``wx-wide-…`` beside its list in
``wx-phone-…`` (Streamlit gives a keyed container the class ``st-key-<key>``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from html import escape
from typing import Any

import pandas as pd
import streamlit as st

from texts import common as C
from ui.text import plain

PHONE_MAX = 640  # px: Streamlit's own breakpoint for stacking columns
FOLD_CHARS = 80  # criterion texts longer than this fold on a phone
LIST_LIMIT = 30  # rows a long table lists on a phone (the rest are counted)

# How a table's figures are written in a phone's list, as its column_config formats them.
PERCENT, ONE_DECIMAL, TWO_DECIMALS = "{:.1%}", "{:.1f}", "{:.2f}"
WHOLE_PERCENT = "{:.0%}"  # a progress bar's figure

PHONE_CSS = """<style>
.wx-fold-toggle { display: none; }
details.wx-details {
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; margin: 0 0 0.25rem;
}
details.wx-details > summary {
  cursor: pointer; padding: 0.5rem 0.75rem; list-style: none; font-size: 0.95rem;
}
details.wx-details > summary::-webkit-details-marker { display: none; }
details.wx-details > summary::before {
  content: "›"; display: inline-block; width: 1rem; transition: transform 0.15s;
}
details.wx-details[open] > summary::before { transform: rotate(90deg); }
details.wx-details > div {
  padding: 0 0.75rem 0.5rem; white-space: pre-wrap; font-size: 0.9rem; line-height: 1.5;
}
@media (min-width: PHONE_MIN_PX) {
  [class*="st-key-wx-phone-"] { display: none; }
}
@media (max-width: PHONE_MAX_PX) {
  [class*="st-key-wx-wide-"] { display: none; }
  [data-testid="stMain"] .block-container { padding-left: 0.75rem; padding-right: 0.75rem; }
  [data-testid="stMain"] h1 { font-size: 1.75rem; }
  [data-testid="stMain"] h2 { font-size: 1.35rem; }
  [data-testid="stMain"] h3 { font-size: 1.15rem; }
  [data-testid="stMetricValue"] { font-size: 1.6rem; }
  [class*="st-key-wx-two-up-"] [data-testid="stColumn"],
  [class*="st-key-wx-file-"] [data-testid="stColumn"]:not(:first-child) {
    min-width: calc(50% - 0.5rem) !important;
  }
  input, textarea, select { font-size: 16px !important; }
  [data-testid="stBottom"] [data-testid="stMarkdownContainer"] p {
    font-size: 0.9rem; line-height: 1.4;
  }
  [data-testid="stBottomBlockContainer"] {
    padding: 0.5rem 0.75rem 0.75rem; max-width: 100vw;
  }
  [class*="st-key-wx-fold-"]:not(:has(.wx-fold-toggle input:checked))
    [data-testid="stMarkdownContainer"] p {
    display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2;
    overflow: hidden;
  }
  .wx-fold-toggle {
    display: inline-flex; align-items: center; min-height: 2.25rem; cursor: pointer;
    color: var(--primary-color, #c0392b); font-size: 0.95rem;
  }
  .wx-fold-toggle input { position: absolute; opacity: 0; pointer-events: none; }
  .wx-fold-toggle .wx-less, .wx-fold-toggle:has(input:checked) .wx-more { display: none; }
  .wx-fold-toggle:has(input:checked) .wx-less { display: inline; }
}
</style>""".replace("PHONE_MAX_PX", f"{PHONE_MAX}px").replace("PHONE_MIN_PX", f"{PHONE_MAX + 1}px")


def phone_style() -> None:
    """The stylesheet, on every page (the login page too)."""
    st.html(PHONE_CSS)


def _key(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", "-".join(parts))


@contextmanager
def fold(name: str, text_length: int) -> Iterator[None]:
    """A block of text that folds to two lines a paragraph on a phone when it is long."""
    with st.container(key=_key("wx-fold", name)):
        yield
        if text_length > FOLD_CHARS:
            st.html(
                '<label class="wx-fold-toggle"><input type="checkbox">'
                f'<span class="wx-more">{escape(C.FOLD_MORE)}</span>'
                f'<span class="wx-less">{escape(C.FOLD_LESS)}</span></label>'
            )


def disclosure(summary: str, *texts: str) -> None:
    """Texts shown under a summary line when it is opened (a native <details>): what an
    st.expander with st.text inside shows, as one light element (a page with dozens of them,
    审核's items, draws much faster). Empty texts are left out; nothing at all without text."""
    shown = [t for t in texts if t]
    if not shown:
        return
    body = "".join(f"<div>{escape(t)}</div>" for t in shown)
    st.html(f'<details class="wx-details"><summary>{escape(summary)}</summary>{body}</details>')


def wide_part(name: str) -> Any:
    """The container shown on a wide screen only (its twin for a phone: `phone_part`)."""
    return st.container(key=_key("wx-wide", name))


def phone_part(name: str) -> Any:
    """The container shown on a phone only (its twin for a wide screen: `wide_part`)."""
    return st.container(key=_key("wx-phone", name))


def two_up(name: str) -> Any:
    """A container whose columns sit two to a row on a phone, where Streamlit stacks them one
    to a row (我的支部's five star cards took a screen and a half)."""
    return st.container(key=_key("wx-two-up", name))


def file_row(name: str) -> Any:
    """A container for one file's row (name, then its buttons): on a phone the name takes a
    row and the buttons share the next (stacked, each button took a row of its own)."""
    return st.container(key=_key("wx-file", name))


def table_or_list(
    frame: pd.DataFrame,
    name: str,
    title_column: str,
    *,
    labels: Mapping[str, str] | None = None,
    phone_columns: Sequence[str] | None = None,
    phone_frame: pd.DataFrame | None = None,
    limit: int | None = None,
    **table: Any,
) -> Any:
    """The table as it is on a wide screen; on a phone one short entry per row instead.

    `labels` names the columns (key → heading) in both; `phone_columns` the cells a phone
    entry shows beside its title (default: all), taken from `phone_frame` when given (the same
    rows, some cells as other text); a figure is written as its column_config formats it on
    the table (`as_configured`); `limit` the entries listed on a phone (the rest are counted).
    Other keywords go to st.dataframe (key, on_select, height, column_config, …), whose
    selection comes back.
    """
    config = {k: st.column_config.Column(v) for k, v in (labels or {}).items()}
    config |= table.pop("column_config", None) or {}
    with wide_part(name):
        wide, wide_config = percent_as_points(frame, config)
        shown = st.dataframe(
            wide, hide_index=True, width="stretch", column_config=wide_config or None, **table
        )
    with phone_part(name):
        keep = [title_column, *(c for c in (phone_columns or frame.columns) if c != title_column)]
        source = frame if phone_frame is None else phone_frame
        rows = source[keep].head(limit) if limit is not None else source[keep]
        rows = as_configured(rows, config)
        headed = rows.rename(columns={k: v for k, v in (labels or {}).items() if k != title_column})
        st.markdown("\n".join(list_lines(headed.to_dict("records"), title_column)))
        if limit is not None and len(frame) > limit:
            st.caption(C.LIST_MORE.format(n=len(frame) - limit))
    return shown


SHARE_POINTS_FORMAT = "%.1f%%"  # a share: one decimal, "46.7%"
PROGRESS_POINTS_FORMAT = "%.0f%%"  # a progress bar's figure: whole, "63%" (room for the bar)


def percent_as_points(
    frame: pd.DataFrame, config: Mapping[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The frame and config with every share (a number column formatted "percent", 0–1) drawn
    as percentage points with one decimal, "50.7%" and "50.0%" as on the metrics and charts,
    and every progress bar's figure whole, "63%": Streamlit's own "percent" writes up to two
    decimals and drops zeros ("50.72%", "50%", "63.04%"). Still numbers, so a click on the
    header sorts them as numbers; a progress bar's bounds are scaled with them."""
    shares = [
        c
        for c in frame.columns
        if _type_config(config.get(c)).get("type") in ("number", "progress")
        and _type_config(config.get(c)).get("format") == "percent"
    ]
    if not shares:
        return frame, dict(config)
    points = frame.assign(**{c: frame[c].astype(float) * 100 for c in shares})
    drawn = dict(config)
    for c in shares:
        column = dict(config[c])
        progress = column["type_config"]["type"] == "progress"
        kind = dict(
            column["type_config"],
            format=PROGRESS_POINTS_FORMAT if progress else SHARE_POINTS_FORMAT,
        )
        for bound in ("min_value", "max_value"):
            if kind.get(bound) is not None:
                kind[bound] = kind[bound] * 100
        column["type_config"] = kind
        drawn[c] = column
    return points, drawn


def phone_text(table: pd.DataFrame, patterns: Mapping[str, str]) -> pd.DataFrame:
    """A table's cells as a phone list shows them, column → pattern (shares as "46.7%",
    points as "92.5"); missing figures as "—", which the list leaves out."""

    def text(pattern: str) -> object:
        return lambda v: "—" if v is None or pd.isna(v) else pattern.format(v)

    return table.assign(**{column: table[column].map(text(p)) for column, p in patterns.items()})


_FIXED = re.compile(r"%\.(\d)f")


def _type_config(column: object) -> Mapping[str, Any]:
    """A column_config entry's type and format ({} for a plain label or None)."""
    return (column.get("type_config") or {}) if isinstance(column, Mapping) else {}


def _pattern(column: object) -> str | None:
    """The phone pattern of a column's number format ("percent", "%.1f"); None for any other
    (whole numbers need none: `_cell`)."""
    fmt = _type_config(column).get("format")
    if fmt == "percent":
        return WHOLE_PERCENT if _type_config(column).get("type") == "progress" else PERCENT
    fixed = _FIXED.fullmatch(fmt) if isinstance(fmt, str) else None
    return "{:." + fixed[1] + "f}" if fixed else None


def as_configured(rows: pd.DataFrame, config: Mapping[str, object]) -> pd.DataFrame:
    """The rows' figures written as the table's column_config shows them: a share as "46.7%",
    points as "92.5", a tick as 是/否 (columns already text are left as they are)."""
    numeric = pd.api.types.is_numeric_dtype
    patterns = {
        c: p
        for c in rows.columns
        if (p := _pattern(config.get(c))) and numeric(rows[c]) and rows[c].dtype != bool
    }
    ticks = {
        c: rows[c].map({True: C.YES, False: C.NO})
        for c in rows.columns
        if _type_config(config.get(c)).get("type") == "checkbox"
    }
    return phone_text(rows, patterns).assign(**ticks)


def _cell(value: object) -> object:
    """A whole number pandas made a float (a column with gaps) shown without ".0"."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def list_lines(rows: Sequence[Mapping[str, object]], title_column: str) -> list[str]:
    """'- **2026（本年度）** 学习星 ☆ 15 · 规范星 ★ 20 · …' (empty and "—" cells left out)."""
    lines = []
    for row in rows:
        cells = [
            f"{plain(k)} {plain(_cell(v))}"
            for k, v in row.items()
            if k != title_column and v is not None and not pd.isna(v) and str(v) not in ("", "—")
        ]
        lines.append(f"- **{plain(row[title_column])}** " + " · ".join(cells))
    return lines


__all__ = [
    "LIST_LIMIT",
    "ONE_DECIMAL",
    "PERCENT",
    "PHONE_CSS",
    "PHONE_MAX",
    "PROGRESS_POINTS_FORMAT",
    "SHARE_POINTS_FORMAT",
    "TWO_DECIMALS",
    "WHOLE_PERCENT",
    "as_configured",
    "disclosure",
    "file_row",
    "fold",
    "list_lines",
    "percent_as_points",
    "phone_part",
    "phone_style",
    "phone_text",
    "table_or_list",
    "two_up",
    "wide_part",
]
