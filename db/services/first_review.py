"""初审: a department's 机关党委 checks its branches' handed-in assessments before the 复核.

The way of an assessment (docs/architecture.md, "Review levels"): the branch hands it in; when
its organisation has a first level (`has_first_level`: it belongs to a department, is not the
department's own 机关党委, and its region runs the first level that year) it waits at the
department (status first_review) until the 机关党委 passes it on (status submitted, the
region's 复核 queue, `reviewing.py`) or returns it to the branch with a comment (status
returned). Otherwise it goes straight to the 复核. Every step is a `ReviewStep` row (who, which
level, what, when, the comment), shown to the branch and to both levels.

Every write is one transaction guarded by Assessment.version, with an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import update
from sqlmodel import Session, col, select

import formatting
from db.engine import read_session, write_session
from db.models import (
    REGIONS,
    Assessment,
    AssessmentStatus,
    Cycle,
    FirstReviewSetting,
    Organisation,
    OrgType,
    ReviewLevel,
    ReviewStep,
    StepAction,
    User,
    utcnow,
)
from db.services import freeze, readmodels
from db.services.assessment import bump_version
from db.services.common import (
    Actor,
    NotFound,
    StaleVersion,
    audit,
    bump_change_counter,
    invalid,
    record_target,
    require,
    scope_conditions,
)
from permissions import Action, Target
from texts import common as C
from texts import review as T

COMMENT_MAX = 2000

QUEUE_COLUMNS = [
    "assessment_id",
    "org_id",
    "code",
    "name",
    "org_type",
    "region",
    "department",
    "status",
    "version",
    "submitted_at",
    "self_composite",
    "self_standing",
]


# ----------------------------------------------------------------------------- the rule


def has_first_level(session: Session, org: Organisation, cycle_id: int) -> bool:
    """Whether `org`'s assessment of the cycle goes to a 初审 before the 复核.

    Not for an organisation without a department, the department itself or the department's
    own 机关党委 (it would check itself), nor in a region that switched the first level off
    for the year (`FirstReviewSetting`; no row: on).
    """
    if org.department_id is None or org.id == org.department_id:
        return False
    if org.org_type in (OrgType.PARTY_COMMITTEE, OrgType.DEPARTMENT):
        return False
    setting = session.get(FirstReviewSetting, (cycle_id, org.region))
    return setting is None or setting.enabled


def handed_in_status(session: Session, assessment: Assessment) -> AssessmentStatus:
    """The status an assessment takes when its branch hands it in (first_review or submitted)."""
    org = session.get(Organisation, assessment.org_id)
    if org is not None and has_first_level(session, org, assessment.cycle_id):
        return AssessmentStatus.FIRST_REVIEW
    return AssessmentStatus.SUBMITTED


def record_step(
    session: Session,
    actor: Actor,
    assessment_id: int,
    level: ReviewLevel,
    action: StepAction,
    comment: str = "",
) -> None:
    """Add one step of the assessment's history inside the caller's transaction."""
    session.add(
        ReviewStep(
            assessment_id=assessment_id,
            level=level,
            action=action,
            actor_id=actor.id,
            actor_name=actor.label[:64],
            comment=comment,
            at=utcnow(),
        )
    )


# ----------------------------------------------------------------------------- ages, deadlines


def waiting_days(since: datetime | None, today: date) -> int | None:
    """Whole days an assessment has waited since `since` (China's calendar), None if unknown."""
    if since is None or pd.isna(since):
        return None
    return max(0, (today - formatting.china_date(since)).days)


def days_left(deadline: date | None, today: date) -> int | None:
    """Days until a level's deadline (0 on the day, negative once passed), None without one."""
    return None if deadline is None else (deadline - today).days


# ----------------------------------------------------------------------------- access


def authorize_first_review_of(actor: Actor | None, assessment_id: int) -> Actor:
    """初审 of one assessment: a 机关党委 (or admin) whose scope holds its organisation (out of
    scope: refused and logged; an unknown id: NotFound for them, refused for others)."""
    actor = require(actor, Action.FIRST_REVIEW)
    with read_session() as session:
        org_id = session.exec(
            select(Assessment.org_id).where(Assessment.id == assessment_id)
        ).first()
        target = (
            None if org_id is None else record_target(session, org_id, "assessment", assessment_id)
        )
    if target is None:
        raise NotFound()
    return require(actor, Action.FIRST_REVIEW, target)


# ----------------------------------------------------------------------------- queue


def first_queue(actor: Actor | None, *, year: int) -> pd.DataFrame:
    """The assessments of `year` waiting for the 初审 in the actor's scope, oldest first."""
    actor = require(actor, Action.FIRST_REVIEW)
    with read_session() as session:
        rows = session.exec(
            select(Assessment, Organisation)
            .join(Organisation, col(Organisation.id) == Assessment.org_id)
            .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
            .where(
                Cycle.year == year,
                Assessment.status == AssessmentStatus.FIRST_REVIEW,
                *scope_conditions(actor),
            )
            .order_by(col(Assessment.submitted_at), col(Organisation.code))
        ).all()
        department_ids = {o.department_id for _a, o in rows if o.department_id is not None}
        names = dict(
            session.exec(
                select(Organisation.id, Organisation.name).where(
                    col(Organisation.id).in_(department_ids)
                )
            ).all()
        )
    if not rows:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    frame = pd.DataFrame(
        [
            (
                a.id,
                o.id,
                o.code,
                o.name,
                o.org_type,
                o.region,
                names.get(o.department_id, "") if o.department_id is not None else "",
                a.status,
                a.version,
                a.submitted_at,
            )
            for a, o in rows
        ],
        columns=QUEUE_COLUMNS[:10],
    )
    own = readmodels.load_city_frame(actor, year, "self")
    frame["self_composite"] = frame["org_id"].map(own["composite"]) if not own.empty else None
    standing = formatting.standing_keys(own) if not own.empty else pd.Series(dtype=object)
    frame["self_standing"] = frame["org_id"].map(standing)
    return frame[QUEUE_COLUMNS].reset_index(drop=True)


# ----------------------------------------------------------------------------- decisions


def _comment(comment: str | None, *, required: bool) -> str:
    text = (comment or "").strip()
    if required and not text:
        raise invalid([T.ERR_RETURN_COMMENT])
    if len(text) > COMMENT_MAX:
        message = T.ERR_RETURN_TOO_LONG.format(n=COMMENT_MAX)
        raise invalid([message])
    return text


def _at_first_level(
    session: Session, assessment_id: int, decision: str
) -> tuple[Assessment, Cycle]:
    """The assessment, inside the write, if it still waits for the 初审 of an open or closed
    year (a decision made meanwhile makes this an InvalidInput naming its status)."""
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound()
    freeze.ensure_cycle_editable(session, assessment.cycle_id)
    cycle = session.get(Cycle, assessment.cycle_id)
    assert cycle is not None
    if cycle.status not in ("open", "closed") or assessment.status != AssessmentStatus.FIRST_REVIEW:
        message = T.ERR_NOT_AT_FIRST_LEVEL.format(
            status=C.STATUS_NAMES.get(assessment.status, assessment.status), action=decision
        )
        raise invalid([message])
    return assessment, cycle


def pass_on(actor: Actor | None, *, assessment_id: int, version: int, comment: str = "") -> int:
    """初审通过: on to the region's 复核 (status submitted), with an optional comment for it."""
    actor = authorize_first_review_of(actor, assessment_id)
    text = _comment(comment, required=False)
    with write_session() as session:
        assessment, cycle = _at_first_level(session, assessment_id, T.FIRST_PASS_ACTION)
        now = utcnow()
        new_version = bump_version(
            session,
            actor,
            assessment_id,
            version,
            status=AssessmentStatus.SUBMITTED,
            first_reviewed_at=now,
            first_reviewer_id=actor.id,
        )
        record_step(session, actor, assessment_id, ReviewLevel.FIRST, StepAction.PASSED, text)
        audit(
            session,
            actor,
            "first_review_passed",
            "assessment",
            assessment_id,
            {
                "org_id": assessment.org_id,
                "year": cycle.year,
                "status": [assessment.status, AssessmentStatus.SUBMITTED],
                "comment": text,
            },
        )
        bump_change_counter(session)
    return new_version


def return_to_branch(actor: Actor | None, *, assessment_id: int, version: int, comment: str) -> int:
    """初审退回: back to the branch with a comment it sees on its page (status returned)."""
    actor = authorize_first_review_of(actor, assessment_id)
    text = _comment(comment, required=True)
    with write_session() as session:
        assessment, cycle = _at_first_level(session, assessment_id, T.FIRST_RETURN_ACTION)
        new_version = bump_version(
            session,
            actor,
            assessment_id,
            version,
            status=AssessmentStatus.RETURNED,
            return_comment=text,
        )
        record_step(session, actor, assessment_id, ReviewLevel.FIRST, StepAction.RETURNED, text)
        audit(
            session,
            actor,
            "first_review_returned",
            "assessment",
            assessment_id,
            {
                "org_id": assessment.org_id,
                "year": cycle.year,
                "status": [assessment.status, AssessmentStatus.RETURNED],
                "comment": text,
            },
        )
        bump_change_counter(session)
    return new_version


# ----------------------------------------------------------------------------- history


@dataclass(frozen=True)
class Step:
    """One step of an assessment's history as every level and the branch see it."""

    at: datetime
    level: str
    action: str
    actor_name: str
    comment: str


def review_steps(actor: Actor | None, *, assessment_id: int) -> list[Step]:
    """Who did what at which level and when, oldest first (whoever may see the assessment)."""
    with read_session() as session:
        org_id = session.exec(
            select(Assessment.org_id).where(Assessment.id == assessment_id)
        ).first()
        target = (
            Target(None, kind="assessment", id=assessment_id)
            if org_id is None
            else record_target(session, org_id, "assessment", assessment_id)
        )
    require(actor, Action.VIEW_ASSESSMENT, target)
    if org_id is None:
        raise NotFound()
    with read_session() as session:
        rows = session.exec(
            select(ReviewStep, User.display_name)
            .outerjoin(User, col(User.id) == ReviewStep.actor_id)
            .where(ReviewStep.assessment_id == assessment_id)
            .order_by(col(ReviewStep.at), col(ReviewStep.id))
        ).all()
    return [
        Step(step.at, step.level, step.action, display or step.actor_name, step.comment)
        for step, display in rows
    ]


# ----------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class LevelSettings:
    """A year's review levels: the deadline of each and the regions without a first level."""

    cycle_id: int
    year: int
    version: int
    first_review_deadline: date | None
    review_deadline: date | None
    regions_off: tuple[str, ...]


def level_settings(actor: Actor | None, *, year: int) -> LevelSettings:
    """The deadlines and the first-level switch of `year` (every logged-in user)."""
    require(actor, Action.VIEW_YEARS)
    with read_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == year)).first()
        if cycle is None or cycle.id is None:
            raise NotFound()
        off = session.exec(
            select(FirstReviewSetting.region).where(
                FirstReviewSetting.cycle_id == cycle.id,
                col(FirstReviewSetting.enabled).is_(False),
            )
        ).all()
    return LevelSettings(
        cycle.id,
        cycle.year,
        cycle.version,
        cycle.first_review_deadline,
        cycle.review_deadline,
        tuple(r for r in REGIONS if r in set(off)),
    )


