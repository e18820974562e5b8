"""The 民主评议 rules each year keeps with its rubric, the figures the 民主星 criteria take from
the ballots and the 先锋指数, and the demo city's ballots obeying the same rules (SQLite and
PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import col, func, select

from db.engine import read_session, write_session
from db.models import (
    Ballot,
    BallotBox,
    BallotCode,
    BallotRating,
    Cycle,
    Organisation,
    RoundStatus,
    VanguardRound,
)
from db.services import ballots as B
from db.services import rubrics
from db.services.cycles import rubric_of_cycle
from db.services.member_figures import figures_in
from db.services.members import members_taking_part
from rubric import BallotRules, ballot_to_json, default_rubric_path, load_rubric
from scoring import auto_points
from tests.ballot_helpers import BALLOT_YEAR, BallotBranch, ballot_branch, set_round_status
from tests.utils import actor


def _issue(branch: BallotBranch) -> tuple[str, ...]:
    return B.issue_codes(branch.secretary, round_id=branch.round_id, org_id=branch.org_id).codes


def _all_rated(branch: BallotBranch, rating: int) -> dict[int, int]:
    return dict.fromkeys(branch.member_ids, rating)


def _cycle(year: int) -> Cycle:
    with read_session() as session:
        return session.exec(select(Cycle).where(Cycle.year == year)).one()


def test_a_box_takes_the_rules_its_years_rubric_keeps(city: str) -> None:
    three = BallotRules(("好", "较好", "一般"), 1, 3, False)
    with write_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == BALLOT_YEAR)).one()
        cycle.ballot_rules = ballot_to_json(three)
        session.add(cycle)
    branch = ballot_branch(members=4)
    codes = _issue(branch)
    form = B.open_ballot(codes[0])
    assert (form.scale, form.rate_branch) == (("好", "较好", "一般"), False)
    with read_session() as session:
        box = session.get(BallotBox, (branch.round_id, branch.org_id))
        assert box is not None
        assert B.rules_of(box) == three
    # The year's rubric changes later: the box keeps the rules it was issued under.
    with write_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == BALLOT_YEAR)).one()
        cycle.ballot_rules = ballot_to_json(BallotRules())
        session.add(cycle)
    for code in codes[:3]:
        B.cast_ballot(code, _all_rated(branch, 2))
    set_round_status(branch.round_id, RoundStatus.CLOSED)
    view = B.peer_results(branch.secretary, round_id=branch.round_id, org_id=branch.org_id)
    assert view.rules == three
    assert all(r.shown for _i, _n, r in view.members)  # 3 ballots: three's minimum
    assert view.branch is None


def test_an_imported_rubric_stores_its_ballot_block_for_its_year_only(city: str) -> None:
    admin = actor("admin")
    open_year, other = _cycle(2026), _cycle(2025)
    assert open_year.id is not None
    assert other.id is not None
    text = rubrics.export_rubric(admin, cycle_id=open_year.id)
    assert "minimum_ballots: 5" in text
    change = rubrics.import_rubric(
        admin,
        cycle_id=open_year.id,
        version=open_year.version,
        text=text.replace("minimum_ballots: 5", "minimum_ballots: 8"),
    )
    assert change.header_changed
    assert not change.added
    assert not change.removed
    assert not change.changed
    assert rubric_of_cycle(admin, open_year.id).ballot.minimum_ballots == 8
    assert rubric_of_cycle(admin, other.id).ballot.minimum_ballots == 5
    assert "minimum_ballots: 8" in rubrics.export_rubric(admin, cycle_id=open_year.id)


def test_the_democracy_figures_at_their_boundaries(city: str) -> None:
    """D12.3 takes codes used ÷ issued, D12.4 the 先锋指数 share at 合格 or better, both scored
    by the shipped rubric's rules: 90% full points, just under it half a point."""
    shipped = load_rubric(default_rubric_path())
    participation, passing = shipped.criterion("D12.3"), shipped.criterion("D12.4")
    assert participation.auto is not None
    assert passing.auto is not None
    branch = ballot_branch(members=10)
    codes = _issue(branch)
    for code in codes[:8]:
        B.cast_ballot(code, _all_rated(branch, 0), branch_rating=0)
    with read_session() as session:
        figure = figures_in(session, branch.org_id, BALLOT_YEAR)["ballot_participation"]
    assert (figure.numerator, figure.denominator, figure.value) == (8, 10, Decimal(80))
    assert auto_points(participation.auto, figure.value, participation.max_points) == Decimal("0.5")
    B.cast_ballot(codes[8], _all_rated(branch, 0), branch_rating=0)
    with read_session() as session:
        figure = figures_in(session, branch.org_id, BALLOT_YEAR)["ballot_participation"]
    assert figure.value == 90
    assert auto_points(participation.auto, figure.value, participation.max_points) == 1
    # 2 of 3 evaluated members at 合格 or better: 66.67 (to 0.01), no points.
    for share, points in ((Decimal("66.67"), Decimal(0)), (Decimal("89.99"), Decimal("0.5"))):
        assert auto_points(passing.auto, share, passing.max_points) == points
    assert auto_points(passing.auto, Decimal(90), passing.max_points) == 1


