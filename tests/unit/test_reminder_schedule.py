"""The reminder schedule (reminders.due_reminders) day by day with a frozen clock: which
reminders go out on which day, none twice, none after submission or once the year is closed."""

from __future__ import annotations

from datetime import date, timedelta

from reminders import Due, Kind, deadline_slot, due_reminders

DEADLINE = date(2026, 12, 31)
DRAFT, RETURNED, SUBMITTED, REVIEWED = "draft", "returned", "submitted", "reviewed"


def _run(
    days: range,
    statuses_on: dict[date, dict[int, str | None]] | None = None,
    *,
    statuses: dict[int, str | None] | None = None,
    oldest: dict[int, date] | None = None,
    office: tuple[int, ...] = (),
    closed_from: date | None = None,
    skip: frozenset[date] = frozenset(),
) -> dict[date, list[Due]]:
    """Run the schedule once an hour-ish (twice a day) over `days` before the deadline, keeping
    what was sent as the reminder table would; the days in `skip` the server was down."""
    sent: set[tuple[str, str, str]] = set()
    current = dict(statuses or {})
    by_day: dict[date, list[Due]] = {}
    for before in days:
        today = DEADLINE - timedelta(days=before)
        current.update((statuses_on or {}).get(today, {}))
        if today in skip:
            continue
        for _hour in range(2):
            due = due_reminders(
                today,
                DEADLINE,
                is_open=closed_from is None or today < closed_from,
                statuses=current,
                oldest_waiting=oldest or {},
                office=office,
                sent=sent,
            )
            by_day.setdefault(today, []).extend(due)
            sent |= {d.key for d in due}
    return by_day


def _days_of(by_day: dict[date, list[Due]], kind: Kind, recipient: str) -> dict[int, str]:
    return {
        (DEADLINE - day).days: d.slot
        for day, dues in by_day.items()
        for d in dues
        if d.kind is kind and d.recipient == recipient
    }


def test_an_organisation_that_never_submits_is_reminded_7_3_and_1_days_before_once_each() -> None:
    by_day = _run(range(20, -5, -1), statuses={1: DRAFT, 2: None, 3: RETURNED})
    for org in (1, 2, 3):
        assert _days_of(by_day, Kind.DEADLINE, f"org:{org}") == {7: "7", 3: "3", 1: "1"}
    every = [d.key for dues in by_day.values() for d in dues]
    assert len(every) == len(set(every)) == 9


def test_a_submitted_organisation_gets_nothing_and_one_that_submits_stops_being_reminded() -> None:
    by_day = _run(
        range(10, -1, -1),
        {DEADLINE - timedelta(days=5): {2: SUBMITTED}},
        statuses={1: REVIEWED, 2: DRAFT},
    )
    assert _days_of(by_day, Kind.DEADLINE, "org:1") == {}
    assert _days_of(by_day, Kind.DEADLINE, "org:2") == {7: "7"}


def test_a_returned_assessment_is_not_submitted_and_is_reminded_again() -> None:
    by_day = _run(
        range(10, -1, -1),
        {DEADLINE - timedelta(days=2): {1: RETURNED}},
        statuses={1: SUBMITTED},
    )
    # Sent back on the 2nd day before: the 3-day reminder it never got goes at once, then the 1.
    assert _days_of(by_day, Kind.DEADLINE, "org:1") == {2: "3", 1: "1"}


def test_a_missed_day_is_caught_up_with_its_own_slot_and_never_an_earlier_one() -> None:
    missed = frozenset({DEADLINE - timedelta(days=7), DEADLINE - timedelta(days=3)})
    by_day = _run(range(10, -1, -1), statuses={1: DRAFT}, skip=missed)
    # The 7-day reminder goes on the 6th day before, the 3-day one on the 2nd.
    assert _days_of(by_day, Kind.DEADLINE, "org:1") == {6: "7", 2: "3", 1: "1"}
    # Down from the 8th to the 2nd day before: only the 3-day slot is due then, never the 7's.
    down = frozenset(DEADLINE - timedelta(days=n) for n in range(8, 2, -1))
    by_day = _run(range(10, -1, -1), statuses={1: DRAFT}, skip=down)
    assert _days_of(by_day, Kind.DEADLINE, "org:1") == {2: "3", 1: "1"}


