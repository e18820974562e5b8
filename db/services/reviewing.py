"""The reviewer's decisions: checking reviewed points, saving, 退回 and 通过.

A reviewed value that differs from the branch's own needs a reason; deductions and vetoes are
entered here. 退回 sends the assessment back with comments (status "returned"); 通过 marks it
"reviewed", confirming the branch's points wherever the reviewer left them unchanged. Every
write is one transaction guarded by Assessment.version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session, col, select

import scoring
from db.engine import write_session
from db.models import (
    Assessment,
    Criterion,
    Cycle,
    ReviewLevel,
    ScoreEntry,
    StepAction,
)
from db.services import freeze, published
from db.services.common import (
    Actor,
    InvalidInput,
    NotFound,
    StaleVersion,
    audit,
    bump_change_counter,
    invalid,
)
from db.services.cycles import from_tenths, to_tenths
from db.services.first_review import record_step
from db.services.review import (
    COMMENT_MAX,
    REVIEWABLE,
    VETO_TENTHS,
    ReviewLine,
    authorize_review_of,
)
from db.services.totals import refresh_totals
from texts import common as C
from texts import review as T

# ----------------------------------------------------------------------------- validation


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return text


def parse_points(value: object) -> Decimal | None:
    """A reviewer's input as Decimal; None or blank means "not given"."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    if isinstance(value, float) and value != value:  # NaN from an empty table cell
        return None
    return scoring.to_decimal(value)


@dataclass
class _Checked:
    criterion_id: int
    code: str
    reviewed_tenths: int | None
    comment: str


def _check_lines(
    criteria: Mapping[str, Criterion],
    entries: Mapping[int, ScoreEntry],
    lines: Iterable[ReviewLine],
) -> list[_Checked]:
    """Validate every line; raise InvalidInput listing every problem, else the checked values."""
    problems: list[str] = []
    checked: list[_Checked] = []
    for line in lines:
        criterion = criteria.get(line.code)
        if criterion is None:
            problems.append(T.ERR_UNKNOWN_CODE.format(code=line.code))
            continue
        assert criterion.id is not None
        max_points = from_tenths(criterion.max_tenths) or Decimal(0)
        comment = (line.comment or "").strip()
        if len(comment) > COMMENT_MAX:
            problems.append(T.ERR_COMMENT_TOO_LONG.format(code=line.code, n=COMMENT_MAX))
            continue
        try:
            value = parse_points(line.reviewed)
        except ValueError:
            problems.append(
                T.ERR_POINTS_NOT_NUMBER.format(
                    code=line.code, value=line.reviewed, max=_fmt(max_points)
                )
            )
            continue
        entry = entries.get(criterion.id)
        self_value = from_tenths(entry.self_tenths) if entry else None
        if criterion.kind == "veto":
            if value is not None and value not in (Decimal(0), Decimal(1)):
                problems.append(T.ERR_VETO_VALUE.format(code=line.code))
                continue
            if value == 1 and not comment:
                problems.append(T.ERR_VETO_REASON.format(code=line.code))
                continue
            tenths = None if value is None else (VETO_TENTHS if value == 1 else 0)
            checked.append(_Checked(criterion.id, line.code, tenths, comment))
            continue
        if value is not None:
            if value < 0 or value > max_points:
                problems.append(
                    T.ERR_POINTS_RANGE.format(
                        code=line.code, value=_fmt(value), max=_fmt(max_points)
                    )
                )
                continue
            if not scoring.is_half_step(value):
                problems.append(T.ERR_POINTS_STEP.format(code=line.code, value=_fmt(value)))
                continue
            if criterion.kind == "deduction":
                if value > 0 and not comment:
                    problems.append(
                        T.ERR_DEDUCTION_REASON.format(code=line.code, reviewed=_fmt(value))
                    )
                    continue
            elif value != (self_value or Decimal(0)) and not comment:
                problems.append(
                    T.ERR_REASON_REQUIRED.format(
                        code=line.code, reviewed=_fmt(value), self=_fmt(self_value)
                    )
                )
                continue
        checked.append(
            _Checked(criterion.id, line.code, None if value is None else to_tenths(value), comment)
        )
    if problems:
        raise invalid(problems)
    return checked


