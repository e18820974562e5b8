"""Years (考评年度): create a year with its rubric, open/close it, set the deadline (admin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import (
    EVALUATED_ORG_TYPES,
    SUBMITTED_STATUSES,
    Assessment,
    Criterion,
    Cycle,
    Organisation,
    ScoreEntry,
)
from db.query import pk
from db.services import freeze
from db.services.common import (
    Actor,
    NotFound,
    StaleVersion,
    audit,
    bump_change_counter,
    invalid,
    require,
)
from db.services.cycles import install_rubric, rubric_of_cycle
from permissions import Action
from rubric import Rubric
from scoring import QuotaMode
from texts import admin as T
from texts import common as C


@dataclass(frozen=True)
class YearRow:
    cycle_id: int
    year: int
    status: str
    deadline: date | None
    version: int
    rubric_title: str
    criteria: int
    assessments: int
    submitted: int
    scored_entries: int
    excellence_quota: str = "city"  # scoring.QuotaMode


def list_years(actor: Actor | None) -> list[YearRow]:
    """Every evaluation year with its state and how far it has come, newest first."""
    require(actor, Action.MANAGE_YEARS)
    with read_session() as session:
        cycles = session.exec(select(Cycle).order_by(col(Cycle.year).desc())).all()
        criteria = dict(
            session.exec(
                select(col(Criterion.cycle_id), func.count()).group_by(col(Criterion.cycle_id))
            ).all()
        )
        assessments = dict(
            session.exec(
                select(col(Assessment.cycle_id), func.count()).group_by(col(Assessment.cycle_id))
            ).all()
        )
        submitted = dict(
            session.exec(
                select(col(Assessment.cycle_id), func.count())
                .where(col(Assessment.status).in_(SUBMITTED_STATUSES))
                .group_by(col(Assessment.cycle_id))
            ).all()
        )
        scored = dict(
            session.exec(
                select(col(Assessment.cycle_id), func.count())
                .join(ScoreEntry, col(ScoreEntry.assessment_id) == Assessment.id)
                .group_by(col(Assessment.cycle_id))
            ).all()
        )
    return [
        YearRow(
            c.id,
            c.year,
            c.status,
            c.deadline,
            c.version,
            c.rubric_title,
            int(criteria.get(c.id, 0)),
            int(assessments.get(c.id, 0)),
            int(submitted.get(c.id, 0)),
            int(scored.get(c.id, 0)),
            c.excellence_quota,
        )
        for c in cycles
        if c.id is not None
    ]


def ensure_assessments(session: Session, cycle_id: int, org_ids: list[int] | None = None) -> int:
    """Draft assessments for every active evaluated organisation that has none in the cycle."""
    query = select(col(Organisation.id)).where(
        col(Organisation.org_type).in_(EVALUATED_ORG_TYPES),
        col(Organisation.active).is_(True),
    )
    if org_ids is not None:
        query = query.where(col(Organisation.id).in_(org_ids))
    wanted = set(session.exec(query).all())
    have = set(session.exec(select(Assessment.org_id).where(Assessment.cycle_id == cycle_id)).all())
    now = freeze.utcnow()
    for org_id in sorted(pk(i) for i in wanted - have):
        session.add(Assessment(org_id=org_id, cycle_id=cycle_id, updated_at=now))
    return len(wanted - have)


def create_year(
    actor: Actor | None,
    *,
    year: int | None = None,
    copy_from: int | None = None,
    deadline: date | None = None,
) -> int:
    """Create the next evaluation year, copying the rubric of `copy_from` (default the latest)."""
    actor = require(actor, Action.MANAGE_YEARS)
    with write_session() as session:
        cycles = session.exec(select(Cycle).order_by(col(Cycle.year))).all()
        if year is None:
            year = (cycles[-1].year + 1) if cycles else date.today().year
        problems = []
        if not 2000 <= year <= 2100:
            problems.append(T.ERR_YEAR_RANGE)
        if any(c.year == year for c in cycles):
            problems.append(T.ERR_YEAR_EXISTS.format(year=year))
        if deadline is not None and deadline.year not in (year, year + 1):
            problems.append(T.ERR_DEADLINE_YEAR.format(year=year))
        source = None
        if copy_from is not None:
            source = session.get(Cycle, copy_from)
            if source is None:
                problems.append(T.ERR_COPY_SOURCE)
        elif cycles:
            source = cycles[-1]
        if problems:
            raise invalid(problems)
        rubric = (
            rubric_of_cycle(actor, source.id)
            if source is not None and source.id
            else _default_rubric()
        )
        cycle = Cycle(year=year, status="open", deadline=deadline)
        session.add(cycle)
        session.flush()
        install_rubric(session, cycle, rubric)
        session.flush()
        assert cycle.id is not None
        created = ensure_assessments(session, cycle.id)
        audit(
            session,
            actor,
            "year_created",
            "cycle",
            cycle.id,
            {
                "year": year,
                "copied_from": source.year if source else None,
                "deadline": deadline,
                "assessments": created,
            },
        )
        bump_change_counter(session)
        return cycle.id


def _default_rubric() -> Rubric:
    from rubric import default_rubric_path, load_rubric

    return load_rubric(default_rubric_path())


def locked_cycle(session: Session, cycle_id: int, version: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound()
    if cycle.version != version:
        raise StaleVersion()
    return cycle


def bump_cycle(session: Session, cycle_id: int, version: int, **values: Any) -> None:
    result = session.exec(
        update(Cycle)
        .where(col(Cycle.id) == cycle_id, col(Cycle.version) == version)
        .values(version=col(Cycle.version) + 1, **values)
    )
    if result.rowcount != 1:
        raise StaleVersion()


def set_year_status(actor: Actor | None, *, cycle_id: int, version: int, status: str) -> None:
    """Open or close a year for self-assessment (publication has its own screen)."""
    actor = require(actor, Action.MANAGE_YEARS)
    if status not in ("open", "closed"):
        raise invalid([T.ERR_YEAR_STATUS_TARGET])
    with write_session() as session:
        cycle = locked_cycle(session, cycle_id, version)
        if cycle.status not in ("open", "closed"):
            raise invalid(
                [
                    T.ERR_YEAR_STATUS.format(
                        year=cycle.year, status=C.CYCLE_STATUS_NAMES.get(cycle.status, cycle.status)
                    )
                ]
            )
        if cycle.status == status:
            return
        before = cycle.status
        bump_cycle(session, cycle_id, version, status=status)
        audit(
            session,
            actor,
            "year_status_changed",
            "cycle",
            cycle_id,
            {"year": cycle.year, "before": {"status": before}, "after": {"status": status}},
        )
        bump_change_counter(session)


def set_deadline(
    actor: Actor | None, *, cycle_id: int, version: int, deadline: date | None
) -> None:
    """Set the date after which branches can no longer edit (None: no deadline)."""
    actor = require(actor, Action.MANAGE_YEARS)
    with write_session() as session:
        cycle = locked_cycle(session, cycle_id, version)
        freeze.ensure_cycle_editable(session, cycle_id)
        if deadline is not None and deadline.year not in (cycle.year, cycle.year + 1):
            raise invalid([T.ERR_DEADLINE_YEAR.format(year=cycle.year)])
        before = cycle.deadline
        bump_cycle(session, cycle_id, version, deadline=deadline)
        audit(
            session,
            actor,
            "deadline_changed",
            "cycle",
            cycle_id,
            {"year": cycle.year, "before": {"deadline": before}, "after": {"deadline": deadline}},
        )
        bump_change_counter(session)


def set_excellence_quota(actor: Actor | None, *, cycle_id: int, version: int, mode: str) -> None:
    """Count the year's 双优 quota over the whole city or per region (scoring.QuotaMode).

    The document's rule is "按五星级机关基层党组织总数的 25% 左右"; whose total is the city's
    choice, made once a year before the 双优 list is confirmed (refused after that).
    """
    actor = require(actor, Action.MANAGE_YEARS)
    if mode not in set(QuotaMode):
        raise invalid([T.ERR_QUOTA_MODE])
    with write_session() as session:
        cycle = locked_cycle(session, cycle_id, version)
        freeze.ensure_cycle_editable(session, cycle_id)
        if cycle.excellence_confirmed_at is not None or cycle.status in ("published", "final"):
            raise invalid([T.ERR_QUOTA_CONFIRMED.format(year=cycle.year)])
        if cycle.excellence_quota == mode:
            return
        before = cycle.excellence_quota
        bump_cycle(session, cycle_id, version, excellence_quota=mode)
        audit(
            session,
            actor,
            "excellence_quota_changed",
            "cycle",
            cycle_id,
            {"year": cycle.year, "before": {"quota": before}, "after": {"quota": mode}},
        )
        bump_change_counter(session)


__all__ = [
    "YearRow",
    "bump_cycle",
    "create_year",
    "ensure_assessments",
    "list_years",
    "locked_cycle",
    "set_deadline",
    "set_excellence_quota",
    "set_year_status",
]
