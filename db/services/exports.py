"""Exports for the office: the year's Excel workbook, the 催报 list and a printable org report.

The workbook is written with openpyxl in write-only mode (a 2,000-organisation city has about
100,000 criterion rows); headers are Chinese, the header row is frozen, widths are set per
column and scores/shares carry number formats. The organisation report is one self-contained
HTML page (inline CSS, no scripts, nothing fetched) laid out for one A4 sheet: it opens in any
browser offline and prints with Ctrl+P.
"""

from __future__ import annotations

import io
import math
import numbers
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

import scoring
from db.models import utcnow
from db.services import excellence, readmodels, statistics
from db.services.common import Actor, InvalidInput, NotFound, audit_now
from db.services.cycles import cycle_by_year, rubric_of_cycle
from texts import common as C
from texts import leadership as T

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_STYLE = "wx_header"
SCORE_STYLE = "wx_score"
PERCENT_STYLE = "wx_percent"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SUGGESTIONS_SHOWN = 6
HISTORY_YEARS = 5  # keeps the report on one A4 page


@dataclass(frozen=True)
class Column:
    """One column of a sheet: header, width (characters) and an optional named style."""

    header: str
    width: float
    style: str | None = None


# --------------------------------------------------------------------------- workbook helpers


def _styles(wb: Workbook) -> None:
    header = NamedStyle(name=HEADER_STYLE)
    header.font = Font(bold=True, color="FFFFFF")
    header.fill = PatternFill("solid", fgColor="C0392B")
    header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    score = NamedStyle(name=SCORE_STYLE, number_format="0.0")
    percent = NamedStyle(name=PERCENT_STYLE, number_format="0.0%")
    for style in (header, score, percent):
        wb.add_named_style(style)


def _sheet(
    wb: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    freeze: str = "A2",
    preamble: Sequence[Sequence[Any]] = (),
) -> WriteOnlyWorksheet:
    """A write-only sheet: frozen header, widths, styled header and formatted number columns.

    `preamble` rows (what the table is, e.g. whether a list is final) come above the header,
    where a reader sees them before the list; the frozen rows move down with them.
    """
    ws = wb.create_sheet(title)
    if preamble:
        letters = "".join(c for c in freeze if c.isalpha())
        ws.freeze_panes = f"{letters}{len(preamble) + 3}"
    else:
        ws.freeze_panes = freeze
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    for line in preamble:
        ws.append(list(line))
    if preamble:
        ws.append([])
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col.header)
        cell.style = HEADER_STYLE
        header.append(cell)
    ws.append(header)
    styled = [(i, c.style) for i, c in enumerate(columns) if c.style]
    for row in rows:
        # Control characters are not allowed in SpreadsheetML (openpyxl would refuse the cell).
        values: list[Any] = [_ILLEGAL_XML.sub("", v) if isinstance(v, str) else v for v in row]
        for i, style in styled:
            if values[i] is not None and values[i] != "":
                cell = WriteOnlyCell(ws, value=values[i])
                cell.style = style
                values[i] = cell
        ws.append(values)
    return ws


def _yes(value: object) -> str:
    return T.YES if bool(value) else T.NO


def _num(value: object) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return float(value)  # type: ignore[arg-type]


def _tenths(value: object) -> float | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return int(value) / 10  # type: ignore[call-overload]


# --------------------------------------------------------------------------- the sheets


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
            int(r.rank),
            int(r.region_rank),
            r.code,
            r.name,
            C.ORG_TYPE_NAMES.get(r.org_type, ""),
            r.region,
            r.department or "",
            int(r.member_count),
            float(r.composite),
            int(r.star_count),
            C.LEVEL_NAMES[int(r.level)],
            _yes(r.five_star),
            _yes(r.vetoed),
            C.STATUS_NAMES.get(r.status, r.status),
            int(r.scored),
            int(r.criteria_total),
        )
        for r in frame.itertuples()
    )
    _sheet(wb, T.SHEET_RANKING, columns, rows, freeze="E2")


