"""The audit log as people download it: CSV (UTF-8 with BOM, for Excel) or an Excel workbook."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from documents.csv_file import csv_bytes
from documents.xlsx import Column, add_sheet, new_workbook, to_bytes
from texts import admin as T

_WIDTHS = (20, 28, 14, 20, 22, 10, 10, 80, 60)


def audit_csv(headers: list[str], rows: Sequence[list[Any]]) -> bytes:
    """The rows as CSV in UTF-8 with BOM (so Excel shows the Chinese correctly)."""
    return csv_bytes([headers, *rows])


def audit_workbook(headers: list[str], rows: Sequence[list[Any]]) -> bytes:
    """The rows as one sheet with a frozen header."""
    wb = new_workbook()
    columns = [Column(h, w) for h, w in zip(headers, _WIDTHS, strict=True)]
    add_sheet(wb, T.AUDIT_SHEET, columns, rows)
    return to_bytes(wb)


__all__ = ["audit_csv", "audit_workbook"]
