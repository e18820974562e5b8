"""The roster and the 先锋指数 rounds through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import (
    AuditLog,
    BallotRating,
    MemberService,
    MemberStatus,
    Organisation,
    PartyMember,
    RoundStatus,
    VanguardEntry,
    VanguardRound,
    VanguardSheet,
)
from db.services import members
from db.services.common import InvalidInput, NotFound, PermissionDenied, StaleVersion
from db.services.members import MemberInput
from tests.utils import actor

YEAR = 2024  # the demo city has rounds for 2025 and 2026 (db/seed_members.py), none for 2024


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


def _empty_roster(org_id: int) -> None:
    """The demo city comes with rosters and rounds: start this organisation from none."""
    with write_session() as session:
        ids = session.exec(select(PartyMember.id).where(PartyMember.org_id == org_id)).all()
        sheets = session.exec(
            select(VanguardSheet.id).where(col(VanguardSheet.member_id).in_(ids))
        ).all()
        session.execute(delete(VanguardEntry).where(col(VanguardEntry.sheet_id).in_(sheets)))
        session.execute(delete(VanguardSheet).where(col(VanguardSheet.id).in_(sheets)))
        session.execute(delete(BallotRating).where(col(BallotRating.member_id).in_(ids)))
        session.execute(delete(PartyMember).where(col(PartyMember.org_id) == org_id))


def _member_count(org_id: int) -> int:
    with read_session() as session:
        org = session.get(Organisation, org_id)
        assert org is not None
        return org.member_count


def _member(member_id: int) -> PartyMember:
    with read_session() as session:
        row = session.get(PartyMember, member_id)
        assert row is not None
        return row


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
    rounds = [r for r in members.list_rounds(actor("branch01")) if r.year == YEAR]
    assert [(r.id, r.year, r.half, r.status) for r in rounds] == [
        (second, YEAR, 2, RoundStatus.OPEN),
        (first, YEAR, 1, RoundStatus.OPEN),
    ]
    assert rounds[0].opened_by == admin.id
    assert members.rules_of_round(rounds[0]).passing_grade == "合格"  # the year's rubric's
    with read_session() as session:
        logged = session.exec(
            select(AuditLog.target_id).where(AuditLog.action == "vanguard_round_opened")
        ).all()
    assert sorted(logged) == sorted([str(first), str(second)])
    members.close_round(admin, round_id=first, version=rounds[1].version)
    with pytest.raises(InvalidInput, match="已经结束"):
        members.close_round(admin, round_id=first, version=rounds[1].version + 1)


def test_only_an_admin_opens_a_round(city: str) -> None:
    for who in ("branch01", "reviewer", "leader"):
        with pytest.raises(PermissionDenied):
            members.open_round(actor(who), year=YEAR, half=1)
    with read_session() as session:
        assert session.exec(select(VanguardRound).where(VanguardRound.year == YEAR)).all() == []


def test_round_members_follow_in_service_and_retired(city: str) -> None:
    branch = actor("branch01")
    assert branch.org_id is not None
    _empty_roster(branch.org_id)
    working = _add(branch.org_id, "张在职", MemberService.IN_SERVICE)
    retired = _add(branch.org_id, "李离休", MemberService.RETIRED)
    _add(branch.org_id, "王已转出", MemberService.IN_SERVICE, active=False)
    admin = actor("admin")
    first = members.open_round(admin, year=YEAR, half=1)
    second = members.open_round(admin, year=YEAR, half=2)
    in_first = members.round_members(branch, round_id=first, org_id=branch.org_id)
    assert [m.id for m in in_first] == [working]
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


# --------------------------------------------------------------------------- roster


def test_a_branch_keeps_its_roster_and_member_count_follows(city: str) -> None:
    branch = actor("branch01")
    org_id = branch.org_id
    assert org_id is not None
    _empty_roster(org_id)
    first = members.save_member(
        branch,
        org_id=org_id,
        item=MemberInput("张 三", "在职", "正式党员", "2001-07-01"),
    )
    second = members.save_member(
        branch, org_id=org_id, item=MemberInput("李四", "离退休", "预备", "1980/10/1")
    )
    assert _member_count(org_id) == 2
    row = _member(second)
    assert (row.name, row.service, row.status, row.joined_on) == (
        "李四",
        MemberService.RETIRED,
        MemberStatus.PROBATIONARY,
        date(1980, 10, 1),
    )
    assert _member(first).name == "张 三"
    members.save_member(
        branch,
        org_id=org_id,
        member_id=second,
        version=row.version,
        item=MemberInput("李四", "离退休", "预备党员", "1980-10-01", active=False),
    )
    assert _member_count(org_id) == 1
    with pytest.raises(StaleVersion):  # the version read before that change
        members.save_member(
            branch,
            org_id=org_id,
            member_id=second,
            version=row.version,
            item=MemberInput("李四", "离退休", "预备党员", "1980-10-01"),
        )
    with read_session() as session:
        actions = session.exec(
            select(AuditLog.action).where(AuditLog.target_type == "party_member")
        ).all()
    assert sorted(actions) == ["member_added", "member_added", "member_changed"]


def test_bad_roster_input_is_named_and_nothing_written(city: str) -> None:
    branch = actor("branch01")
    assert branch.org_id is not None
    before = len(members.list_members(branch, org_id=branch.org_id, include_inactive=True))
    with pytest.raises(InvalidInput) as caught:
        members.save_member(
            branch,
            org_id=branch.org_id,
            item=MemberInput("", "兼职", "积极分子", "明天", active="也许"),
        )
    assert caught.value.errors == [
        "姓名不能为空",
        "在职或离退休“兼职”无法识别（可填：在职、离退休）",
        "党员类别“积极分子”无法识别（可填：正式党员、预备党员）",
        "入党日期“明天”无法识别（请写成 2001-07-01 这样的日期）",
        "是否在册“也许”无法识别（可填：是、否）",
    ]
    with pytest.raises(InvalidInput, match="不能超过 50 个字"):
        members.save_member(
            branch, org_id=branch.org_id, item=MemberInput("张" * 51, "在职", "正式", "2001-07-01")
        )
    with pytest.raises(InvalidInput, match="应在 1921-07-01 与今天之间"):
        members.save_member(
            branch, org_id=branch.org_id, item=MemberInput("张三", "在职", "正式", "1900-01-01")
        )
    after = len(members.list_members(branch, org_id=branch.org_id, include_inactive=True))
    assert after == before


def test_a_branch_cannot_touch_another_roster(city: str) -> None:
    own = actor("branch01")
    assert own.org_id is not None
    item = MemberInput("张三", "在职", "正式", "2001-07-01")
    with pytest.raises(PermissionDenied):
        members.save_member(actor("branch02"), org_id=own.org_id, item=item)
    with pytest.raises(PermissionDenied):
        members.save_member(actor("reviewer"), org_id=own.org_id, item=item)
    assert members.save_member(actor("admin"), org_id=own.org_id, item=item) > 0
    other = _add(own.org_id, "王五", MemberService.IN_SERVICE)
    branch02 = actor("branch02")
    assert branch02.org_id is not None
    with pytest.raises(InvalidInput, match="不属于本组织"):
        members.save_member(branch02, org_id=branch02.org_id, member_id=other, version=1, item=item)


def test_the_organisation_form_keeps_the_roster_count(city: str) -> None:
    from tests.utils import change_org

    branch = actor("branch01")
    assert branch.org_id is not None
    count = len(members.list_members(branch, org_id=branch.org_id))
    assert count > 0
    assert _member_count(branch.org_id) == count
    change_org(actor("admin"), branch.org_id, member_count=count + 40)
    assert _member_count(branch.org_id) == count
