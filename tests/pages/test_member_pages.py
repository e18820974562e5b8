"""AppTest of 党员名册 and 先锋指数: a branch keeps its roster and enters its members' index,
a reviewer reads them, an admin opens a round and has the roster import."""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import read_session
from db.models import PartyMember, VanguardRound
from db.services import members, vanguard_scores
from tests.utils import actor, open_page, phone_list_entries

ROSTER = "pages/members.py"
VANGUARD = "pages/vanguard_index.py"


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    st.cache_data.clear()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_a_branch_adds_a_member_on_its_roster(demo_city: str) -> None:
    at = open_page("branch01", ROSTER, timeout=90)
    assert not at.exception
    assert "不记录身份证号、手机号" in _texts(at)
    before = len(members.list_members(actor("branch01"), org_id=actor("branch01").org_id or 0))
    assert at.dataframe[0].value.shape[0] == before
    at.text_input[0].input("新党员甲")
    at.date_input[0].set_value(date(2020, 7, 1))
    submit = next(b for b in at.button if b.label == "保存")
    submit.click().run()
    assert not at.exception
    assert "已保存 新党员甲" in "\n".join(str(s.value) for s in at.success)
    names = [
        m.name
        for m in members.list_members(actor("branch01"), org_id=actor("branch01").org_id or 0)
    ]
    assert "新党员甲" in names
    assert len(names) == before + 1
    assert not any("批量导入" in str(h.value) for h in at.subheader)  # admins only


def test_a_bad_member_is_refused_in_chinese(demo_city: str) -> None:
    at = open_page("branch01", ROSTER, timeout=90)
    submit = next(b for b in at.button if b.label == "保存")
    submit.click().run()  # no name, no date
    assert not at.exception
    errors = _texts(at)
    assert "姓名不能为空" in errors
    assert "入党日期不能为空" in errors


def test_a_reviewer_reads_a_roster_and_cannot_edit(demo_city: str) -> None:
    at = open_page("reviewer", ROSTER, timeout=90)
    assert not at.exception
    assert at.selectbox(key="members:org") is not None
    assert not any(b.label == "保存" for b in at.button)
    assert at.dataframe[0].value.shape[0] > 0


@pytest.mark.parametrize("who", ["admin", "branch01"])
def test_the_roster_s_keepers_have_its_excel_and_the_import(demo_city: str, who: str) -> None:
    """An admin (many organisations at once) and a branch (its own): the roster as Excel in
    the import layout, and the import; a reviewer reads the roster only."""
    at = open_page(who, ROSTER, timeout=90)
    assert not at.exception
    assert any("用 Excel 维护名册" in str(h.value) for h in at.subheader)
    labels = [d.proto.label for d in at.get("download_button")]
    assert "下载本组织名册（Excel）" in labels
    assert "下载 Excel 模板" in labels
    reader = open_page("reviewer", ROSTER, timeout=90)
    assert not any("用 Excel" in str(h.value) for h in reader.subheader)


def test_the_roster_is_a_list_on_a_phone(demo_city: str) -> None:
    """Each member of the roster is also one entry of a list, headed by the name."""
    at = open_page("branch01", ROSTER, timeout=90)
    table = next(d.value for d in at.dataframe if "入党日期" in d.value.columns)
    entries = phone_list_entries(at, "入党日期 ")
    assert len(entries) == len(table)
    first = table.iloc[0]
    assert entries[0].startswith(f"- **{first['姓名']}** 在职或离退休 {first['在职或离退休']} · ")
    assert f"入党日期 {first['入党日期']}" in entries[0]


def _open_round(year: int) -> VanguardRound:
    with read_session() as session:
        return session.exec(
            select(VanguardRound).where(VanguardRound.year == year, VanguardRound.status == "open")
        ).one()


