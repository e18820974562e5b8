"""Which reminders are due on a given day: a pure function of dates, statuses and what was sent.

No Streamlit, no database, no clock: `db.services.reminders` gathers the inputs (today in
Shaoxing, the deadline, each organisation's status, each reviewer's oldest waiting item, who
gets the daily summary, what the reminder table already holds) and sends what comes back.

- To an organisation that has not submitted (status not in SUBMITTED_STATUSES) at each of
  `lead_days` days before the deadline (7, 3 and 1): on a day `d` days before it, the slot is
  the smallest lead day ≥ d, so a run missed on the 7th day before still sends the 7-day
  reminder on the 6th, and an organisation never gets an earlier slot once a later one is due.
  On the deadline itself (d = 0) the 1-day slot is still due if it never went out; after the
  deadline nothing.
- To a reviewer whose queue holds an item handed in `queue_days` or more days ago: once a day.
- To the 机关工委 (each admin and reviewer account of the office list): a summary once a day
  during the last `summary_days` days up to and including the deadline.
- To a reviewer whose queue at a review level holds items, at the same lead days before that
  level's deadline (the 初审's and the 复核's, cycle.first_review_deadline / review_deadline).
- Nothing for a year that is not open, and nothing already sent: a reminder is its
  (kind, slot, recipient), and one in `sent` never comes back.

The deadline is a parameter, so a review level's own deadline can be passed in the same way.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from db.models import SUBMITTED_STATUSES

LEAD_DAYS = (7, 3, 1)


class Kind(StrEnum):
    """What a reminder is about (stored in reminder.kind)."""

    DEADLINE = "deadline"  # to an organisation that has not submitted, before the deadline
    QUEUE = "queue"  # to a reviewer whose queue holds old items
    SUMMARY = "summary"  # the daily summary to the 机关工委 in the last week
    CHASE = "chase"  # 催报 sent by hand from the completion list
    LEVEL = "level"  # to a reviewer with items waiting, before their review level's deadline


def org_recipient(org_id: int) -> str:
    return f"org:{org_id}"


def user_recipient(user_id: int) -> str:
    return f"user:{user_id}"


@dataclass(frozen=True, order=True)
class Due:
    """One reminder to send: what, which slot (days before the deadline, or the day), to whom."""

    kind: Kind
    slot: str
    recipient: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (str(self.kind), self.slot, self.recipient)


def deadline_slot(today: date, deadline: date, lead_days: Collection[int]) -> int | None:
    """The lead day whose reminder is due `today` (None before the first or after the deadline)."""
    left = (deadline - today).days
    if left < 0:
        return None
    candidates = [lead for lead in lead_days if lead >= left]
    return min(candidates) if candidates else None


def not_submitted(status: str | None) -> bool:
    """The one definition the reminders use: not handed in (no assessment counts as a draft)."""
    return status not in SUBMITTED_STATUSES


def due_reminders(
    today: date,
    deadline: date | None,
    *,
    is_open: bool,
    statuses: Mapping[int, str | None],
    oldest_waiting: Mapping[int, date],
    office: Collection[int],
    sent: Collection[tuple[str, str, str]],
    lead_days: Collection[int] = LEAD_DAYS,
    queue_days: int = 5,
    summary_days: int = 7,
    levels: Mapping[str, tuple[date | None, Collection[int]]] | None = None,
) -> list[Due]:
    """Every reminder due `today` that has not been sent, sorted.

    `statuses`: organisation id → its assessment status (None: not started);
    `oldest_waiting`: reviewer user id → the day the oldest item of their queue was handed in;
    `office`: the user ids that get the daily summary; `sent`: the (kind, slot, recipient)
    keys already in the reminder table; `levels`: review level → (its deadline, the user ids
    whose queue at that level holds items), reminded at the same lead days (slot "LEVEL-DAYS").
    """
    if not is_open:
        return []
    done = set(sent)
    due: list[Due] = []
    if deadline is not None:
        lead = deadline_slot(today, deadline, lead_days)
        if lead is not None:
            for org_id, status in statuses.items():
                if not_submitted(status):
                    due.append(Due(Kind.DEADLINE, str(lead), org_recipient(org_id)))
        left = (deadline - today).days
        if 0 <= left < summary_days:
            for user_id in office:
                due.append(Due(Kind.SUMMARY, today.isoformat(), user_recipient(user_id)))
    for level, (level_deadline, waiting) in (levels or {}).items():
        lead = None if level_deadline is None else deadline_slot(today, level_deadline, lead_days)
        if lead is not None:
            for user_id in waiting:
                due.append(Due(Kind.LEVEL, f"{level}-{lead}", user_recipient(user_id)))
    for user_id, oldest in oldest_waiting.items():
        if (today - oldest).days >= queue_days:
            due.append(Due(Kind.QUEUE, today.isoformat(), user_recipient(user_id)))
    return sorted(d for d in set(due) if d.key not in done)
