"""审核: the 机关工委's review of submitted self-assessments.

The reviewer sees the branch's points, figure, note and evidence per criterion and gives
reviewed points and a comment; a reviewed value that differs from the branch's own needs a
reason. Deductions and vetoes are entered here. 退回 sends the assessment back with comments
(status "returned"); 通过 marks it "reviewed", confirming the branch's points wherever the
reviewer left them unchanged. Every write is guarded by Assessment.version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import String, cast, func
from sqlmodel import Session, col, select

import formatting
import scoring
from db.engine import read_session
from db.models import (
    Assessment,
    AuditLog,
    Criterion,
    Cycle,
    Organisation,
    PublishedResult,
    ScoreEntry,
    User,
)
from db.services import evidence as evidence_service
from db.services import readmodels
from db.services.assessment import EvidenceInfo
from db.services.common import (
    Actor,
    NotFound,
    record_target,
    require,
)
from db.services.cycles import from_tenths, rubric_of_cycle
from permissions import Action
from rubric import Rubric

COMMENT_MAX = 2000
VETO_TENTHS = 10  # a veto entry with points > 0 applies; 1 point is the convention
REVIEWABLE = ("submitted", "reviewed")


# ----------------------------------------------------------------------------- data shapes


@dataclass(frozen=True)
class ReviewLine:
    """The reviewer's input for one rubric item: points (None = accept the branch's) and comment."""

    code: str
    reviewed: Decimal | str | float | int | None
    comment: str = ""


@dataclass(frozen=True)
class LineView:
    """One rubric item of an assessment as the reviewer sees it."""

    code: str
    kind: str
    star: str | None
    task_no: int | None
    task_title: str
    title: str
    standard: str
    deduction_rule: str
    max_points: Decimal
    evidence_required: bool
    auto_label: str | None
    auto_unit: str | None
    self_points: Decimal | None
    figure: str | None
    note: str
    reviewed_points: Decimal | None
    reviewer_comment: str
    evidence: tuple[EvidenceInfo, ...] = ()
    changed: bool = False  # the branch changed it after the last review (退回 → 重新提交)


@dataclass(frozen=True)
class ReviewView:
    """Everything the review screen shows for one assessment."""

    assessment_id: int
    org_id: int
    org_code: str
    org_name: str
    org_type: str
    region: str
    department: str
    cycle_id: int
    year: int
    cycle_status: str
    status: str
    version: int
    submitted_at: datetime | None
    reviewed_at: datetime | None
    reviewer_name: str
    return_comment: str
    lines: tuple[LineView, ...]
    rubric: Rubric = field(repr=False)
    last_review_at: datetime | None = None

    @property
    def changed_lines(self) -> tuple[LineView, ...]:
        """Items the branch changed since the reviewer last acted on this assessment."""
        return tuple(line for line in self.lines if line.changed)

    @property
    def mode(self) -> str:
        """ "review" (full review), "correct" (publication-period correction) or "read"."""
        if self.cycle_status in ("open", "closed") and self.status in REVIEWABLE:
            return "review"
        if self.cycle_status == "published" and self.status == "published":
            return "correct"
        return "read"

    def line(self, code: str) -> LineView:
        for line in self.lines:
            if line.code == code:
                return line
        raise KeyError(code)


# ----------------------------------------------------------------------------- access


def authorize_review(actor: Actor | None) -> Actor:
    """Reviewing is for the 机关工委's reviewers and administrators."""
    return require(actor, Action.REVIEW)


def authorize_review_of(actor: Actor | None, assessment_id: int) -> Actor:
    """Reviewing one assessment: a reviewer or administrator whose scope holds its organisation
    (out of scope: refused and logged; an unknown id: NotFound for them, refused for others)."""
    actor = authorize_review(actor)
    with read_session() as session:
        org_id = session.exec(
            select(Assessment.org_id).where(Assessment.id == assessment_id)
        ).first()
        target = (
            None if org_id is None else record_target(session, org_id, "assessment", assessment_id)
        )
    if target is None:
        raise NotFound()
    return require(actor, Action.REVIEW, target)


# ----------------------------------------------------------------------------- queue

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
    "first_reviewed_at",
    "reviewed_at",
    "self_composite",
    "self_level",
    "self_five_star",
    "self_standing",
    "reviewed_composite",
    "reviewed_level",
    "reviewed_five_star",
    "reviewed_standing",
    "changed",
    "resubmitted_changes",
]


