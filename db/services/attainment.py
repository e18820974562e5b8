"""Five-star attainment: the share against the target, per region, level changes over years."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

import formatting
import scoring
from db.models import SUBMITTED_STATUSES

# --------------------------------------------------------------------------- loaders


@dataclass(frozen=True)
class YearAttainment:
    """Five-star share of a scope (the city or one region) in one year against the target."""

    year: int
    scope: str
    total: int
    five_star: int
    share: float
    target: float | None
    met: bool | None
    needed: int


def _needed(five: int, total: int, year: int) -> int:
    """Fewest further five-star organisations that would meet the target (exact, integers)."""
    pct = scoring.target_percent(year)
    if pct is None or total == 0:
        return 0
    need = 0
    while not scoring.meets_target(five + need, total, year):
        need += 1
    return need


def attainment(frame: pd.DataFrame, year: int, scope: str = "") -> YearAttainment:
    """scoring.target_attainment for a frame, with the number of organisations still needed."""
    att = scoring.target_attainment(frame, year)
    return YearAttainment(
        year,
        scope,
        att.total,
        att.five_star,
        att.share,
        att.target,
        att.met,
        _needed(att.five_star, att.total, year),
    )


def attainment_table(
    history: pd.DataFrame, city_label: str, *, regions: bool = True
) -> pd.DataFrame:
    """Per year: the whole history's five-star share against the target (labelled
    `city_label`), and each region's unless `regions` is False."""
    rows = []
    for year, frame in history.groupby("year", sort=True):
        rows.append(attainment(frame, int(year), city_label))
        if not regions:
            continue
        for region, part in frame.groupby("region", sort=True):
            rows.append(attainment(part, int(year), str(region)))
    columns = ["year", "scope", "total", "five_star", "share", "target", "met", "needed"]
    return pd.DataFrame([r.__dict__ for r in rows], columns=columns)


def region_star_share(frame: pd.DataFrame) -> pd.DataFrame:
    """Share of organisations with each star lit, per region (long: region, star, share, lit)."""
    rows = []
    for region, part in frame.groupby("region", sort=True):
        for key in scoring.STAR_KEYS:
            lit = int(part[f"lit_{key}"].astype(bool).sum())
            rows.append((region, key, lit / len(part) if len(part) else 0.0, lit, len(part)))
    return pd.DataFrame(rows, columns=["region", "star", "share", "lit", "total"])


def level_changes(history: pd.DataFrame, unfinished_years: Collection[int] = ()) -> pd.DataFrame:
    """Each organisation's level against its previous evaluated year (升星 / 降星 / 持平).

    In an unfinished year (open, or closed and not yet published) only organisations that have
    handed in are compared: a branch still filling in is not "down" a level.
    `standing` and `prev_standing` name the results as shown (formatting.standing_key:
    已否决 and 未开始 apart from 未定星).
    """
    cols = [
        "org_id",
        "year",
        "name",
        "region",
        "department",
        "level",
        "composite",
        "prev_year",
        "prev_level",
        "prev_composite",
        "change",
        "standing",
        "prev_standing",
    ]
    if history.empty:
        return pd.DataFrame(columns=cols)
    h = history.reset_index()[
        ["org_id", "year", "name", "region", "department", "level", "composite", "status"]
    ]
    h["standing"] = formatting.standing_keys(history).to_numpy()
    h = h.sort_values(["org_id", "year"])
    grouped = h.groupby("org_id")
    h["prev_standing"] = grouped["standing"].shift(1)
    h["prev_year"] = grouped["year"].shift(1)
    h["prev_level"] = grouped["level"].shift(1)
    h["prev_composite"] = grouped["composite"].shift(1)
    pending = h["year"].isin(list(unfinished_years)) & ~h["status"].isin(SUBMITTED_STATUSES)
    h = h[h["prev_level"].notna() & ~pending].copy()
    h["prev_year"] = h["prev_year"].astype("int64")
    h["prev_level"] = h["prev_level"].astype("int64")
    diff = h["level"] - h["prev_level"]
    h["change"] = diff.map(lambda d: "up" if d > 0 else ("down" if d < 0 else "same"))
    return h[cols].reset_index(drop=True)


def not_five_star_twice(history: pd.DataFrame, year: int) -> pd.DataFrame:
    """Organisations not five-star in `year` nor in the year before."""
    this = history[history["year"] == year]
    prev = history[history["year"] == year - 1]
    ids = this.index[~this["five_star"].astype(bool)]
    prev_not = prev.index[~prev["five_star"].astype(bool)]
    both = ids.intersection(prev_not)
    result = this.loc[both, ["code", "name", "region", "department", "composite", "level"]].copy()
    result["prev_composite"] = prev.loc[both, "composite"]
    result["prev_level"] = prev.loc[both, "level"]
    # the results as shown (formatting.standing_key): 已否决 and 未开始 apart from 未定星
    result["standing"] = formatting.standing_keys(this.loc[both])
    result["prev_standing"] = formatting.standing_keys(prev.loc[both])
    return result.sort_values(["composite", "code"])


__all__ = [
    "YearAttainment",
    "attainment",
    "attainment_table",
    "level_changes",
    "not_five_star_twice",
    "region_star_share",
]
