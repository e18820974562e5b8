"""A branch with a roster and an open 先锋指数 round, made directly in the database, for the
ballot tests (services, routes, browser, benchmark)."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from db.engine import write_session
from db.models import (
    MemberService,
    Organisation,
    OrgType,
    PartyMember,
    RoundStatus,
    VanguardRound,
)
from db.services.common import Actor
from db.services.members import members_taking_part, year_rules
from tests.utils import actor


@dataclass(frozen=True)
class BallotBranch:
    org_id: int
    round_id: int
    member_ids: tuple[int, ...]
    secretary: Actor


# The demo cities' first year: stored (its rubric keeps the ballot rules), without rounds.
BALLOT_YEAR = 2024


def ballot_branch(
    members: int = 6, *, year: int = BALLOT_YEAR, half: int = 1, own_org: bool = False
) -> BallotBranch:
    """A new branch under branch01's department (or, with own_org, branch01's own) with
    `members` more in-service members, an open round (year, half) of a stored year, and
    branch01's account bound to it as its secretary."""
    own = actor("branch01")
    suffix = uuid.uuid4().hex[:6].upper()
    with write_session() as session:
        parent = session.get(Organisation, own.org_id)
        assert parent is not None
        org = parent
        if not own_org:
            org = Organisation(
                code=f"BT-{suffix}",
                name=f"中共测试投票第{suffix}党支部",
                org_type=OrgType.BRANCH,
                region=parent.region,
                parent_id=parent.department_id,
                department_id=parent.department_id,
                member_count=members,
            )
            session.add(org)
        round_ = session.exec(
            select(VanguardRound).where(VanguardRound.year == year, VanguardRound.half == half)
        ).first()
        if round_ is None:
            round_ = VanguardRound(year=year, half=half, rules=year_rules(session, year))
            session.add(round_)
        round_.status = RoundStatus.OPEN
        session.flush()
        people = [
            PartyMember(
                org_id=org.id,
                name=f"党员{n:02d}",
                service=MemberService.IN_SERVICE,
                joined_on=date(2000 + n % 20, 7, 1),
            )
            for n in range(1, members + 1)
        ]
        session.add_all(people)
        session.flush()
        assert org.id is not None
        assert round_.id is not None
        taking_part = [m.id for m in members_taking_part(session, round_, org.id)]
        assert len(taking_part) == len(people) or own_org
        return BallotBranch(
            org_id=org.id,
            round_id=round_.id,
            member_ids=tuple(i for i in taking_part if i is not None),
            secretary=dataclasses.replace(own, org_id=org.id),
        )


def set_round_status(round_id: int, status: str) -> None:
    with write_session() as session:
        round_ = session.get(VanguardRound, round_id)
        assert round_ is not None
        round_.status = status
