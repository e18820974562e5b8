"""The printable one-page report of an organisation: self-contained HTML for one A4 sheet.

Inline CSS, no scripts, nothing fetched: it opens in any browser offline and prints with
Ctrl+P. Every value that came from the database is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from html import escape
from typing import Any

import pandas as pd

import scoring
from formatting import china_time, points_text, standing_name
from texts import common as C
from texts import leadership as T

SUGGESTIONS_SHOWN = 6
HISTORY_YEARS = 5  # keeps the report on one A4 page

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


def _rank_text(rank: Any, template: str, total: int) -> str:
    """ "第 3 名 / 共 40 个", or the words for no rank (an empty rank: not handed in)."""
    if rank is None or pd.isna(rank):
        return T.R_NOT_RANKED
    return template.format(rank=int(rank), total=total)


def report_body(
    *,
    row: pd.Series,
    year: int,
    total: int,
    region_total: int,
    bases: dict[str, Decimal],
    thresholds: scoring.Thresholds,
    gap: scoring.Gap,
    suggestions: Sequence[tuple[str, str, Decimal]],
    history: pd.DataFrame,
    basis: str,
    generated: datetime,
) -> str:
    """The report's HTML fragment (scoped CSS); every value from the database is escaped.

    `row` and `history` carry empty ranks (<NA>) where the organisation had not handed in
    (readmodels.shown_ranks); `total` and `region_total` count those that hold a rank."""
    e = escape
    level = standing_name(
        int(row["level"]), bool(row["vetoed"]), str(row["status"]), int(row["scored"])
    )
    if gap.five_star:
        gap_text = T.DETAIL_GAP_DONE
    elif bool(row["vetoed"]):
        gap_text = T.DETAIL_GAP_VETO
    else:
        parts = [
            T.DETAIL_GAP_STAR.format(star=scoring.STAR_NAMES[k], points=points_text(v))
            for k, v in gap.star_missing.items()
            if v > 0
        ]
        if gap.composite_missing > 0:
            parts.append(T.DETAIL_GAP_COMPOSITE.format(points=points_text(gap.composite_missing)))
        gap_text = T.DETAIL_GAP.format(
            points=points_text(gap.min_extra_points), parts="；".join(parts)
        )
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
            f'<span class="big">{points_text(row["composite"])}</span>',
            _rank_text(row["rank"], T.R_RANK_VALUE, total),
            _rank_text(row["region_rank"], T.R_REGION_RANK_VALUE, region_total),
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
            f"<tr><td>{scoring.STAR_NAMES[key]}</td><td class='num'>{points_text(bases[key])}</td>"
            f"<td class='num'>{points_text(line)}</td><td class='num'>{points_text(row[key])}</td>"
            f"<td>{mark}</td>"
            f"<td class='num'>{points_text(missing) if missing > 0 else '—'}</td></tr>"
        )
    adjust = T.R_ADJUST.format(
        bonus=points_text(row["bonus"]),
        deduction=points_text(row["deduction"]),
        veto=T.R_VETO if bool(row["vetoed"]) else "",
    )
    suggest = ""
    if suggestions:
        items = "".join(
            "<li>"
            + e(T.R_SUGGEST_ROW.format(code=code, title=title, points=points_text(points)))
            + "</li>"
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
                    points_text(h.composite),
                    e(standing_name(int(h.level), bool(h.vetoed), str(h.status), int(h.scored))),
                    T.R_NO_RANK if pd.isna(h.rank) else str(int(h.rank)),
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
        f'<p class="foot">{e(T.R_GENERATED.format(at=china_time(generated)))}</p></div>'
    )


def report_document(body: str, title: str) -> str:
    """A whole printable HTML document around a report body (A4, no external resources)."""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{REPORT_CSS}{PRINT_CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


__all__ = ["PRINT_CSS", "REPORT_CSS", "report_body", "report_document"]
