"""Text for people: numbers and China time, written one way everywhere (pure; no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd

import scoring

CHINA_TIME = timezone(timedelta(hours=8))
BEIJING = timezone(timedelta(hours=8), "北京时间")


def decimal_text(d: Decimal) -> str:
    """A Decimal as people write it: 2, 2.5."""
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def points_text(value: object) -> str:
    """A score as people write it: "12", "12.5" (one decimal only where there is one)."""
    d = scoring.to_decimal(value)
    return format(
        d.quantize(Decimal("0.1")) if d != d.to_integral_value() else d.quantize(Decimal(1)), "f"
    )


def as_local(value: datetime | None) -> str:
    """A stored UTC timestamp as local (China) time text, or an empty string."""
    if value is None or pd.isna(value):
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def local_time(value: datetime | None, *, with_time: bool = True) -> str:
    """A UTC timestamp as Beijing time for people (publication notices, lists)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(BEIJING)
    return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


__all__ = ["BEIJING", "CHINA_TIME", "as_local", "decimal_text", "local_time", "points_text"]
