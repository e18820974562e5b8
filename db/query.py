"""Typing help for queries that sqlmodel's own annotations do not cover."""

from __future__ import annotations

from typing import Any

from sqlmodel.sql.expression import Select


def select_columns(*columns: Any) -> Select[*tuple[Any, ...]]:
    """`sqlmodel.select` of five or more columns, for `Session.exec`.

    sqlmodel types `select()` for at most four entities, so mypy finds no overload for more;
    this builds what `sqlmodel.select` itself builds for two or more (its `Select`), typed as
    rows of any width. Wrap model attributes in `sqlmodel.col()` as usual.
    """
    return Select(*columns)


def pk(value: int | None) -> int:
    """The id of a stored row, typed as set.

    SQLModel types every `id` as `int | None` (None until the row is inserted); an id read
    back from the database, or of a row after `flush()`, is always set.
    """
    if value is None:
        raise ValueError("a stored row has no id")
    return value
