"""The year's Excel workbook for the office and the 催报 list.

The workbook's sheets: 排名, 分星得分, 细则明细, 双优名单, 地区对比 (the city's workbook
only), 目标达成.

Written with openpyxl in write-only mode (a 2,000-organisation city has about 100,000
criterion rows); headers are Chinese, the header row is frozen, widths are set per column and
scores/shares carry number formats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import pandas as pd
from openpyxl import Workbook

import scoring
from documents.xlsx import (
    PERCENT_STYLE,
    SCORE_STYLE,
    Column,
    add_sheet,
    insert_rows,
    new_workbook,
    quoted_style_id,
    to_bytes,
)
from formatting import china_time, points_text, standing_name
from texts import common as C
from texts import leadership as T


class ExcellenceList(Protocol):
    """What the 双优名单 sheet shows of a year's 双优 view (a frozen dataclass: read-only)."""

    @property
    def candidates(self) -> pd.DataFrame: ...
    @property
    def basis_count(self) -> int: ...
    @property
    def quota(self) -> int: ...
    @property
    def confirmed_at(self) -> datetime | None: ...


def _yes(value: object) -> str:
    return T.YES if bool(value) else T.NO


def _tenths(value: Any) -> float | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return int(value) / 10


def _rank(value: Any) -> int | None:
    """A rank cell: empty for an organisation that holds none (not handed in: the frame comes
    through readmodels.shown_ranks)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return int(value)


def _ranking_sheet(wb: Workbook, frame: pd.DataFrame) -> None:
    columns = [
        Column(T.COL_RANK, 7),
        Column(T.COL_REGION_RANK, 9),
        Column(T.COL_CODE, 12),
        Column(T.COL_NAME, 40),
        Column(T.COL_TYPE, 10),
        Column(T.COL_REGION, 9),
        Column(T.COL_DEPARTMENT, 28),
        Column(T.COL_MEMBERS, 8),
        Column(T.COL_COMPOSITE, 10, SCORE_STYLE),
        Column(T.COL_STARS, 9),
        Column(T.COL_LEVEL, 9),
        Column(T.COL_FIVE_STAR, 8),
        Column(T.COL_VETOED, 9),
        Column(T.COL_STATUS, 9),
        Column(T.COL_SCORED, 9),
        Column(T.COL_CRITERIA_TOTAL, 9),
    ]
    rows = (
        (
            _rank(r.rank),
            _rank(r.region_rank),
            r.code,
            r.name,
            C.ORG_TYPE_NAMES.get(r.org_type, ""),
            r.region,
            r.department or "",
            int(r.member_count),
            float(r.composite),
            int(r.star_count),
            standing_name(int(r.level), bool(r.vetoed), str(r.status), int(r.scored)),
            _yes(r.five_star),
            _yes(r.vetoed),
            C.STATUS_NAMES.get(r.status, r.status),
            int(r.scored),
            int(r.criteria_total),
        )
        for r in frame.itertuples()
    )
    add_sheet(wb, T.SHEET_RANKING, columns, rows, freeze="E2")


def _stars_sheet(wb: Workbook, frame: pd.DataFrame, bases: dict[str, Decimal]) -> None:
    columns = [Column(T.COL_RANK, 7), Column(T.COL_CODE, 12), Column(T.COL_NAME, 40)]
    for key in scoring.STAR_KEYS:
        name = scoring.STAR_NAMES[key]
        header = T.X_STAR_SCORE.format(star=name) + f"（{T.R_BASE}{points_text(bases[key])}）"
        columns += [Column(header, 14, SCORE_STYLE), Column(T.X_STAR_LIT.format(star=name), 9)]
    columns += [
        Column(T.COL_BONUS, 7, SCORE_STYLE),
        Column(T.COL_DEDUCTION, 7, SCORE_STYLE),
        Column(T.COL_VETOED, 9),
        Column(T.COL_COMPOSITE, 10, SCORE_STYLE),
        Column(T.COL_LEVEL, 9),
        Column(T.COL_REGION_RANK, 9),  # beside 全市排名 in the first column: both ranks shown
    ]
    lit_cols = [f"lit_{k}" for k in scoring.STAR_KEYS]

    def row(r: pd.Series) -> list[Any]:
        values: list[Any] = [_rank(r["rank"]), r["code"], r["name"]]
        for key, lit in zip(scoring.STAR_KEYS, lit_cols, strict=True):
            values += [float(r[key]), _yes(r[lit])]
        values += [
            float(r["bonus"]),
            float(r["deduction"]),
            _yes(r["vetoed"]),
            float(r["composite"]),
            standing_name(int(r["level"]), bool(r["vetoed"]), str(r["status"]), int(r["scored"])),
            _rank(r["region_rank"]),
        ]
        return values

    add_sheet(wb, T.SHEET_STARS, columns, (row(r) for _, r in frame.iterrows()), freeze="D2")


def _criteria_sheet(wb: Workbook, lines: pd.DataFrame) -> tuple[Iterable[Sequence[Any]], int]:
    """The 细则明细 sheet with its header; returns its rows and text style for insert_rows.

    `lines`: one row per organisation and criterion in sheet order, with the organisation's
    code (code_org) and name, the criterion's code, kind, star and max_tenths, the self and
    reviewed tenths, and `used`, the tenths that count on the reviewed basis.
    """
    # Kept to eight columns: a 2,000-organisation city has ~100,000 rows here, and openpyxl's
    # cost is per cell. Criterion titles are in the rubric; the code identifies the line.
    columns = [
        Column(T.COL_CODE, 12),
        Column(T.COL_NAME, 40),
        Column(T.COL_CRIT_STAR, 9),
        Column(T.COL_CRIT_CODE, 8),
        Column(T.COL_CRIT_MAX, 7),
        Column(T.COL_CRIT_SELF, 8),
        Column(T.COL_CRIT_REVIEWED, 8),
        Column(T.X_USED, 8),
    ]
    star_or_kind = [
        scoring.STAR_NAMES[s] if k == "criterion" else C.KIND_NAMES[k]
        for k, s in zip(lines["kind"], lines["star"], strict=True)
    ]
    rows = zip(
        lines["code_org"].to_numpy(),
        lines["name"].to_numpy(),
        star_or_kind,
        lines["code"].to_numpy(),
        (lines["max_tenths"] / 10).to_numpy(),
        map(_tenths, lines["self_tenths"]),
        map(_tenths, lines["reviewed_tenths"]),
        map(_tenths, lines["used"]),
        strict=True,
    )
    ws = add_sheet(wb, T.SHEET_CRITERIA, columns, (), freeze="C2")
    return rows, quoted_style_id(ws)


def _excellence_sheet(wb: Workbook, view: ExcellenceList | None) -> None:
    columns = [
        Column(T.COL_RANK, 7),
        Column(T.COL_CODE, 12),
        Column(T.COL_NAME, 40),
        Column(T.COL_REGION, 9),
        Column(T.COL_DEPARTMENT, 28),
        Column(T.COL_COMPOSITE, 10, SCORE_STYLE),
        Column(T.COL_GRADE, 9),
        Column(T.COL_RECOMMENDED, 7),
        Column(T.COL_TIED, 7),
        Column(T.COL_SELECTED, 7),
        Column(T.COL_REASON, 40),
        Column(T.COL_REGION_RANK, 9),  # beside 全市排名 in the first column: both ranks shown
    ]
    rows: list[list[Any]] = []
    preamble: list[list[Any]] = []
    if view is not None:
        cand = view.candidates
        shown = cand[cand["selected"] | cand["recommended"]]
        rows = [
            [
                _rank(r.rank),
                r.code,
                r.name,
                r.region,
                r.department or "",
                float(r.composite),
                r.grade or T.EX_NO_GRADE,
                _yes(r.recommended),
                _yes(r.tied),
                _yes(r.selected),
                r.reason,
                _rank(r.region_rank),
            ]
            for r in shown.itertuples()
        ]
        state = (
            T.X_CONFIRMED_AT.format(at=china_time(view.confirmed_at))
            if view.confirmed_at
            else T.X_NOT_CONFIRMED
        )
        preamble = [
            [T.X_HEAD_STATE, state],
            [T.X_HEAD_FIVE, view.basis_count],
            [T.X_HEAD_QUOTA, view.quota],
        ]
    add_sheet(wb, T.SHEET_EXCELLENCE, columns, rows, freeze="D2", preamble=preamble)


def _targets_sheet(wb: Workbook, table: pd.DataFrame | None) -> None:
    columns = [
        Column(T.YEAR, 8),
        Column(T.COL_SCOPE, 10),
        Column(T.COL_ORG_COUNT, 9),
        Column(T.COL_FIVE_COUNT, 9),
        Column(T.COL_SHARE, 11, PERCENT_STYLE),
        Column(T.COL_TARGET, 9, PERCENT_STYLE),
        Column(T.COL_MET, 9),
        Column(T.COL_NEEDED, 12),
    ]
    rows = []
    if table is not None:
        for r in table.itertuples():
            met = "" if r.met is None or pd.isna(r.met) else _yes(r.met)
            target = None if r.target is None or pd.isna(r.target) else float(r.target)
            rows.append(
                [
                    int(r.year),
                    r.scope,
                    int(r.total),
                    int(r.five_star),
                    float(r.share),
                    target,
                    met,
                    int(r.needed),
                ]
            )
    add_sheet(wb, T.SHEET_TARGETS, columns, rows, freeze="A2")


def _number(value: object) -> float | int | None:
    """A cell's number, or empty for a missing figure (None / NaN)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return value  # type: ignore[return-value]  # int or float as the table holds it


