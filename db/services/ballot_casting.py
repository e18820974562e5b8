"""Casting a 民主评议 ballot with a one-time code: the phone's form and the one transaction that
uses up the code and stores the ballot (docs/architecture.md, "Anonymous ballots").

Casting takes no acting user: the code is the voter's only credential (like a login).
Re-exported by db/services/ballots.py.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from db.engine import get_engine, is_sqlite, read_session, write_session
from db.models import (
    Ballot,
    BallotBox,
    BallotCode,
    BallotRating,
    Organisation,
    PartyMember,
    RoundStatus,
    VanguardRound,
)
from db.query import select_columns
from db.services.ballot_codes import (
    SCALE_SEPARATOR,
    BallotRefused,
    code_hash,
    label,
    normalise_code,
)
from db.services.common import InvalidInput
from db.services.members import taking_part
from rubric import BallotRules
from texts import ballot as T


@dataclass(frozen=True)
class BallotForm:
    """What the phone page shows for a valid, unused code."""

    org_name: str
    round_label: str
    members: tuple[tuple[int, str], ...]  # (member id, name), in roster order
    scale: tuple[str, ...]
    rate_branch: bool


def open_ballot(code_text: str) -> BallotForm:
    """The form for a code (BallotRefused when unknown, expired or used)."""
    with read_session() as session:
        box = _box_of_code(session, normalise_code(code_text))
        members = session.exec(
            select(PartyMember.id, PartyMember.name)
            .where(*taking_part(box.org_id, box.half))
            .order_by(col(PartyMember.name), col(PartyMember.id))
        ).all()
        return BallotForm(
            org_name=box.org_name,
            round_label=label(box.year, box.half),
            members=tuple((int(i), name) for i, name in members if i is not None),
            scale=box.rules.scale,
            rate_branch=box.rules.rate_branch,
        )


# Ballots arrive in bursts (a branch meeting votes at once). On SQLite, writers that find the
# database locked poll it with growing sleeps (up to 100 ms) and newcomers can overtake them;
# queueing this process's casts on a lock first lets each find the database free. PostgreSQL
# locks the one code row only, so casts there run side by side.
_SQLITE_CASTS = threading.Lock()


@contextmanager
def _one_writer() -> Iterator[None]:
    if is_sqlite(get_engine()):
        with _SQLITE_CASTS:
            yield
    else:
        yield


@dataclass(frozen=True)
class _Box:
    """What casting needs of a code's box, read in one query."""

    round_id: int
    org_id: int
    org_name: str
    year: int
    half: int
    rules: BallotRules


def _box_of_code(session: Session, code: str | None) -> _Box:
    """The code's round and box in one query; BallotRefused naming why a code cannot vote
    (unknown, its round no longer open, already used)."""
    if code is None:
        raise BallotRefused(T.ERR_CODE_UNKNOWN)
    row = session.exec(
        select_columns(
            col(BallotCode.round_id),
            col(BallotCode.org_id),
            col(Organisation.name),
            col(BallotCode.used),
            col(VanguardRound.status),
            col(VanguardRound.year),
            col(VanguardRound.half),
            col(BallotBox.scale),
            col(BallotBox.passing),
            col(BallotBox.minimum_ballots),
            col(BallotBox.rate_branch),
        )
        .join(VanguardRound, col(VanguardRound.id) == col(BallotCode.round_id))
        .join(Organisation, col(Organisation.id) == col(BallotCode.org_id))
        .join(
            BallotBox,
            (col(BallotBox.round_id) == col(BallotCode.round_id))
            & (col(BallotBox.org_id) == col(BallotCode.org_id)),
        )
        .where(col(BallotCode.code_hash) == code_hash(code))
    ).first()
    if row is None:
        raise BallotRefused(T.ERR_CODE_UNKNOWN)
    round_id, org_id, org_name, used, status, year, half, scale, passing, minimum, rate_branch = row
    if status != RoundStatus.OPEN:
        raise BallotRefused(T.ERR_CODE_EXPIRED)
    if used:
        raise BallotRefused(T.ERR_CODE_USED)
    rules = BallotRules(tuple(scale.split(SCALE_SEPARATOR)), passing, minimum, bool(rate_branch))
    return _Box(int(round_id), int(org_id), str(org_name), int(year), int(half), rules)


