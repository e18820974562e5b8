"""When a year's results are final: the one check every editing service consults.

A year is frozen once its 公示 is over: the cycle's status is "final", or it is "published",
the notice period has ended and no objection is still waiting for an outcome. From then on
nothing of that year may change: assessments, score entries, evidence, 业绩 grades and 双优
decisions. Services call `ensure_cycle_editable` / `ensure_year_editable` inside their write
transaction, before they change anything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from db import models
from db.models import Cycle, Objection
from db.services.common import ServiceError
from texts import review as T


class CycleFrozen(ServiceError):
    """The year's results are final; nothing of it may change any more."""

    def __init__(self, year: int) -> None:
        super().__init__(T.ERR_FROZEN.format(year=year))


def utcnow() -> datetime:
    """The clock of publication and freezing (tests replace it to move time)."""
    return models.utcnow()


def open_objection_count(session: Session, cycle_id: int) -> int:
    """Objections of a cycle still waiting for a recorded outcome."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Objection)
            .where(Objection.cycle_id == cycle_id, Objection.outcome == "")
        ).one()
    )


def cycle_frozen(session: Session, cycle: Cycle) -> bool:
    """True when `cycle` is final, or its notice period is over with every objection settled."""
    if cycle.status == "final":
        return True
    if cycle.status != "published" or cycle.publication_ends is None:
        return False
    if utcnow() < cycle.publication_ends:
        return False
    assert cycle.id is not None
    return open_objection_count(session, cycle.id) == 0


def cycle_is_frozen(session: Session, cycle_id: int) -> bool:
    """True when the results of the cycle `cycle_id` are final and may no longer change."""
    cycle = session.get(Cycle, cycle_id)
    return cycle is not None and cycle_frozen(session, cycle)


def year_is_frozen(session: Session, year: int) -> bool:
    """The same check by year (业绩 grades are kept per year, not per cycle)."""
    cycle = session.exec(select(Cycle).where(Cycle.year == year)).first()
    return cycle is not None and cycle_frozen(session, cycle)


def ensure_cycle_editable(session: Session, cycle_id: int) -> None:
    """Raise CycleFrozen (a Chinese message) when the cycle's results are final."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is not None and cycle_frozen(session, cycle):
        raise CycleFrozen(cycle.year)


def ensure_year_editable(session: Session, year: int) -> None:
    """Raise CycleFrozen when the year's results are final."""
    if year_is_frozen(session, year):
        raise CycleFrozen(year)


__all__ = [
    "CycleFrozen",
    "cycle_frozen",
    "cycle_is_frozen",
    "ensure_cycle_editable",
    "ensure_year_editable",
    "open_objection_count",
    "utcnow",
    "year_is_frozen",
]