def _stars_sheet(wb: Workbook, frame: pd.DataFrame, bases: dict[str, Decimal]) -> None:
    columns = [Column(T.COL_RANK, 7), Column(T.COL_CODE, 12), Column(T.COL_NAME, 40)]
    for key in scoring.STAR_KEYS:
        name = scoring.STAR_NAMES[key]
        header = T.X_STAR_SCORE.format(star=name) + f"（{T.R_BASE}{_fmt(bases[key])}）"
        columns += [Column(header, 14, SCORE_STYLE), Column(T.X_STAR_LIT.format(star=name), 9)]
    columns += [
        Column(T.COL_BONUS, 7, SCORE_STYLE),
        Column(T.COL_DEDUCTION, 7, SCORE_STYLE),
        Column(T.COL_VETOED, 9),
        Column(T.COL_COMPOSITE, 10, SCORE_STYLE),
        Column(T.COL_LEVEL, 9),
    ]
    lit_cols = [f"lit_{k}" for k in scoring.STAR_KEYS]

    def row(r: pd.Series) -> list[Any]:
        values: list[Any] = [int(r["rank"]), r["code"], r["name"]]
        for key, lit in zip(scoring.STAR_KEYS, lit_cols, strict=True):
            values += [float(r[key]), _yes(r[lit])]
        values += [
            float(r["bonus"]),
            float(r["deduction"]),
            _yes(r["vetoed"]),
            float(r["composite"]),
            C.LEVEL_NAMES[int(r["level"])],
        ]
        return values

    _sheet(wb, T.SHEET_STARS, columns, (row(r) for _, r in frame.iterrows()), freeze="D2")


def _criteria_sheet(
    wb: Workbook, frame: pd.DataFrame, entries: pd.DataFrame, criteria: pd.DataFrame
) -> Iterable[Sequence[Any]]:
    """The 细则明细 sheet with its header; returns its rows for _insert_rows (see there)."""
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
    crit = criteria.set_index("code")
    orgs = frame[["code", "name", "rank"]]
    merged = entries.merge(orgs, left_on="org_id", right_index=True, suffixes=("", "_org"))
    merged = merged.merge(
        crit[["kind", "star", "max_tenths", "sort_order"]], left_on="code", right_index=True
    )
    merged = merged.sort_values(["rank", "code_org", "sort_order"])
    used = statistics.basis_points(merged, "reviewed")
    star_or_kind = [
        scoring.STAR_NAMES[s] if k == "criterion" else C.KIND_NAMES[k]
        for k, s in zip(merged["kind"], merged["star"], strict=True)
    ]
    rows = zip(
        merged["code_org"].to_numpy(),
        merged["name"].to_numpy(),
        star_or_kind,
        merged["code"].to_numpy(),
        (merged["max_tenths"] / 10).to_numpy(),
        map(_tenths, merged["self_tenths"]),
        map(_tenths, merged["reviewed_tenths"]),
        map(_tenths, used),
        strict=True,
    )
    _sheet(wb, T.SHEET_CRITERIA, columns, (), freeze="C2")
    return rows


def _cell_xml(ref: str, value: Any) -> str:
    if isinstance(value, str):
        text = xml_escape(_ILLEGAL_XML.sub("", value))
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, numbers.Integral):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    return f'<c r="{ref}"><v>{float(value)!r}</v></c>'


def _insert_rows(xlsx: bytes, sheet_no: int, rows: Iterable[Sequence[Any]]) -> bytes:
    """Append plain rows (text and numbers, no styles) to one sheet of a saved workbook.

    openpyxl spends about 30 microseconds per cell here, so the ~100,000-row 细则明细 of a
    2,000-organisation city would take a quarter of a minute; the same SpreadsheetML that
    openpyxl writes for unstyled cells (inline strings, numbers) is produced directly instead.
    """
    part = f"xl/worksheets/sheet{sheet_no}.xml"
    chunks = []
    for r, row in enumerate(rows, start=2):
        cells = "".join(
            _cell_xml(f"{letter}{r}", value)
            for letter, value in zip(_LETTERS, row, strict=False)
            if value is not None and not (isinstance(value, float) and math.isnan(value))
        )
        chunks.append(f'<row r="{r}">{cells}</row>')
    body = "".join(chunks)
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                xml = data.decode("utf-8")
                assert xml.count("</sheetData>") == 1, part
                data = xml.replace("</sheetData>", body + "</sheetData>").encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


_LETTERS = [get_column_letter(i) for i in range(1, 27)]