def _comparison_sheet(wb: Workbook, table: pd.DataFrame) -> None:
    """The regions side by side (db.services.comparison.compare_regions), total row last."""
    columns = [
        Column(T.COL_REGION, 10),
        Column(T.COL_ORG_COUNT, 8),
        Column(T.COL_SUBMITTED, 8),
        Column(T.COL_COMPLETION, 9, PERCENT_STYLE),
        Column(T.COL_FIVE_COUNT, 9),
        Column(T.COL_SHARE, 11, PERCENT_STYLE),
        Column(T.COL_TARGET, 8, PERCENT_STYLE),
        Column(T.COL_MET, 9),
        Column(T.COL_NEEDED, 12),
        Column(T.COL_REVIEWED_COUNT, 8),
        Column(T.COL_INFLATION, 10, SCORE_STYLE),
        Column(T.COL_COMPARED, 9),
        Column(T.CHANGE_UP, 7),
        Column(T.CHANGE_DOWN, 7),
        Column(T.CHANGE_SAME, 7),
    ]
    rows = [
        [
            r.region,
            int(r.total),
            int(r.submitted),
            _number(r.completion),
            int(r.five_star),
            _number(r.share),
            _number(r.target),
            "" if r.met is None or pd.isna(r.met) else _yes(r.met),
            int(r.needed),
            int(r.reviewed),
            _number(r.inflation),
            _number(r.compared),
            _number(r.up),
            _number(r.down),
            _number(r.same),
        ]
        for r in table.itertuples()
    ]
    add_sheet(wb, T.SHEET_COMPARISON, columns, rows, freeze="B2")