def test_on_the_deadline_a_missed_last_reminder_still_goes_and_after_it_nothing() -> None:
    by_day = _run(range(2, -3, -1), statuses={1: DRAFT}, skip=frozenset({DEADLINE - timedelta(1)}))
    assert _days_of(by_day, Kind.DEADLINE, "org:1") == {2: "3", 0: "1"}
    assert deadline_slot(DEADLINE + timedelta(days=1), DEADLINE, (7, 3, 1)) is None
    assert deadline_slot(DEADLINE - timedelta(days=8), DEADLINE, (7, 3, 1)) is None


def test_nothing_once_the_year_is_closed() -> None:
    closed = DEADLINE - timedelta(days=4)
    by_day = _run(
        range(10, -1, -1),
        statuses={1: DRAFT},
        oldest={7: DEADLINE - timedelta(days=30)},
        office=(9,),
        closed_from=closed,
    )
    assert all(not dues for day, dues in by_day.items() if day >= closed)
    assert _days_of(by_day, Kind.DEADLINE, "org:1") == {7: "7"}


def test_the_daily_summary_runs_through_the_last_week_once_a_day() -> None:
    by_day = _run(range(12, -3, -1), office=(8, 9))
    for user in (8, 9):
        days = _days_of(by_day, Kind.SUMMARY, f"user:{user}")
        assert sorted(days) == [0, 1, 2, 3, 4, 5, 6]
        assert all(slot == (DEADLINE - timedelta(days=n)).isoformat() for n, slot in days.items())


def test_a_reviewer_is_reminded_daily_once_the_oldest_item_waits_the_set_days() -> None:
    first = DEADLINE - timedelta(days=10)
    by_day = _run(range(12, 0, -1), oldest={7: first})
    days = _days_of(by_day, Kind.QUEUE, "user:7")
    assert sorted(days, reverse=True) == [5, 4, 3, 2, 1]  # from 5 days after the oldest


def test_no_deadline_means_no_deadline_reminders_or_summaries() -> None:
    due = due_reminders(
        DEADLINE,
        None,
        is_open=True,
        statuses={1: DRAFT},
        oldest_waiting={},
        office=(9,),
        sent=(),
    )
    assert due == []


def test_a_level_deadline_and_other_lead_days_can_be_passed_in() -> None:
    level_deadline = date(2027, 1, 15)
    due = due_reminders(
        date(2027, 1, 5),
        level_deadline,
        is_open=True,
        statuses={1: DRAFT},
        oldest_waiting={},
        office=(),
        sent=(),
        lead_days=(14, 10),
    )
    assert due == [Due(Kind.DEADLINE, "10", "org:1")]


def test_each_review_level_is_reminded_before_its_own_deadline_once_per_slot() -> None:
    first, second = date(2027, 1, 10), date(2027, 1, 20)
    sent: set[tuple[str, str, str]] = set()
    got: list[tuple[date, str, str]] = []
    for day in (first - timedelta(days=n) for n in range(9, -12, -1)):
        for _hour in range(2):
            due = due_reminders(
                day,
                None,
                is_open=True,
                statuses={},
                oldest_waiting={},
                office=(),
                sent=sent,
                levels={"first": (first, [5]), "second": (second, [6]), "none": (None, [7])},
            )
            got += [(day, d.slot, d.recipient) for d in due]
            sent |= {d.key for d in due}
    assert got == [
        (first - timedelta(days=7), "first-7", "user:5"),
        (first - timedelta(days=3), "first-3", "user:5"),
        (first - timedelta(days=1), "first-1", "user:5"),
        (second - timedelta(days=7), "second-7", "user:6"),
        (second - timedelta(days=3), "second-3", "user:6"),
        (second - timedelta(days=1), "second-1", "user:6"),
    ]
