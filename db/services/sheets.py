"""Spreadsheet output that cannot be turned against the person who opens it."""

from __future__ import annotations

from typing import Any

# Excel and WPS run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that would be read as a formula gets a leading apostrophe; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


__all__ = ["safe_cell", "safe_row"]
