"""One open year as the reminders see it: each organisation's status, the active accounts with
their scopes, the departments and the regions' robots, read once inside the reminder run's
write transaction (db/services/reminders.py), and the review queues drawn from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from db.models import (
    EVALUATED_ORG_TYPES,
    Assessment,
    AssessmentStatus,
    Cycle,
    Organisation,
    Role,
    User,
)
from db.services import robots
from formatting import china_time
from permissions import Scope


@dataclass(frozen=True)
class OrgRow:
    id: int
    name: str
    region: str
    department_id: int | None
    status: str | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class Person:
    id: int
    label: str
    role: str
    org_id: int | None
    scope: Scope
    email: str
    region: str | None  # its scope's region (a department's region too); None: the city


@dataclass
class YearSnapshot:
    """One open year's inputs, read inside the write transaction."""

    cycle: Cycle
    orgs: dict[int, OrgRow]
    people: dict[int, Person]
    departments: dict[int, str]
    robots: dict[str, str]  # region → its own group robot (db/services/robots.py)

    def in_scope(self, scope: Scope) -> list[OrgRow]:
        rows = []
        for org in self.orgs.values():
            condition = scope.condition(org.region, org.department_id, org.id)
            if condition is None or bool(condition):
                rows.append(org)
        return rows

    def waiting(self, scope: Scope, status: str = AssessmentStatus.SUBMITTED) -> list[OrgRow]:
        """Handed-in items of the scope waiting at one level (复核 by default, or 初审)."""
        return [
            o for o in self.in_scope(scope) if o.status == status and o.submitted_at is not None
        ]


# The status each reviewing role's queue holds (初审: the department's 机关党委; 复核: 机关工委),
# the level's name in the reminder keys, and the page its reminders link to.
QUEUES = {
    Role.DEPARTMENT: (AssessmentStatus.FIRST_REVIEW, "first", "first-review"),
    Role.REVIEWER: (AssessmentStatus.SUBMITTED, "second", "review"),
}


def read_year(session: Session, cycle: Cycle) -> YearSnapshot:
    """The open year's organisations with their status, the active accounts, the departments'
    names and the regions' robots, read in the caller's transaction."""
    rows = session.execute(
        sa_select(
            col(Organisation.id),
            col(Organisation.name),
            col(Organisation.region),
            col(Organisation.department_id),
            col(Assessment.status),
            col(Assessment.submitted_at),
        )
        .join(
            Assessment,
            (col(Assessment.org_id) == Organisation.id) & (Assessment.cycle_id == cycle.id),
            isouter=True,
        )
        .where(
            col(Organisation.active).is_(True),
            col(Organisation.org_type).in_(EVALUATED_ORG_TYPES),
        )
    ).all()
    orgs = {int(r[0]): OrgRow(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows}
    users = session.exec(select(User).where(col(User.active).is_(True))).all()
    departments = session.execute(
        select(Organisation.id, Organisation.name, Organisation.region).where(
            col(Organisation.org_type).not_in(EVALUATED_ORG_TYPES)
        )
    ).all()
    region_of = {int(i): str(r) for i, _n, r in departments}
    people = {
        int(u.id): Person(
            int(u.id),
            u.display_name or u.username,
            u.role,
            u.org_id,
            Scope(u.scope_region, u.scope_department_id),
            u.email.strip(),
            u.scope_region or region_of.get(u.scope_department_id or -1),
        )
        for u in users
        if u.id is not None
    }
    names = {int(i): str(n) for i, n, _r in departments}
    return YearSnapshot(cycle, orgs, people, names, robots.robot_urls(session))


def china_day(moment: datetime) -> date:
    """The day in China of a stored UTC moment."""
    return date.fromisoformat(china_time(moment)[:10])


def queue_of(person: Person, year: YearSnapshot) -> list[OrgRow]:
    """The handed-in items waiting in a reviewing account's queue."""
    status, _level, _page = QUEUES[Role(person.role)]
    return year.waiting(person.scope, status)


def level_queues(year: YearSnapshot) -> dict[str, tuple[date | None, list[int]]]:
    """Each review level's deadline and the accounts whose queue at it holds items."""
    deadlines = {"first": year.cycle.first_review_deadline, "second": year.cycle.review_deadline}
    users: dict[str, list[int]] = {"first": [], "second": []}
    for person in year.people.values():
        if person.role in QUEUES and queue_of(person, year):
            users[QUEUES[Role(person.role)][1]].append(person.id)
    return {level: (deadlines[level], users[level]) for level in deadlines}


def oldest_waiting(year: YearSnapshot) -> dict[int, date]:
    """Each reviewing account's oldest waiting item: the day it was handed in."""
    oldest: dict[int, date] = {}
    for person in year.people.values():
        if person.role not in QUEUES:
            continue
        days = [china_day(o.submitted_at) for o in queue_of(person, year) if o.submitted_at]
        if days:
            oldest[person.id] = min(days)
    return oldest


__all__ = [
    "QUEUES",
    "OrgRow",
    "Person",
    "YearSnapshot",
    "china_day",
    "level_queues",
    "oldest_waiting",
    "queue_of",
    "read_year",
]
