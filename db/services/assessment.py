"""A branch's self-assessment: reading it, saving a star page, 加分项, completion, submission.

Every write is one transaction guarded by `Assessment.version` (optimistic lock). Ownership is
checked before the write transaction opens, so a refusal can be logged in a transaction of its
own (on SQLite a second writer inside an open write transaction would wait for itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import permissions
import scoring
from db.engine import read_session, write_session
from db.models import (
    AWAITING_REVIEW_STATUSES,
    REVIEWED_STATUSES,
    Assessment,
    AssessmentStatus,
    Cycle,
    Evidence,
    Organisation,
    ScoreEntry,
    utcnow,
)
from db.query import pk, select_columns
from db.services.common import (
    Actor,
    NotFound,
    ServiceError,
    StaleVersion,
    audit,
    bump_change_counter,
    refuse,
    require,
    require_missing,
)
from db.services.cycles import (
    CycleInfo,
    current_cycle,
    cycle_by_year,
    from_tenths,
    rubric_at_version,
)
from db.services.freeze import ensure_cycle_editable
from permissions import Action, can
from rubric import Criterion, Rubric
from texts import assessment as T
from texts import common as C

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
EDITABLE_STATUSES = (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)
FINAL_REVIEW_STATUSES = REVIEWED_STATUSES
NOTE_MAX = 2000
FIGURE_MAX = Decimal(1_000_000)
BONUS_PAGE = "bonus"
_ZERO = Decimal(0)


class NotEditable(ServiceError):
    """The assessment is submitted, reviewed, closed or past its deadline."""


def today() -> date:
    """Today in Shaoxing (deadlines are local calendar dates)."""
    return datetime.now(LOCAL_TZ).date()


# --------------------------------------------------------------------------- view objects


@dataclass(frozen=True)
class EvidenceInfo:
    """One uploaded file's metadata (the bytes stay in the database until downloaded)."""

    id: int
    criterion_id: int
    code: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


@dataclass(frozen=True)
class EntryView:
    """One rubric item of an assessment: the branch's and the reviewer's side."""

    criterion: Criterion
    criterion_id: int
    self_points: Decimal | None = None
    figure: Decimal | None = None
    note: str = ""
    reviewed_points: Decimal | None = None
    reviewer_comment: str = ""
    evidence: tuple[EvidenceInfo, ...] = ()

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def scored(self) -> bool:
        return self.self_points is not None

    @property
    def reviewed(self) -> bool:
        return self.reviewed_points is not None


@dataclass(frozen=True)
class AssessmentView:
    """Everything a page needs about one organisation's assessment in one cycle."""

    id: int
    org_id: int
    org_name: str
    org_region: str
    cycle: CycleInfo
    status: str
    version: int
    return_comment: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    rubric: Rubric
    entries: dict[str, EntryView]
    lock_reason: str
    self_result: scoring.OrgResult
    reviewed_result: scoring.OrgResult | None

    @property
    def year(self) -> int:
        return self.cycle.year

    @property
    def editable(self) -> bool:
        return not self.lock_reason

    def star_entries(self, star: str) -> list[EntryView]:
        """The entries of one star's criteria, in rubric order."""
        return [self.entries[c.code] for c in self.rubric.by_star(star)]

    def bonus_entries(self) -> list[EntryView]:
        return [self.entries[c.code] for c in self.rubric.items("bonus")]

    def star_score(self, star: str) -> Decimal:
        return self.self_result.star_scores[star]

    def concerned_stars(self) -> set[str]:
        """Stars a 退回 concerns: those with reviewer comments, or all when none has one."""
        stars = {
            e.criterion.star
            for e in self.entries.values()
            if e.criterion.star and (e.reviewer_comment or e.reviewed)
        }
        return {s for s in stars if s} or set(scoring.STAR_KEYS)


# --------------------------------------------------------------------------- authorisation


def _lock_reason(status: str, cycle: CycleInfo, on: date | None = None) -> str:
    """Why the branch can't edit now ("" when it can)."""
    if status in AWAITING_REVIEW_STATUSES:
        return T.ERR_LOCKED_SUBMITTED
    if status == "reviewed":
        return T.ERR_LOCKED_REVIEWED
    if status == "published":
        return T.ERR_LOCKED_PUBLISHED
    if status not in EDITABLE_STATUSES:
        return T.ERR_NOT_EDITABLE_NOW
    if cycle.status != "open":
        return T.ERR_LOCKED_CYCLE.format(
            year=cycle.year, cycle_status=C.CYCLE_STATUS_NAMES.get(cycle.status, cycle.status)
        )
    if cycle.deadline is not None and (on or today()) > cycle.deadline:
        return T.ERR_LOCKED_DEADLINE.format(year=cycle.year, deadline=cycle.deadline.isoformat())
    return ""


