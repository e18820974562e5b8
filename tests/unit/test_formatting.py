"""China time is written one way: UTC in, Beijing time out, the same text on every screen."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from formatting import china_time


def test_utc_and_naive_timestamps_read_as_beijing_time() -> None:
    at = datetime(2026, 3, 1, 22, 5, 9, tzinfo=UTC)
    assert china_time(at) == "2026-03-02 06:05"
    assert china_time(at.replace(tzinfo=None)) == "2026-03-02 06:05"  # stored naive = UTC
    assert china_time(at, seconds=True) == "2026-03-02 06:05:09"
    assert china_time(at, with_time=False) == "2026-03-02"


def test_missing_values_give_the_callers_placeholder() -> None:
    assert china_time(None) == ""
    assert china_time(pd.NaT) == ""
    assert china_time(None, missing="—") == "—"
