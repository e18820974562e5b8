"""The frozen set of a published year: who it counts, as they were, with their reviewed sums.

`record_publication` runs inside publish_year's transaction (and in the seed for the years it
creates final): one published_result row per assessment the year counts, holding the
organisation's code, name, type, region, department and member count, the assessment's status
and its reviewed sums at that moment. Every screen, chart, export, report and 大屏 reads a
published year from these rows (readmodels.load_year_scores), so later imports, renames, moves
between regions, new organisations and rubric or totals changes move no published figure.

A correction during 公示 (review.save_review on a published assessment) is the one sanctioned
change of a published result: `refresh_published_sums` copies its new reviewed sums.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from db.models import Assessment, AssessmentTotal, Organisation, PublishedResult
from db.services.totals import SUM_COLUMNS

RATED = "published"  # the assessment status of an organisation rated in a published year
ATTRIBUTES = ("code", "name", "org_type", "region", "department", "member_count")


def record_publication(session: Session | Connection, cycle_id: int) -> int:
    """Freeze the set the year counts now (flush ORM changes first); returns its size.

    The set is the year's assessments still marked `counted` (publish_year clears the flag
    for organisations no longer active) of evaluated organisations.
    """
    if isinstance(session, Session):
        session.flush()
    dept = aliased(Organisation)
    total = aliased(AssessmentTotal)
    session.execute(delete(PublishedResult).where(col(PublishedResult.cycle_id) == cycle_id))
    query = (
        select(
            col(Assessment.id),
            col(Assessment.cycle_id),
            col(Assessment.org_id),
            col(Organisation.code),
            col(Organisation.name),
            col(Organisation.org_type),
            col(Organisation.region),
            col(dept.name),
            col(Organisation.member_count),
            col(Assessment.status),
            *(
                # no summary row means no points: zero, as the live read model counts it
                func.coalesce(getattr(total, column), 0)
                for column in (*SUM_COLUMNS, "scored")
            ),
        )
        .select_from(Assessment)
        .join(Organisation, col(Organisation.id) == Assessment.org_id)
        .join(dept, col(dept.id) == Organisation.department_id, isouter=True)
        .join(
            total,
            and_(col(total.assessment_id) == Assessment.id, col(total.basis) == "reviewed"),
            isouter=True,
        )
        .where(
            col(Assessment.cycle_id) == cycle_id,
            col(Assessment.counted).is_(True),
            col(Organisation.org_type) != "department",
        )
    )
    columns = ["assessment_id", "cycle_id", "org_id", *ATTRIBUTES, "status"]
    columns += [*SUM_COLUMNS, "scored"]
    # An INSERT answers with a cursor result (Session.execute is typed for any statement).
    result = cast(
        CursorResult[Any], session.execute(insert(PublishedResult).from_select(columns, query))
    )
    return int(result.rowcount or 0)


def refresh_published_sums(session: Session, assessment_ids: Collection[int]) -> None:
    """After a correction during 公示: copy the assessments' new reviewed sums (flushes first).

    Only rows that exist are touched, so calling it for an unpublished year does nothing.
    """
    ids = sorted(set(assessment_ids))
    if not ids:
        return
    session.flush()
    totals = session.execute(
        select(
            col(AssessmentTotal.assessment_id), *(getattr(AssessmentTotal, c) for c in SUM_COLUMNS)
        )
        .add_columns(col(AssessmentTotal.scored))
        .where(
            col(AssessmentTotal.assessment_id).in_(ids),
            col(AssessmentTotal.basis) == "reviewed",
        )
    ).all()
    for assessment_id, *sums in totals:
        session.execute(
            update(PublishedResult)
            .where(col(PublishedResult.assessment_id) == assessment_id)
            .values(dict(zip([*SUM_COLUMNS, "scored"], sums, strict=True)))
        )


__all__ = ["ATTRIBUTES", "RATED", "record_publication", "refresh_published_sums"]