# ----------------------------------------------------------------------------- writes


def _bump_version(
    session: Session, assessment_id: int, version: int, actor: Actor, **values: object
) -> None:
    """UPDATE … WHERE id = ? AND version = ?; zero rows means someone saved first."""
    result = session.exec(
        update(Assessment)
        .where(col(Assessment.id) == assessment_id, col(Assessment.version) == version)
        .values(
            version=col(Assessment.version) + 1,
            updated_at=freeze.utcnow(),
            updated_by=actor.id,
            **values,
        )
    )
    if result.rowcount != 1:
        raise StaleVersion()


def _load_for_write(
    session: Session, assessment_id: int
) -> tuple[Assessment, Cycle, dict[str, Criterion], dict[int, ScoreEntry]]:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFound()
    freeze.ensure_cycle_editable(session, assessment.cycle_id)
    cycle = session.get(Cycle, assessment.cycle_id)
    assert cycle is not None
    criteria = {
        c.code: c
        for c in session.exec(select(Criterion).where(Criterion.cycle_id == cycle.id)).all()
    }
    entries = {
        e.criterion_id: e
        for e in session.exec(
            select(ScoreEntry).where(ScoreEntry.assessment_id == assessment_id)
        ).all()
    }
    return assessment, cycle, criteria, entries


def _apply_lines(
    session: Session,
    actor: Actor,
    assessment_id: int,
    entries: dict[int, ScoreEntry],
    checked: list[_Checked],
) -> list[dict[str, object]]:
    """Write the checked lines; returns the before → after of every line that changed."""
    now = freeze.utcnow()
    changes: list[dict[str, object]] = []
    for item in checked:
        entry = entries.get(item.criterion_id)
        before_points = entry.reviewed_tenths if entry else None
        before_comment = entry.reviewer_comment if entry else ""
        if before_points == item.reviewed_tenths and before_comment == item.comment:
            continue
        if entry is None:
            entry = ScoreEntry(assessment_id=assessment_id, criterion_id=item.criterion_id)
            entries[item.criterion_id] = entry
        entry.reviewed_tenths = item.reviewed_tenths
        entry.reviewer_comment = item.comment
        entry.reviewed_at = now
        entry.reviewed_by = actor.id
        session.add(entry)
        changes.append(
            {
                "code": item.code,
                "before": {"reviewed": _fmt(from_tenths(before_points)), "comment": before_comment},
                "after": {
                    "reviewed": _fmt(from_tenths(item.reviewed_tenths)),
                    "comment": item.comment,
                },
            }
        )
    if changes:
        refresh_totals(session, assessment_ids=[assessment_id])
    return changes


def _status_error(status: str, action: str) -> InvalidInput:
    message = T.ERR_NOT_SUBMITTED_FOR.format(
        status=C.STATUS_NAMES.get(status, status), action=action
    )
    return invalid([message])


def save_review(
    actor: Actor | None,
    *,
    assessment_id: int,
    version: int,
    lines: Iterable[ReviewLine],
) -> int:
    """Save reviewed points and comments without changing the status; returns the new version.

    Allowed on submitted or reviewed assessments of an open or closed year, and as a
    correction on published assessments while the year's 公示 runs.
    """
    actor = authorize_review_of(actor, assessment_id)
    with write_session() as session:
        assessment, cycle, criteria, entries = _load_for_write(session, assessment_id)
        correcting = cycle.status == "published" and assessment.status == "published"
        if not correcting and not (
            cycle.status in ("open", "closed") and assessment.status in REVIEWABLE
        ):
            message = T.ERR_NOT_REVIEWABLE.format(
                status=C.STATUS_NAMES.get(assessment.status, assessment.status)
            )
            raise invalid([message])
        checked = _check_lines(criteria, entries, lines)
        changes = _apply_lines(session, actor, assessment_id, entries, checked)
        if correcting and changes:
            # the one sanctioned change of a published result: the 公示 list follows it
            published.refresh_published_sums(session, [assessment_id])
        _bump_version(session, assessment_id, version, actor)
        audit(
            session,
            actor,
            "review_corrected" if correcting else "review_saved",
            "assessment",
            assessment_id,
            {"org_id": assessment.org_id, "year": cycle.year, "changes": changes},
        )
        bump_change_counter(session)
    return version + 1


