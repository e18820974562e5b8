"""A branch's self-assessment: reading it, saving a star page, 加分项, completion, submission.

Every write is one transaction guarded by `Assessment.version` (optimistic lock). Ownership is
checked before the write transaction opens, so a refusal can be logged in a transaction of its
own (on SQLite a second writer inside an open write transaction would wait for itself).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import scoring
from db.engine import read_session, write_session
from db.models import (
    REVIEWED_STATUSES,
    Assessment,
    AssessmentStatus,
    Cycle,
    Evidence,
    Organisation,
    ScoreEntry,
    utcnow,
)
from db.services.common import (
    Actor,
    InvalidInput,
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
from db.services.readmodels import authorize_org_view
from db.services.totals import refresh_totals
from permissions import Action, Target, can
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


@dataclass(frozen=True)
class EntryInput:
    """What a page sends for one criterion: points (or the figure of an auto item) and a note."""

    points: Any = None
    figure: Any = None
    note: str = ""


@dataclass(frozen=True)
class MissingItem:
    code: str
    star: str | None
    kind: str  # "score" | "evidence" | "score_evidence" | "bonus_evidence"
    message: str


@dataclass(frozen=True)
class Completion:
    criteria_total: int
    scored: int
    evidence_needed: int
    evidence_attached: int
    per_star: dict[str, tuple[int, int, int, int]]  # scored, total, evidence, needed
    missing: tuple[MissingItem, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class AdviceItem:
    code: str
    star: str
    title: str
    points: Decimal
    max_points: Decimal
    scored: bool
    add_points: Decimal
    reason: str  # "star" | "composite" | "bonus"
    figure: Decimal | None = None  # auto-scored: the figure that earns the added points
    figure_bound: str | None = None  # "at_least" | "at_most"
    unit: str = ""
    label: str = ""


@dataclass(frozen=True)
class GapAdvice:
    gap: scoring.Gap
    result: scoring.OrgResult
    items: tuple[AdviceItem, ...]
    per_star: dict[str, tuple[AdviceItem, ...]] = field(default_factory=dict)
    basis: str = "self"
    bonus_items: tuple[AdviceItem, ...] = ()

    @property
    def total_add(self) -> Decimal:
        return sum((i.add_points for i in self.items), _ZERO)


@dataclass(frozen=True)
class YearResult:
    year: int
    status: str
    cycle_status: str
    basis: str  # "reviewed" | "self"
    result: scoring.OrgResult
    scored: int
    criteria_total: int


# --------------------------------------------------------------------------- authorisation


def _lock_reason(status: str, cycle: CycleInfo, on: date | None = None) -> str:
    """Why the branch can't edit now ("" when it can)."""
    if status == "submitted":
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


def assessment_target(assessment: Assessment) -> Target:
    """The permission target of an assessment: its organisation (named in refusals by id)."""
    return Target(assessment.org_id, kind="assessment", id=assessment.id)


@dataclass(frozen=True)
class _Target:
    """An assessment a write is about to touch, checked for owner and editability."""

    assessment_id: int
    org_id: int
    cycle: CycleInfo
    status: str


def writable_target(actor: Actor | None, assessment_id: int) -> _Target:
    """Ownership (refusal logged) and editability, checked before the write transaction."""
    require(actor, Action.SELF_ASSESS)
    with read_session() as session:
        header = _load_header_or_none(session, assessment_id)
    if header is None:
        # Even the branch users who may write learn nothing about other ids.
        refuse(actor, Action.SELF_ASSESS, "assessment", assessment_id)
    assessment, cycle, org = header
    require(actor, Action.SELF_ASSESS, Target.org(org, kind="assessment", id=assessment_id))
    info = _cycle_info(cycle)
    reason = _lock_reason(assessment.status, info)
    if reason:
        raise NotEditable(reason)
    return _Target(assessment_id, assessment.org_id, info, assessment.status)


def recheck_editable(session: Session, target: _Target) -> Assessment:
    """Inside the write: the status, the cycle and the deadline may have changed meanwhile."""
    assessment, cycle, _org = _load_header(session, target.assessment_id)
    ensure_cycle_editable(session, target.cycle.id)
    reason = _lock_reason(assessment.status, _cycle_info(cycle))
    if reason:
        raise NotEditable(reason)
    return assessment


