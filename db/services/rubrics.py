"""A year's rubric (admin): export it as YAML, compare an edited file, install it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

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
from db.services.cycles import rubric_of_cycle, to_tenths
from db.services.rubric_changes import PointChange, RubricChange, compare, rubric_records, shown
from db.services.totals import refresh_totals
from db.services.years import bump_cycle, locked_cycle
from permissions import Action
from rubric import Rubric, RubricError, ballot_to_json, dump_rubric, parse_rubric
from rubric_vanguard import stored_rules
from scoring import STAR_KEYS
from texts import admin as T

NAMES_SHOWN = 10


def export_rubric(actor: Actor | None, *, cycle_id: int) -> str:
    """The rubric of a year as the YAML file administrators edit."""
    require(actor, Action.MANAGE_RUBRIC)
    return dump_rubric(rubric_of_cycle(actor, cycle_id))


def _parse(text: str) -> Rubric:
    try:
        return parse_rubric(text)
    except RubricError as exc:
        raise invalid([T.ERR_RUBRIC_INVALID.format(error=str(exc))]) from None


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
        return compare(actor, session, cycle, new, drop_scores=drop_scores)


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
        change = compare(actor, session, cycle, new, drop_scores=drop_scores)
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
        records = rubric_records(new)
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
                .join(Criterion, col(Criterion.id) == ScoreEntry.criterion_id)
                .where(
                    col(ScoreEntry.assessment_id) == assessment_id, col(Criterion.code) == item.code
                )
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
                        "figure": shown(i.figure),
                        "before": {
                            "self": shown(i.self_before),
                            "reviewed": shown(i.reviewed_before),
                        },
                        "after": {
                            "self": shown(i.self_after),
                            "reviewed": shown(i.reviewed_after),
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
        "vanguard_rules": stored_rules(rubric.vanguard),
        "ballot_rules": ballot_to_json(rubric.ballot),
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
    criterion.auto_source = record["auto_source"]
    criterion.sort_order = record["sort_order"]


__all__ = [
    "check_rubric",
    "export_rubric",
    "import_rubric",
    "rubric_header",
]
