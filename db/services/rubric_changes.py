"""What an edited rubric file would change: field differences, scores and points affected.

Used by check_rubric (the preview) and import_rubric (db/services/rubrics.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

import scoring
from db.models import (
    Assessment,
    Criterion,
    Cycle,
    Evidence,
    Organisation,
    ScoreEntry,
)
from db.services.common import Actor
from db.services.cycles import from_tenths, rubric_of_cycle, to_tenths
from rubric import RECORD_KEYS, Rubric, rubric_to_records
from scoring import AutoRule
from texts import admin as T

NAMES_SHOWN = 10


@dataclass(frozen=True)
class FieldDiff:
    """One field of a criterion as the year has it and as the file would have it."""

    field: str  # Chinese name
    before: str
    after: str


@dataclass(frozen=True)
class CriterionDiff:
    """A criterion the file changes: which current criterion it continues and how."""

    code: str
    previous: str  # the code of the current criterion whose scores it keeps
    fields: tuple[FieldDiff, ...]
    meaning_changed: bool  # its title or standard changes
    mapped: bool  # the file names it as the same criterion (previous_code / 原编号)
    organisations: tuple[str, ...]  # organisations that scored it or filed evidence for it
    files: int


@dataclass(frozen=True)
class PointChange:
    """Stored points an auto-scored rule change recomputes for one organisation."""

    code: str
    assessment_id: int
    org_name: str
    figure: Decimal
    self_before: Decimal | None
    self_after: Decimal
    reviewed_before: Decimal | None
    reviewed_after: Decimal | None


@dataclass(frozen=True)
class RubricChange:
    """What importing a rubric file would change (or changed)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    header_changed: bool
    problems: tuple[str, ...]
    differences: tuple[CriterionDiff, ...] = ()
    point_changes: tuple[PointChange, ...] = ()
    dropped: tuple[str, ...] = ()  # criteria whose scores the admin agreed to drop

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.header_changed)

    @property
    def meaning_changes(self) -> tuple[CriterionDiff, ...]:
        """Criteria whose title or standard changes while organisations have scored them."""
        return tuple(
            d for d in self.differences if d.meaning_changed and not d.mapped and d.organisations
        )


_MEANING = ("title", "standard")
_AUTO_RULE = (
    "max_points",
    "auto_minimum",
    "auto_maximum",
    "auto_step",
    "auto_per_step",
)


@dataclass(frozen=True)
class _Usage:
    top: int  # highest points given (tenths)
    organisations: tuple[str, ...]
    files: int


def _usage(session: Session, cycle_id: int) -> dict[str, _Usage]:
    """Per criterion code: highest points given, organisations that scored it, evidence files."""
    rows = session.exec(
        select(
            col(Criterion.code),
            func.coalesce(col(ScoreEntry.self_tenths), 0),
            func.coalesce(col(ScoreEntry.reviewed_tenths), 0),
            col(Organisation.name),
        )
        .join(ScoreEntry, col(ScoreEntry.criterion_id) == Criterion.id)
        .join(Assessment, col(Assessment.id) == ScoreEntry.assessment_id)
        .join(Organisation, col(Organisation.id) == Assessment.org_id)
        .where(
            col(Criterion.cycle_id) == cycle_id,
            or_(
                col(ScoreEntry.self_tenths).is_not(None),
                col(ScoreEntry.reviewed_tenths).is_not(None),
            ),
        )
        .order_by(col(Criterion.code), col(Organisation.code))
    ).all()
    evidence = session.exec(
        select(col(Criterion.code), func.count(col(Evidence.id)), col(Organisation.name))
        .join(Evidence, col(Evidence.criterion_id) == Criterion.id)
        .join(Assessment, col(Assessment.id) == Evidence.assessment_id)
        .join(Organisation, col(Organisation.id) == Assessment.org_id)
        .where(col(Criterion.cycle_id) == cycle_id)
        .group_by(col(Criterion.code), col(Organisation.name))
    ).all()
    top: dict[str, int] = {}
    names: dict[str, dict[str, None]] = {}
    files: dict[str, int] = {}
    for code, own, reviewed, name in rows:
        top[code] = max(top.get(code, 0), int(own), int(reviewed))
        names.setdefault(code, {})[name] = None
    for code, n, name in evidence:
        files[code] = files.get(code, 0) + int(n)
        names.setdefault(code, {})[name] = None
    return {
        code: _Usage(top.get(code, 0), tuple(names[code]), files.get(code, 0)) for code in names
    }


