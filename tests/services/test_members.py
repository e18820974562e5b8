"""The roster and the 先锋指数 rounds through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import (
    AuditLog,
    MemberService,
    MemberStatus,
    PartyMember,
    RoundStatus,
    VanguardRound,
)
from db.services import members
from db.services.common import InvalidInput, NotFound, PermissionDenied
from tests.utils import actor

YEAR = 2026


def _add(org_id: int, name: str, service: MemberService, *, active: bool = True) -> int:
    with write_session() as session:
        row = PartyMember(
            org_id=org_id,
            name=name,
            service=service,
            status=MemberStatus.FULL,
            joined_on=date(2001, 7, 1),
            active=active,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def test_an_admin_opens_each_half_once(city: str) -> None:
    admin = actor("admin")
    first = members.open_round(admin, year=YEAR, half=1)
    second = members.open_round(admin, year=YEAR, half=2)
    with pytest.raises(InvalidInput, match="已经开启"):
        members.open_round(admin, year=YEAR, half=1)
    with pytest.raises(InvalidInput, match="上半年（1）或下半年（2）"):
        members.open_round(admin, year=YEAR, half=3)
    with pytest.raises(InvalidInput, match="2099 年度不存在"):
        members.open_round(admin, year=2099, half=1)
    rounds = members.list_rounds(actor("branch01"))
    assert [(r.id, r.year, r.half, r.status) for r in rounds] == [
        (second, YEAR, 2, RoundStatus.OPEN),
        (first, YEAR, 1, RoundStatus.OPEN),
    ]
    assert rounds[0].opened_by == admin.id
    with read_session() as session:
        logged = session.exec(
            select(AuditLog.target_id).where(AuditLog.action == "vanguard_round_opened")
        ).all()
    assert sorted(logged) == sorted([str(first), str(second)])


def test_only_an_admin_opens_a_round(city: str) -> None:
    for who in ("branch01", "reviewer", "leader"):
        with pytest.raises(PermissionDenied):
            members.open_round(actor(who), year=YEAR, half=1)
    with read_session() as session:
        assert session.exec(select(VanguardRound)).all() == []


def test_round_members_follow_in_service_and_retired(city: str) -> None:
    branch = actor("branch01")
    assert branch.org_id is not None
    working = _add(branch.org_id, "张在职", MemberService.IN_SERVICE)
    retired = _add(branch.org_id, "李离休", MemberService.RETIRED)
    _add(branch.org_id, "王已转出", MemberService.IN_SERVICE, active=False)
    admin = actor("admin")
    first = members.open_round(admin, year=YEAR, half=1)
    second = members.open_round(admin, year=YEAR, half=2)
    assert [m.id for m in members.round_members(branch, round_id=first, org_id=branch.org_id)] == [
        working
    ]
    in_second = members.round_members(branch, round_id=second, org_id=branch.org_id)
    assert {m.id for m in in_second} == {working, retired}
    roster = members.list_members(branch, org_id=branch.org_id)
    assert {m.name for m in roster} == {"张在职", "李离休"}
    everyone = members.list_members(branch, org_id=branch.org_id, include_inactive=True)
    assert len(everyone) == 3
    with pytest.raises(NotFound):
        members.round_members(branch, round_id=second + 100, org_id=branch.org_id)


def test_another_branch_cannot_read_the_roster(city: str) -> None:
    own = actor("branch01")
    assert own.org_id is not None
    _add(own.org_id, "张在职", MemberService.IN_SERVICE)
    with pytest.raises(PermissionDenied):
        members.list_members(actor("branch02"), org_id=own.org_id)
    with pytest.raises(PermissionDenied):
        members.list_members(actor("branch02"), org_id=999_999)  # no probing of ids
    with pytest.raises(NotFound):
        members.list_members(actor("reviewer"), org_id=999_999)
