"""Reminders before deadlines: the hourly run (`python -m db remind`), the 催报 button and the
in-app notices.

What is due is decided by the pure `reminders.due_reminders`; this module gathers its inputs
(each open year as db/services/reminder_year.py reads it: each organisation's status, each
reviewer's queue, who gets the daily summary; what the `reminder` table already holds), writes
one row per reminder and channel in one transaction, and then delivers the rows that have not
gone out (new ones, and failed ones up to REMINDER_MAX_ATTEMPTS): a row is claimed by raising
its `attempts` with a conditional UPDATE, so two runs never send one row twice. The in-app
notice is written as sent; e-mail and the group robot go through `notify`. Nothing is written
or sent for a year that is not open.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import notify
from db.engine import read_session, write_session
from db.models import (
    Assessment,
    Cycle,
    CycleStatus,
    Reminder,
    ReminderChannel,
    ReminderStatus,
    Role,
    utcnow,
)
from db.services import robots
from db.services.assessment import today as local_today
from db.services.common import Actor, ServiceError, audit, record_target, require
from db.services.reminder_year import (
    QUEUES,
    OrgRow,
    YearSnapshot,
    china_day,
    level_queues,
    oldest_waiting,
    queue_of,
    read_year,
)
from permissions import Action, Scope
from reminders import Due, Kind, due_reminders, not_submitted, org_recipient
from settings import Settings, get_settings
from texts import reminders as T

log = logging.getLogger("wuxing.reminders")

OFFICE_ROLES = (Role.ADMIN, Role.REVIEWER)
NAMES_LISTED = 10
NOTICE_DAYS = 7  # how long a notice stays on the recipient's pages
PAGE_OF = {Kind.DEADLINE: "overview", Kind.CHASE: "overview", Kind.QUEUE: "review"}


@dataclass
class Outcome:
    """What one run or one 催报 did: reminders created, deliveries per channel, failures."""

    due: int = 0
    orgs: int = 0
    skipped: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    failed: int = 0

    def count(self, channel: str) -> int:
        return self.sent.get(channel, 0)

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())


def _sent_keys(session: Session, cycle_id: int) -> set[tuple[str, str, str]]:
    rows = session.execute(
        select(Reminder.kind, Reminder.slot, Reminder.recipient)
        .where(Reminder.cycle_id == cycle_id)
        .distinct()
    ).all()
    return {(str(k), str(s), str(r)) for k, s, r in rows}


# ----------------------------------------------------------------------------- messages


def _link(settings: Settings, page: str) -> str:
    return f"{settings.reminder_link_base}/{page}"


def _names(orgs: Sequence[OrgRow]) -> str:
    if not orgs:
        return T.SUMMARY_NONE_LEFT
    names = T.NAME_SEPARATOR.join(o.name for o in orgs[:NAMES_LISTED])
    return names + (T.SUMMARY_MORE.format(n=len(orgs)) if len(orgs) > NAMES_LISTED else "")


def _message(
    due: Due, year: YearSnapshot, settings: Settings, today: date, sender: str = ""
) -> tuple[str, str]:
    """Subject and body of a reminder, in Chinese, with the link to the page concerned."""
    cycle = year.cycle
    deadline = cycle.deadline.isoformat() if cycle.deadline else ""
    kind, target = due.kind, int(due.recipient.split(":")[1])
    if kind in (Kind.DEADLINE, Kind.CHASE):
        org = year.orgs[target]
        link = _link(settings, PAGE_OF[kind])
        if kind is Kind.CHASE:
            words = T.CHASE_DEADLINE_WORDS.format(deadline=deadline) if deadline else ""
            subject = T.CHASE_SUBJECT.format(year=cycle.year)
            body = T.CHASE_BODY.format(
                org=org.name, sender=sender, year=cycle.year, deadline_words=words, link=link
            )
        else:
            days = int(due.slot)
            left = (cycle.deadline - today).days if cycle.deadline else days
            template = T.DEADLINE_TODAY_SUBJECT if left <= 0 else T.DEADLINE_SUBJECT
            subject = template.format(year=cycle.year, deadline=deadline, days=max(left, 0))
            body = T.DEADLINE_BODY.format(
                org=org.name, year=cycle.year, deadline=deadline, link=link
            )
        return subject, body + T.SIGNATURE
    person = year.people[target]
    if kind is Kind.LEVEL:
        level = due.slot.split("-")[0]
        level_deadline = cycle.first_review_deadline if level == "first" else cycle.review_deadline
        days = (level_deadline - today).days if level_deadline else 0
        n = len(queue_of(person, year))
        name = T.LEVEL_NAMES.get(level, level)
        when = level_deadline.isoformat() if level_deadline else ""
        subject = T.LEVEL_SUBJECT.format(level=name, deadline=when, days=max(days, 0), n=n)
        body = T.LEVEL_BODY.format(
            name=person.label,
            year=cycle.year,
            level=name,
            deadline=when,
            n=n,
            link=_link(settings, QUEUES[Role(person.role)][2]),
        )
        return subject, body + T.SIGNATURE
    if kind is Kind.QUEUE:
        old = [
            o
            for o in queue_of(person, year)
            if o.submitted_at
            and (today - china_day(o.submitted_at)).days >= settings.reminder_queue_days
        ]
        oldest = min((china_day(o.submitted_at) for o in old if o.submitted_at), default=today)
        subject = T.QUEUE_SUBJECT.format(n=len(old), days=settings.reminder_queue_days)
        body = T.QUEUE_BODY.format(
            name=person.label,
            n=len(old),
            year=cycle.year,
            days=settings.reminder_queue_days,
            oldest=oldest.isoformat(),
            link=_link(settings, QUEUES[Role(person.role)][2]),
        )
        return subject, body + T.SIGNATURE
    orgs = year.in_scope(person.scope)
    left_orgs = sorted((o for o in orgs if not_submitted(o.status)), key=lambda o: o.name)
    days = (cycle.deadline - today).days if cycle.deadline else 0
    subject = T.SUMMARY_SUBJECT.format(year=cycle.year, today=today.isoformat(), days=days)
    body = T.SUMMARY_BODY.format(
        name=person.label,
        scope=_scope_words(person.scope, year),
        year=cycle.year,
        deadline=deadline,
        total=len(orgs),
        done=len(orgs) - len(left_orgs),
        left=len(left_orgs),
        waiting=len(year.waiting(person.scope)),
        names=_names(left_orgs),
        link=_link(settings, "dashboard"),
    )
    return subject, body + T.SIGNATURE


def _scope_words(scope: Scope, year: YearSnapshot) -> str:
    if scope.region:
        return scope.region
    if scope.department_id is not None:
        return year.departments.get(scope.department_id, "")
    return T.CITY_WORDS


# ----------------------------------------------------------------------------- rows


def _rows(
    due: Due, year: YearSnapshot, settings: Settings, today: date, sender: Actor | None = None
) -> list[Reminder]:
    """One row per channel this reminder goes through (the notice always; e-mail when the relay
    is configured and the recipient has an address; the group robot of the organisation's or
    the reviewer's region, else the city's, for all but the daily summary), where it goes in
    `address` (e-mail addresses, or the robot's)."""
    subject, body = _message(due, year, settings, today, sender.label if sender else "")
    target = int(due.recipient.split(":")[1])
    is_org = due.recipient.startswith("org:")
    if is_org:
        emails = sorted(
            {
                p.email
                for p in year.people.values()
                if p.org_id == target and p.role == Role.BRANCH and p.email
            }
        )
    else:
        person = year.people[target]
        emails = [person.email] if person.email else []
    base = {
        "cycle_id": year.cycle.id,
        "kind": str(due.kind),
        "slot": due.slot,
        "recipient": due.recipient,
        "org_id": target if is_org else None,
        "user_id": None if is_org else target,
        "subject": subject[:200],
        "body": body[:4000],
        "sent_by": sender.id if sender else None,
    }
    now = utcnow()
    rows = [
        Reminder(
            channel=ReminderChannel.NOTICE,
            status=ReminderStatus.SENT,
            attempts=1,
            sent_at=now,
            **base,  # type: ignore[arg-type]  # the dict's values match the fields named
        )
    ]
    if notify.email_enabled(settings) and emails:
        rows.append(
            Reminder(channel=ReminderChannel.EMAIL, address=",".join(emails)[:2000], **base)  # type: ignore[arg-type]  # as above
        )
    region = year.orgs[target].region if is_org else year.people[target].region
    robot = robots.robot_for(region, year.robots, settings)
    if robot and due.kind is not Kind.SUMMARY:
        rows.append(Reminder(channel=ReminderChannel.WEBHOOK, address=robot, **base))  # type: ignore[arg-type]  # as above
    return rows


def _tally(outcome: Outcome, rows: Iterable[Reminder]) -> None:
    for row in rows:
        if row.status == ReminderStatus.SENT:
            outcome.sent[row.channel] = outcome.sent.get(row.channel, 0) + 1


# ----------------------------------------------------------------------------- delivery


def _deliver_one(row_id: int, settings: Settings) -> bool | None:
    """Send one row if this call wins its claim: True sent, False failed, None not claimed."""
    with read_session() as session:
        row = session.get(Reminder, row_id)
    if row is None or row.status == ReminderStatus.SENT:
        return None
    with write_session() as session:
        claimed = session.execute(
            update(Reminder)
            .where(
                col(Reminder.id) == row_id,
                col(Reminder.attempts) == row.attempts,
                col(Reminder.status) != ReminderStatus.SENT,
            )
            .values(attempts=row.attempts + 1)
        ).rowcount  # type: ignore[attr-defined]  # CursorResult of an UPDATE has rowcount
    if not claimed:
        return None
    error = ""
    try:
        if row.channel == ReminderChannel.EMAIL:
            notify.send_email(settings, row.address.split(","), row.subject, row.body)
        elif row.channel == ReminderChannel.WEBHOOK:
            notify.post_webhook(settings, f"{row.subject}\n{row.body}", row.address)
    except notify.DeliveryFailed as failure:
        error = str(failure)
    with write_session() as session:
        session.execute(
            update(Reminder)
            .where(col(Reminder.id) == row_id)
            .values(
                status=ReminderStatus.FAILED if error else ReminderStatus.SENT,
                last_error=error[:500],
                sent_at=None if error else utcnow(),
            )
        )
    if error:
        failed = (row_id, row.kind, row.slot, row.recipient, row.channel, row.attempts + 1, error)
        log.warning("reminder %s (%s %s to %s by %s) failed, attempt %d: %s", *failed)
    else:
        sent = (row_id, row.kind, row.slot, row.recipient, row.channel)
        log.info("reminder %s (%s %s to %s) sent by %s", *sent)
    return not error


def _deliver(ids: Iterable[int], settings: Settings, outcome: Outcome) -> None:
    for row_id in ids:
        with read_session() as session:
            row = session.get(Reminder, row_id)
        result = _deliver_one(row_id, settings)
        if result is True and row is not None:
            outcome.sent[row.channel] = outcome.sent.get(row.channel, 0) + 1
        elif result is False:
            outcome.failed += 1


def _undelivered(session: Session, cycle_id: int, settings: Settings) -> list[int]:
    return [
        row_id
        for row_id in session.exec(
            select(col(Reminder.id))
            .where(
                Reminder.cycle_id == cycle_id,
                col(Reminder.status) != ReminderStatus.SENT,
                col(Reminder.attempts) < settings.reminder_max_attempts,
            )
            .order_by(col(Reminder.id))
        ).all()
        if row_id is not None
    ]


# ----------------------------------------------------------------------------- the hourly run


def run_due(today: date | None = None, settings: Settings | None = None) -> dict[int, Outcome]:
    """Write and send every reminder due today for each open year, and retry failed ones
    (the system's own work, run by `python -m db remind`: no acting user)."""
    settings = settings or get_settings()
    day = today or local_today()
    outcomes: dict[int, Outcome] = {}
    with read_session() as session:
        cycles = session.exec(select(Cycle).where(Cycle.status == CycleStatus.OPEN)).all()
    for cycle in cycles:
        outcome = outcomes.setdefault(cycle.year, Outcome())
        try:
            with write_session() as session:
                fresh = session.get(Cycle, cycle.id)
                if fresh is None or fresh.status != CycleStatus.OPEN:
                    continue
                year = read_year(session, fresh)
                due = due_reminders(
                    day,
                    fresh.deadline,
                    is_open=True,
                    statuses={o.id: o.status for o in year.orgs.values()},
                    oldest_waiting=oldest_waiting(year),
                    office=[p.id for p in year.people.values() if p.role in OFFICE_ROLES],
                    sent=_sent_keys(session, int(fresh.id or 0)),
                    lead_days=settings.reminder_lead_days,
                    queue_days=settings.reminder_queue_days,
                    summary_days=settings.reminder_summary_days,
                    levels=level_queues(year),
                )
                rows = [row for d in due for row in _rows(d, year, settings, day)]
                session.add_all(rows)
        except IntegrityError:
            # Another run wrote the same reminders meanwhile: it sends them.
            log.warning("reminders of %s written by another run meanwhile", cycle.year)
            continue
        outcome.due = len(due)
        _tally(outcome, rows)
        with read_session() as session:
            pending = _undelivered(session, int(cycle.id or 0), settings)
        _deliver(pending, settings, outcome)
    return outcomes


# ----------------------------------------------------------------------------- 催报 by hand


def chase_now(actor: Actor | None, year: int, org_ids: Sequence[int]) -> Outcome:
    """Send the 催报 reminder now to the chosen organisations of the actor's scope that have not
    submitted, through every configured channel; a failed delivery is retried by the next run."""
    actor = require(actor, Action.SEND_REMINDERS)
    settings = get_settings()
    outcome = Outcome()
    stamp = utcnow()
    # Checked before the write opens (a refusal's audit entry must not wait behind it).
    with read_session() as session:
        targets = [record_target(session, i, "organisation", i) for i in org_ids]
    for target in targets:
        require(actor, Action.SEND_REMINDERS, target)
    with write_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == year)).first()
        if cycle is None or cycle.status != CycleStatus.OPEN:
            raise ServiceError(T.ERR_NOT_OPEN.format(year=year))
        data = read_year(session, cycle)
        chosen = [data.orgs[i] for i in dict.fromkeys(org_ids) if i in data.orgs]
        waiting = [o for o in chosen if not_submitted(o.status)]
        outcome.skipped = len(org_ids) - len(waiting)
        slot = f"chase-{stamp:%Y%m%dT%H%M%S.%f}"[:32]
        rows = [
            row
            for org in waiting
            for row in _rows(
                Due(Kind.CHASE, slot, org_recipient(org.id)), data, settings, local_today(), actor
            )
        ]
        session.add_all(rows)
        audit(
            session,
            actor,
            "reminders_chased",
            "cycle",
            cycle.id,
            {"year": year, "n": len(waiting), "org_ids": [o.id for o in waiting]},
        )
    outcome.orgs = len(waiting)
    outcome.due = len(waiting)
    _tally(outcome, rows)
    _deliver(
        [int(r.id) for r in rows if r.id is not None and r.status != ReminderStatus.SENT],
        settings,
        outcome,
    )
    return outcome


