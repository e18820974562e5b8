"""管理 and 公示 as 柯桥区's admin (keqiao_admin): only its region's tabs, accounts, organisations
and scopes, in Chinese; a new account it creates lies in its region."""

from __future__ import annotations

import streamlit as st
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import read_session
from db.models import User
from permissions import Scope
from tests.utils import STRONG_PASSWORD, actor, open_page
from texts import admin as T
from texts import reminders as TM
from texts import review as TR

REGION = "柯桥区"
OTHER_REGIONS = ("市直", "越城区", "上虞区", "诸暨市", "嵊州市", "新昌县")


def _tab(at: AppTest, tab: str) -> AppTest:
    at.session_state["admin:tab"] = tab
    return at.run()


def _select(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def test_keqiao_admin_manages_the_accounts_of_its_region(demo_city: str) -> None:
    st.cache_data.clear()
    at = open_page("keqiao_admin", "pages/admin.py", timeout=90)
    assert not at.exception
    assert [t.label for t in at.tabs] == [T.TAB_ORGS, T.TAB_USERS, T.TAB_GRADES, TM.ROBOT_TAB]
    regions = set(at.dataframe[0].value["region"]) if at.dataframe else set()
    assert regions <= {REGION}
    at = _tab(at, T.TAB_USERS)
    assert not at.exception
    listed = at.dataframe[0].value
    assert set(listed["username"]) == {"keqiao_admin", "keqiao_reviewer", "keqiao_leader"}
    assert set(listed["scope_name"]) == {REGION}
    # The scope selects offer the region alone (never 全市) and its departments, in Chinese.
    assert _select(at, T.USER_SCOPE_REGION).options == [REGION]
    departments = _select(at, T.USER_SCOPE_DEPARTMENT).options
    assert departments[0] == T.USER_SCOPE_NO_DEPARTMENT
    assert all(f"（{REGION}）" in d for d in departments[1:])
    assert not any(r in d for d in departments for r in OTHER_REGIONS)
    next(t for t in at.text_input if t.label == T.USERNAME).input("kq_new_reviewer")
    _select(at, T.ROLE).set_value("reviewer")
    next(t for t in at.text_input if t.label == T.INITIAL_PASSWORD).input(STRONG_PASSWORD)
    next(b for b in at.button if b.label == T.CREATE_USER).click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert actor("kq_new_reviewer").scope == Scope(region=REGION)
    with read_session() as session:
        assert session.exec(select(User).where(User.username == "kq_new_reviewer")).one()


def test_keqiao_admin_publishes_its_own_region(demo_city: str) -> None:
    st.cache_data.clear()
    at = open_page("keqiao_admin", "pages/publication.py", timeout=90)
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert TR.PUB_REGION_HEADER.format(region=REGION) in headers
    assert TR.PUB_PUBLISH_HEADER not in headers  # the year's publication is the city's
    buttons = [b.label for b in at.button]
    assert TR.PUB_REGION_BUTTON.format(region=REGION) in buttons