def return_assessment(
    actor: Actor | None,
    *,
    assessment_id: int,
    version: int,
    comment: str,
    lines: Iterable[ReviewLine] = (),
) -> int:
    """退回: back to the branch with an overall comment (and the per-criterion ones)."""
    actor = authorize_review_of(actor, assessment_id)
    comment = (comment or "").strip()
    if not comment:
        raise invalid([T.ERR_RETURN_COMMENT])
    if len(comment) > COMMENT_MAX:
        message = T.ERR_RETURN_TOO_LONG.format(n=COMMENT_MAX)
        raise invalid([message])
    with write_session() as session:
        assessment, cycle, criteria, entries = _load_for_write(session, assessment_id)
        if cycle.status not in ("open", "closed") or assessment.status not in REVIEWABLE:
            raise _status_error(assessment.status, T.ACTION_RETURN)
        before = {"status": assessment.status, "return_comment": assessment.return_comment}
        checked = _check_lines(criteria, entries, lines)
        changes = _apply_lines(session, actor, assessment_id, entries, checked)
        _bump_version(
            session,
            assessment_id,
            version,
            actor,
            status="returned",
            return_comment=comment,
            reviewer_id=actor.id,
        )
        record_step(session, actor, assessment_id, ReviewLevel.SECOND, StepAction.RETURNED, comment)
        audit(
            session,
            actor,
            "review_returned",
            "assessment",
            assessment_id,
            {
                "org_id": assessment.org_id,
                "year": cycle.year,
                "before": before,
                "after": {"status": "returned", "return_comment": comment},
                "changes": changes,
            },
        )
        bump_change_counter(session)
    return version + 1


def approve_assessment(
    actor: Actor | None,
    *,
    assessment_id: int,
    version: int,
    lines: Iterable[ReviewLine] = (),
) -> int:
    """通过: status "reviewed"; the branch's points stand wherever the reviewer gave none."""
    actor = authorize_review_of(actor, assessment_id)
    with write_session() as session:
        assessment, cycle, criteria, entries = _load_for_write(session, assessment_id)
        if cycle.status not in ("open", "closed") or assessment.status != "submitted":
            raise _status_error(assessment.status, T.ACTION_APPROVE)
        before = {"status": assessment.status, "return_comment": assessment.return_comment}
        checked = _check_lines(criteria, entries, lines)
        changes = _apply_lines(session, actor, assessment_id, entries, checked)
        now = freeze.utcnow()
        confirmed = 0
        for entry in entries.values():
            if entry.reviewed_tenths is None and entry.self_tenths is not None:
                entry.reviewed_tenths = entry.self_tenths
                entry.reviewed_at = now
                entry.reviewed_by = actor.id
                session.add(entry)
                confirmed += 1
        _bump_version(
            session,
            assessment_id,
            version,
            actor,
            status="reviewed",
            reviewed_at=now,
            reviewer_id=actor.id,
            return_comment="",
        )
        record_step(session, actor, assessment_id, ReviewLevel.SECOND, StepAction.APPROVED)
        audit(
            session,
            actor,
            "review_approved",
            "assessment",
            assessment_id,
            {
                "org_id": assessment.org_id,
                "year": cycle.year,
                "before": before,
                "after": {"status": "reviewed"},
                "changes": changes,
                "confirmed_self_points": confirmed,
            },
        )
        bump_change_counter(session)
    return version + 1


__all__ = ["approve_assessment", "parse_points", "return_assessment", "save_review"]
