"""Shared read models: the whole city's evaluated standing for a year, in one query.

These loaders take no actor: they are called only through `authorize_*` checks in the
service functions below and through ui/data.py, which caches them across sessions keyed by
the database change counter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, func, select
from sqlmodel import col

import scoring
from db.engine import read_session
from db.models import Assessment, AssessmentTotal, Criterion, Cycle, Organisation
from db.services.common import Actor, refuse, require_role
from db.services.cycles import rubric_of_cycle
from db.services.totals import BASES, SUM_COLUMNS

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


def taking_part(cycle_status: str) -> list[ColumnElement[bool]]:
    """Which organisations a year counts (SQL conditions on Organisation, beside Assessment).

    Open and closed years count the active evaluated organisations (the open year also those
    without an assessment yet: load_org_table joins outer then). Once a year is published its
    set is fixed: the organisations that took part, whatever has happened to them since, so
    adding or dissolving a branch never rewrites published results.
    """
    evaluated = [Organisation.org_type != "department"]
    if cycle_status in ("open", "closed"):
        return [*evaluated, col(Organisation.active).is_(True)]
    return evaluated


def load_org_table(year: int) -> pd.DataFrame:
    """The organisations the year counts, with department and this year's assessment status."""
    dept = Organisation.__table__.alias("dept")
    with read_session() as session:
        cycle = session.execute(select(Cycle.id, Cycle.status).where(Cycle.year == year)).first()
        if cycle is None:
            return columns_frame([], ORG_COLUMNS).set_index("org_id")
        rows = (
            session.connection()
            .execute(
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
                .join(
                    Assessment,
                    (Assessment.org_id == Organisation.id) & (Assessment.cycle_id == cycle.id),
                    isouter=cycle.status == "open",
                )
                .where(*taking_part(cycle.status))
            )
            .all()
        )
    return columns_frame(rows, ORG_COLUMNS).set_index("org_id")


def columns_frame(rows: Sequence[Any], columns: Sequence[str]) -> pd.DataFrame:
    """A frame built column by column: pandas inspects each Row object when given a row list,
    which costs more than the query itself at 50,000 organisations."""
    data = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return pd.DataFrame(dict(zip(columns, data, strict=True)), columns=list(columns))


def load_city_frame(year: int, basis: str = "reviewed") -> pd.DataFrame:
    """Organisations × (star scores, composite, stars, level, rank, region_rank, status…).

    basis "reviewed" takes the reviewer's points where present and the branch's own elsewhere.
    The sums come from assessment_total, one row per organisation kept in step with the score
    entries by every write (db/services/totals.py), so this read never adds up entries.
    """
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}")
    criterion = Criterion.kind == "criterion"
    with read_session() as session:
        cycle = session.execute(select(Cycle.id).where(Cycle.year == year)).scalar_one_or_none()
        if cycle is None:
            return _empty()
        rows = (
            session.connection()
            .execute(
                select(
                    AssessmentTotal.org_id,
                    *(getattr(AssessmentTotal, column) for column in SUM_COLUMNS),
                    AssessmentTotal.scored,
                ).where(AssessmentTotal.cycle_id == cycle, AssessmentTotal.basis == basis)
            )
            .all()
        )
        n_criteria = session.execute(
            select(func.count()).where(Criterion.cycle_id == cycle, criterion)
        ).scalar_one()
    rubric = rubric_of_cycle(cycle)
    orgs = load_org_table(year)
    columns = ["org_id", *scoring.STAR_KEYS, "bonus", "deduction", "veto", "scored"]
    wide = columns_frame(rows, columns).set_index("org_id")
    wide = wide.reindex(orgs.index).fillna(0).astype("int64")
    n = len(wide)
    scores = pd.DataFrame(
        {
            "org_id": np.repeat(wide.index.to_numpy(), len(scoring.STAR_KEYS)),
            "star": pd.Categorical.from_codes(
                np.tile(np.arange(len(scoring.STAR_KEYS)), n), categories=scoring.STAR_KEYS
            ),
            "points": wide[list(scoring.STAR_KEYS)].to_numpy().ravel() / 10,
        }
    )
    adjustments = pd.DataFrame(
        {
            "org_id": wide.index.to_numpy(),
            "bonus": wide["bonus"].to_numpy() / 10,
            "deduction": wide["deduction"].to_numpy() / 10,
            "vetoed": wide["veto"].to_numpy() > 0,
        }
    )
    frame = scoring.evaluate_frame(scores, rubric.bases, adjustments, thresholds=rubric.thresholds)
    frame = frame.join(orgs, how="inner")
    frame["scored"] = wide["scored"].reindex(frame.index).fillna(0).astype("int64")
    frame["criteria_total"] = int(n_criteria)
    frame["region_rank"] = (
        frame.groupby("region")["composite_milli"]
        .rank(method="min", ascending=False)
        .astype("int64")
    )
    frame["year"] = year
    return frame


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
    "columns_frame",
    "load_city_frame",
    "load_history",
    "load_org_table",
    "load_years",
    "taking_part",
]
