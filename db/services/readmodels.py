"""Shared read models: the whole city's evaluated standing for a year, in one query.

These loaders take no actor: they are called only through `authorize_*` checks in the
service functions below and through ui/data.py, which caches them across sessions keyed by
the database change counter.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

import scoring
from db.engine import read_session
from db.models import Assessment, Criterion, Cycle, Organisation, ScoreEntry
from db.services.common import Actor, refuse, require_role
from db.services.cycles import rubric_of_cycle

BASES = ("reviewed", "self")
CITY_ROLES = ("reviewer", "leader", "admin")
ORG_COLUMNS = [
    "org_id",
    "code",
    "name",
    "org_type",
    "region",
    "department",
    "member_count",
    "assessment_id",
    "status",
]


def authorize_city_view(actor: Actor | None) -> Actor:
    """Rankings and statistics of the whole city are for the 机关工委 and leadership."""
    return require_role(actor, *CITY_ROLES, action="view_city")


def authorize_org_view(actor: Actor | None, org_id: int) -> Actor:
    """A branch user sees only its own organisation; city roles see every one."""
    if actor is not None and (actor.role in CITY_ROLES or actor.org_id == org_id):
        return actor
    refuse(actor, "view_org", "organisation", org_id)
    raise AssertionError("unreachable")


def _points_column(basis: str):  # type: ignore[no-untyped-def]
    if basis == "self":
        return ScoreEntry.self_tenths
    if basis == "reviewed":
        return func.coalesce(ScoreEntry.reviewed_tenths, ScoreEntry.self_tenths)
    raise ValueError(f"unknown basis {basis!r}")


def load_org_table(year: int) -> pd.DataFrame:
    """Every evaluated organisation with its department and this year's assessment status."""
    dept = Organisation.__table__.alias("dept")
    with read_session() as session:
        rows = session.execute(
            select(
                Organisation.id,
                Organisation.code,
                Organisation.name,
                Organisation.org_type,
                Organisation.region,
                dept.c.name,
                Organisation.member_count,
                Assessment.id,
                func.coalesce(Assessment.status, "draft"),
            )
            .select_from(Organisation)
            .join(dept, dept.c.id == Organisation.department_id, isouter=True)
            .join(Cycle, Cycle.year == year)
            .join(
                Assessment,
                (Assessment.org_id == Organisation.id) & (Assessment.cycle_id == Cycle.id),
                isouter=True,
            )
            .where(Organisation.org_type != "department", Organisation.active.is_(True))  # type: ignore[attr-defined]
        ).all()
    frame = pd.DataFrame(rows, columns=ORG_COLUMNS)
    return frame.set_index("org_id")


def load_city_frame(year: int, basis: str = "reviewed") -> pd.DataFrame:
    """Organisations × (star scores, composite, stars, level, rank, region_rank, status…).

    basis "reviewed" takes the reviewer's points where present and the branch's own elsewhere.
    """
    points = _points_column(basis)
    with read_session() as session:
        cycle = session.execute(select(Cycle.id).where(Cycle.year == year)).scalar_one_or_none()
        if cycle is None:
            return _empty()
        rows = session.execute(
            select(
                Assessment.org_id,
                Criterion.kind,
                Criterion.star,
                func.sum(points),
                func.count(ScoreEntry.self_tenths),
            )
            .select_from(ScoreEntry)
            .join(Assessment, Assessment.id == ScoreEntry.assessment_id)
            .join(Criterion, Criterion.id == ScoreEntry.criterion_id)
            .where(Assessment.cycle_id == cycle)
            .group_by(Assessment.org_id, Criterion.kind, Criterion.star)
        ).all()
        n_criteria = session.execute(
            select(func.count()).where(Criterion.cycle_id == cycle, Criterion.kind == "criterion")
        ).scalar_one()
    rubric = rubric_of_cycle(cycle)
    orgs = load_org_table(year)
    sums = pd.DataFrame(rows, columns=["org_id", "kind", "star", "tenths", "scored"])
    sums["tenths"] = sums["tenths"].fillna(0).astype("int64")
    stars = sums[sums["kind"] == "criterion"]
    scores = pd.DataFrame(
        {"org_id": stars["org_id"], "star": stars["star"], "points": stars["tenths"] / 10}
    )
    adjustments = _adjustments(sums, orgs.index)
    frame = scoring.evaluate_frame(scores, rubric.bases, adjustments, thresholds=rubric.thresholds)
    scored = stars.groupby("org_id")["scored"].sum()
    frame = frame.join(orgs, how="inner")
    frame["scored"] = scored.reindex(frame.index).fillna(0).astype("int64")
    frame["criteria_total"] = int(n_criteria)
    frame["region_rank"] = (
        frame.groupby("region")["composite_milli"]
        .rank(method="min", ascending=False)
        .astype("int64")
    )
    frame["year"] = year
    return frame


def _adjustments(sums: pd.DataFrame, org_index: pd.Index) -> pd.DataFrame:
    wide = sums[sums["kind"] != "criterion"].pivot_table(
        index="org_id", columns="kind", values="tenths", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(index=org_index, columns=["bonus", "deduction", "veto"], fill_value=0)
    wide = wide.fillna(0)
    return pd.DataFrame(
        {
            "org_id": wide.index,
            "bonus": (wide["bonus"] / 10).to_numpy(),
            "deduction": (wide["deduction"] / 10).to_numpy(),
            "vetoed": (wide["veto"] > 0).to_numpy(),
        }
    )


def _empty() -> pd.DataFrame:
    empty = scoring.evaluate_frame(pd.DataFrame({"org_id": [], "star": [], "points": []}))
    for column in [*ORG_COLUMNS[1:], "scored", "criteria_total", "region_rank", "year"]:
        empty[column] = pd.Series(dtype="object")
    return empty


def load_years() -> list[int]:
    with read_session() as session:
        return list(session.execute(select(Cycle.year).order_by(Cycle.year)).scalars())


def load_history() -> pd.DataFrame:
    """One row per (year, organisation) over every year, reviewed basis."""
    frames = [load_city_frame(year, "reviewed") for year in load_years()]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return _empty()
    return pd.concat(frames)


__all__ = [
    "BASES",
    "CITY_ROLES",
    "authorize_city_view",
    "authorize_org_view",
    "load_city_frame",
    "load_history",
    "load_org_table",
    "load_years",
]
