"""CSV for Excel and WPS on Chinese Windows: UTF-8 with BOM, CRLF, no formula ever runs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from documents.xlsx import escape_text


def _csv_cell(value: Any) -> Any:
    # CSV has no cell types: the one defence is the apostrophe Excel hides (OWASP CSV injection).
    if not isinstance(value, str):
        return value
    text, quoted = escape_text(value)
    return "'" + text if quoted else text


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    """The rows (the first one the header) as CSV bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


__all__ = ["csv_bytes"]