def _excellence_sheet(wb: Workbook, view: excellence.ExcellenceView | None) -> None:
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
    ]
    rows: list[list[Any]] = []
    preamble: list[list[Any]] = []
    if view is not None:
        cand = view.candidates
        shown = cand[cand["selected"] | cand["recommended"]]
        rows = [
            [
                int(r.rank),
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
            ]
            for r in shown.itertuples()
        ]
        state = (
            T.X_CONFIRMED_AT.format(at=statistics.as_local(view.confirmed_at))
            if view.confirmed_at
            else T.X_NOT_CONFIRMED
        )
        preamble = [
            [T.X_HEAD_STATE, state],
            [T.X_HEAD_FIVE, view.basis_count],
            [T.X_HEAD_QUOTA, view.quota],
        ]
    _sheet(wb, T.SHEET_EXCELLENCE, columns, rows, freeze="D2", preamble=preamble)


def _targets_sheet(wb: Workbook, history: pd.DataFrame) -> None:
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
    table = statistics.attainment_table(history, T.CITY_SCOPE) if not history.empty else None
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
    _sheet(wb, T.SHEET_TARGETS, columns, rows, freeze="A2")


def build_workbook(
    *,
    frame: pd.DataFrame,
    entries: pd.DataFrame,
    criteria: pd.DataFrame,
    view: excellence.ExcellenceView | None,
    history: pd.DataFrame,
    bases: dict[str, Decimal],
) -> bytes:
    """The five sheets 排名, 分星得分, 细则明细, 双优名单, 目标达成 as .xlsx bytes."""
    wb = Workbook(write_only=True)
    _styles(wb)
    _ranking_sheet(wb, frame)
    _stars_sheet(wb, frame, bases)
    criteria_rows = _criteria_sheet(wb, frame, entries, criteria)
    _excellence_sheet(wb, view)
    _targets_sheet(wb, history)
    out = io.BytesIO()
    wb.save(out)
    # Parts are named by sheet position (sheet1.xml, …) in write-only workbooks.
    sheet_no = wb.sheetnames.index(T.SHEET_CRITERIA) + 1
    return _insert_rows(out.getvalue(), sheet_no, criteria_rows)


def export_workbook(actor: Actor | None, *, year: int) -> bytes:
    """The year's workbook, for the 机关工委 and the leadership (reviewed basis)."""
    actor = readmodels.authorize_results_view(actor)
    cycle = cycle_by_year(actor, year)
    rubric = rubric_of_cycle(actor, cycle.id)
    frame = readmodels.load_city_frame(actor, year, "reviewed")
    try:
        view: excellence.ExcellenceView | None = excellence.build_view(actor, year)
    except NotFound:
        view = None
    content = build_workbook(
        frame=frame,
        entries=statistics.load_entries(actor, year),
        criteria=statistics.load_criteria(actor, year),
        view=view,
        history=readmodels.load_history(actor),
        bases=rubric.bases,
    )
    audit_now(actor, "export_workbook", "year", year, {"orgs": len(frame)})
    return content


def chase_workbook(actor: Actor | None, *, year: int) -> bytes:
    """The 催报 list: organisations that have not handed in, with progress and contacts."""
    actor = readmodels.authorize_results_view(actor)
    frame = readmodels.load_city_frame(actor, year, "reviewed")
    pending = statistics.chase_list(frame, statistics.load_progress(actor, year))
    wb = Workbook(write_only=True)
    _styles(wb)
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
            statistics.as_local(r.updated_at) if isinstance(r.updated_at, datetime) else "",
        ]
        for r in pending.itertuples()
    ]
    _sheet(wb, T.X_CHASE_SHEET, columns, rows, freeze="C2")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- printable report


def _fmt(value: object) -> str:
    d = scoring.to_decimal(value)
    return format(
        d.quantize(Decimal("0.1")) if d != d.to_integral_value() else d.quantize(Decimal(1)), "f"
    )


REPORT_CSS = """
.wx-report{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
 color:#1f2430;max-width:190mm;margin:0 auto;font-size:10.5pt;line-height:1.45}
.wx-report h1{font-size:16pt;text-align:center;margin:0 0 2mm;color:#a93226}
.wx-report .sub{text-align:center;color:#555;margin:0 0 4mm}
.wx-report table{border-collapse:collapse;width:100%;margin:0 0 3mm}
.wx-report th,.wx-report td{border:1px solid #c9ccd3;padding:1.2mm 2mm;text-align:left}
.wx-report th{background:#f7f3f2;font-weight:600;white-space:nowrap}
.wx-report td.num{text-align:right;font-variant-numeric:tabular-nums}
.wx-report .big{font-size:20pt;font-weight:700;color:#a93226}
.wx-report .lit{color:#c0392b;font-weight:700}
.wx-report .unlit{color:#7f8c8d}
.wx-report h2{font-size:12pt;margin:3mm 0 1.5mm;border-left:3px solid #c0392b;padding-left:2mm}
.wx-report ul{margin:0 0 2mm;padding-left:5mm}
.wx-report .foot{color:#777;font-size:8.5pt;margin-top:3mm}
"""
PRINT_CSS = "@page{size:A4;margin:12mm}body{margin:0}@media print{.wx-report{max-width:none}}"


