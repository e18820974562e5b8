"""A year's rubric (admin): export it as YAML, compare an edited file, install it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from db.engine import read_session, write_session
from db.models import (
    Criterion,
    Cycle,
    Evidence,
    ScoreEntry,
)
from db.services import freeze
from db.services.common import (
    Actor,
    InvalidInput,
    NotFound,
    audit,
    bump_change_counter,
    invalid,
    require,
)
from db.services.cycles import from_tenths, rubric_of_cycle, to_tenths
from db.services.totals import refresh_totals
from db.services.years import bump_cycle, locked_cycle
from permissions import Action
from rubric import Rubric, RubricError, dump_rubric, parse_rubric, rubric_to_records
from scoring import STAR_KEYS
from texts import admin as T


def export_rubric(actor: Actor | None, *, cycle_id: int) -> str:
    """The rubric of a year as the YAML file administrators edit."""
    require(actor, Action.MANAGE_RUBRIC)
    return dump_rubric(rubric_of_cycle(actor, cycle_id))


@dataclass(frozen=True)
class RubricChange:
    """What importing a rubric file would change (or changed)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    header_changed: bool
    problems: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.header_changed)


_COMPARED = (
    "kind",
    "star",
    "task_no",
    "task_title",
    "title",
    "standard",
    "deduction_rule",
    "max_points",
    "evidence",
    "check_method",
    "evidence_required",
    "auto_unit",
    "auto_label",
    "auto_minimum",
    "auto_maximum",
    "auto_step",
    "auto_per_step",
    "sort_order",
)


def _parse(text: str) -> Rubric:
    try:
        return parse_rubric(text)
    except RubricError as exc:
        raise invalid([T.ERR_RUBRIC_INVALID.format(error=str(exc))]) from None


def _usage(session: Session, cycle_id: int) -> dict[str, tuple[int, int, int]]:
    """Per criterion code: (highest points given, organisations scored, evidence files)."""
    rows = session.exec(
        select(
            Criterion.code,
            func.max(func.coalesce(ScoreEntry.self_tenths, 0)),
            func.max(func.coalesce(ScoreEntry.reviewed_tenths, 0)),
            func.count(ScoreEntry.id),
        )
        .join(ScoreEntry, ScoreEntry.criterion_id == Criterion.id)  # type: ignore[arg-type]
        .where(
            Criterion.cycle_id == cycle_id,
            or_(
                ScoreEntry.self_tenths.is_not(None),  # type: ignore[union-attr]
                ScoreEntry.reviewed_tenths.is_not(None),
            ),
        )  # type: ignore[union-attr]
        .group_by(Criterion.code)
    ).all()
    evidence = dict(
        session.exec(
            select(Criterion.code, func.count(Evidence.id))
            .join(Evidence, Evidence.criterion_id == Criterion.id)  # type: ignore[arg-type]
            .where(Criterion.cycle_id == cycle_id)
            .group_by(Criterion.code)
        ).all()
    )
    out = {
        code: (max(int(s), int(r)), int(n), int(evidence.get(code, 0))) for code, s, r, n in rows
    }
    for code, n in evidence.items():
        if code not in out:
            out[code] = (0, 0, int(n))
    return out


def _records(rubric: Rubric) -> dict[str, dict[str, Any]]:
    out = {}
    for i, record in enumerate(rubric_to_records(rubric)):
        record = dict(record)
        record["sort_order"] = i
        out[record["code"]] = record
    return out


def _compare(actor: Actor, session: Session, cycle: Cycle, new: Rubric) -> RubricChange:
    assert cycle.id is not None
    old = rubric_of_cycle(actor, cycle.id)
    old_records, new_records = _records(old), _records(new)
    usage = _usage(session, cycle.id)
    problems: list[str] = []
    added = tuple(c for c in new_records if c not in old_records)
    removed = tuple(c for c in old_records if c not in new_records)
    changed = tuple(
        c
        for c in new_records
        if c in old_records
        and any(_norm(old_records[c][k]) != _norm(new_records[c][k]) for k in _COMPARED)
    )
    for code in removed:
        top, scored, files = usage.get(code, (0, 0, 0))
        if scored or files:
            problems.append(T.ERR_RUBRIC_REMOVE_SCORED.format(code=code, n=scored, files=files))
    for code in changed:
        top, scored, files = usage.get(code, (0, 0, 0))
        if not (scored or files):
            continue
        before, after = old_records[code], new_records[code]
        if (before["kind"], before["star"]) != (after["kind"], after["star"]):
            problems.append(T.ERR_RUBRIC_MOVE_SCORED.format(code=code, n=scored))
        if after["kind"] != "veto" and to_tenths(after["max_points"]) < top:
            problems.append(
                T.ERR_RUBRIC_MAX_BELOW.format(
                    code=code, max=after["max_points"], top=from_tenths(top)
                )
            )
    header_changed = (
        old.title != new.title
        or old.version != new.version
        or old.thresholds != new.thresholds
        or old.bases != new.bases
    )
    return RubricChange(added, removed, changed, header_changed, tuple(problems))


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def check_rubric(actor: Actor | None, *, cycle_id: int, text: str) -> RubricChange:
    """Validate a rubric file against a year without writing: what would change, what is refused."""
    actor = require(actor, Action.MANAGE_RUBRIC)
    new = _parse(text)
    with read_session() as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None:
            raise NotFound()
        return _compare(actor, session, cycle, new)


