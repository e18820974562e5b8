"""The assessment_total summary: kept in step with score_entry inside each write transaction.

Every function that writes score entries calls `refresh_totals` in the same transaction, for
the assessments it touched; a ranking then reads one summary row per organisation. The sums
are defined here once, as SQL, so the incremental refresh and a full rebuild cannot disagree.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    case,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.sql.elements import SQLCoreOperations
from sqlmodel import Session, col

import scoring
from db.models import Assessment, AssessmentTotal, Criterion, ScoreEntry

BASES = ("reviewed", "self")
STAR_COLUMNS = tuple(f"{key}_tenths" for key in scoring.STAR_KEYS)
SUM_COLUMNS = (*STAR_COLUMNS, "bonus_tenths", "deduction_tenths", "veto_tenths")


def points_column(basis: str) -> SQLCoreOperations[Any]:
    """The points a basis counts: the branch's own, or the reviewer's where given."""
    if basis == "self":
        return col(ScoreEntry.self_tenths)
    if basis == "reviewed":
        return func.coalesce(ScoreEntry.reviewed_tenths, ScoreEntry.self_tenths)
    raise ValueError(f"unknown basis {basis!r}")


def sums_per_assessment(basis: str, scope: ColumnElement[bool]) -> Select[Any]:
    """One row per assessment in `scope`: the summary columns, summed from its score entries."""
    points = points_column(basis)

    def total(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.coalesce(func.sum(case((condition, points), else_=None)), 0)

    kind = col(Criterion.kind)
    criterion = kind == "criterion"
    return (
        select(
            col(Assessment.id),
            literal(basis),
            col(Assessment.cycle_id),
            col(Assessment.org_id),
            *(total(criterion & (col(Criterion.star) == key)) for key in scoring.STAR_KEYS),
            total(kind == "bonus"),
            total(kind == "deduction"),
            total(kind == "veto"),
            func.count(case((criterion, col(ScoreEntry.self_tenths)), else_=None)),
        )
        .select_from(ScoreEntry)
        .join(Assessment, col(Assessment.id) == ScoreEntry.assessment_id)
        .join(Criterion, col(Criterion.id) == ScoreEntry.criterion_id)
        .where(scope)
        .group_by(col(Assessment.id), col(Assessment.cycle_id), col(Assessment.org_id))
    )


def refresh_totals(
    session: Session | Connection,
    *,
    assessment_ids: Collection[int] | None = None,
    cycle_id: int | None = None,
) -> None:
    """Recompute the summary rows of some assessments, or of a whole cycle, in the caller's
    transaction (flush ORM changes first)."""
    if (assessment_ids is None) == (cycle_id is None):
        raise ValueError("give either assessment_ids or cycle_id")
    if assessment_ids is not None:
        ids = sorted(set(assessment_ids))
        if not ids:
            return
        scope: ColumnElement[bool] = col(Assessment.id).in_(ids)
        stale: ColumnElement[bool] = col(AssessmentTotal.assessment_id).in_(ids)
    else:
        scope = col(Assessment.cycle_id) == cycle_id
        stale = col(AssessmentTotal.cycle_id) == cycle_id
    if isinstance(session, Session):
        session.flush()
    session.execute(delete(AssessmentTotal).where(stale))
    columns = ["assessment_id", "basis", "cycle_id", "org_id", *SUM_COLUMNS, "scored"]
    for basis in BASES:
        session.execute(
            insert(AssessmentTotal).from_select(columns, sums_per_assessment(basis, scope))
        )


__all__ = [
    "BASES",
    "STAR_COLUMNS",
    "SUM_COLUMNS",
    "points_column",
    "refresh_totals",
    "sums_per_assessment",
]
