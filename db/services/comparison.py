"""Regions side by side, for the city's leadership: five-star share against the target,
completion, self-vs-reviewed inflation and 升星/降星 against the previous published year.

Every figure is the one the other screens show, taken from the rule that defines it:
the five-star share and the organisations still needed from `attainment.attainment`
(scoring.target_attainment), "submitted" from `statistics.submitted` (SUBMITTED_STATUSES),
the inflation from `statistics.score_gaps` (self composite minus reviewed composite of each
reviewed organisation, both from scoring.evaluate_frame, the vectorised
scoring.evaluate_basis), the level changes from `attainment.level_changes`.

`compare_regions` is pure (frames in, table out) so that ui/data.py can build it from its
cached frames; `region_comparison` is the same table loaded for the acting user.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from db.models import CycleStatus
from db.services import attainment, readmodels, statistics
from db.services.common import Actor, require
from db.services.cycles import CycleInfo, list_cycles
from permissions import Action

COLUMNS = [
    "region",
    "total",
    "submitted",
    "completion",
    "five_star",
    "share",
    "target",
    "met",
    "needed",
    "reviewed",
    "inflation",
    "prev_year",
    "compared",
    "up",
    "down",
    "same",
    "is_total",
]
UNFINISHED = (CycleStatus.OPEN, CycleStatus.CLOSED)


def previous_published(cycles: Sequence[CycleInfo], year: int) -> int | None:
    """The year before `year` when its results are published (公示 or final), else None: the
    升星/降星 columns compare against published results only."""
    prev = next((c for c in cycles if c.year == year - 1), None)
    if prev is None or not readmodels.is_published(prev.status):
        return None
    return prev.year


def is_unfinished(cycles: Sequence[CycleInfo], year: int) -> bool:
    """Whether `year` is open or closed and not yet published (level changes then compare only
    the organisations that have handed in)."""
    return any(c.year == year and c.status in UNFINISHED for c in cycles)


def _row(
    label: str,
    part: pd.DataFrame,
    gaps: pd.DataFrame,
    changes: pd.DataFrame | None,
    year: int,
    prev_year: int | None,
    *,
    is_total: bool,
) -> dict[str, object]:
    att = attainment.attainment(part, year)
    submitted = len(statistics.submitted(part))
    total = len(part)
    row: dict[str, object] = {
        "region": label,
        "total": total,
        "submitted": submitted,
        "completion": submitted / total if total else None,
        "five_star": att.five_star,
        "share": att.share if total else None,
        "target": att.target,
        "met": att.met,
        "needed": att.needed,
        "reviewed": len(gaps),
        # mean of exact per-organisation differences (thousandths), shown to 0.01
        "inflation": float(gaps["gap"].mean()) if len(gaps) else None,
        "prev_year": prev_year,
        "compared": None,
        "up": None,
        "down": None,
        "same": None,
        "is_total": is_total,
    }
    if changes is not None:
        counts = changes["change"].value_counts()
        row["compared"] = len(changes)
        for key in ("up", "down", "same"):
            row[key] = int(counts.get(key, 0))
    return row


def compare_regions(
    reviewed: pd.DataFrame,
    self_frame: pd.DataFrame,
    year: int,
    *,
    previous: pd.DataFrame | None,
    unfinished: bool,
    total_label: str,
) -> pd.DataFrame:
    """One row per region of the year's reviewed frame (in region order) and a last row for
    all of them labelled `total_label` (`is_total`).

    `self_frame` is the same year on the self basis; `previous` the previous year's published
    frame (None: no published previous year, the change columns stay empty).
    """
    gaps = statistics.score_gaps(self_frame, reviewed)
    changes = None
    prev_year = None
    if previous is not None and not previous.empty:
        prev_year = int(previous["year"].iloc[0])
        history = readmodels.concat_years([previous, reviewed])
        moved = attainment.level_changes(history, [year] if unfinished else [])
        changes = moved[(moved["year"] == year) & (moved["prev_year"] == prev_year)]
        changes = changes.set_index("org_id")
    rows = []
    for region, part in reviewed.groupby("region", sort=True):
        rows.append(
            _row(
                str(region),
                part,
                gaps[gaps.index.isin(part.index)],
                None if changes is None else changes[changes.index.isin(part.index)],
                year,
                prev_year,
                is_total=False,
            )
        )
    rows.append(_row(total_label, reviewed, gaps, changes, year, prev_year, is_total=True))
    return pd.DataFrame(rows, columns=COLUMNS)


def region_comparison(actor: Actor | None, year: int, total_label: str) -> pd.DataFrame:
    """compare_regions for the regions of the actor's scope in `year` (Action.VIEW_RESULTS):
    the city's leadership sees every region, a region's account its own."""
    actor = require(actor, Action.VIEW_RESULTS)
    cycles = list_cycles(actor)
    prev = previous_published(cycles, year)
    return compare_regions(
        readmodels.load_city_frame(actor, year, "reviewed"),
        readmodels.load_city_frame(actor, year, "self"),
        year,
        previous=None if prev is None else readmodels.load_city_frame(actor, prev, "reviewed"),
        unfinished=is_unfinished(cycles, year),
        total_label=total_label,
    )


__all__ = [
    "COLUMNS",
    "compare_regions",
    "is_unfinished",
    "previous_published",
    "region_comparison",
]
