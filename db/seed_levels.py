"""The demo's two review levels: assessments of the open year waiting at the 初审 and at the 复核.

Of the open year's handed-in assessments ("submitted" in the generated data) whose organisation
has a first level (first_review.has_first_level: a 党总支 or 党支部 of a department), every other
one still waits for its department's 机关党委 (first_review), the rest were passed on and wait for
the 复核; every one of branch01's department waits for dept01 (one already reviewed there is put
back before its review, its reviewer's figures cleared, so that dept01 has a queue). Each gets
its history (handed in; passed on) and a hand-in date some days back, so the queues show ages.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, insert, or_, update
from sqlalchemy.engine import Connection
from sqlmodel import col

from db.models import (
    Assessment,
    AssessmentStatus,
    Organisation,
    OrgType,
    ReviewLevel,
    ReviewStep,
    ScoreEntry,
    StepAction,
)
from db.query import select_columns
from db.services.totals import refresh_totals

FIRST_LEVEL_TYPES = (OrgType.GENERAL_BRANCH, OrgType.BRANCH)
DEMO_COMMITTEE = "机关党委"


def seed_levels(conn: Connection, cycle_id: int, department_id: int | None, now: datetime) -> int:
    """Spread the open year's submitted assessments over both levels; returns how many wait at
    the 初审."""
    rows = conn.execute(
        select_columns(
            col(Assessment.id),
            col(Organisation.name),
            col(Organisation.department_id),
            col(Organisation.org_type),
            col(Assessment.status),
        )
        .join(Organisation, col(Organisation.id) == col(Assessment.org_id))
        .where(
            col(Assessment.cycle_id) == cycle_id,
            or_(
                col(Assessment.status) == AssessmentStatus.SUBMITTED,
                and_(
                    col(Assessment.status) == AssessmentStatus.REVIEWED,
                    col(Organisation.department_id) == department_id,
                    col(Organisation.org_type).in_(FIRST_LEVEL_TYPES),
                ),
            ),
        )
        .order_by(col(Assessment.id))
    ).all()
    reopened = [a for a, _n, _d, _t, status in rows if status == AssessmentStatus.REVIEWED]
    if reopened:
        conn.execute(
            update(ScoreEntry)
            .where(col(ScoreEntry.assessment_id).in_(reopened))
            .values(reviewed_tenths=None, reviewer_comment="", reviewed_at=None, reviewed_by=None)
        )
        conn.execute(
            update(Assessment)
            .where(col(Assessment.id).in_(reopened))
            .values(reviewed_at=None, reviewer_id=None)
        )
        refresh_totals(conn, assessment_ids=reopened)
    steps: list[dict[str, object]] = []
    waiting = 0
    for n, (assessment_id, name, dept, org_type, _status) in enumerate(rows):
        handed_in = now - timedelta(days=1 + assessment_id % 9, hours=assessment_id % 7)
        values: dict[str, object] = {"submitted_at": handed_in}
        steps.append(
            _step(assessment_id, ReviewLevel.BRANCH, StepAction.SUBMITTED, name, handed_in)
        )
        if dept is not None and org_type in FIRST_LEVEL_TYPES:
            if n % 2 == 0 or dept == department_id:
                values["status"] = AssessmentStatus.FIRST_REVIEW
                waiting += 1
            else:
                passed = handed_in + timedelta(hours=20)
                values["first_reviewed_at"] = passed
                steps.append(
                    _step(
                        assessment_id, ReviewLevel.FIRST, StepAction.PASSED, DEMO_COMMITTEE, passed
                    )
                )
        conn.execute(update(Assessment).where(Assessment.id == assessment_id).values(**values))
    if steps:
        conn.execute(insert(ReviewStep), steps)
    return waiting


def _step(assessment_id: int, level: str, action: str, who: str, at: datetime) -> dict[str, object]:
    return {
        "assessment_id": assessment_id,
        "level": level,
        "action": action,
        "actor_id": None,
        "actor_name": who[:64],
        "comment": "",
        "at": at,
    }