def set_deadlines(
    actor: Actor | None,
    *,
    cycle_id: int,
    version: int,
    first_review: date | None,
    review: date | None,
) -> int:
    """The last day of the 初审 and of the 复核 (None: none); the 初审's comes first."""
    actor = require(actor, Action.MANAGE_YEARS)
    if first_review is not None and review is not None and first_review > review:
        raise invalid([T.ERR_DEADLINE_ORDER])
    with write_session() as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None:
            raise NotFound()
        freeze.ensure_cycle_editable(session, cycle_id)
        before = (cycle.first_review_deadline, cycle.review_deadline)
        result = session.exec(
            update(Cycle)
            .where(col(Cycle.id) == cycle_id, col(Cycle.version) == version)
            .values(version=version + 1, first_review_deadline=first_review, review_deadline=review)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise StaleVersion()
        audit(
            session,
            actor,
            "review_deadlines_set",
            "cycle",
            cycle_id,
            {
                "year": cycle.year,
                "first": [before[0], first_review],
                "review": [before[1], review],
            },
        )
        bump_change_counter(session)
    return version + 1


def set_first_level(actor: Actor | None, *, year: int, region: str, enabled: bool) -> None:
    """Switch a region's 初审 on or off for `year` (an admin whose scope holds the region).

    Decides where assessments handed in from now on go; those already waiting stay where
    they are (the 机关党委 still passes them on or returns them).
    """
    if region not in REGIONS:
        message = T.ERR_UNKNOWN_REGION.format(region=region)
        raise invalid([message])
    actor = require(actor, Action.MANAGE_LEVELS, Target(region=region, kind="region", id=region))
    with write_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == year)).first()
        if cycle is None or cycle.id is None:
            raise NotFound()
        freeze.ensure_cycle_editable(session, cycle.id)
        setting = session.get(FirstReviewSetting, (cycle.id, region))
        before = True if setting is None else setting.enabled
        if setting is None:
            setting = FirstReviewSetting(cycle_id=cycle.id, region=region)
        setting.enabled = enabled
        setting.updated_at = utcnow()
        setting.updated_by = actor.id
        session.add(setting)
        audit(
            session,
            actor,
            "first_level_switched",
            "cycle",
            cycle.id,
            {"year": year, "region": region, "enabled": [before, enabled]},
        )
        bump_change_counter(session)


__all__ = [
    "LevelSettings",
    "Step",
    "authorize_first_review_of",
    "days_left",
    "first_queue",
    "handed_in_status",
    "has_first_level",
    "level_settings",
    "pass_on",
    "record_step",
    "return_to_branch",
    "review_steps",
    "set_deadlines",
    "set_first_level",
    "waiting_days",
]