def _row(cells: Iterable[str], header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"


def report_body(
    *,
    row: pd.Series,
    year: int,
    total: int,
    region_total: int,
    bases: dict[str, Decimal],
    thresholds: scoring.Thresholds,
    suggestions: Sequence[tuple[str, str, Decimal]],
    history: pd.DataFrame,
    basis: str,
    generated: datetime,
) -> str:
    """The report's HTML fragment (scoped CSS); every value from the database is escaped."""
    e = escape
    level = C.LEVEL_NAMES[int(row["level"])]
    gap = statistics.gap_of(row, bases, thresholds)
    if gap.five_star:
        gap_text = T.DETAIL_GAP_DONE
    elif bool(row["vetoed"]):
        gap_text = T.DETAIL_GAP_VETO
    else:
        parts = [
            T.DETAIL_GAP_STAR.format(star=scoring.STAR_NAMES[k], points=_fmt(v))
            for k, v in gap.star_missing.items()
            if v > 0
        ]
        if gap.composite_missing > 0:
            parts.append(T.DETAIL_GAP_COMPOSITE.format(points=_fmt(gap.composite_missing)))
        gap_text = T.DETAIL_GAP.format(points=_fmt(gap.min_extra_points), parts="；".join(parts))
    info = [
        (T.R_ORG, e(str(row["name"])) + f"（{e(str(row['code']))}）"),
        (T.R_TYPE, e(C.ORG_TYPE_NAMES.get(str(row["org_type"]), ""))),
        (T.R_REGION, e(str(row["region"]))),
        (T.R_DEPARTMENT, e(str(row["department"] or ""))),
        (T.R_STATUS, e(C.STATUS_NAMES.get(str(row["status"]), str(row["status"])))),
        (T.R_BASIS, e(T.BASIS_OPTIONS[basis])),
    ]
    info_rows = "".join(
        _row([f"<b>{info[i][0]}</b>", info[i][1], f"<b>{info[i + 1][0]}</b>", info[i + 1][1]])
        for i in range(0, len(info), 2)
    )
    summary = _row([T.R_LEVEL, T.R_COMPOSITE, T.R_RANK, T.R_REGION_RANK], header=True) + _row(
        [
            f'<span class="big">{e(level)}</span>',
            f'<span class="big">{_fmt(row["composite"])}</span>',
            T.R_RANK_VALUE.format(rank=int(row["rank"]), total=total),
            T.R_REGION_RANK_VALUE.format(rank=int(row["region_rank"]), total=region_total),
        ]
    )
    star_rows = _row([T.R_STAR, T.R_BASE, T.R_LINE, T.R_SCORE, T.R_LIT, T.R_MISSING], header=True)
    for key in scoring.STAR_KEYS:
        lit = bool(row[f"lit_{key}"])
        line = bases[key] * thresholds.star_ratio
        mark = (
            f'<span class="lit">{T.LIT_MARK} {C.LIT}</span>'
            if lit
            else f'<span class="unlit">{T.UNLIT_MARK} {C.UNLIT}</span>'
        )
        missing = gap.star_missing[key]
        star_rows += (
            f"<tr><td>{scoring.STAR_NAMES[key]}</td><td class='num'>{_fmt(bases[key])}</td>"
            f"<td class='num'>{_fmt(line)}</td><td class='num'>{_fmt(row[key])}</td>"
            f"<td>{mark}</td><td class='num'>{_fmt(missing) if missing > 0 else '—'}</td></tr>"
        )
    adjust = T.R_ADJUST.format(
        bonus=_fmt(row["bonus"]),
        deduction=_fmt(row["deduction"]),
        veto=T.R_VETO if bool(row["vetoed"]) else "",
    )
    suggest = ""
    if suggestions:
        items = "".join(
            f"<li>{e(T.R_SUGGEST_ROW.format(code=code, title=title, points=_fmt(points)))}</li>"
            for code, title, points in suggestions[:SUGGESTIONS_SHOWN]
        )
        if len(suggestions) > SUGGESTIONS_SHOWN:
            items += f"<li>{e(T.R_SUGGEST_MORE.format(n=len(suggestions)))}</li>"
        suggest = f"<h2>{T.R_SUGGEST}</h2><ul>{items}</ul>"
    hist = ""
    if not history.empty:
        hist_rows = _row([T.YEAR, T.R_COMPOSITE, T.R_LEVEL, T.R_RANK], header=True) + "".join(
            _row(
                [
                    str(int(h.year)),
                    _fmt(h.composite),
                    e(C.LEVEL_NAMES[int(h.level)]),
                    str(int(h.rank)),
                ]
            )
            for h in history.tail(HISTORY_YEARS).itertuples()
        )
        hist = f"<h2>{T.R_HISTORY}</h2><table>{hist_rows}</table>"
    return (
        f'<div class="wx-report"><h1>{e(T.R_DOC_TITLE.format(year=year))}</h1>'
        f'<p class="sub">{e(str(row["name"]))}</p>'
        f"<table>{info_rows}</table><table>{summary}</table>"
        f"<h2>{T.R_STARS}</h2><table>{star_rows}</table><p>{e(adjust)}</p>"
        f"<h2>{T.R_GAP}</h2><p>{e(gap_text)}</p>{suggest}{hist}"
        f'<p class="foot">{e(T.R_GENERATED.format(at=statistics.as_local(generated)))}</p></div>'
    )


def report_document(body: str, title: str) -> str:
    """A whole printable HTML document around a report body (A4, no external resources)."""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{REPORT_CSS}{PRINT_CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


@dataclass(frozen=True)
class OrgReport:
    """The printable report of one organisation: the fragment, the document and a file name."""

    body: str
    document: str
    filename: str


def org_report(
    actor: Actor | None,
    *,
    org_id: int,
    year: int,
    basis: str = "reviewed",
    frame_of: Callable[[int, str], pd.DataFrame] | None = None,
) -> OrgReport:
    """One organisation's one-page report: stars, composite, level, rank and gap to five-star.

    `frame_of(year, basis)` may supply an already cached city frame (defaults to a fresh load).
    """
    viewer = readmodels.authorize_org_view(actor, org_id)

    def fresh(y: int, b: str) -> pd.DataFrame:
        return readmodels.load_city_frame(viewer, y, b)

    load = frame_of or fresh
    frame = load(year, basis)
    if org_id not in frame.index:
        counted = readmodels.load_org_table(viewer, year)
        if org_id in counted.index:
            # a published year rated only those it published: the rest have no rank or level
            message = T.R_NOT_RATED.format(name=counted.loc[org_id, "name"], year=year)
            raise InvalidInput(message, errors=[message])
        raise NotFound()
    row = frame.loc[org_id]
    cycle = cycle_by_year(viewer, year)
    rubric = rubric_of_cycle(viewer, cycle.id)
    detail = statistics.load_org_detail(viewer, year, org_id)
    plan = statistics.org_advice(detail, rubric, basis).suggestions
    titles = dict(zip(detail.lines["code"], detail.lines["title"], strict=True))
    suggestions = [(s.code, titles.get(s.code, ""), s.add_points) for s in plan]
    parts = []
    for y in readmodels.load_years(viewer):
        if y > year:
            continue
        past = frame if (y == year and basis == "reviewed") else load(y, "reviewed")
        if org_id in past.index:
            parts.append(past.loc[[org_id]])
    history = pd.concat(parts) if parts else pd.DataFrame()
    region_total = int((frame["region"] == row["region"]).sum())
    body = report_body(
        row=row,
        year=year,
        total=len(frame),
        region_total=region_total,
        bases=rubric.bases,
        thresholds=rubric.thresholds,
        suggestions=suggestions,
        history=history,
        basis=basis,
        generated=utcnow(),
    )
    title = T.R_DOC_TITLE.format(year=year) + " · " + str(row["name"])
    return OrgReport(
        body, report_document(body, title), T.R_FILENAME.format(code=row["code"], year=year)
    )


__all__ = [
    "XLSX_MIME",
    "OrgReport",
    "build_workbook",
    "chase_workbook",
    "export_workbook",
    "org_report",
    "report_body",
    "report_document",
]
