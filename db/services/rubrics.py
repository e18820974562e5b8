"""A year's rubric (admin): export it as YAML, compare an edited file, install it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

import scoring
from db.engine import read_session, write_session
from db.models import (
    Assessment,
    Criterion,
    Cycle,
    Evidence,
    Organisation,
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
from scoring import STAR_KEYS, AutoRule
from texts import admin as T

NAMES_SHOWN = 10


def export_rubric(actor: Actor | None, *, cycle_id: int) -> str:
    """The rubric of a year as the YAML file administrators edit."""
    require(actor, Action.MANAGE_RUBRIC)
    return dump_rubric(rubric_of_cycle(actor, cycle_id))


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


_COMPARED = (
    "code",
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
_MEANING = ("title", "standard")
_AUTO_RULE = (
    "max_points",
    "auto_minimum",
    "auto_maximum",
    "auto_step",
    "auto_per_step",
)


def _parse(text: str) -> Rubric:
    try:
        return parse_rubric(text)
    except RubricError as exc:
        raise invalid([T.ERR_RUBRIC_INVALID.format(error=str(exc))]) from None


@dataclass(frozen=True)
class _Usage:
    top: int  # highest points given (tenths)
    organisations: tuple[str, ...]
    files: int


def _usage(session: Session, cycle_id: int) -> dict[str, _Usage]:
    """Per criterion code: highest points given, organisations that scored it, evidence files."""
    rows = session.exec(
        select(
            Criterion.code,
            func.coalesce(ScoreEntry.self_tenths, 0),
            func.coalesce(ScoreEntry.reviewed_tenths, 0),
            Organisation.name,
        )
        .join(ScoreEntry, ScoreEntry.criterion_id == Criterion.id)  # type: ignore[arg-type]
        .join(Assessment, Assessment.id == ScoreEntry.assessment_id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Assessment.org_id)  # type: ignore[arg-type]
        .where(
            Criterion.cycle_id == cycle_id,
            or_(
                ScoreEntry.self_tenths.is_not(None),  # type: ignore[union-attr]
                ScoreEntry.reviewed_tenths.is_not(None),  # type: ignore[union-attr]
            ),
        )
        .order_by(Criterion.code, Organisation.code)
    ).all()
    evidence = session.exec(
        select(Criterion.code, func.count(Evidence.id), Organisation.name)
        .join(Evidence, Evidence.criterion_id == Criterion.id)  # type: ignore[arg-type]
        .join(Assessment, Assessment.id == Evidence.assessment_id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Assessment.org_id)  # type: ignore[arg-type]
        .where(Criterion.cycle_id == cycle_id)
        .group_by(Criterion.code, Organisation.name)
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


def _records(rubric: Rubric) -> dict[str, dict[str, Any]]:
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


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return T.YES if value else T.NO
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _field_diffs(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldDiff, ...]:
    return tuple(
        FieldDiff(T.RUBRIC_FIELD_NAMES.get(k, k), _shown(before[k]), _shown(after[k]))
        for k in _COMPARED
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
            select(ScoreEntry, Organisation.name)
            .join(Criterion, Criterion.id == ScoreEntry.criterion_id)  # type: ignore[arg-type]
            .join(Assessment, Assessment.id == ScoreEntry.assessment_id)  # type: ignore[arg-type]
            .join(Organisation, Organisation.id == Assessment.org_id)  # type: ignore[arg-type]
            .where(
                Criterion.cycle_id == cycle_id,
                Criterion.code == source,
                ScoreEntry.figure.is_not(None),  # type: ignore[union-attr]
            )
            .order_by(Organisation.code)
        ).all()
        for entry, name in rows:
            try:
                figure = Decimal(entry.figure)
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


def _compare(
    actor: Actor, session: Session, cycle: Cycle, new: Rubric, *, drop_scores: bool = False
) -> RubricChange:
    assert cycle.id is not None
    old = rubric_of_cycle(actor, cycle.id)
    old_records, new_records = _records(old), _records(new)
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
        select(ScoreEntry.assessment_id, ScoreEntry.self_tenths, ScoreEntry.reviewed_tenths)
        .join(Criterion, Criterion.id == ScoreEntry.criterion_id)  # type: ignore[arg-type]
        .where(Criterion.cycle_id == cycle_id, Criterion.code == source)
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


def check_rubric(
    actor: Actor | None, *, cycle_id: int, text: str, drop_scores: bool = False
) -> RubricChange:
    """Validate a rubric file against a year without writing: what would change, what is
    refused, whose stored points an auto-scored rule change would recompute."""
    actor = require(actor, Action.MANAGE_RUBRIC)
    new = _parse(text)
    with read_session() as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None:
            raise NotFound()
        return _compare(actor, session, cycle, new, drop_scores=drop_scores)


def import_rubric(
    actor: Actor | None,
    *,
    cycle_id: int,
    version: int,
    text: str,
    drop_scores: bool = False,
) -> RubricChange:
    """Replace a year's rubric by a validated file, keeping every given score valid.

    A criterion is its code and its meaning: one whose title or standard changes while
    organisations have scored it is refused, unless the file maps it (previous_code, the
    scores stay) or `drop_scores` confirms deleting its scores and evidence. A changed
    auto-scored rule recomputes the stored points in the same transaction (an audit entry per
    assessment). Years already published keep their rubric.
    """
    actor = require(actor, Action.MANAGE_RUBRIC)
    new = _parse(text)
    with write_session() as session:
        cycle = locked_cycle(session, cycle_id, version)
        freeze.ensure_cycle_editable(session, cycle_id)
        if cycle.status in ("published", "final"):
            raise invalid([T.ERR_RUBRIC_PUBLISHED.format(year=cycle.year)])
        change = _compare(actor, session, cycle, new, drop_scores=drop_scores)
        if change.problems:
            raise InvalidInput(change.problems[0], errors=list(change.problems))
        if change.empty:
            return change
        rows = {
            c.code: c
            for c in session.exec(select(Criterion).where(Criterion.cycle_id == cycle_id)).all()
        }
        for code in change.removed:
            criterion = rows.pop(code)
            for entry in session.exec(
                select(ScoreEntry).where(ScoreEntry.criterion_id == criterion.id)
            ).all():
                session.delete(entry)  # notes only: scored entries were refused above
            session.delete(criterion)
        for code in change.dropped:
            _drop_scores(session, rows[code])
        records = _records(new)
        # new code → the row it continues: changed ones as compared, the rest their own code
        sources = {code: code for code in records if code not in change.added}
        sources.update({d.code: d.previous for d in change.differences})
        # Codes may move between rows (L1.5 continues L1.2, L1.2 is reused): free them first.
        moving = [rows[s] for c, s in sources.items() if c != s]
        for criterion in moving:
            criterion.code = f"~{criterion.id}"
            session.add(criterion)
        session.flush()
        for code, record in records.items():
            source = sources.get(code)
            criterion = (
                rows[source]
                if source is not None
                else Criterion(cycle_id=cycle_id, code=code, kind="", title="")
            )
            _fill_criterion(criterion, record)
            session.add(criterion)
        _recompute(session, actor, cycle, change.point_changes)
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
                "mapped": {d.code: d.previous for d in change.differences if d.mapped},
                "dropped": change.dropped,
                "recomputed": len({p.assessment_id for p in change.point_changes}),
                "header_changed": change.header_changed,
            },
        )
        bump_change_counter(session)
    return change


def _drop_scores(session: Session, criterion: Criterion) -> None:
    """The admin confirmed: a criterion that now means something else loses its scores."""
    for entry in session.exec(
        select(ScoreEntry).where(ScoreEntry.criterion_id == criterion.id)
    ).all():
        session.delete(entry)
    for evidence in session.exec(
        select(Evidence).where(Evidence.criterion_id == criterion.id)
    ).all():
        session.delete(evidence)
    session.flush()


def _recompute(
    session: Session, actor: Actor, cycle: Cycle, changes: tuple[PointChange, ...]
) -> None:
    """Write the recomputed points of auto-scored criteria, one audit entry per assessment."""
    by_assessment: dict[int, list[PointChange]] = {}
    for change in changes:
        by_assessment.setdefault(change.assessment_id, []).append(change)
    for assessment_id, items in sorted(by_assessment.items()):
        for item in items:
            entry = session.exec(
                select(ScoreEntry)
                .join(Criterion, Criterion.id == ScoreEntry.criterion_id)  # type: ignore[arg-type]
                .where(ScoreEntry.assessment_id == assessment_id, Criterion.code == item.code)
            ).one()
            entry.self_tenths = to_tenths(item.self_after)
            entry.reviewed_tenths = (
                None if item.reviewed_after is None else to_tenths(item.reviewed_after)
            )
            session.add(entry)
        audit(
            session,
            actor,
            "rubric_points_recomputed",
            "assessment",
            assessment_id,
            {
                "year": cycle.year,
                "changes": [
                    {
                        "code": i.code,
                        "figure": _shown(i.figure),
                        "before": {
                            "self": _shown(i.self_before),
                            "reviewed": _shown(i.reviewed_before),
                        },
                        "after": {
                            "self": _shown(i.self_after),
                            "reviewed": _shown(i.reviewed_after),
                        },
                    }
                    for i in items
                ],
            },
        )
    session.flush()


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
    criterion.code = record["code"]
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
