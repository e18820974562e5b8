"""Vectorized generation of one year's criterion scores for a whole city (numpy, no row loops).

Kept apart from db/seed.py so that seeding 50,000 organisations takes seconds: every random
draw is an array over organisations × criteria. Auto-scored criteria still get their points
from scoring.auto_points (evaluated once per distinct figure), so no rule is written twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

import scoring

CURRENT_STATUS_CUTS = ((0.30, "submitted"), (0.45, "reviewed"), (0.52, "returned"), (0.80, "draft"))
RETURN_COMMENT = "请补充主题党日活动记录和签到表后重新提交。"
REVIEW_CUT_COMMENT = "佐证材料不足以支撑自评分，按台账核减。"
NOTES = np.array(
    [
        "已按要求开展，台账齐全。",
        "详见会议记录和签到表。",
        "按季度开展，材料已归档。",
        "年度计划已落实，个别活动延期。",
        "",
    ],
    dtype=object,
)
FIVE_STAR_PROFILE = {2018: 0.72, 2019: 0.80, 2020: 0.91}  # later years: 0.92
GRADES = np.array(["优秀", "良好", "一般", "较差"], dtype=object)
GRADE_P = np.array([0.38, 0.44, 0.14, 0.04])


@dataclass(frozen=True)
class CritInfo:
    id: int
    code: str
    kind: str
    star: str | None
    max_points: Decimal
    auto: scoring.AutoRule | None


@dataclass
class YearData:
    assessments: pd.DataFrame
    entries: pd.DataFrame
    grades: pd.DataFrame


def _statuses(n: int, is_current: bool, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(status, share of criteria filled) per organisation."""
    if not is_current:
        return np.full(n, "published", dtype=object), np.ones(n)
    u = rng.random(n)
    status = np.full(n, "draft", dtype=object)
    fill = np.zeros(n)
    lower = 0.0
    for cut, name in CURRENT_STATUS_CUTS:
        band = (u >= lower) & (u < cut)
        status[band] = name
        fill[band] = 1.0 if name != "draft" else 0.0
        lower = cut
    partial = (u >= 0.52) & (u < 0.80)
    fill[partial] = rng.uniform(0.3, 0.9, partial.sum())
    return status, fill


def _stamped(mask: Any, now: datetime) -> np.ndarray:
    """`now` where `mask` holds, None elsewhere: a column of optional timestamps."""
    stamps = np.full(len(mask), None, dtype=object)
    stamps[np.asarray(mask, dtype=bool)] = now
    return stamps