def city_workbook(
    *,
    frame: pd.DataFrame,
    criteria_lines: pd.DataFrame,
    excellence: ExcellenceList | None,
    attainment: pd.DataFrame | None,
    bases: dict[str, Decimal],
    comparison: pd.DataFrame | None = None,
) -> bytes:
    """The sheets 排名, 分星得分, 细则明细, 双优名单, [地区对比,] 目标达成 as .xlsx bytes
    (地区对比 when `comparison` is given: the city's workbook)."""
    wb = new_workbook()
    _ranking_sheet(wb, frame)
    _stars_sheet(wb, frame, bases)
    criteria_rows, quoted_style = _criteria_sheet(wb, criteria_lines)
    _excellence_sheet(wb, excellence)
    if comparison is not None:
        _comparison_sheet(wb, comparison)
    _targets_sheet(wb, attainment)
    content = to_bytes(wb)
    # Parts are named by sheet position (sheet1.xml, …) in write-only workbooks.
    sheet_no = wb.sheetnames.index(T.SHEET_CRITERIA) + 1
    return insert_rows(content, sheet_no, criteria_rows, quoted_style=quoted_style)


def chase_workbook(pending: pd.DataFrame) -> bytes:
    """The 催报 list: organisations that have not handed in, with progress and contacts."""
    wb = new_workbook()
    columns = [
        Column(T.COL_CODE, 12),
        Column(T.COL_NAME, 40),
        Column(T.COL_REGION, 9),
        Column(T.COL_DEPARTMENT, 28),
        Column(T.COL_STATUS, 10),
        Column(T.COL_PROGRESS, 9, PERCENT_STYLE),
        Column(T.COL_CONTACT, 18),
        Column(T.COL_UPDATED, 17),
    ]
    rows = [
        [
            r.code,
            r.name,
            r.region,
            r.department or "",
            T.COMPLETION_NAMES[r.state],
            float(r.progress),
            r.contact if isinstance(r.contact, str) else "",
            china_time(r.updated_at) if isinstance(r.updated_at, datetime) else "",
        ]
        for r in pending.itertuples()
    ]
    add_sheet(wb, T.X_CHASE_SHEET, columns, rows, freeze="C2")
    return to_bytes(wb)


__all__ = ["ExcellenceList", "chase_workbook", "city_workbook"]
