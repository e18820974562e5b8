"""AppTest of the 催报 button under the completion list of 总览 (leader and reviewer): pick
organisations, send, and the page says how many went out; the branch then sees the notice."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import read_session
from db.models import Reminder
from tests.utils import actor, open_page
from texts import leadership as L
from texts import reminders as T
from ui import dashboard, data


def _completion_tab(username: str) -> AppTest:
    """总览 opened on its 填报进度与催报 tab, where the 催报 list and button are drawn."""
    at = open_page(username, "pages/dashboard.py", timeout=90)
    at.session_state[dashboard.TAB_KEY] = L.TAB_COMPLETION
    return at.run()


def _form(at: AppTest) -> tuple[Any, Any]:
    pick = next(m for m in at.multiselect if m.label == T.CHASE_PICK)
    button = next(b for b in at.button if b.label == T.CHASE_BUTTON)
    return pick, button


@pytest.mark.parametrize("username", ["leader", "reviewer"])
def test_the_chase_button_sends_to_the_picked_organisations(demo_city: str, username: str) -> None:
    at = _completion_tab(username)
    assert not at.exception, [e.value for e in at.exception]
    pending = data.chase_list(actor(username), 2026)
    own = actor("branch01").org_id
    assert own in pending.index
    other = next(int(i) for i in pending.index if i != own)
    pick, button = _form(at)
    pick.select(own).select(other)
    button.click()
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success if "催报" in s.value] == [
        T.CHASE_DONE.format(orgs=2, notices=2, emails=0, robots=0)
    ]
    with read_session() as session:
        rows = session.exec(select(Reminder)).all()
    assert sorted(r.org_id for r in rows) == sorted([own, other])
    assert {r.kind for r in rows} == {"chase"}
    # branch01 sees the reminder on its pages.
    branch = open_page("branch01", "pages/overview.py", timeout=90)
    assert any(rows[0].subject in w.value for w in branch.warning)


def test_pressing_without_a_choice_says_so_and_sends_nothing(demo_city: str) -> None:
    at = _completion_tab("leader")
    _pick, button = _form(at)
    button.click()
    at = at.run()
    assert T.CHASE_NONE_PICKED in [w.value for w in at.warning]
    with read_session() as session:
        assert session.exec(select(Reminder)).first() is None


def test_all_sends_to_every_organisation_on_the_list(demo_city: str) -> None:
    at = _completion_tab("leader")
    pending = data.chase_list(actor("leader"), 2026)
    next(c for c in at.checkbox if c.label == T.CHASE_ALL).check()
    _pick, button = _form(at)
    button.click()
    at = at.run()
    n = len(pending)
    assert T.CHASE_DONE.format(orgs=n, notices=n, emails=0, robots=0) in [
        s.value for s in at.success
    ]