def _auto_points(
    crit: CritInfo, good: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(figure strings, points in tenths) for one auto-scored criterion over all orgs."""
    rule = crit.auto
    assert rule is not None
    n = len(good)
    lo, hi = rule.minimum, rule.maximum
    if lo is not None and hi is not None:
        inside = rng.integers(int(lo), int(hi) + 1, n).astype(float)
    elif lo is not None:
        inside = float(lo) + rng.integers(0, max(1, int(lo) // 2) + 1, n)
        if rule.unit == "%":
            inside = np.minimum(inside, 100.0)  # coverage rates never exceed 100%
    else:
        assert hi is not None
        inside = np.maximum(0.0, float(hi) - rng.integers(0, max(1, int(hi) // 2) + 1, n))
    steps = rng.integers(1, 4, n) * float(rule.step)
    if lo is not None:
        outside = np.maximum(0.0, float(lo) - steps)
    else:
        assert hi is not None
        outside = float(hi) + steps
    figure = np.where(good | (rng.random(n) < 0.7), inside, outside)
    values = np.unique(figure)
    points = {
        v: int(scoring.auto_points(rule, Decimal(str(v)), crit.max_points) * 10) for v in values
    }
    tenths = np.array([points[v] for v in figure], dtype=np.int64)
    text = np.array([format(Decimal(str(v)).normalize(), "f") for v in figure], dtype=object)
    return text, tenths


def generate_year(
    *,
    year: int,
    cycle_id: int,
    org_ids: np.ndarray,
    crits: list[CritInfo],
    first_assessment_id: int,
    is_current: bool,
    demo_draft: int | None,
    demo_empty: int | None,
    seed: int,
    now: datetime,
) -> YearData:
    """Assessments, score entries and grades of every organisation for one year."""
    rng = np.random.default_rng([seed, year])
    n = len(org_ids)
    main = [c for c in crits if c.kind == "criterion"]
    m = len(main)
    star_idx = np.array([scoring.STAR_KEYS.index(c.star or "") for c in main])
    max_t = np.array([int(c.max_points * 10) for c in main], dtype=np.int64)

    status, fill = _statuses(n, is_current, rng)
    if is_current and demo_draft is not None:
        status[org_ids == demo_draft], fill[org_ids == demo_draft] = "draft", 0.6
    if is_current and demo_empty is not None:
        status[org_ids == demo_empty], fill[org_ids == demo_empty] = "draft", 0.0
    reviewed_org = np.isin(status, ("reviewed", "published"))

    strong = rng.random(n) < FIVE_STAR_PROFILE.get(year, 0.92 if year > 2020 else 0.6)
    weak = np.zeros((n, 5), dtype=bool)
    weak[np.arange(n), rng.integers(0, 5, n)] = True
    two = rng.random(n) < 1 / 3
    weak[np.arange(n)[two], rng.integers(0, 5, two.sum())] = True
    weak &= ~strong[:, None]
    weak_cell = weak[:, star_idx]
    low = np.where(weak_cell, 0.55, np.where(strong[:, None], 0.88, 0.80))
    high = np.where(weak_cell, 0.86, 1.0)
    frac = low + (high - low) * rng.random((n, m))
    true_t = np.clip(np.rint(frac * max_t / 5) * 5, 0, max_t).astype(np.int64)

    figures = np.full((n, m), None, dtype=object)
    for j, crit in enumerate(main):
        if crit.auto is not None:
            figures[:, j], true_t[:, j] = _auto_points(crit, ~weak_cell[:, j] & strong, rng)
    is_auto = np.array([c.auto is not None for c in main])
    inflated = (rng.random(n) < 0.1)[:, None] & (rng.random((n, m)) < 0.5) & ~is_auto
    bump = (np.rint(rng.uniform(0.5, 1.5, (n, m)) * 2) * 5).astype(np.int64)
    self_t = np.where(inflated, np.minimum(max_t, true_t + bump), true_t)
    filled = rng.random((n, m)) < fill[:, None]

    rows, cols = np.nonzero(filled)
    assessment_ids = first_assessment_id + np.arange(n)
    reviewed_rows = reviewed_org[rows]
    cut = reviewed_rows & (self_t[rows, cols] != true_t[rows, cols])
    entries = pd.DataFrame(
        {
            "assessment_id": assessment_ids[rows],
            "criterion_id": np.array([c.id for c in main])[cols],
            "self_tenths": self_t[rows, cols],
            "figure": figures[rows, cols],
            "note": NOTES[rng.integers(0, len(NOTES), len(rows))],
            "reviewed_tenths": pd.array(
                np.where(reviewed_rows, true_t[rows, cols], 0), dtype="Int64"
            ),
            "reviewer_comment": np.where(cut, REVIEW_CUT_COMMENT, ""),
            "reviewed_at": _stamped(reviewed_rows, now),
        }
    )
    entries.loc[~reviewed_rows, "reviewed_tenths"] = pd.NA
    extra = _adjustment_entries(crits, org_ids, assessment_ids, fill >= 1, reviewed_org, rng, now)
    entries = pd.concat([entries, extra], ignore_index=True)
    entries["updated_at"] = now

    assessments = pd.DataFrame(
        {
            "id": assessment_ids,
            "org_id": org_ids,
            "cycle_id": cycle_id,
            "status": status,
            "version": 1 + np.bincount(rows, minlength=n).clip(0, 1),
            "submitted_at": _stamped(status != "draft", now),
            "reviewed_at": _stamped(reviewed_org, now),
            "return_comment": np.where(status == "returned", RETURN_COMMENT, ""),
            "updated_at": now,
        }
    )
    grades = pd.DataFrame(
        {
            "org_id": org_ids,
            "year": year,
            "grade": rng.choice(GRADES, n, p=GRADE_P),
            "updated_at": now,
        }
    )
    return YearData(assessments, entries, grades)


def _adjustment_entries(
    crits: list[CritInfo],
    org_ids: np.ndarray,
    assessment_ids: np.ndarray,
    complete: np.ndarray,
    reviewed: np.ndarray,
    rng: np.random.Generator,
    now: datetime,
) -> pd.DataFrame:
    """Bonus (declared by the branch), deduction and veto (set by the reviewer) entries."""
    n = len(org_ids)
    parts = []
    vetoes = [c for c in crits if c.kind == "veto"]
    veto_pick = rng.integers(0, max(1, len(vetoes)), n)
    veto_hit = reviewed & (rng.random(n) < 0.005)
    for crit in crits:
        max_t = int(crit.max_points * 10)
        amount = np.minimum(max_t, (np.rint(rng.uniform(0.5, 2, n) * 2) * 5).astype(np.int64))
        if crit.kind == "bonus":
            hit = complete & (rng.random(n) < 0.12)
            self_t, reviewed_t = amount, np.where(reviewed, amount, -1)
        elif crit.kind == "deduction":
            hit = complete & reviewed & (rng.random(n) < 0.03)
            self_t, reviewed_t = np.full(n, -1), amount
        elif crit.kind == "veto":
            hit = veto_hit & (veto_pick == vetoes.index(crit))
            self_t, reviewed_t = np.full(n, -1), np.full(n, 10)
        else:
            continue
        idx = np.nonzero(hit)[0]
        parts.append(
            pd.DataFrame(
                {
                    "assessment_id": assessment_ids[idx],
                    "criterion_id": crit.id,
                    "self_tenths": pd.array(self_t[idx], dtype="Int64"),
                    "figure": None,
                    "note": "",
                    "reviewed_tenths": pd.array(reviewed_t[idx], dtype="Int64"),
                    "reviewer_comment": "",
                    "reviewed_at": _stamped(reviewed[idx], now),
                }
            )
        )
    extra = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    for column in ("self_tenths", "reviewed_tenths"):
        if column in extra:
            extra.loc[extra[column] < 0, column] = pd.NA
    return extra


def year_frame(
    entries: pd.DataFrame,
    assessments: pd.DataFrame,
    crits: list[CritInfo],
    bases: dict[str, Decimal],
    thresholds: scoring.Thresholds,
) -> pd.DataFrame:
    """The year's results on the reviewed basis from the generated entries: the per-entry basis
    rule is scoring.points_on_basis_series, the evaluation scoring.evaluate_frame, so the seed
    decides five-star exactly as every screen does."""
    kind = {c.id: c.kind for c in crits}
    star = {c.id: c.star for c in crits}
    org_of = pd.Series(assessments["org_id"].to_numpy(), index=assessments["id"].to_numpy())
    points = scoring.points_on_basis_series(
        entries["self_tenths"].astype("Int64"),
        entries["reviewed_tenths"].astype("Int64"),
        "reviewed",
    ).fillna(0)
    long = pd.DataFrame(
        {
            "org_id": org_of.reindex(entries["assessment_id"].to_numpy()).to_numpy(),
            "kind": entries["criterion_id"].map(kind).to_numpy(),
            "star": entries["criterion_id"].map(star).to_numpy(),
            "points": points.to_numpy(dtype=np.int64) / 10,
        }
    )
    main = long[long["kind"] == "criterion"]
    adjust = long[long["kind"] != "criterion"]
    adjustments = pd.DataFrame(
        {
            "org_id": adjust["org_id"].to_numpy(),
            "bonus": np.where(adjust["kind"] == "bonus", adjust["points"], 0.0),
            "deduction": np.where(adjust["kind"] == "deduction", adjust["points"], 0.0),
            "vetoed": (adjust["kind"] == "veto").to_numpy() & (adjust["points"] > 0).to_numpy(),
        }
    )
    # Every organisation gets a row, also one without any entry (an empty draft).
    everyone = pd.DataFrame(
        {
            "org_id": assessments["org_id"].to_numpy(),
            "bonus": 0.0,
            "deduction": 0.0,
            "vetoed": False,
        }
    )
    return scoring.evaluate_frame(
        main[["org_id", "star", "points"]],
        bases,
        pd.concat([everyone, adjustments], ignore_index=True),
        thresholds=thresholds,
    )