def test_the_demo_ballots_obey_the_rules(city: str) -> None:
    """The demo's finished round: boxes of branch01's department under the year's rules, one
    ballot per used code, each
    rating every member taking part, results shown from the minimum on; its open round:
    branch01's codes printed, some used, nothing shown while it is open."""
    branch01 = actor("branch01")
    with read_session() as session:
        rounds = {(r.year, r.half): r for r in session.exec(select(VanguardRound)).all() if r.id}
        finished, current = rounds[(2025, 2)], rounds[(2026, 2)]
        assert finished.status == RoundStatus.CLOSED
        assert current.status == RoundStatus.OPEN
        year_rules = load_rubric(default_rubric_path()).ballot
        boxes = session.exec(select(BallotBox).where(BallotBox.round_id == finished.id)).all()
        own = session.get(Organisation, branch01.org_id)
        assert own is not None
        department = set(
            session.exec(
                select(Organisation.id).where(Organisation.department_id == own.department_id)
            ).all()
        )
        # branch01's department (the demo accounts' own) voted; its other organisations too
        assert branch01.org_id in {b.org_id for b in boxes}
        assert {b.org_id for b in boxes} <= department | {branch01.org_id}
        assert len(boxes) >= 2
        shown = 0
        for box in boxes:
            assert B.rules_of(box) == year_rules
            taking_part = {m.id for m in members_taking_part(session, finished, box.org_id)}
            assert box.issued == len(taking_part)
            codes = session.exec(
                select(BallotCode.used).where(
                    BallotCode.round_id == box.round_id, BallotCode.org_id == box.org_id
                )
            ).all()
            assert len(codes) == box.issued
            ballots = session.exec(
                select(Ballot.id).where(
                    Ballot.round_id == box.round_id, Ballot.org_id == box.org_id
                )
            ).all()
            assert len(ballots) == sum(codes)
            for ballot_id in ballots[:3]:
                rated = session.exec(
                    select(BallotRating.member_id).where(BallotRating.ballot_id == ballot_id)
                ).all()
                assert set(rated) == taking_part
            results, branch = B.peer_results_in(session, finished.id, box.org_id)
            for result in results.values():
                assert result.shown == (result.ratings >= box.minimum_ballots)
                shown += result.shown
            assert branch is not None
        assert shown > 0
        assert current.id is not None
        assert branch01.org_id is not None
        participation = B.participation_in(session, current.id)
        assert set(participation) == {branch01.org_id}  # only branch01 has printed its codes
        mine = participation[branch01.org_id]
        assert 0 < mine.used < mine.issued
        assert mine.issued == len(members_taking_part(session, current, branch01.org_id))
        cast = session.exec(
            select(func.count()).select_from(Ballot).where(col(Ballot.round_id) == current.id)
        ).one()
        assert cast == mine.used
        results, _branch = B.peer_results_in(session, current.id, branch01.org_id)
        assert results
        assert not any(r.shown for r in results.values())  # the round is still open
        # the open year's figures for branch01's 民主星 come from it
        figures = figures_in(session, branch01.org_id, 2026)
    assert figures["ballot_participation"].numerator == mine.used
