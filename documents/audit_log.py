"""The audit log as people download it: CSV (UTF-8 with BOM, for Excel) or an Excel workbook."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from documents.xlsx import safe_row, to_bytes
from texts import admin as T


def audit_csv(headers: list[str], rows: Sequence[list[Any]]) -> bytes:
    """The rows as CSV in UTF-8 with BOM (so Excel shows the Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(safe_row(r) for r in rows)
    return buffer.getvalue().encode("utf-8-sig")


def audit_workbook(headers: list[str], rows: Sequence[list[Any]]) -> bytes:
    """The rows as one sheet with a bold, frozen header."""
    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    sheet.title = T.AUDIT_SHEET
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    for letter, width in zip("ABCDEFGHI", (20, 28, 14, 20, 22, 10, 10, 80, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    return to_bytes(book)


__all__ = ["audit_csv", "audit_workbook"]