def rubric_records(rubric: Rubric) -> dict[str, dict[str, Any]]:
    out = {}
    for i, record in enumerate(rubric_to_records(rubric)):
        record = dict(record)
        record["sort_order"] = i
        out[record["code"]] = record
    return out


def _sources(
    old: dict[str, dict[str, Any]], new: Rubric, problems: list[str]
) -> dict[str, str | None]:
    """New code → the current criterion it continues (its own code unless the file maps it
    to another with previous_code; an explicit mapping wins over a reused code)."""
    explicit = new.previous_codes
    claimed = set(explicit.values())
    sources: dict[str, str | None] = {}
    for criterion in new.criteria:
        code = criterion.code
        if code in explicit:
            if explicit[code] not in old:
                problems.append(
                    T.ERR_RUBRIC_PREVIOUS_UNKNOWN.format(code=code, previous=explicit[code])
                )
                sources[code] = None
            else:
                sources[code] = explicit[code]
        elif code in old and code not in claimed:
            sources[code] = code
        else:
            sources[code] = None
    return sources


def shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return T.YES if value else T.NO
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _field_diffs(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldDiff, ...]:
    return tuple(
        FieldDiff(T.RUBRIC_FIELD_NAMES.get(k, k), shown(before[k]), shown(after[k]))
        for k in RECORD_KEYS
        if k != "sort_order" and _norm(before[k]) != _norm(after[k])
    )


def _auto_rule(record: dict[str, Any]) -> AutoRule | None:
    if record["auto_unit"] is None:
        return None
    return AutoRule(
        unit=record["auto_unit"],
        label=record["auto_label"],
        minimum=record["auto_minimum"],
        maximum=record["auto_maximum"],
        step=record["auto_step"],
        per_step=record["auto_per_step"],
    )


def _point_changes(
    session: Session,
    cycle_id: int,
    pairs: list[tuple[str, str, dict[str, Any]]],
) -> list[PointChange]:
    """The stored points each changed auto rule recomputes: the branch's points follow the
    figure; a reviewer's figure that equalled the old points follows too, any other reviewer
    figure is the reviewer's own judgement and stays."""
    changes: list[PointChange] = []
    for source, code, record in pairs:
        rule = _auto_rule(record)
        if rule is None:
            continue
        rows = session.exec(
            select(ScoreEntry, col(Organisation.name))
            .join(Criterion, col(Criterion.id) == ScoreEntry.criterion_id)
            .join(Assessment, col(Assessment.id) == ScoreEntry.assessment_id)
            .join(Organisation, col(Organisation.id) == Assessment.org_id)
            .where(
                col(Criterion.cycle_id) == cycle_id,
                col(Criterion.code) == source,
                col(ScoreEntry.figure).is_not(None),
            )
            .order_by(col(Organisation.code))
        ).all()
        for entry, name in rows:
            try:
                figure = Decimal(entry.figure or "")  # the query left out None
                points = scoring.auto_points(rule, figure, record["max_points"])
            except (ArithmeticError, ValueError):
                continue  # a figure the old rule refused either; nothing to recompute
            after = to_tenths(points)
            if entry.self_tenths == after:
                continue
            reviewed_after = entry.reviewed_tenths
            if entry.reviewed_tenths is not None and entry.reviewed_tenths == entry.self_tenths:
                reviewed_after = after
            changes.append(
                PointChange(
                    code=code,
                    assessment_id=entry.assessment_id,
                    org_name=name,
                    figure=figure,
                    self_before=from_tenths(entry.self_tenths),
                    self_after=points,
                    reviewed_before=from_tenths(entry.reviewed_tenths),
                    reviewed_after=from_tenths(reviewed_after),
                )
            )
    return changes


