"""Files for the imports: the templates people fill in and the organisations in import layout."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Protocol

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from documents.xlsx import safe_row, to_bytes
from texts import admin as T
from texts import common as C


class TemplateColumn(Protocol):
    """A column of an import layout (db.services.imports.Column)."""

    header: str
    required: bool
    help: str


def template(columns: Sequence[TemplateColumn], examples: Sequence[list[str]], fmt: str) -> bytes:
    """An import template with `columns` as "csv" or "xlsx".

    The CSV has only the header row (UTF-8 with BOM, so Excel shows the Chinese correctly);
    the workbook adds a 填写说明 sheet with the rules and an example.
    """
    headers = [c.header + ("*" if c.required else "") for c in columns]
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(headers)
        return buffer.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = T.TEMPLATE_SHEET
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.number_format = "@"
    for i in range(len(columns)):
        letter = sheet.cell(1, i + 1).column_letter
        sheet.column_dimensions[letter].width = 22
        for row in range(2, 502):
            sheet.cell(row, i + 1).number_format = "@"  # codes keep their leading zeros
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(T.TEMPLATE_HELP_SHEET)
    notes.append([T.TEMPLATE_HELP_COLUMN, T.TEMPLATE_HELP_REQUIRED, T.TEMPLATE_HELP_TEXT])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for c in columns:
        notes.append([c.header, C.YES if c.required else C.NO, c.help])
    notes.append([])
    notes.append([T.TEMPLATE_EXAMPLE])
    notes.append(headers)
    for example in examples:
        notes.append(example)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 80
    return to_bytes(book)


def organisations_workbook(columns: Sequence[TemplateColumn], frame: pd.DataFrame) -> bytes:
    """Every organisation in the import layout (edit in Excel, import back)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = T.TEMPLATE_SHEET
    sheet.append([c.header + ("*" if c.required else "") for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples():
        sheet.append(
            safe_row(
                [
                    row.code,
                    row.name,
                    C.ORG_TYPE_NAMES.get(row.org_type, row.org_type),
                    row.region,
                    row.parent_code,
                    int(row.member_count),
                    int(row.staff_count),
                ]
            )
        )
    for i in range(1, len(columns) + 1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = 22
    sheet.column_dimensions["B"].width = 40
    sheet.freeze_panes = "A2"
    return to_bytes(book)


__all__ = ["TemplateColumn", "organisations_workbook", "template"]