def load_queue(actor: Actor | None, year: int) -> pd.DataFrame:
    """Every evaluated organisation's assessment of `year` in the actor's scope with self and
    reviewed results (ui/review.py caches this across sessions, per scope)."""
    actor = authorize_review(actor)
    self_frame = readmodels.load_city_frame(actor, year, "self")
    reviewed_frame = readmodels.load_city_frame(actor, year, "reviewed")
    with read_session() as session:
        rows = session.exec(
            select(
                col(Assessment.id),
                col(Assessment.version),
                col(Assessment.submitted_at),
                col(Assessment.reviewed_at),
            )
            .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
            .where(col(Cycle.year) == year)
        ).all()
        # When the 初审 passed it on (None: handed in straight to the 复核, or not yet passed).
        passed_on = dict(
            session.exec(
                select(Assessment.id, Assessment.first_reviewed_at)
                .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
                .where(Cycle.year == year)
            ).all()
        )
        changed_rows = session.exec(
            select(
                col(ScoreEntry.assessment_id),
                col(ScoreEntry.self_tenths),
                col(ScoreEntry.reviewed_tenths),
            )
            .join(Assessment, col(Assessment.id) == ScoreEntry.assessment_id)
            .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
            .where(col(Cycle.year) == year, col(ScoreEntry.reviewed_tenths).is_not(None))
        ).all()
        last_review = (
            select(
                col(AuditLog.target_id).label("target_id"),
                func.max(col(AuditLog.at)).label("at"),
            )
            .where(
                col(AuditLog.target_type) == "assessment",
                col(AuditLog.action).in_(REVIEW_ACTIONS),
            )
            .group_by(col(AuditLog.target_id))
            .subquery()
        )
        # Entries the branch changed after the reviewer's last action (退回 → 重新提交).
        resubmitted = dict(
            session.exec(
                select(col(ScoreEntry.assessment_id), func.count())
                .join(Assessment, col(Assessment.id) == ScoreEntry.assessment_id)
                .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
                .join(
                    last_review,
                    last_review.c.target_id == cast(col(Assessment.id), String),
                )
                .where(col(Cycle.year) == year, col(ScoreEntry.updated_at) > last_review.c.at)
                .group_by(col(ScoreEntry.assessment_id))
            ).all()
        )
    if self_frame.empty:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    meta = pd.DataFrame(rows, columns=["assessment_id", "version", "submitted_at", "reviewed_at"])
    meta["first_reviewed_at"] = meta["assessment_id"].map(passed_on)
    changed: dict[int, int] = {}
    for assessment_id, self_tenths, reviewed_tenths in changed_rows:
        if reviewed_tenths != (self_tenths or 0):
            changed[assessment_id] = changed.get(assessment_id, 0) + 1
    frame = pd.DataFrame(
        {
            "org_id": self_frame.index,
            "assessment_id": self_frame["assessment_id"].to_numpy(),
            "code": self_frame["code"].to_numpy(),
            "name": self_frame["name"].to_numpy(),
            "org_type": self_frame["org_type"].to_numpy(),
            "region": self_frame["region"].to_numpy(),
            "department": self_frame["department"].fillna("").to_numpy(),
            "status": self_frame["status"].to_numpy(),
            "self_composite": self_frame["composite"].to_numpy(),
            "self_level": self_frame["level"].to_numpy(),
            "self_five_star": self_frame["five_star"].to_numpy(),
            "self_standing": formatting.standing_keys(self_frame).to_numpy(),
        }
    )
    reviewed = reviewed_frame.reindex(frame["org_id"])
    frame["reviewed_composite"] = reviewed["composite"].to_numpy()
    frame["reviewed_level"] = reviewed["level"].to_numpy()
    frame["reviewed_five_star"] = reviewed["five_star"].to_numpy()
    frame["reviewed_standing"] = (
        formatting.standing_keys(reviewed_frame).reindex(frame["org_id"]).to_numpy()
    )
    frame = frame.dropna(subset=["assessment_id"])
    frame["assessment_id"] = frame["assessment_id"].astype("int64")
    frame = frame.merge(meta, on="assessment_id", how="left")
    frame["changed"] = frame["assessment_id"].map(changed).fillna(0).astype("int64")
    frame["resubmitted_changes"] = frame["assessment_id"].map(resubmitted).fillna(0).astype("int64")
    # Oldest submission first: the order in which the office works through the queue.
    frame = frame.sort_values(["submitted_at", "code"], na_position="last", kind="stable")
    return frame[QUEUE_COLUMNS].reset_index(drop=True)


def review_queue(actor: Actor | None, *, year: int) -> pd.DataFrame:
    """The review queue of `year` (reviewer and admin)."""
    return load_queue(actor, year)


# ----------------------------------------------------------------------------- one assessment


def _org_names(session: Session, org: Organisation) -> str:
    if org.department_id is None:
        return ""
    dept = session.get(Organisation, org.department_id)
    return dept.name if dept else ""