def compare(
    actor: Actor, session: Session, cycle: Cycle, new: Rubric, *, drop_scores: bool = False
) -> RubricChange:
    assert cycle.id is not None
    old = rubric_of_cycle(actor, cycle.id)
    old_records, new_records = rubric_records(old), rubric_records(new)
    usage = _usage(session, cycle.id)
    nothing = _Usage(0, (), 0)
    problems: list[str] = []
    sources = _sources(old_records, new, problems)
    continued = {s for s in sources.values() if s is not None}
    added = tuple(c for c in new_records if sources[c] is None)
    removed = tuple(c for c in old_records if c not in continued)
    differences: list[CriterionDiff] = []
    dropped: list[str] = []
    auto_pairs: list[tuple[str, str, dict[str, Any]]] = []
    for code in removed:
        used = usage.get(code, nothing)
        if used.organisations:
            problems.append(
                T.ERR_RUBRIC_REMOVE_SCORED.format(
                    code=code, n=len(used.organisations), files=used.files
                )
            )
    for code, after in new_records.items():
        source = sources[code]
        if source is None:
            continue
        before = old_records[source]
        fields = _field_diffs(before, after)
        if not fields:
            continue
        used = usage.get(source, nothing)
        mapped = code in new.previous_codes
        meaning = any(_norm(before[k]) != _norm(after[k]) for k in _MEANING)
        differences.append(
            CriterionDiff(code, source, fields, meaning, mapped, used.organisations, used.files)
        )
        if not used.organisations:
            continue
        if meaning and not mapped:
            if drop_scores:
                dropped.append(source)
                continue
            problems.append(
                T.ERR_RUBRIC_MEANING.format(
                    code=code,
                    n=len(used.organisations),
                    names=_names(used.organisations),
                    files=used.files,
                )
            )
        if (before["kind"], before["star"]) != (after["kind"], after["star"]):
            problems.append(T.ERR_RUBRIC_MOVE_SCORED.format(code=code, n=len(used.organisations)))
        if any(_norm(before[k]) != _norm(after[k]) for k in _AUTO_RULE):
            auto_pairs.append((source, code, after))
    point_changes = _point_changes(session, cycle.id, auto_pairs)
    recomputed = {(p.code, p.assessment_id): p for p in point_changes}
    for code, after in new_records.items():
        source = sources[code]
        if source is None or source in dropped or after["kind"] == "veto":
            continue
        top = _top_after(session, cycle.id, source, code, recomputed)
        if to_tenths(after["max_points"]) < top:
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
        or old.vanguard != new.vanguard
        or old.ballot != new.ballot
    )
    changed = tuple(d.code for d in differences)
    return RubricChange(
        added,
        removed,
        changed,
        header_changed,
        tuple(problems),
        tuple(differences),
        tuple(point_changes),
        tuple(dropped),
    )


def _top_after(
    session: Session,
    cycle_id: int,
    source: str,
    code: str,
    recomputed: dict[tuple[str, int], PointChange],
) -> int:
    """The highest points a criterion would hold after the import (recomputed ones included)."""
    rows = session.exec(
        select(
            col(ScoreEntry.assessment_id),
            col(ScoreEntry.self_tenths),
            col(ScoreEntry.reviewed_tenths),
        )
        .join(Criterion, col(Criterion.id) == ScoreEntry.criterion_id)
        .where(col(Criterion.cycle_id) == cycle_id, col(Criterion.code) == source)
    ).all()
    top = 0
    for assessment_id, own, reviewed in rows:
        change = recomputed.get((code, assessment_id))
        if change is not None:
            own = to_tenths(change.self_after)
            reviewed = None if change.reviewed_after is None else to_tenths(change.reviewed_after)
        top = max(top, own or 0, reviewed or 0)
    return top


def _names(names: tuple[str, ...]) -> str:
    shown = "、".join(names[:NAMES_SHOWN])
    return shown + (T.AND_MORE if len(names) > NAMES_SHOWN else "")


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    return value


__all__ = [
    "CriterionDiff",
    "FieldDiff",
    "PointChange",
    "RubricChange",
    "compare",
    "rubric_records",
    "shown",
]