def import_rubric(actor: Actor | None, *, cycle_id: int, version: int, text: str) -> RubricChange:
    """Replace a year's rubric by a validated file, keeping every given score valid."""
    actor = require(actor, Action.MANAGE_RUBRIC)
    new = _parse(text)
    with write_session() as session:
        cycle = locked_cycle(session, cycle_id, version)
        freeze.ensure_cycle_editable(session, cycle_id)
        if cycle.status in ("published", "final"):
            raise invalid([T.ERR_RUBRIC_PUBLISHED.format(year=cycle.year)])
        change = _compare(actor, session, cycle, new)
        if change.problems:
            raise InvalidInput(change.problems[0], errors=list(change.problems))
        if change.empty:
            return change
        rows = {
            c.code: c
            for c in session.exec(select(Criterion).where(Criterion.cycle_id == cycle_id)).all()
        }
        for code in change.removed:
            criterion = rows[code]
            for entry in session.exec(
                select(ScoreEntry).where(ScoreEntry.criterion_id == criterion.id)
            ).all():
                session.delete(entry)  # notes only: scored entries were refused above
            session.delete(criterion)
        session.flush()
        records = _records(new)
        for code, record in records.items():
            criterion = rows.get(code) or Criterion(cycle_id=cycle_id, code=code, kind="", title="")
            _fill_criterion(criterion, record)
            session.add(criterion)
        bump_cycle(session, cycle_id, version, **rubric_header(new))
        refresh_totals(session, cycle_id=cycle_id)
        audit(
            session,
            actor,
            "rubric_imported",
            "cycle",
            cycle_id,
            {
                "year": cycle.year,
                "added": change.added,
                "removed": change.removed,
                "changed": change.changed,
                "header_changed": change.header_changed,
            },
        )
        bump_change_counter(session)
    return change


def rubric_header(rubric: Rubric) -> dict[str, Any]:
    """The Cycle columns that hold a rubric's title, thresholds and star bases."""
    header: dict[str, Any] = {
        "rubric_title": rubric.title,
        "rubric_version": rubric.version,
        "star_ratio": str(rubric.thresholds.star_ratio),
        "five_star_composite": str(rubric.thresholds.five_star_composite),
        "bonus_cap": str(rubric.thresholds.bonus_cap),
        "excellence_ratio": str(rubric.thresholds.excellence_ratio),
    }
    for key in STAR_KEYS:
        header[f"base_{key}_tenths"] = to_tenths(rubric.bases[key])
    return header


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _fill_criterion(criterion: Criterion, record: Mapping[str, Any]) -> None:
    criterion.kind = record["kind"]
    criterion.star = record["star"]
    criterion.task_no = record["task_no"]
    criterion.task_title = record["task_title"]
    criterion.title = record["title"]
    criterion.standard = record["standard"]
    criterion.deduction_rule = record["deduction_rule"]
    criterion.max_tenths = to_tenths(record["max_points"])
    criterion.evidence = record["evidence"]
    criterion.check_method = record["check_method"]
    criterion.evidence_required = record["evidence_required"]
    criterion.auto_unit = record["auto_unit"]
    criterion.auto_label = record["auto_label"]
    criterion.auto_minimum = _opt(record["auto_minimum"])
    criterion.auto_maximum = _opt(record["auto_maximum"])
    criterion.auto_step = _opt(record["auto_step"])
    criterion.auto_per_step = _opt(record["auto_per_step"])
    criterion.sort_order = record["sort_order"]
