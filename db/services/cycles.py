"""Evaluation years and their rubrics as stored in the database (every user may read them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlmodel import Session, col, select

from db.engine import read_session
from db.models import Criterion, Cycle, CycleStatus
from db.services.common import Actor, NotFound, require
from permissions import Action
from rubric import Rubric, ballot_from_json, ballot_to_json, rubric_from_records, rubric_to_records
from rubric_vanguard import rules_from_json, stored_rules
from scoring import STAR_KEYS, Thresholds
from texts import common as T

TENTHS = Decimal(10)


def to_tenths(value: Decimal) -> int:
    """Exact Decimal points → integer tenths (callers validate the 0.5 step first)."""
    return int((Decimal(value) * TENTHS).to_integral_value())


def from_tenths(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value) / TENTHS


@dataclass(frozen=True)
class CycleInfo:
    id: int
    year: int
    status: str
    deadline: date | None
    version: int

    @property
    def is_open(self) -> bool:
        return self.status == CycleStatus.OPEN


def _info(cycle: Cycle) -> CycleInfo:
    assert cycle.id is not None
    return CycleInfo(cycle.id, cycle.year, cycle.status, cycle.deadline, cycle.version)


def list_cycles(actor: Actor | None) -> list[CycleInfo]:
    """Every evaluation year, oldest first."""
    require(actor, Action.VIEW_YEARS)
    with read_session() as session:
        return [_info(c) for c in session.exec(select(Cycle).order_by(col(Cycle.year))).all()]


def current_cycle(actor: Actor | None) -> CycleInfo:
    """The open year (the latest one if several are open), else the latest year."""
    cycles = list_cycles(actor)
    if not cycles:
        raise NotFound(T.ERR_NO_OPEN_CYCLE)
    open_cycles = [c for c in cycles if c.is_open]
    return (open_cycles or cycles)[-1]


def cycle_by_year(actor: Actor | None, year: int) -> CycleInfo:
    """The year's cycle; NotFound when there is none."""
    require(actor, Action.VIEW_YEARS)
    with read_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == year)).first()
        if cycle is None:
            raise NotFound()
        return _info(cycle)


def thresholds_of(cycle: Cycle) -> Thresholds:
    return Thresholds(
        star_ratio=Decimal(cycle.star_ratio),
        five_star_composite=Decimal(cycle.five_star_composite),
        bonus_cap=Decimal(cycle.bonus_cap),
        excellence_ratio=Decimal(cycle.excellence_ratio),
    )


def install_rubric(session: Session, cycle: Cycle, rubric: Rubric) -> None:
    """Write a rubric's header into `cycle` and its items as Criterion rows."""
    assert cycle.id is not None
    cycle.rubric_title = rubric.title
    cycle.rubric_version = rubric.version
    cycle.star_ratio = str(rubric.thresholds.star_ratio)
    cycle.five_star_composite = str(rubric.thresholds.five_star_composite)
    cycle.bonus_cap = str(rubric.thresholds.bonus_cap)
    cycle.excellence_ratio = str(rubric.thresholds.excellence_ratio)
    cycle.vanguard_rules = stored_rules(rubric.vanguard)
    cycle.ballot_rules = ballot_to_json(rubric.ballot)
    for key, base in rubric.bases.items():
        setattr(cycle, f"base_{key}_tenths", to_tenths(base))
    session.add(cycle)
    for record in rubric_to_records(rubric):
        session.add(
            Criterion(
                cycle_id=cycle.id,
                code=record["code"],
                kind=record["kind"],
                star=record["star"],
                task_no=record["task_no"],
                task_title=record["task_title"],
                title=record["title"],
                standard=record["standard"],
                deduction_rule=record["deduction_rule"],
                max_tenths=to_tenths(record["max_points"]),
                evidence=record["evidence"],
                check_method=record["check_method"],
                evidence_required=record["evidence_required"],
                auto_unit=record["auto_unit"],
                auto_label=record["auto_label"],
                auto_minimum=_opt_str(record["auto_minimum"]),
                auto_maximum=_opt_str(record["auto_maximum"]),
                auto_step=_opt_str(record["auto_step"]),
                auto_per_step=_opt_str(record["auto_per_step"]),
                auto_source=record["auto_source"],
                sort_order=record["sort_order"],
            )
        )


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _opt_dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@lru_cache(maxsize=64)
def _rubric_cached(
    cycle_id: int,
    version: int,  # noqa: ARG001 - keys the lru_cache: a changed rubric is read afresh
) -> tuple[Rubric, tuple[tuple[str, int], ...]]:
    with read_session() as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None:
            raise NotFound()
        rows = session.exec(
            select(Criterion)
            .where(Criterion.cycle_id == cycle_id)
            .order_by(col(Criterion.sort_order))
        ).all()
    records = [
        {
            "code": c.code,
            "kind": c.kind,
            "star": c.star,
            "task_no": c.task_no,
            "task_title": c.task_title,
            "title": c.title,
            "standard": c.standard,
            "deduction_rule": c.deduction_rule,
            "max_points": from_tenths(c.max_tenths),
            "evidence": c.evidence,
            "check_method": c.check_method,
            "evidence_required": c.evidence_required,
            "auto_unit": c.auto_unit,
            "auto_label": c.auto_label,
            "auto_minimum": _opt_dec(c.auto_minimum),
            "auto_maximum": _opt_dec(c.auto_maximum),
            "auto_step": _opt_dec(c.auto_step),
            "auto_per_step": _opt_dec(c.auto_per_step),
            "auto_source": c.auto_source,
            "sort_order": c.sort_order,
        }
        for c in rows
    ]
    bases = {k: Decimal(getattr(cycle, f"base_{k}_tenths")) / TENTHS for k in STAR_KEYS}
    rubric = rubric_from_records(
        cycle.rubric_title,
        cycle.rubric_version,
        thresholds_of(cycle),
        bases,
        records,
        vanguard=rules_from_json(cycle.vanguard_rules),
        ballot=ballot_from_json(cycle.ballot_rules),
    )
    ids = tuple((c.code, c.id) for c in rows if c.id is not None)
    return rubric, ids


def rubric_of_cycle(actor: Actor | None, cycle_id: int) -> Rubric:
    """The rubric of a cycle (cached per cycle version; a rubric edit bumps the version)."""
    require(actor, Action.VIEW_YEARS)
    return _rubric_cached(cycle_id, _cycle_version(cycle_id))[0]


def rubric_at_version(
    actor: Actor | None, cycle_id: int, version: int
) -> tuple[Rubric, dict[str, int]]:
    """The rubric and criterion code → id of a cycle whose version the caller already holds
    (saves the version lookup rubric_of_cycle does)."""
    require(actor, Action.VIEW_YEARS)
    rubric, ids = _rubric_cached(cycle_id, version)
    return rubric, dict(ids)


def criterion_ids(actor: Actor | None, cycle_id: int) -> dict[str, int]:
    """Criterion code → database id for a cycle."""
    require(actor, Action.VIEW_YEARS)
    return dict(_rubric_cached(cycle_id, _cycle_version(cycle_id))[1])


def _cycle_version(cycle_id: int) -> int:
    with read_session() as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None:
            raise NotFound()
        return cycle.version