# ----------------------------------------------------------------------------- notices


@dataclass(frozen=True)
class Notice:
    subject: str
    at: datetime


def notices(actor: Actor | None) -> list[Notice]:
    """The in-app notices addressed to the actor in an open year over the last week, newest
    first: an organisation's reminders while it has not submitted, and the actor's own."""
    if actor is None:
        return []
    since = utcnow() - timedelta(days=NOTICE_DAYS)
    with read_session() as session:
        query = (
            select(Reminder.subject, Reminder.created_at, Reminder.org_id, Reminder.cycle_id)
            .join(Cycle, col(Cycle.id) == Reminder.cycle_id)
            .where(
                Cycle.status == CycleStatus.OPEN,
                Reminder.channel == ReminderChannel.NOTICE,
                col(Reminder.created_at) >= since,
            )
            .order_by(col(Reminder.created_at).desc())
            .limit(5)
        )
        if actor.role == Role.BRANCH and actor.org_id is not None:
            query = query.where(Reminder.org_id == actor.org_id)
        else:
            query = query.where(Reminder.user_id == actor.id)
        rows = session.execute(query).all()
        if not rows or actor.role != Role.BRANCH:
            return [Notice(r[0], r[1]) for r in rows]
        status = session.exec(
            select(Assessment.status).where(
                Assessment.org_id == actor.org_id, Assessment.cycle_id == rows[0][3]
            )
        ).first()
    if not not_submitted(status):
        return []
    return [Notice(r[0], r[1]) for r in rows[:1]]
