"""The branch's 民主评议 page (AppTest): it issues codes once and shows them with their QR codes
and the sheet to print; participation counts the ballots; results wait for the round's end and
the minimum number of ballots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from db.models import RoundStatus
from db.services import ballots as B
from tests.ballot_helpers import ballot_branch, set_round_status
from tests.utils import actor, open_page, phone_list_entries
from texts import ballot as T


def _issue_on_page(round_id: int):
    at = open_page("branch01", "pages/ballots.py", timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == T.TITLE
    # The newest round comes first (the demo's open one, where branch01 printed its codes).
    at.selectbox[0].set_value(round_id).run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = [b for b in at.button if b.label in (T.ISSUE_BUTTON, T.REISSUE_YES)]
    return at, buttons


def test_the_branch_issues_codes_and_sees_them_once(demo_city: str) -> None:
    branch = ballot_branch(members=5, own_org=True)
    at, buttons = _issue_on_page(branch.round_id)
    assert [b.label for b in buttons] == [T.ISSUE_BUTTON]
    assert any(T.NOT_ISSUED in i.value for i in at.info)
    buttons[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [c.value for c in at.code]
    assert len(shown) == len(branch.member_ids)
    assert all(B.normalise_code(code) for code in shown)
    assert any(T.ISSUED.format(n=len(shown)) in s.value for s in at.success)
    # One of the shown codes votes; the page counts it, and its results wait for the round.
    code = shown[0]
    B.cast_ballot(code, dict.fromkeys(branch.member_ids, 0), branch_rating=0)
    at.run()
    assert any(T.PARTICIPATION.format(used=1, issued=len(shown)) in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert set(table[T.RESULTS_BALLOTS]) <= {0, 1}
    assert set(table.iloc[:, 2]) == {T.RESULTS_WAIT_SHORT}


@dataclass(frozen=True)
class ClosedRound:
    """A closed round of branch01 in which every code rated every member 1 and the branch 0,
    open on the 民主评议 page."""

    at: AppTest
    buttons: list[Any]
    codes: list[str]
    members: int


@pytest.fixture
def closed_round(demo_city: str) -> ClosedRound:
    branch = ballot_branch(members=5, own_org=True)
    codes = B.issue_codes(branch.secretary, round_id=branch.round_id, org_id=branch.org_id).codes
    for code in codes:
        B.cast_ballot(code, dict.fromkeys(branch.member_ids, 1), branch_rating=0)
    set_round_status(branch.round_id, RoundStatus.CLOSED)
    at, buttons = _issue_on_page(branch.round_id)
    return ClosedRound(at, buttons, list(codes), len(branch.member_ids))


def test_results_show_after_the_round_from_the_minimum(closed_round: ClosedRound) -> None:
    at, codes = closed_round.at, closed_round.codes
    assert closed_round.buttons == []  # a closed round issues nothing
    table = at.dataframe[0].value
    # Every code rates every member taking part (branch01's demo roster included) and the branch.
    assert list(table[T.RESULTS_BALLOTS]) == [len(codes)] * (closed_round.members + 1)
    assert set(table.iloc[:-1, 2]) == {"3.00"}
    assert table.iloc[-1, 2] == "4.00"
    assert set(table.iloc[:, 3]) == {"100.0%"}


def test_results_are_a_list_on_a_phone(closed_round: ClosedRound) -> None:
    """Each member's result is also one entry of a list (ui.phone), its figures as the table
    writes them."""
    at, codes = closed_round.at, closed_round.codes
    table = at.dataframe[0].value
    entries = phone_list_entries(at, f"{T.RESULTS_BALLOTS} ")
    assert len(entries) == len(table)
    first = table.iloc[0]
    assert entries[0].startswith(
        f"- **{first[T.RESULTS_MEMBER]}** {T.RESULTS_BALLOTS} {len(codes)} · "
    )
    assert f"{table.columns[2]} 3.00 · {table.columns[3]} 100.0%" in entries[0]


def test_the_demo_opens_on_branch01s_round_with_its_codes_printed(demo_city: str) -> None:
    """The demo city: in the current open round branch01 has printed its codes and some
    members have voted; the page counts them, offers to replace the unused codes, and shows
    no result while the round is open."""
    at = open_page("branch01", "pages/ballots.py", timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    # Replacing the codes voids the unused printed ones: a popover says how many, then asks.
    assert [p.proto.popover.label for p in at.get("popover")] == [T.REISSUE_BUTTON]
    assert [b.label for b in at.button if b.label == T.REISSUE_YES] == [T.REISSUE_YES]
    assert not [b for b in at.button if b.label == T.ISSUE_BUTTON]
    counted = [m.value for m in at.markdown if m.value.startswith(T.PARTICIPATION[:4])]
    assert counted
    assert not any(T.NOT_ISSUED in i.value for i in at.info)
    table = at.dataframe[0].value
    assert table[T.RESULTS_BALLOTS].max() > 0
    assert set(table.iloc[:, 2]) == {T.RESULTS_WAIT_SHORT}


def test_replacing_the_codes_says_how_many_it_voids_and_then_replaces_them(
    demo_city: str,
) -> None:
    at = open_page("branch01", "pages/ballots.py", timeout=60)
    branch = actor("branch01")
    round_id = int(at.selectbox[0].value)
    before = B.peer_results(branch, round_id=round_id, org_id=branch.org_id).participation
    unused = before.issued - before.used
    assert unused > 0
    assert any(f"尚未使用的 {unused} 张投票码立即作废" in str(m.value) for m in at.markdown)
    next(b for b in at.button if b.label == T.REISSUE_YES).click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [c.value for c in at.code]
    assert len(shown) == unused
    after = B.peer_results(branch, round_id=round_id, org_id=branch.org_id).participation
    assert after.used == before.used  # the ballots cast stay
