"""Text for people: numbers and China time, written one way everywhere (pure; no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd

import scoring
from texts import common as C

CHINA_TIME = timezone(timedelta(hours=8))


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


def china_time(
    value: datetime | None, *, missing: str = "", with_time: bool = True, seconds: bool = False
) -> str:
    """A stored (UTC) timestamp as China time for people: "2026-03-01 14:05" (or the date only,
    or with seconds); `missing` when there is none (None or NaT)."""
    if value is None or pd.isna(value):
        return missing
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d"
    return value.astimezone(CHINA_TIME).strftime(pattern)


def china_date(value: datetime) -> date:
    """The calendar day in China of a stored (UTC; naive means UTC) timestamp."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA_TIME).date()


NOT_STARTED = "not_started"
VETOED = "vetoed"


def standing_key(level: int, vetoed: bool, status: str, scored: int) -> str:
    """What an organisation's result is called: "not_started" (a draft without any score),
    "vetoed" (一票否决, whatever its points), else its level "0"–"5" (0 = 未定星). One place,
    so that 未开始, 已否决 and 未定星 are never shown as one another."""
    if status == "draft" and int(scored) == 0:
        return NOT_STARTED
    if bool(vetoed):
        return VETOED
    return str(int(level))


def standing_keys(frame: pd.DataFrame) -> pd.Series:
    """standing_key of every row of a city frame (level, vetoed, status, scored columns)."""
    keys = frame["level"].astype("int64").astype(str)
    keys = keys.mask(frame["vetoed"].astype(bool), VETOED)
    not_started = (frame["status"].astype(str) == "draft") & (frame["scored"] == 0)
    return keys.mask(not_started, NOT_STARTED)


def standing_name(level: int, vetoed: bool, status: str, scored: int) -> str:
    """The Chinese name of standing_key: 五星级 … 未定星, 已否决, 未开始."""
    return C.STANDING_NAMES[standing_key(level, vetoed, status, scored)]


__all__ = [
    "CHINA_TIME",
    "NOT_STARTED",
    "VETOED",
    "china_time",
    "decimal_text",
    "points_text",
    "standing_key",
    "standing_keys",
    "standing_name",
]