def test_a_branch_enters_a_members_index(demo_city: str) -> None:
    round_ = _open_round(2026)
    at = open_page("branch01", VANGUARD, timeout=90)
    assert not at.exception
    assert "应评" in _texts(at)
    at.selectbox(key="vanguard:round").set_value(round_.id).run()
    branch = actor("branch01")
    view = vanguard_scores.round_view(branch, round_id=round_.id or 0, org_id=branch.org_id or 0)
    who = view.sheets[0]
    at.selectbox(key=f"vanguard:who:{round_.id}").set_value(who.member_id).run()
    prefix = f"vanguard:{round_.id}:{who.member_id}:{who.version}"
    # One heading per item with its kind and limit; a pair of figures, or the 支部考评 alone
    # beside a note where the rules take no declaration.
    texts = _texts(at)
    for item in view.rules.items:
        assert f"**{item.code} {item.title}**" in texts or item.kind == "zero"
        declared = [n for n in at.number_input if n.key == f"{prefix}:{item.code}:d"]
        assert len(declared) == (1 if item.declare and item.kind != "zero" else 0)
    assert "基础分，满分 20" in texts
    assert ("本项不设个人申报" in texts) == any(
        not i.declare and i.kind != "zero" for i in view.rules.items
    )
    for item in view.rules.items:
        if item.kind == "base":
            at.number_input(key=f"{prefix}:{item.code}:a").set_value(18.5)
    next(b for b in at.button if b.label == "保存考评").click().run()
    assert not at.exception
    after = vanguard_scores.round_view(branch, round_id=round_.id or 0, org_id=branch.org_id or 0)
    sheet = next(s for s in after.sheets if s.member_id == who.member_id)
    assert sheet.complete
    assert sheet.score is not None
    assert sheet.score.base == 74


def test_the_index_is_a_list_on_a_phone(demo_city: str) -> None:
    """Each member of the round's results is also one entry of a list, the index as the table
    writes it: nine columns scrolled sideways on a phone."""
    at = open_page("branch01", VANGUARD, timeout=90)
    at.selectbox(key="vanguard:round").set_value(_open_round(2026).id).run()
    table = next(d.value for d in at.dataframe if "先锋指数" in d.value.columns)
    entries = phone_list_entries(at, "状态 ")
    assert len(entries) == len(table) > 0
    assert entries[0].startswith(f"- **{table.iloc[0]['姓名']}** ")
    scored = [i for i, total in enumerate(table["先锋指数"]) if total]
    assert scored, "the demo's round has members with an index"
    assert f"先锋指数 {table['先锋指数'].iloc[scored[0]]}" in entries[scored[0]]


def test_a_reviewer_reads_the_index_but_enters_nothing(demo_city: str) -> None:
    at = open_page("reviewer", VANGUARD, timeout=90)
    assert not at.exception
    assert not any(b.label == "保存考评" for b in at.button)
    assert not any(e.label == "开启或结束评价（管理员）" for e in at.expander)


def test_an_admin_opens_a_round(demo_city: str) -> None:
    at = open_page("admin", VANGUARD, timeout=90)
    assert not at.exception
    at.number_input[0].set_value(2024)
    next(b for b in at.button if b.label == "开启评价").click().run()
    assert not at.exception
    with read_session() as session:
        assert session.exec(select(VanguardRound).where(VanguardRound.year == 2024)).one()
    assert any("已开启" in str(s.value) for s in at.success)


def test_no_member_name_reaches_a_public_list() -> None:
    """Members and their index live on two pages that need VIEW_MEMBERS, never on a results
    page: no page outside them reads the roster or the sheets."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readers = {
        str(p.relative_to(root))
        for folder in ("pages", "ui")
        for p in (root / folder).glob("*.py")
        if "vanguard_scores" in p.read_text(encoding="utf-8")
        or "list_members" in p.read_text(encoding="utf-8")
        or "export_roster" in p.read_text(encoding="utf-8")
    }
    assert readers == {"pages/members.py", "pages/vanguard_index.py", "ui/members.py"}
    assert PartyMember.__tablename__ == "party_member"
