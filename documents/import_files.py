"""Files for the imports: the templates people fill in, and records in import layout."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import pandas as pd

from documents.csv_file import csv_bytes
from documents.xlsx import TEXT_STYLE, Column, add_sheet, new_workbook, to_bytes
from texts import admin as T
from texts import common as C

TEMPLATE_ROWS = 500  # rows of the data sheet preformatted as text


class TemplateColumn(Protocol):
    """A column of an import layout (db.services.imports.Column, a frozen dataclass)."""

    @property
    def header(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def help(self) -> str: ...


def _headers(columns: Sequence[TemplateColumn]) -> list[str]:
    return [c.header + ("*" if c.required else "") for c in columns]


def template(columns: Sequence[TemplateColumn], examples: Sequence[list[str]], fmt: str) -> bytes:
    """An import template with `columns` as "csv" or "xlsx".

    The CSV has only the header row (UTF-8 with BOM, so Excel shows the Chinese correctly);
    the workbook adds a 填写说明 sheet with the rules and an example.
    """
    headers = _headers(columns)
    if fmt == "csv":
        return csv_bytes([headers])
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}")
    wb = new_workbook(write_only=False)
    sheet = add_sheet(wb, T.TEMPLATE_SHEET, [Column(h, 22) for h in headers], ())
    for col in range(1, len(headers) + 1):
        for row in range(2, TEMPLATE_ROWS + 2):
            sheet.cell(row, col).style = TEXT_STYLE  # codes typed in keep their leading zeros
    notes = [[c.header, C.YES if c.required else C.NO, c.help] for c in columns]
    notes += [[], [T.TEMPLATE_EXAMPLE], headers, *examples]
    help_columns = [
        Column(T.TEMPLATE_HELP_COLUMN, 16),
        Column(T.TEMPLATE_HELP_REQUIRED, 10),
        Column(T.TEMPLATE_HELP_TEXT, 80),
    ]
    add_sheet(wb, T.TEMPLATE_HELP_SHEET, help_columns, notes)
    return to_bytes(wb)


def rows_workbook(columns: Sequence[TemplateColumn], rows: Iterable[Sequence[object]]) -> bytes:
    """Rows in an import layout, one sheet (edit in Excel, import back); the second column,
    a name, is the wide one."""
    wb = new_workbook()
    headers = _headers(columns)
    sheet_columns = [Column(h, 40 if i == 1 else 22) for i, h in enumerate(headers)]
    add_sheet(wb, T.TEMPLATE_SHEET, sheet_columns, rows)
    return to_bytes(wb)


def organisations_workbook(columns: Sequence[TemplateColumn], frame: pd.DataFrame) -> bytes:
    """Every organisation in the import layout (edit in Excel, import back)."""
    return rows_workbook(
        columns,
        (
            [
                row.code,
                row.name,
                C.ORG_TYPE_NAMES.get(row.org_type, row.org_type),
                row.region,
                row.parent_code,
                int(row.member_count),
                int(row.staff_count),
            ]
            for row in frame.itertuples()
        ),
    )


__all__ = ["TemplateColumn", "organisations_workbook", "rows_workbook", "template"]