def _voters_rated(session: Session, box: _Box) -> set[int]:
    """The ids of the members a ballot of the box rates (those taking part in the round)."""
    return {
        int(i)
        for i in session.exec(
            select(PartyMember.id).where(*taking_part(box.org_id, box.half))
        ).all()
        if i is not None
    }


def _checked_branch(
    box: _Box, ratings: Mapping[int, int], expected: set[int], branch_rating: int | None
) -> int | None:
    """The branch's rating to store (None when the ballot does not rate it), or InvalidInput
    for an incomplete or invalid form."""
    if ratings.keys() != expected:
        missing = expected - set(ratings)
        raise InvalidInput(T.ERR_RATING_MISSING if missing else T.ERR_ROSTER_CHANGED)
    positions = range(len(box.rules.scale))
    if any(r not in positions for r in ratings.values()):
        raise InvalidInput(T.ERR_RATING_INVALID)
    if not box.rules.rate_branch:
        return None
    if branch_rating is None:
        raise InvalidInput(T.ERR_BRANCH_MISSING)
    if branch_rating not in positions:
        raise InvalidInput(T.ERR_RATING_INVALID)
    return branch_rating


def cast_in(
    session: Session,
    code_text: str,
    ratings: Mapping[int, int],
    branch_rating: int | None = None,
) -> None:
    """Building block of cast_ballot in the caller's write transaction (the demo seed casts
    through it too): check the code and the form, use up the code, store the ballot.

    Five statements: the code with its round and box (one query), the members it rates, the
    conditional UPDATE that uses up the code, the ballot, its ratings (one executemany). The
    UPDATE re-checks that the code is unused and its round open: of racing requests exactly
    one updates the row (PostgreSQL re-checks the condition after the first commits; SQLite's
    writers queue), every other is refused and stores nothing. No audit entry, no log line and
    no change-counter bump: nothing would be left that holds the time of a ballot, and no
    cached read model shows ballots (the pages read them directly).
    """
    code = normalise_code(code_text)
    box = _box_of_code(session, code)
    assert code is not None
    branch = _checked_branch(box, ratings, _voters_rated(session, box), branch_rating)
    still_open = select(VanguardRound.id).where(
        col(VanguardRound.id) == box.round_id, col(VanguardRound.status) == RoundStatus.OPEN
    )
    taken = session.exec(
        update(BallotCode)
        .where(
            col(BallotCode.code_hash) == code_hash(code),
            col(BallotCode.used).is_(False),
            col(BallotCode.round_id).in_(still_open),
        )
        .values(used=True)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        _box_of_code(session, code)  # says why: used (or, since, expired)
        raise BallotRefused(T.ERR_CODE_USED)
    ballot_id = uuid.uuid4().hex
    session.exec(
        insert(Ballot).values(
            id=ballot_id, round_id=box.round_id, org_id=box.org_id, branch_rating=branch
        )
    )
    session.exec(
        insert(BallotRating),
        params=[
            {"ballot_id": ballot_id, "member_id": member_id, "rating": rating}
            for member_id, rating in ratings.items()
        ],
    )


def cast_ballot(
    code_text: str, ratings: Mapping[int, int], branch_rating: int | None = None
) -> None:
    """Store one anonymous ballot and use up its code, in one transaction.

    `ratings` maps every member taking part to a position on the scale (0 = best); the branch's
    rating is required when the rubric asks for it and ignored otherwise. BallotRefused for a
    code that cannot vote, InvalidInput for an incomplete form: nothing is written either way.
    A code that cannot be one is refused before the database is asked.
    """
    if normalise_code(code_text) is None:
        raise BallotRefused(T.ERR_CODE_UNKNOWN)
    with _one_writer(), write_session() as session:
        cast_in(session, code_text, ratings, branch_rating)
