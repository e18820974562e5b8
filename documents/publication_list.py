"""The 公示 list as people download it: a print-ready HTML page and an Excel workbook.

`frame` is db.services.publication.publication_list's table (one row per published
organisation, in list order).
"""

from __future__ import annotations

from html import escape

import pandas as pd

from documents.xlsx import SCORE_STYLE, Column, add_sheet, new_workbook, to_bytes
from texts import review as T


def _list_rows(frame: pd.DataFrame) -> list[list[str]]:
    return [
        [
            str(r.no),
            str(r.rank),
            r.name,
            r.department,
            r.region,
            r.org_type,
            f"{r.composite:.1f}",
            r.level_name,
            T.PUB_EXCELLENCE_MARK if r.excellence else "",
        ]
        for r in frame.itertuples()
    ]


def _headers() -> list[str]:
    return [
        T.PUB_LIST_COLUMNS[k]
        for k in (
            "no",
            "rank",
            "name",
            "department",
            "region",
            "org_type",
            "composite",
            "level",
            "excellence",
        )
    ]


def list_html(frame: pd.DataFrame, *, title: str, notice: str) -> bytes:
    """A self-contained, print-ready HTML page of the 公示 list (every value escaped)."""
    summary = T.PUB_PRINT_SUMMARY.format(
        total=len(frame),
        five=int(frame["five_star"].sum()),
        excellence=int(frame["excellence"].sum()),
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in _headers())
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in _list_rows(frame)
    )
    page = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>"
        "body{font-family:'SimSun','Songti SC','Noto Serif CJK SC',serif;margin:2cm;color:#000}"
        "h1{font-size:20pt;text-align:center;margin-bottom:0.4cm}"
        "p{font-size:12pt;line-height:1.7}"
        "table{border-collapse:collapse;width:100%;font-size:10.5pt}"
        "th,td{border:1px solid #000;padding:4px 6px;text-align:left}"
        "th{background:#eee}thead{display:table-header-group}"
        "tr{page-break-inside:avoid}"
        "@page{size:A4 portrait;margin:1.5cm}"
        "@media print{body{margin:0}}"
        "</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(notice)}</p><p>{escape(summary)}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        "</body></html>"
    )
    return page.encode("utf-8")


def list_workbook(frame: pd.DataFrame, *, title: str) -> bytes:
    """The 公示 list as an Excel workbook: the title, then the list under a frozen header."""
    wb = new_workbook()
    widths = (6, 6, 40, 24, 10, 10, 10, 12, 8)
    columns = [
        Column(h, w, SCORE_STYLE if i == 6 else None)
        for i, (h, w) in enumerate(zip(_headers(), widths, strict=True))
    ]
    rows = (
        [
            int(row.no),
            int(row.rank),
            row.name,
            row.department,
            row.region,
            row.org_type,
            float(row.composite),
            row.level_name,
            T.PUB_EXCELLENCE_MARK if row.excellence else "",
        ]
        for row in frame.itertuples()
    )
    add_sheet(wb, T.PUB_SHEET, columns, rows, heading=title)
    return to_bytes(wb)


__all__ = ["list_html", "list_workbook"]