def load_review(actor: Actor | None, *, assessment_id: int) -> ReviewView:
    """One assessment with every rubric item, the branch's entries and the reviewer's."""
    actor = authorize_review_of(actor, assessment_id)
    with read_session() as session:
        assessment = session.get(Assessment, assessment_id)
        if assessment is None:
            raise NotFound()
        cycle = session.get(Cycle, assessment.cycle_id)
        org = session.get(Organisation, assessment.org_id)
        assert cycle is not None
        assert org is not None
        assert cycle.id is not None
        criteria = session.exec(
            select(Criterion)
            .where(col(Criterion.cycle_id) == cycle.id)
            .order_by(col(Criterion.sort_order))
        ).all()
        entries = {
            e.criterion_id: e
            for e in session.exec(
                select(ScoreEntry).where(ScoreEntry.assessment_id == assessment_id)
            ).all()
        }
        reviewer = session.get(User, assessment.reviewer_id) if assessment.reviewer_id else None
        department = _org_names(session, org)
        # A published year shows the organisation as it was at publication, like every figure.
        frozen = session.get(PublishedResult, assessment_id)
        if frozen is not None:
            shown = (frozen.code, frozen.name, frozen.org_type, frozen.region)
            department = frozen.department or ""
        else:
            shown = (org.code, org.name, org.org_type, org.region)
        last_review_at = last_review_time(session, assessment_id)
    evidence: dict[int, list[EvidenceInfo]] = {}
    for info in evidence_service.list_evidence(actor, assessment_id=assessment_id):
        evidence.setdefault(info.criterion_id, []).append(info)
    lines = []
    for c in criteria:
        assert c.id is not None
        entry = entries.get(c.id)
        lines.append(
            LineView(
                code=c.code,
                kind=c.kind,
                star=c.star,
                task_no=c.task_no,
                task_title=c.task_title,
                title=c.title,
                standard=c.standard,
                deduction_rule=c.deduction_rule,
                max_points=from_tenths(c.max_tenths) or Decimal(0),
                evidence_required=c.evidence_required,
                auto_label=c.auto_label,
                auto_unit=c.auto_unit,
                self_points=from_tenths(entry.self_tenths) if entry else None,
                figure=entry.figure if entry else None,
                note=entry.note if entry else "",
                reviewed_points=from_tenths(entry.reviewed_tenths) if entry else None,
                reviewer_comment=entry.reviewer_comment if entry else "",
                evidence=tuple(evidence.get(c.id, ())),
                changed=entry is not None
                and last_review_at is not None
                and _after(entry.updated_at, last_review_at),
            )
        )
    assert org.id is not None
    return ReviewView(
        assessment_id=assessment_id,
        org_id=org.id,
        org_code=shown[0],
        org_name=shown[1],
        org_type=shown[2],
        region=shown[3],
        department=department,
        cycle_id=cycle.id,
        year=cycle.year,
        cycle_status=cycle.status,
        status=assessment.status,
        version=assessment.version,
        submitted_at=assessment.submitted_at,
        reviewed_at=assessment.reviewed_at,
        reviewer_name=(reviewer.display_name or reviewer.username) if reviewer else "",
        return_comment=assessment.return_comment,
        lines=tuple(lines),
        rubric=rubric_of_cycle(actor, cycle.id),
        last_review_at=last_review_at,
    )


REVIEW_ACTIONS = ("review_saved", "review_returned", "review_approved", "review_corrected")


def last_review_time(session: Session, assessment_id: int) -> datetime | None:
    """When a reviewer last saved, returned or approved this assessment (from the audit log)."""
    return session.exec(
        select(func.max(AuditLog.at)).where(
            AuditLog.target_type == "assessment",
            AuditLog.target_id == str(assessment_id),
            col(AuditLog.action).in_(REVIEW_ACTIONS),
        )
    ).one()


def _after(when: datetime | None, since: datetime) -> bool:
    """`when` later than `since` (SQLite hands back naive UTC, PostgreSQL aware)."""
    if when is None:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return when > since


# ----------------------------------------------------------------------------- live results


def preview(
    view: ReviewView, overrides: Mapping[str, Decimal | None] | None = None
) -> tuple[scoring.OrgResult, scoring.OrgResult]:
    """(self result, reviewed result) with the reviewer's unsaved figures applied (`overrides`:
    code → figure, None = none given), both from scoring.evaluate_basis."""
    points: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    for line in view.lines:
        figure = line.reviewed_points
        if overrides is not None and line.code in overrides:
            figure = overrides[line.code]
        points[line.code] = (line.self_points, figure)
    return view.rubric.result(points, "self"), view.rubric.result(points, "reviewed")


__all__ = [
    "EvidenceInfo",
    "LineView",
    "ReviewLine",
    "ReviewView",
    "authorize_review",
    "authorize_review_of",
    "last_review_time",
    "load_queue",
    "load_review",
    "preview",
    "review_queue",
]