def _cycle_info(cycle: Cycle) -> CycleInfo:
    assert cycle.id is not None
    return CycleInfo(cycle.id, cycle.year, cycle.status, cycle.deadline, cycle.version)


def _load_header_or_none(
    session: Session, assessment_id: int
) -> tuple[Assessment, Cycle, Organisation] | None:
    row = session.exec(
        select(Assessment, Cycle, Organisation)
        .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
        .join(Organisation, col(Organisation.id) == Assessment.org_id)
        .where(Assessment.id == assessment_id)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def _load_header(session: Session, assessment_id: int) -> tuple[Assessment, Cycle, Organisation]:
    header = _load_header_or_none(session, assessment_id)
    if header is None:
        raise NotFound()
    return header


@dataclass(frozen=True)
class Target:
    """An assessment a write is about to touch, checked for owner and editability."""

    assessment_id: int
    org_id: int
    cycle: CycleInfo
    status: str


def writable_target(actor: Actor | None, assessment_id: int) -> Target:
    """Ownership (refusal logged) and editability, checked before the write transaction."""
    require(actor, Action.SELF_ASSESS)
    with read_session() as session:
        header = _load_header_or_none(session, assessment_id)
    if header is None:
        # Even the branch users who may write learn nothing about other ids.
        refuse(actor, Action.SELF_ASSESS, "assessment", assessment_id)
    assessment, cycle, org = header
    require(
        actor, Action.SELF_ASSESS, permissions.Target.org(org, kind="assessment", id=assessment_id)
    )
    info = _cycle_info(cycle)
    reason = _lock_reason(assessment.status, info)
    if reason:
        raise NotEditable(reason)
    return Target(assessment_id, assessment.org_id, info, assessment.status)


def recheck_editable(session: Session, target: Target) -> Assessment:
    """Inside the write: the status, the cycle and the deadline may have changed meanwhile."""
    assessment, cycle, _org = _load_header(session, target.assessment_id)
    ensure_cycle_editable(session, target.cycle.id)
    reason = _lock_reason(assessment.status, _cycle_info(cycle))
    if reason:
        raise NotEditable(reason)
    return assessment


def bump_version(
    session: Session, actor: Actor, assessment_id: int, version: int, **values: Any
) -> int:
    """UPDATE … WHERE version = the version the page loaded; 0 rows → StaleVersion."""
    result = session.exec(
        update(Assessment)
        .where(col(Assessment.id) == assessment_id, col(Assessment.version) == version)
        .values(version=version + 1, updated_at=utcnow(), updated_by=actor.id, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleVersion()
    return version + 1


# --------------------------------------------------------------------------- reading


def _entries_of(session: Session, assessment_id: int) -> list[tuple[Any, ...]]:
    """(criterion_id, self_tenths, figure, note, reviewed_tenths, reviewer_comment) rows."""
    return list(
        session.exec(
            select_columns(
                col(ScoreEntry.criterion_id),
                col(ScoreEntry.self_tenths),
                col(ScoreEntry.figure),
                col(ScoreEntry.note),
                col(ScoreEntry.reviewed_tenths),
                col(ScoreEntry.reviewer_comment),
            ).where(col(ScoreEntry.assessment_id) == assessment_id)
        ).all()
    )


def _evidence_of(session: Session, assessment_id: int) -> list[tuple[Any, ...]]:
    return list(
        session.exec(
            select_columns(
                col(Evidence.id),
                col(Evidence.criterion_id),
                col(Evidence.filename),
                col(Evidence.content_type),
                col(Evidence.size),
                col(Evidence.uploaded_at),
            )
            .where(col(Evidence.assessment_id) == assessment_id)
            .order_by(col(Evidence.uploaded_at), col(Evidence.id))
        ).all()
    )


def evaluate_entries(
    rubric: Rubric, entries: Mapping[str, EntryView], basis: str = "self"
) -> scoring.OrgResult:
    """The organisation's result from its entries on a basis (scoring.evaluate_basis)."""
    return rubric.result(
        {code: (e.self_points, e.reviewed_points) for code, e in entries.items()}, basis
    )


@dataclass(frozen=True)
class _Rows:
    """What one read session loads for a view; the view is built after it has closed."""

    assessment: Assessment
    cycle: Cycle
    org: Organisation
    entries: list[tuple[Any, ...]]
    files: list[tuple[Any, ...]]


def load_rows(session: Session, header: tuple[Assessment, Cycle, Organisation]) -> _Rows:
    assessment, cycle, org = header
    assert assessment.id is not None
    return _Rows(
        assessment,
        cycle,
        org,
        _entries_of(session, assessment.id),
        _evidence_of(session, assessment.id),
    )


def build_view(actor: Actor | None, loaded: _Rows) -> AssessmentView:
    """Assemble the view (rubric lookups open sessions of their own, so none may be open)."""
    assessment, cycle, org = loaded.assessment, loaded.cycle, loaded.org
    assert assessment.id is not None
    assert cycle.id is not None
    rubric, ids = rubric_at_version(actor, cycle.id, cycle.version)
    code_of = {cid: code for code, cid in ids.items()}
    rows = {r[0]: r for r in loaded.entries}
    files: dict[int, list[EvidenceInfo]] = {}
    for eid, cid, name, ctype, size, at in loaded.files:
        files.setdefault(cid, []).append(
            EvidenceInfo(eid, cid, code_of.get(cid, ""), name, ctype, size, at)
        )
    entries: dict[str, EntryView] = {}
    for c in rubric.criteria:
        cid = ids[c.code]
        row = rows.get(cid)
        entries[c.code] = EntryView(
            criterion=c,
            criterion_id=cid,
            self_points=from_tenths(row[1]) if row else None,
            figure=Decimal(row[2]) if row and row[2] else None,
            note=row[3] if row else "",
            reviewed_points=from_tenths(row[4]) if row else None,
            reviewer_comment=row[5] if row else "",
            evidence=tuple(files.get(cid, ())),
        )
    info = _cycle_info(cycle)
    any_reviewed = any(e.reviewed for e in entries.values())
    return AssessmentView(
        id=assessment.id,
        org_id=assessment.org_id,
        org_name=org.name,
        org_region=org.region,
        cycle=info,
        status=assessment.status,
        version=assessment.version,
        return_comment=assessment.return_comment,
        submitted_at=assessment.submitted_at,
        reviewed_at=assessment.reviewed_at,
        rubric=rubric,
        entries=entries,
        lock_reason=_lock_reason(assessment.status, info),
        self_result=evaluate_entries(rubric, entries, "self"),
        reviewed_result=evaluate_entries(rubric, entries, "reviewed") if any_reviewed else None,
    )


def get_assessment(actor: Actor | None, *, assessment_id: int) -> AssessmentView:
    """One assessment with its entries, evidence list and computed results."""
    loaded = None
    with read_session() as session:
        header = _load_header_or_none(session, assessment_id)
        target = None if header is None else _header_target(header)
        if header is not None and target is not None and can(actor, Action.VIEW_ASSESSMENT, target):
            loaded = load_rows(session, header)
    # Refusals are logged after the read session is closed (one connection at a time).
    if target is None:
        require_missing(actor, Action.VIEW_ASSESSMENT, "assessment", assessment_id)
    if loaded is None:
        refuse(actor, Action.VIEW_ASSESSMENT, target.kind, assessment_id)
    return build_view(actor, loaded)


def _header_target(header: tuple[Assessment, Cycle, Organisation]) -> permissions.Target:
    assessment, _cycle, org = header
    return permissions.Target.org(org, kind="assessment", id=assessment.id)


def my_assessment(actor: Actor | None, *, year: int | None = None) -> AssessmentView:
    """The branch user's own assessment of `year` (default: the open year), created if missing."""
    actor = require(actor, Action.SELF_ASSESS)
    if actor.org_id is None:
        raise ServiceError(T.ERR_NO_ORG)
    cycle = current_cycle(actor) if year is None else cycle_by_year(actor, year)
    with read_session() as session:
        found = session.exec(
            select(Assessment.id).where(
                Assessment.org_id == actor.org_id, Assessment.cycle_id == cycle.id
            )
        ).first()
    if found is None:
        if not cycle.is_open:
            raise NotFound(T.ERR_NO_ASSESSMENT)
        found = _create_assessment(actor, actor.org_id, cycle.id)
    return get_assessment(actor, assessment_id=found)


def _create_assessment(actor: Actor, org_id: int, cycle_id: int) -> int:
    """An empty draft for the actor's organisation (a concurrent creator wins harmlessly)."""
    try:
        with write_session() as session:
            row = Assessment(org_id=org_id, cycle_id=cycle_id, status="draft", updated_by=actor.id)
            session.add(row)
            session.flush()
            audit(
                session,
                actor,
                "assessment_create",
                "assessment",
                row.id,
                {"org_id": org_id, "cycle_id": cycle_id},
            )
            bump_change_counter(session)
            assert row.id is not None
            return row.id
    except IntegrityError:
        with read_session() as session:
            found = session.exec(
                select(col(Assessment.id)).where(
                    col(Assessment.org_id) == org_id, col(Assessment.cycle_id) == cycle_id
                )
            ).one()
            return pk(found)


__all__ = [
    "FINAL_REVIEW_STATUSES",
    "AssessmentView",
    "EntryView",
    "EvidenceInfo",
    "NotEditable",
    "evaluate_entries",
    "get_assessment",
    "my_assessment",
    "today",
]