def _bump_version(
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


def _entries_of(session: Session, assessment_id: int) -> list[tuple]:
    """(criterion_id, self_tenths, figure, note, reviewed_tenths, reviewer_comment) rows."""
    return list(
        session.exec(
            select(  # type: ignore[call-overload]
                ScoreEntry.criterion_id,
                ScoreEntry.self_tenths,
                ScoreEntry.figure,
                ScoreEntry.note,
                ScoreEntry.reviewed_tenths,
                ScoreEntry.reviewer_comment,
            ).where(ScoreEntry.assessment_id == assessment_id)
        ).all()
    )


def _evidence_of(session: Session, assessment_id: int) -> list[tuple]:
    return list(
        session.exec(
            select(  # type: ignore[call-overload]
                Evidence.id,
                Evidence.criterion_id,
                Evidence.filename,
                Evidence.content_type,
                Evidence.size,
                Evidence.uploaded_at,
            )
            .where(Evidence.assessment_id == assessment_id)
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
    entries: list[tuple]
    files: list[tuple]


def _load_rows(session: Session, header: tuple[Assessment, Cycle, Organisation]) -> _Rows:
    assessment, cycle, org = header
    assert assessment.id is not None
    return _Rows(
        assessment,
        cycle,
        org,
        _entries_of(session, assessment.id),
        _evidence_of(session, assessment.id),
    )


def _build_view(actor: Actor | None, loaded: _Rows) -> AssessmentView:
    """Assemble the view (rubric lookups open sessions of their own, so none may be open)."""
    assessment, cycle, org = loaded.assessment, loaded.cycle, loaded.org
    assert assessment.id is not None and cycle.id is not None
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
            loaded = _load_rows(session, header)
    # Refusals are logged after the read session is closed (one connection at a time).
    if target is None:
        require_missing(actor, Action.VIEW_ASSESSMENT, "assessment", assessment_id)
    if loaded is None:
        refuse(actor, Action.VIEW_ASSESSMENT, target.kind, assessment_id)
    return _build_view(actor, loaded)


def _header_target(header: tuple[Assessment, Cycle, Organisation]) -> Target:
    assessment, _cycle, org = header
    return Target.org(org, kind="assessment", id=assessment.id)


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
        found = _create_assessment(actor, cycle.id)
    return get_assessment(actor, assessment_id=found)


def _create_assessment(actor: Actor, cycle_id: int) -> int:
    """An empty draft for the actor's organisation (a concurrent creator wins harmlessly)."""
    try:
        with write_session() as session:
            row = Assessment(
                org_id=actor.org_id, cycle_id=cycle_id, status="draft", updated_by=actor.id
            )
            session.add(row)
            session.flush()
            audit(
                session,
                actor,
                "assessment_create",
                "assessment",
                row.id,
                {"org_id": actor.org_id, "cycle_id": cycle_id},
            )
            bump_change_counter(session)
            assert row.id is not None
            return row.id
    except IntegrityError:
        with read_session() as session:
            return session.exec(
                select(Assessment.id).where(
                    Assessment.org_id == actor.org_id, Assessment.cycle_id == cycle_id
                )
            ).one()


# --------------------------------------------------------------------------- validation


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fmt(d: Decimal) -> str:
    """A Decimal as people write it: 2, 2.5."""
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def _show(value: Any) -> str:
    ordinary = isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) < 16
    text = _fmt(value) if ordinary else str(value).strip()
    # Quoted back in an error message: a pasted 5,000-digit "number" is cut short.
    limit = scoring.MAX_NUMBER_TEXT
    return text if len(text) <= limit else text[:limit] + "…"


def parse_points(c: Criterion, raw: Any) -> tuple[Decimal | None, str | None]:
    """(points, None) when valid, (None, Chinese error) otherwise; blank → (None, None)."""
    if _blank(raw):
        return None, None
    args = {"code": c.code, "title": c.title, "value": _show(raw), "max": _fmt(c.max_points)}
    try:
        value = scoring.to_decimal(raw)
    except ValueError:
        return None, T.ERR_POINTS_NOT_NUMBER.format(**args)
    args["value"] = _fmt(value)
    if value < 0:
        return None, T.ERR_POINTS_NEGATIVE.format(**args)
    if value > c.max_points:
        return None, T.ERR_POINTS_ABOVE_MAX.format(**args)
    if not scoring.is_half_step(value):
        return None, T.ERR_POINTS_NOT_HALF.format(**args)
    return value, None


def parse_figure(c: Criterion, raw: Any) -> tuple[Decimal | None, str | None]:
    """The entered figure of an auto-scored criterion, validated like points."""
    if _blank(raw):
        return None, None
    assert c.auto is not None
    args = {"code": c.code, "title": c.title, "label": c.auto.label, "value": _show(raw)}
    try:
        value = scoring.to_decimal(raw)
    except ValueError:
        return None, T.ERR_FIGURE_NOT_NUMBER.format(**args)
    args["value"] = _fmt(value)
    if value < 0:
        return None, T.ERR_FIGURE_NEGATIVE.format(**args)
    if value > FIGURE_MAX:
        return None, T.ERR_FIGURE_TOO_LARGE.format(**args)
    if c.auto.whole and value != value.to_integral_value():
        return None, T.ERR_FIGURE_NOT_INTEGER.format(**args)
    if value != value.quantize(Decimal("0.01")):
        return None, T.ERR_FIGURE_PRECISION.format(**args)
    return value.normalize() if value else Decimal(0), None


def auto_points_of(c: Criterion, figure: Decimal) -> Decimal:
    """Points the rubric gives for a figure (scoring.auto_points)."""
    assert c.auto is not None
    return scoring.auto_points(c.auto, figure, c.max_points)


@dataclass(frozen=True)
class _Parsed:
    criterion: Criterion
    points: Decimal | None
    figure: Decimal | None
    note: str


def _as_input(value: EntryInput | Mapping[str, Any]) -> EntryInput:
    if isinstance(value, EntryInput):
        return value
    return EntryInput(
        points=value.get("points"), figure=value.get("figure"), note=value.get("note") or ""
    )


def _parse_entries(
    allowed: Sequence[Criterion],
    entries: Mapping[str, EntryInput | Mapping[str, Any]],
    page_name: str,
) -> list[_Parsed]:
    """Every entry validated; InvalidInput listing every problem if any is bad."""
    by_code = {c.code: c for c in allowed}
    parsed: list[_Parsed] = []
    errors: list[str] = []
    for code, raw in entries.items():
        c = by_code.get(code)
        if c is None:
            errors.append(T.ERR_UNKNOWN_CRITERION.format(code=code, page=page_name))
            continue
        value = _as_input(raw)
        note = "" if value.note is None else str(value.note).strip()
        if len(note) > NOTE_MAX:
            errors.append(
                T.ERR_NOTE_TOO_LONG.format(code=c.code, title=c.title, n=NOTE_MAX, length=len(note))
            )
        if c.auto is not None:
            figure, problem = parse_figure(c, value.figure)
            points = None if figure is None else auto_points_of(c, figure)
        else:
            figure = None
            points, problem = parse_points(c, value.points)
        if problem:
            errors.append(problem)
        parsed.append(_Parsed(c, points, figure, note))
    if errors:
        raise InvalidInput(T.ERR_INVALID_SUMMARY.format(n=len(errors)), errors=errors)
    return parsed


# --------------------------------------------------------------------------- saving


def _tenths(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 10)


def _figure_text(value: Decimal | None) -> str | None:
    return None if value is None else _fmt(value)


def _snapshot(points: int | None, figure: str | None, note: str) -> dict[str, Any]:
    return {"points": from_tenths(points), "figure": figure, "note": note}


def _claim(session: Session, actor: Actor, target: _Target, version: int) -> int:
    """Take the page's version in one guarded UPDATE (still editable, cycle open, in time).

    One statement instead of read-then-write keeps the time inside SQLite's write lock short;
    only when it matches no row is the reason looked up (stale, or no longer editable).
    """
    open_cycle = select(Cycle.id).where(
        Cycle.id == target.cycle.id,
        Cycle.status == "open",
        or_(col(Cycle.deadline).is_(None), col(Cycle.deadline) >= today()),
    )
    result = session.exec(
        update(Assessment)
        .where(
            col(Assessment.id) == target.assessment_id,
            col(Assessment.version) == version,
            col(Assessment.status).in_(EDITABLE_STATUSES),
            col(Assessment.cycle_id).in_(open_cycle),
        )
        .values(version=version + 1, updated_at=utcnow(), updated_by=actor.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        recheck_editable(session, target)
        raise StaleVersion()
    return version + 1


def _write_entries(
    actor: Actor,
    target: _Target,
    version: int,
    parsed: list[_Parsed],
    action: str,
    page: str,
) -> int:
    _rubric, ids = rubric_at_version(actor, target.cycle.id, target.cycle.version)
    wanted = {ids[p.criterion.code]: p for p in parsed}
    with write_session() as session:
        new_version = _claim(session, actor, target, version)
        existing = {
            row[1]: row
            for row in session.exec(
                select(  # type: ignore[call-overload]
                    ScoreEntry.id,
                    ScoreEntry.criterion_id,
                    ScoreEntry.self_tenths,
                    ScoreEntry.figure,
                    ScoreEntry.note,
                    ScoreEntry.reviewed_tenths,
                ).where(
                    ScoreEntry.assessment_id == target.assessment_id,
                    col(ScoreEntry.criterion_id).in_(list(wanted)),
                )
            )
        }
        now = utcnow()
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        changes: dict[str, Any] = {}
        for cid, p in wanted.items():
            after = (_tenths(p.points), _figure_text(p.figure), p.note)
            row = existing.get(cid)
            before = (None, None, "") if row is None else (row[2], row[3], row[4])
            if before == after:
                continue  # unchanged, or blank and never written
            values = {
                "self_tenths": after[0],
                "figure": after[1],
                "note": after[2],
                "updated_at": now,
                "updated_by": actor.id,
            }
            if row is None:
                inserts.append(
                    {
                        "assessment_id": target.assessment_id,
                        "criterion_id": cid,
                        "reviewer_comment": "",
                        **values,
                    }
                )
                changes[p.criterion.code] = {
                    "before": _snapshot(*before),
                    "after": _snapshot(*after),
                }
                continue
            # A reviewer's figure judged the points it was given on: once the branch changes
            # them (after a 退回), the old figure no longer stands and is dropped, so the
            # reviewed basis takes the branch's new points until the reviewer looks again.
            stale = row[5] is not None and before[:2] != after[:2]
            updates.append({"id": row[0], **values, "reviewed_tenths": None if stale else row[5]})
            change = {"before": _snapshot(*before), "after": _snapshot(*after)}
            if stale:
                change["reviewed_dropped"] = str(from_tenths(row[5]))
            changes[p.criterion.code] = change
        # executemany: one prepared statement for the whole page.
        if updates:
            session.execute(update(ScoreEntry), updates)
        if inserts:
            session.execute(insert(ScoreEntry), inserts)
        if updates or inserts:
            refresh_totals(session, assessment_ids=[target.assessment_id])
        audit(
            session,
            actor,
            action,
            "assessment",
            target.assessment_id,
            {"page": page, "version": [version, new_version], "changes": changes},
        )
        bump_change_counter(session)
    return new_version


def save_star_page(
    actor: Actor | None,
    *,
    assessment_id: int,
    version: int,
    star: str,
    entries: Mapping[str, EntryInput | Mapping[str, Any]],
) -> int:
    """Save one star page in one transaction, guarded by `version`; returns the new version.

    Entries not given are left as they are. Auto-scored criteria take the figure; their points
    come from scoring.auto_points. Bad values raise InvalidInput listing every problem; nothing
    is written then.
    """
    target = writable_target(actor, assessment_id)
    assert actor is not None
    if star not in scoring.STAR_KEYS:
        raise InvalidInput(T.ERR_UNKNOWN_CRITERION.format(code=star, page="五星"))
    rubric, _ids = rubric_at_version(actor, target.cycle.id, target.cycle.version)
    parsed = _parse_entries(rubric.by_star(star), entries, scoring.STAR_NAMES[star])
    return _write_entries(actor, target, version, parsed, "save_star_page", star)


def save_bonus_items(
    actor: Actor | None,
    *,
    assessment_id: int,
    version: int,
    entries: Mapping[str, EntryInput | Mapping[str, Any]],
) -> int:
    """Save the branch's 加分项 declaration (points and notes); returns the new version."""
    target = writable_target(actor, assessment_id)
    assert actor is not None
    rubric, _ids = rubric_at_version(actor, target.cycle.id, target.cycle.version)
    parsed = _parse_entries(rubric.items("bonus"), entries, C.KIND_NAMES["bonus"])
    return _write_entries(actor, target, version, parsed, "save_bonus_items", BONUS_PAGE)


# --------------------------------------------------------------------------- completion


def completion(view: AssessmentView) -> Completion:
    """What is scored and evidenced, and every item still missing before submission."""
    per_star: dict[str, tuple[int, int, int, int]] = {}
    missing: list[MissingItem] = []
    for star in scoring.STAR_KEYS:
        star_name = scoring.STAR_NAMES[star]
        scored = evidenced = needed = 0
        entries = view.star_entries(star)
        for e in entries:
            c = e.criterion
            scored += e.scored
            lacks_evidence = c.evidence_required and not e.evidence
            if c.evidence_required:
                needed += 1
                evidenced += not lacks_evidence
            if e.scored and not lacks_evidence:
                continue
            # One line per criterion, saying everything it still lacks.
            kind, template = (
                ("score_evidence", T.MISSING_BOTH)
                if not e.scored and lacks_evidence
                else ("score", T.MISSING_SCORE)
                if not e.scored
                else ("evidence", T.MISSING_EVIDENCE)
            )
            message = template.format(star=star_name, code=c.code, title=c.title)
            missing.append(MissingItem(c.code, star, kind, message))
        per_star[star] = (scored, len(entries), evidenced, needed)
    for e in view.bonus_entries():
        if e.self_points and not e.evidence:
            missing.append(
                MissingItem(
                    e.code,
                    None,
                    "bonus_evidence",
                    T.MISSING_BONUS_EVIDENCE.format(
                        code=e.code, title=e.criterion.title, points=_fmt(e.self_points)
                    ),
                )
            )
    return Completion(
        criteria_total=sum(v[1] for v in per_star.values()),
        scored=sum(v[0] for v in per_star.values()),
        evidence_needed=sum(v[3] for v in per_star.values()),
        evidence_attached=sum(v[2] for v in per_star.values()),
        per_star=per_star,
        missing=tuple(missing),
    )


def submit_assessment(actor: Actor | None, *, assessment_id: int, version: int) -> int:
    """Submit for review: only when complete; the branch can't edit afterwards."""
    target = writable_target(actor, assessment_id)
    assert actor is not None
    view = get_assessment(actor, assessment_id=assessment_id)
    if view.version != version:
        raise StaleVersion()
    done = completion(view)
    if not done.complete:
        problems = [m.message for m in done.missing]
        raise InvalidInput(T.ERR_INCOMPLETE.format(n=len(problems)), errors=problems)
    with write_session() as session:
        assessment = recheck_editable(session, target)
        before = assessment.status
        new_version = _bump_version(
            session, actor, assessment_id, version, status="submitted", submitted_at=utcnow()
        )
        audit(
            session,
            actor,
            "submit_assessment",
            "assessment",
            assessment_id,
            {
                "status": [before, "submitted"],
                "version": [version, new_version],
                "composite": str(view.self_result.composite),
                "level": view.self_result.level,
            },
        )
        bump_change_counter(session)
    return new_version


# --------------------------------------------------------------------------- gap to five-star


def counting_basis(view: AssessmentView) -> str:
    """The basis the year will judge the organisation on: "reviewed" once a reviewer has given
    any figure (the two are equal before), else "self"."""
    return "reviewed" if view.reviewed_result is not None else "self"


def live_points(
    view: AssessmentView, overrides: Mapping[str, Decimal | None] | None = None
) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """code → (branch's points, reviewer's figure), with a page's unsaved points applied.

    Saving a changed entry drops the reviewer's earlier figure (`_write_entries`), so an
    unsaved change counts without it here too.
    """
    points = {code: (e.self_points, e.reviewed_points) for code, e in view.entries.items()}
    for code, value in (overrides or {}).items():
        if code in points and value != points[code][0]:
            points[code] = (value, None)
    return points


def live_result(
    view: AssessmentView, overrides: Mapping[str, Decimal | None] | None, basis: str
) -> scoring.OrgResult:
    """The result on a basis with a page's unsaved points applied (scoring.evaluate_basis)."""
    return view.rubric.result(live_points(view, overrides), basis)


def gap_advice(
    view: AssessmentView,
    overrides: Mapping[str, Decimal | None] | None = None,
    basis: str | None = None,
) -> GapAdvice:
    """The gap to five-star and the items that close it with the fewest points (scoring.advise).

    `overrides` (code → points) lets a page ask about values it has not saved yet; `basis`
    defaults to the one the year will count (`counting_basis`), so a reviewer's deductions count.
    """
    basis = basis or counting_basis(view)
    figures = {code: e.figure for code, e in view.entries.items() if e.figure is not None}
    advice = view.rubric.advice(live_points(view, overrides), basis, figures)
    points = live_points(view, overrides)
    items = []
    for s in advice.suggestions:
        e = view.entries[s.code]
        own, figure = points[s.code]
        value = own if basis == "self" or figure is None else figure
        auto = e.criterion.auto
        items.append(
            AdviceItem(
                code=s.code,
                star=s.star,
                title=e.criterion.title,
                points=value if value is not None else _ZERO,
                max_points=e.criterion.max_points,
                scored=own is not None,
                add_points=s.add_points,
                reason=s.reason,
                figure=s.figure,
                figure_bound=s.figure_bound,
                unit=auto.unit if auto else "",
                label=auto.label if auto else "",
            )
        )
    per_star = {k: tuple(i for i in items if i.star == k) for k in scoring.STAR_KEYS}
    return GapAdvice(
        gap=advice.gap,
        result=advice.result,
        items=tuple(items),
        per_star=per_star,
        basis=basis,
        bonus_items=tuple(i for i in items if i.reason == "bonus"),
    )


# --------------------------------------------------------------------------- history


def past_results(actor: Actor | None, *, org_id: int) -> list[YearResult]:
    """The organisation's result in every year (reviewed points where present), oldest first."""
    viewer = authorize_org_view(actor, org_id)
    with read_session() as session:
        rows = session.exec(
            select(Assessment, Cycle, Organisation)
            .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
            .join(Organisation, col(Organisation.id) == Assessment.org_id)
            .where(Assessment.org_id == org_id)
            .order_by(col(Cycle.year))
        ).all()
        loaded = [_load_rows(session, (a, c, o)) for a, c, o in rows]
    views = [_build_view(viewer, item) for item in loaded]
    results = []
    for v in views:
        basis = "reviewed" if v.reviewed_result is not None else "self"
        done = completion(v)
        results.append(
            YearResult(
                year=v.year,
                status=v.status,
                cycle_status=v.cycle.status,
                basis=basis,
                result=v.reviewed_result or v.self_result,
                scored=done.scored,
                criteria_total=done.criteria_total,
            )
        )
    return results


__all__ = [
    "FINAL_REVIEW_STATUSES",
    "AdviceItem",
    "AssessmentView",
    "Completion",
    "EntryInput",
    "EntryView",
    "EvidenceInfo",
    "GapAdvice",
    "MissingItem",
    "NotEditable",
    "YearResult",
    "auto_points_of",
    "completion",
    "counting_basis",
    "evaluate_entries",
    "gap_advice",
    "get_assessment",
    "live_points",
    "live_result",
    "my_assessment",
    "parse_figure",
    "parse_points",
    "past_results",
    "save_bonus_items",
    "save_star_page",
    "submit_assessment",
    "today",
]
