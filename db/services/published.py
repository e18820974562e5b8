"""The frozen set of a published year: who it counts, as they were, with their reviewed sums.

`record_publication` runs inside publish_year's transaction (and in the seed for the years it
creates final): one published_result row per assessment the year counts, holding the
organisation's code, name, type, region, department and member count, the assessment's status
and its reviewed sums at that moment. Every screen, chart, export, report and 大屏 reads a
published year from these rows (readmodels.load_year_scores), so later imports, renames, moves
between regions, new organisations and rubric or totals changes move no published figure.

A correction during 公示 (review.save_review on a published assessment) is the one sanctioned
change of a published result: `refresh_published_sums` copies its new reviewed sums.

A region may publish its own list before the city publishes the year (publication.publish_region,
table region_publication): `record_publication(..., regions=[region])` then freezes that
region's rows alone, and the year's publication later freezes only the regions that have not
published themselves. A row frozen for one region is never rewritten by another's publication,
even when its organisation has since moved between them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from db.models import (
    Assessment,
    AssessmentTotal,
    Organisation,
    PublishedResult,
    RegionPublication,
)
from db.services.common import Actor
from db.services.totals import SUM_COLUMNS
from permissions import ScopeKind

RATED = "published"  # the assessment status of an organisation rated in a published year
ATTRIBUTES = ("code", "name", "org_type", "region", "department", "member_count")


def published_regions(session: Session | Connection, cycle_id: int) -> list[str]:
    """The regions that have published their own list of the year."""
    return list(
        session.execute(
            select(col(RegionPublication.region)).where(col(RegionPublication.cycle_id) == cycle_id)
        )
        .scalars()
        .all()
    )


def actor_region(session: Session, actor: Actor) -> str | None:
    """The region whose publication a scoped account sees (a department's region), or None
    for the city."""
    scope = actor.scope
    if scope.kind is ScopeKind.REGION:
        return scope.region
    if scope.kind is ScopeKind.DEPARTMENT and scope.department_id is not None:
        dept = session.get(Organisation, scope.department_id)
        return None if dept is None else dept.region
    return None


def region_publications(session: Session, cycle_id: int) -> dict[str, RegionPublication]:
    """The regions' own publications of a year, by region."""
    rows = session.exec(
        select_rows(RegionPublication).where(col(RegionPublication.cycle_id) == cycle_id)
    ).all()
    return {r.region: r for r in rows}


def record_publication(
    session: Session | Connection, cycle_id: int, regions: Collection[str] | None = None
) -> int:
    """Freeze the set the year counts now (flush ORM changes first); returns its size.

    The set is the year's assessments still marked `counted` (publish_year clears the flag
    for organisations no longer active) of evaluated organisations: those of `regions` (a
    region's own publication), or, with None (the year's publication), those of every region
    that has not published itself. The rows of the other regions stay as they were frozen.
    """
    if isinstance(session, Session):
        session.flush()
    dept = aliased(Organisation)
    total = aliased(AssessmentTotal)
    frozen_region = col(PublishedResult.region)
    if regions is None:
        kept = published_regions(session, cycle_id)
        mine = frozen_region.not_in(kept) if kept else None
        current = col(Organisation.region).not_in(kept) if kept else None
    else:
        mine = frozen_region.in_(list(regions))
        current = col(Organisation.region).in_(list(regions))
    delete_rows = delete(PublishedResult).where(col(PublishedResult.cycle_id) == cycle_id)
    session.execute(delete_rows if mine is None else delete_rows.where(mine))
    others = select(col(PublishedResult.assessment_id)).where(
        col(PublishedResult.cycle_id) == cycle_id
    )
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
            # never a row another region froze (an organisation moved since)
            col(Assessment.id).not_in(others),
        )
    )
    if current is not None:
        query = query.where(current)
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


__all__ = [
    "ATTRIBUTES",
    "RATED",
    "actor_region",
    "published_regions",
    "record_publication",
    "refresh_published_sums",
    "region_publications",
]
