"""A branch's edits to its self-assessment: a star page, the 加分项 page, submission.

Every write is one transaction guarded by `Assessment.version` (optimistic lock). Ownership is
checked before the write transaction opens, so a refusal can be logged in a transaction of its
own (on SQLite a second writer inside an open write transaction would wait for itself).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, or_, update
from sqlmodel import Session, col, select

import scoring
from db.engine import read_session, write_session
from db.models import Assessment, Cycle, ReviewLevel, ScoreEntry, StepAction, utcnow
from db.query import select_columns
from db.services import evidence_batch, first_review
from db.services.assessment import (
    BONUS_PAGE,
    EDITABLE_STATUSES,
    FIGURE_MAX,
    NOTE_MAX,
    Target,
    bump_version,
    get_assessment,
    recheck_editable,
    today,
    writable_target,
)
from db.services.common import (
    Actor,
    InvalidInput,
    StaleVersion,
    audit,
    bump_change_counter,
)
from db.services.cycles import (
    from_tenths,
    rubric_at_version,
)
from db.services.guidance import completion
from db.services.member_figures import sourced_in
from db.services.totals import refresh_totals
from formatting import decimal_text
from rubric import Criterion
from texts import assessment as T
from texts import common as C


@dataclass(frozen=True)
class EntryInput:
    """What a page sends for one criterion: points (or the figure of an auto item) and a note."""

    points: Any = None
    figure: Any = None
    note: str = ""


# --------------------------------------------------------------------------- validation


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _show(value: Any) -> str:
    ordinary = isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) < 16
    text = decimal_text(value) if ordinary else str(value).strip()
    # Quoted back in an error message: a pasted 5,000-digit "number" is cut short.
    limit = scoring.MAX_NUMBER_TEXT
    return text if len(text) <= limit else text[:limit] + "…"


def parse_points(c: Criterion, raw: Any) -> tuple[Decimal | None, str | None]:
    """(points, None) when valid, (None, Chinese error) otherwise; blank → (None, None)."""
    if _blank(raw):
        return None, None
    args = {
        "code": c.code,
        "title": c.title,
        "value": _show(raw),
        "max": decimal_text(c.max_points),
    }
    try:
        value = scoring.to_decimal(raw)
    except ValueError:
        return None, T.ERR_POINTS_NOT_NUMBER.format(**args)
    args["value"] = decimal_text(value)
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
    args["value"] = decimal_text(value)
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
    sourced: Mapping[str, Decimal] | None = None,
) -> list[_Parsed]:
    """Every entry validated; InvalidInput listing every problem if any is bad. A criterion in
    `sourced` takes that figure (computed from the members' data), not the one sent."""
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
            given = (sourced or {}).get(c.code, value.figure)
            figure, problem = parse_figure(c, given)
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
    return None if value is None else decimal_text(value)


def _snapshot(points: int | None, figure: str | None, note: str) -> dict[str, Any]:
    return {"points": from_tenths(points), "figure": figure, "note": note}


def _claim(session: Session, actor: Actor, target: Target, version: int) -> int:
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
    target: Target,
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
                select_columns(
                    col(ScoreEntry.id),
                    col(ScoreEntry.criterion_id),
                    col(ScoreEntry.self_tenths),
                    col(ScoreEntry.figure),
                    col(ScoreEntry.note),
                    col(ScoreEntry.reviewed_tenths),
                ).where(
                    col(ScoreEntry.assessment_id) == target.assessment_id,
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
            change: dict[str, Any] = {"before": _snapshot(*before), "after": _snapshot(*after)}
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
        raise InvalidInput(T.ERR_UNKNOWN_CRITERION.format(code=star, page=T.FIVE_STARS))
    rubric, _ids = rubric_at_version(actor, target.cycle.id, target.cycle.version)
    with read_session() as session:
        figures = sourced_in(session, target.org_id, target.cycle.year, rubric.by_star(star))
    sourced = {code: figure.value for code, figure in figures.items()}
    parsed = _parse_entries(rubric.by_star(star), entries, scoring.STAR_NAMES[star], sourced)
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


def submit_assessment(actor: Actor | None, *, assessment_id: int, version: int) -> int:
    """Submit for review: only when complete; the branch can't edit afterwards. It goes to the
    department's 初审 where the organisation has one (first_review.handed_in_status)."""
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
        # 初审 first where the organisation has a first level, else straight to the 复核.
        status = first_review.handed_in_status(session, assessment)
        new_version = bump_version(
            session,
            actor,
            assessment_id,
            version,
            status=status,
            submitted_at=utcnow(),
            first_reviewed_at=None,
            first_reviewer_id=None,
        )
        first_review.record_step(
            session, actor, assessment_id, ReviewLevel.BRANCH, StepAction.SUBMITTED
        )
        held = evidence_batch.drop_held(session, assessment_id)
        audit(
            session,
            actor,
            "submit_assessment",
            "assessment",
            assessment_id,
            {
                "status": [before, status],
                "version": [version, new_version],
                "composite": str(view.self_result.composite),
                "level": view.self_result.level,
                "held_files_dropped": held,
            },
        )
        bump_change_counter(session)
    return new_version


__all__ = [
    "EntryInput",
    "auto_points_of",
    "parse_figure",
    "parse_points",
    "save_bonus_items",
    "save_star_page",
    "submit_assessment",
]
