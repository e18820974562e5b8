"""先锋指数 sheets through the services, on SQLite and PostgreSQL: the branch enters, the
round rules hold (in service / retired, open / closed), 清零, caps, who may read, and the
figures the star criteria take from them."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlmodel import col, select

from db.engine import read_session
from db.models import PartyMember, VanguardRound, VanguardSheet
from db.services import assessment as A
from db.services import editing, members, vanguard_scores
from db.services.common import InvalidInput, NotFound, PermissionDenied, StaleVersion
from db.services.member_figures import figures_in
from tests.utils import actor

FULL = {"P1": "20", "P2": "20", "P3": "20", "P4": "20"}


def _open_round(year: int = 2026) -> VanguardRound:
    with read_session() as session:
        return session.exec(
            select(VanguardRound).where(VanguardRound.year == year, VanguardRound.status == "open")
        ).one()


def _view(who: str, round_id: int) -> vanguard_scores.RoundView:
    branch = actor("branch01")
    assert branch.org_id is not None
    return vanguard_scores.round_view(actor(who), round_id=round_id, org_id=branch.org_id)


def _fresh_member(service: str) -> int:
    branch = actor("branch01")
    assert branch.org_id is not None
    return members.save_member(
        branch,
        org_id=branch.org_id,
        item=members.MemberInput("测试党员", service, "正式党员", "2001-07-01"),
    )


def test_the_branch_enters_and_the_index_follows(city: str) -> None:
    round_ = _open_round()
    assert round_.id is not None
    member_id = _fresh_member("在职")
    sheet = next(s for s in _view("branch01", round_.id).sheets if s.member_id == member_id)
    assert sheet.version is None
    assert not sheet.complete
    assert sheet.score is None
    version = vanguard_scores.save_sheet(
        actor("branch01"),
        round_id=round_.id,
        member_id=member_id,
        version=None,
        declared={"P1": "20", "P5": "5"},
        assessed={"P1": "18", "P2": "19.5"},
    )
    sheet = next(s for s in _view("branch01", round_.id).sheets if s.member_id == member_id)
    assert sheet.version == version
    assert not sheet.complete
    assert sheet.declared == {"P1": D(20), "P5": D(5)}
    version = vanguard_scores.save_sheet(
        actor("branch01"),
        round_id=round_.id,
        member_id=member_id,
        version=version,
        declared={},
        assessed={"P3": "20", "P4": "17", "P7": "4"},
    )
    sheet = next(s for s in _view("branch01", round_.id).sheets if s.member_id == member_id)
    assert sheet.complete
    assert sheet.score is not None
    score = sheet.score
    # base 18 + 19.5 + 20 + 17 = 74.5; no ballot result: peer = 20 × 74.5 / 80 = 18.63;
    # add: P5 declared 5 (not assessed); minus 4
    assert (score.base, score.peer, score.add, score.minus) == (D("74.5"), D("18.63"), 5, 4)
    assert not score.peer_counted
    assert score.total == D("94.13")
    assert score.grade == "优秀"
    with pytest.raises(StaleVersion):
        vanguard_scores.save_sheet(
            actor("branch01"),
            round_id=round_.id,
            member_id=member_id,
            version=version - 1,
            declared={},
            assessed={"P1": "1"},
        )
    vanguard_scores.save_sheet(
        actor("branch01"),
        round_id=round_.id,
        member_id=member_id,
        version=version,
        declared={},
        assessed={"P9": True},
    )
    sheet = next(s for s in _view("branch01", round_.id).sheets if s.member_id == member_id)
    assert sheet.score is not None
    assert sheet.score.zeroed
    assert sheet.score.total == 0
    assert sheet.grade == "不合格"


def test_bad_figures_are_named_and_nothing_written(city: str) -> None:
    round_ = _open_round()
    assert round_.id is not None
    member_id = _fresh_member("在职")
    with pytest.raises(InvalidInput) as caught:
        vanguard_scores.save_sheet(
            actor("branch01"),
            round_id=round_.id,
            member_id=member_id,
            version=None,
            declared={"P4": "20"},
            assessed={"P1": "21", "P2": "1.3", "P3": "很好", "P9": "也许", "X1": "1"},
        )
    assert caught.value.errors == [
        "先锋指数中没有编号为 X1 的项目。",
        "P4 作用发挥 不接受个人申报。",
        "P1 政治素质：21 应在 0 到 20 之间。",
        "P2 学习教育：1.3 应为 0.5 的整数倍。",
        "P3 履职尽责：“很好”不是数字。",
        "P9 受到党纪政务处分或有违法犯罪行为：清零项只能选择“是”或“否”。",
    ]
    with read_session() as session:
        assert (
            session.exec(select(VanguardSheet).where(VanguardSheet.member_id == member_id)).all()
            == []
        )


def test_retired_members_take_part_in_the_second_half_only(city: str) -> None:
    first = members.open_round(actor("admin"), year=2024, half=1)
    retired = _fresh_member("离退休")
    working = _fresh_member("在职")
    view = _view("branch01", first)
    assert working in {s.member_id for s in view.sheets}
    assert retired not in {s.member_id for s in view.sheets}
    with pytest.raises(InvalidInput, match="离退休党员只参加下半年"):
        vanguard_scores.save_sheet(
            actor("branch01"),
            round_id=first,
            member_id=retired,
            version=None,
            declared={},
            assessed=FULL,
        )
    second = members.open_round(actor("admin"), year=2024, half=2)
    assert retired in {s.member_id for s in _view("branch01", second).sheets}
    vanguard_scores.save_sheet(
        actor("branch01"),
        round_id=second,
        member_id=retired,
        version=None,
        declared={},
        assessed=FULL,
    )


def test_a_closed_round_takes_nothing(city: str) -> None:
    with read_session() as session:
        closed = session.exec(select(VanguardRound).where(VanguardRound.status == "closed")).first()
    assert closed is not None
    assert closed.id is not None
    member_id = _fresh_member("在职")
    with pytest.raises(InvalidInput, match="已结束"):
        vanguard_scores.save_sheet(
            actor("branch01"),
            round_id=closed.id,
            member_id=member_id,
            version=None,
            declared={},
            assessed=FULL,
        )
    assert not _view("branch01", closed.id).editable


def test_who_enters_and_who_reads(city: str) -> None:
    round_ = _open_round()
    assert round_.id is not None
    member_id = _fresh_member("在职")
    for who in ("branch02", "reviewer", "leader", "admin"):
        with pytest.raises(PermissionDenied):
            vanguard_scores.save_sheet(
                actor(who),
                round_id=round_.id,
                member_id=member_id,
                version=None,
                declared={},
                assessed=FULL,
            )
    with pytest.raises(PermissionDenied):
        _view("branch02", round_.id)
    for who in ("reviewer", "leader", "admin"):
        view = _view(who, round_.id)
        assert not view.editable
        assert view.taking_part > 0
    assert _view("branch01", round_.id).editable
    with pytest.raises(NotFound):
        vanguard_scores.round_view(actor("reviewer"), round_id=99_999, org_id=1)


def test_the_star_criterion_takes_the_completion_rate(city: str) -> None:
    branch = actor("branch01")
    assert branch.org_id is not None
    round_ = _open_round()
    with read_session() as session:
        figures = figures_in(session, branch.org_id, 2026)
        total = session.exec(
            select(VanguardSheet).where(
                VanguardSheet.org_id == branch.org_id,
                col(VanguardSheet.round_id).in_(
                    select(VanguardRound.id).where(VanguardRound.year == 2026)
                ),
            )
        ).all()
        active = session.exec(
            select(PartyMember).where(
                PartyMember.org_id == branch.org_id, col(PartyMember.active).is_(True)
            )
        ).all()
    evaluated = figures["vanguard_evaluated"]
    expected = len(active) + sum(m.service == "in_service" for m in active)
    assert (evaluated.numerator, evaluated.denominator) == (len(total), expected)
    assert evaluated.rounds == ("2026 年上半年先锋指数评价", "2026 年下半年先锋指数评价")
    # the demo's open round: branch01 printed its codes and most of its members voted
    share = figures["ballot_participation"]
    assert 0 < share.numerator < share.denominator
    view = A.my_assessment(branch)
    editing.save_star_page(
        branch,
        assessment_id=view.id,
        version=view.version,
        star="standard",
        entries={"S6.2": editing.EntryInput(figure="100", note="")},
    )
    after = A.get_assessment(branch, assessment_id=view.id)
    assert after.entries["S6.2"].figure == evaluated.value  # not the 100 typed
    assert evaluated.value < 100
    assert round_.id is not None
    # every member evaluated: the figure reaches 100 and the criterion its full points
    pending = [s for s in _view("branch01", round_.id).sheets if not s.complete]
    for sheet in pending:
        vanguard_scores.save_sheet(
            branch,
            round_id=round_.id,
            member_id=sheet.member_id,
            version=sheet.version,
            declared={},
            assessed=FULL,
        )
    with read_session() as session:
        assert figures_in(session, branch.org_id, 2026)["vanguard_evaluated"].value == 100
