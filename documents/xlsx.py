"""Every Excel file the system writes: one look, one way a value becomes a cell.

`new_workbook` registers the named styles (red header, score and percent formats, title);
`add_sheet` writes a sheet with them; `cell` is the only way a value becomes a cell and
`escape_text` the only rule for text in a workbook: characters SpreadsheetML forbids are
dropped, and text is always stored as text — a name such as "=HYPERLINK(…)" or "+1" keeps its
exact characters but is never a formula, not even after someone edits the cell in Excel or WPS
(it carries quotePrefix, the file's form of a leading apostrophe).
"""

from __future__ import annotations

import io
import math
import numbers
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_STYLE = "wx_header"
TITLE_STYLE = "wx_title"
SCORE_STYLE = "wx_score"
PERCENT_STYLE = "wx_percent"
TEXT_STYLE = "wx_text"  # "@": what people type stays text (codes keep their leading zeros)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Excel and WPS read a cell typed in starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LETTERS = [get_column_letter(i) for i in range(1, 27)]


def escape_text(value: str) -> tuple[str, bool]:
    """The text a cell may hold, and whether it must be marked as text (it looks like a formula)."""
    text = _ILLEGAL_XML.sub("", value)
    return text, text.startswith(_FORMULA_STARTS)


def cell(ws: Worksheet | WriteOnlyWorksheet, value: Any, style: str | None = None) -> Cell:
    """A value as a cell of `ws`: text through escape_text and stored as text, never a formula.

    `style` (a named style) is applied to non-empty values.
    """
    out = WriteOnlyCell(ws)
    if isinstance(value, str):
        text, quoted = escape_text(value)
        out.value = text
        out.data_type = "s"  # openpyxl would store "=…" as a formula
        if quoted:
            out.quotePrefix = True  # and Excel would make one of it when the cell is edited
    else:
        out.value = value
    if style and value is not None and value != "":
        out.style = style
    return out


@dataclass(frozen=True)
class Column:
    """One column of a sheet: header, width (characters) and an optional named style."""

    header: str
    width: float
    style: str | None = None


def new_workbook(*, write_only: bool = True) -> Workbook:
    """A workbook with the named styles every sheet uses.

    Write-only (streamed) unless a sheet must be formatted beyond its rows (the templates).
    """
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    header = NamedStyle(name=HEADER_STYLE)
    header.font = Font(bold=True, color="FFFFFF")
    header.fill = PatternFill("solid", fgColor="C0392B")
    header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    title = NamedStyle(name=TITLE_STYLE)
    title.font = Font(bold=True, size=14)
    score = NamedStyle(name=SCORE_STYLE, number_format="0.0")
    percent = NamedStyle(name=PERCENT_STYLE, number_format="0.0%")
    text = NamedStyle(name=TEXT_STYLE, number_format="@")
    for style in (header, title, score, percent, text):
        wb.add_named_style(style)
    return wb


def add_sheet(
    wb: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    freeze: str = "A2",
    heading: str | None = None,
    preamble: Sequence[Sequence[Any]] = (),
) -> Worksheet | WriteOnlyWorksheet:
    """A sheet: styled header, widths, formatted number columns, frozen above the first row.

    `heading` is a title line right above the header. `preamble` rows (what the table is, e.g.
    whether a list is final) come above the header, where a reader sees them before the list,
    followed by an empty row; the frozen rows move down with them.
    """
    ws = wb.create_sheet(title)
    above = (1 if heading is not None else 0) + (len(preamble) + 1 if preamble else 0)
    letters = "".join(c for c in freeze if c.isalpha())
    ws.freeze_panes = f"{letters}{int(freeze[len(letters) :]) + above}"
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    if heading is not None:
        ws.append([cell(ws, heading, TITLE_STYLE)])
    for line in preamble:
        ws.append([cell(ws, v) for v in line])
    if preamble:
        ws.append([])
    ws.append([cell(ws, col.header, HEADER_STYLE) for col in columns])
    styles = [c.style for c in columns]
    for row in rows:
        ws.append([cell(ws, v, styles[i] if i < len(styles) else None) for i, v in enumerate(row)])
    return ws


def quoted_style_id(ws: WriteOnlyWorksheet) -> int:
    """The workbook's style index for a quotePrefix text cell (for insert_rows)."""
    probe = WriteOnlyCell(ws, value=None)
    probe.quotePrefix = True
    return int(probe.style_id)


def _cell_xml(ref: str, value: Any, quoted_style: int) -> str:
    if isinstance(value, str):
        text, quoted = escape_text(value)
        text = xml_escape(text, {"\r": "&#13;"})  # a raw CR would read back as LF
        style = f' s="{quoted_style}"' if quoted else ""
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if isinstance(value, numbers.Integral):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    return f'<c r="{ref}"><v>{float(value)!r}</v></c>'


def insert_rows(
    xlsx: bytes, sheet_no: int, rows: Iterable[Sequence[Any]], *, quoted_style: int
) -> bytes:
    """Append plain rows (text and numbers, no styles) to one sheet of a saved workbook.

    openpyxl spends about 30 microseconds per cell here, so the ~100,000-row 细则明细 of a
    2,000-organisation city would take a quarter of a minute; the same SpreadsheetML that
    openpyxl writes for unstyled cells (inline strings, numbers) is produced directly instead,
    text through the same escape_text (`quoted_style` from quoted_style_id before saving).
    """
    part = f"xl/worksheets/sheet{sheet_no}.xml"
    chunks = []
    for r, row in enumerate(rows, start=2):
        cells = "".join(
            _cell_xml(f"{letter}{r}", value, quoted_style)
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


def to_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


__all__ = [
    "HEADER_STYLE",
    "PERCENT_STYLE",
    "SCORE_STYLE",
    "TEXT_STYLE",
    "TITLE_STYLE",
    "XLSX_MIME",
    "Column",
    "add_sheet",
    "cell",
    "escape_text",
    "insert_rows",
    "new_workbook",
    "quoted_style_id",
    "to_bytes",
]
