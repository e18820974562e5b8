"""AppTest of 审核, 公示, 管理, 审计日志 and 修改密码: each role sees what it may, the main
interactions work, and the page guards hold even when a page script is opened directly."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import read_session, write_session
from db.models import Organisation, User
from db.services import auth, publication, review, reviewing, robots, users
from db.services import objections as O
from tests.services.cycle_helpers import (
    approve_all_submitted,
    assessment,
    assessments_with,
    audit_rows,
    confirm_recommended,
    open_cycle_id,
)
from tests.utils import actor, open_page, phone_list_entries, token_for
from ui.session import TEST_TOKEN_KEY
from ui.star_page import fmt

ROOT = Path(__file__).resolve().parents[2]
MY_PAGES = {
    "pages/review.py": ["reviewer", "admin"],
    "pages/publication.py": ["reviewer", "leader", "admin"],
    "pages/admin.py": ["admin"],
    "pages/audit.py": ["admin"],
    "pages/account.py": ["branch01", "reviewer", "leader", "admin"],
}
CASES = [(page, user) for page, users in MY_PAGES.items() for user in users]


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Each test has its own database; the process-wide page caches must not carry over."""
    st.cache_data.clear()


def _texts(at) -> str:
    parts = [
        e.value
        for e in (
            *at.title,
            *at.subheader,
            *at.caption,
            *at.markdown,
            *at.info,
            *at.success,
            *at.warning,
            *at.error,
            *at.text,
        )
    ]
    return "\n".join(str(p) for p in parts)


def _ok(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize(("page", "username"), CASES, ids=[f"{p[6:-3]}-{u}" for p, u in CASES])
def test_allowed_roles_render(demo_city: str, page: str, username: str) -> None:
    at = open_page(username, page, timeout=90)
    _ok(at)
    assert not at.error, [e.value for e in at.error]
    assert at.title


@pytest.mark.parametrize(
    ("page", "username"),
    [
        ("pages/admin.py", "reviewer"),
        ("pages/audit.py", "leader"),
        ("pages/review.py", "branch01"),
        ("pages/publication.py", "branch01"),
    ],
)
def test_page_scripts_opened_directly_still_refuse(
    demo_city: str, page: str, username: str
) -> None:
    """Hiding the page is not the protection: the page's own service calls refuse and log."""
    before = len(audit_rows("access_denied"))
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    at.session_state[TEST_TOKEN_KEY] = token_for(username)
    at.run()
    _ok(at)
    assert any("权限" in e.value for e in at.error)
    assert len(audit_rows("access_denied")) > before
    assert not at.button or all(
        b.label not in ("审核通过", "发布公示", "新建账号") for b in at.button
    )


# ----------------------------------------------------------------------------- 审核


def _review_page(username: str = "reviewer") -> AppTest:
    at = open_page(username, "pages/review.py", timeout=90)
    _ok(at)
    return at


def _picked(at) -> int:
    return int(at.selectbox(key="review:pick").value)


def _points_key(at, code: str) -> str:
    aid = _picked(at)
    base = at.session_state[f"review:{aid}:base"]
    return f"review:{aid}:{base}:{code}:p"


def test_review_queue_starts_with_pending_submissions(demo_city: str) -> None:
    at = _review_page()
    pending = assessments_with("submitted")
    assert _picked(at) in pending
    assert f"待审核 {len(pending)} 份" in _texts(at)
    assert at.multiselect(key="review:status").value == ["submitted"]
    # The caption says how many the filter shows out of how many there are.
    queue = review.load_queue(actor("reviewer"), 2026)
    assert f"显示 {len(pending)} / {len(queue)} 份" in _texts(at)
    assert [b.label for b in at.button if b.label in ("保存审核意见", "退回修改", "审核通过")] == [
        "保存审核意见",
        "退回修改",
        "审核通过",
    ]


def test_a_changed_point_without_reason_is_refused_on_the_page(demo_city: str) -> None:
    at = _review_page()
    aid = _picked(at)
    view = review.load_review(actor("reviewer"), assessment_id=aid)
    line = next(x for x in view.lines if x.kind == "criterion" and (x.self_points or 0) >= 1)
    at.number_input(key=_points_key(at, line.code)).set_value(float(line.self_points - 1)).run()
    _ok(at)
    # The live result already shows the cut.
    _own, cut = review.preview(view, {line.code: line.self_points - 1})
    shown = {m.label: m.value for m in at.metric}
    assert shown["审核后综合得分"] == fmt(cut.composite)
    at.button(key=f"review:{aid}:approve").click().run()
    _ok(at)
    assert any("理由" in e.value for e in at.error)
    assert assessment(aid).status == "submitted"


def test_approve_with_a_reason_moves_on_to_the_next(demo_city: str) -> None:
    at = _review_page()
    aid = _picked(at)
    view = review.load_review(actor("reviewer"), assessment_id=aid)
    line = next(x for x in view.lines if x.kind == "criterion" and (x.self_points or 0) >= 1)
    at.number_input(key=_points_key(at, line.code)).set_value(float(line.self_points - 1)).run()
    base = at.session_state[f"review:{aid}:base"]
    at.text_input(key=f"review:{aid}:{base}:{line.code}:c").input("记录不全，核减1分").run()
    at.button(key=f"review:{aid}:approve").click().run()
    _ok(at)
    assert assessment(aid).status == "reviewed"
    assert _picked(at) != aid
    assert _picked(at) in assessments_with("submitted")
    assert any("审核通过" in s.value for s in at.success)


def test_return_with_a_comment(demo_city: str) -> None:
    at = _review_page("admin")
    aid = _picked(at)
    at.button(key=f"review:{aid}:return").click().run()
    assert any("退回意见" in e.value for e in at.error)
    at.text_area(key=f"review:{aid}:return-comment").input("请补充签到表").run()
    at.button(key=f"review:{aid}:return").click().run()
    _ok(at)
    row = assessment(aid)
    assert row.status == "returned"
    assert row.return_comment == "请补充签到表"


def test_user_written_text_is_shown_as_text(demo_city: str) -> None:
    """Markdown and HTML typed by users stay text: no link, no image, no tag is rendered."""
    aid = assessments_with("submitted")[0]
    org_id = assessment(aid).org_id
    hostile = (
        "**粗体** <img src=x onerror=alert(1)> ![图](http://evil.example/x.png) "
        "[链接](http://evil.example)"
    )
    with write_session() as session:
        org = session.get(Organisation, org_id)
        assert org is not None
        org.name = "支部" + hostile
        session.add(org)
    reviewing.return_assessment(
        actor("reviewer"), assessment_id=aid, version=assessment(aid).version, comment=hostile
    )
    at = _review_page()
    at.multiselect(key="review:status").set_value(["returned"]).run()
    at.selectbox(key="review:pick").set_value(aid).run()
    _ok(at)
    rendered = [*at.info, *at.subheader, *at.caption, *at.markdown, *at.success, *at.warning]
    assert any("粗体" in e.value and "evil" in e.value for e in at.info)  # shown …
    for element in rendered:  # … but as text: every markdown/HTML character is escaped
        assert "](http" not in element.value
        assert "<img" not in element.value.replace("\\<", "")


# ----------------------------------------------------------------------------- 公示


def test_admin_publishes_and_leader_sees_the_list(demo_city: str) -> None:
    at = open_page("admin", "pages/publication.py", timeout=90)
    _ok(at)
    assert "待审核" in _texts(at) or "尚未审核" in _texts(at)
    publish = next(b for b in at.button if b.label == "发布公示")
    assert publish.disabled  # submissions still wait for review
    cycle_id = open_cycle_id()
    approve_all_submitted(actor("reviewer"), cycle_id)
    info = publication.publication_info(actor("admin"), cycle_id=cycle_id)
    confirm_recommended(actor("leader"), info.year)
    at = open_page("admin", "pages/publication.py", timeout=90)
    at.checkbox[0].check()  # 确认未完成测评的组织不参加评定 (sent with the form)
    next(b for b in at.button if b.label == "发布公示").click().run()
    _ok(at)
    assert any("已发布" in s.value for s in at.success)
    leader = open_page("leader", "pages/publication.py", timeout=90)
    _ok(leader)
    assert "公示中" in _texts(leader)
    assert not [b for b in leader.button if b.label in ("发布公示", "登记", "确认定档")]
    table = leader.dataframe[-1].value
    assert len(table) == len(publication.publication_list(actor("leader"), cycle_id=cycle_id))
    # Objections: the admin records one on the page.
    at = open_page("admin", "pages/publication.py", timeout=90)
    at.text_area[0].input("反映该支部主题党日活动记录不全")
    next(b for b in at.button if b.label == "登记").click().run()
    _ok(at)
    assert len(O.objections(actor("admin"), cycle_id=cycle_id)) == 1


def test_a_final_year_shows_its_list_to_reviewers(demo_city: str) -> None:
    at = open_page("reviewer", "pages/publication.py", timeout=90)
    at.selectbox(key="publication:year").set_value(2025).run()
    _ok(at)
    assert "已定档" in _texts(at)
    assert at.dataframe
    assert len(at.dataframe[-1].value) > 0


# ----------------------------------------------------------------------------- 管理


def _admin_tab(tab: str) -> AppTest:
    """The 管理 page with `tab` chosen (only the open tab runs)."""
    at = open_page("admin", "pages/admin.py", timeout=90)
    at.session_state["admin:tab"] = tab
    return at.run()


def test_admin_tabs_and_creating_an_account(demo_city: str) -> None:
    at = open_page("admin", "pages/admin.py", timeout=90)
    _ok(at)
    assert [t.label for t in at.tabs] == [
        "年度",
        "组织",
        "用户",
        "评价细则",
        "业绩等次",
        "工作群机器人",
    ]
    at = _admin_tab("用户")
    form_inputs = {t.label: t for t in at.text_input if t.key is None or "new-user" in t.key}
    form_inputs["用户名"].input("zhang.san")
    form_inputs["姓名"].input("张三")
    at.text_input(key="admin:new-user-password").input("short")
    next(b for b in at.button if b.label == "新建账号").click().run()
    _ok(at)
    assert "至少" in _texts(at)
    assert "党组织" in _texts(at)  # the default role is 支部书记, which needs an organisation
    at.text_input(key="admin:new-user-password").input("Shaoxing#Zhang-2026")
    next(s for s in at.selectbox if s.label == "角色").set_value("leader")
    next(b for b in at.button if b.label == "新建账号").click().run()
    _ok(at)
    with read_session() as session:
        assert session.exec(select(User).where(User.username == "zhang.san")).first() is not None


def test_generated_password_is_shown_once_and_fills_the_form(demo_city: str) -> None:
    at = _admin_tab("用户")
    next(b for b in at.button if b.key == "admin:gen-new").click().run()
    _ok(at)
    password = at.text_input(key="admin:new-user-password").value
    assert password
    assert not auth.password_problems(password)
    assert any(password in i.value for i in at.info)


def test_disabling_an_account_from_the_page_ends_its_session(demo_city: str) -> None:
    token = token_for("leader")
    at = _admin_tab("用户")
    leader_id = actor("leader").id
    at.selectbox(key="admin:user-pick").set_value(leader_id).run()
    at.button(key=f"admin:disable:{leader_id}").click().run()
    _ok(at)
    assert auth.resolve_session(token) is None


# ----------------------------------------------------------------------------- 审计日志


def test_audit_log_lists_and_filters_events(demo_city: str) -> None:
    token_for("leader")
    at = open_page("admin", "pages/audit.py", timeout=90)
    _ok(at)
    frame = at.dataframe[0].value
    assert "登录" in set(frame["action_name"])
    # Entries read as sentences naming the person, not as event codes and JSON.
    assert "机关党建工作领导小组 登录系统" in set(frame["sentence"])
    assert not any("{" in s or '"' in s for s in frame["sentence"])
    assert "detail" not in frame.columns
    at.multiselect(key="audit:actions").set_value(["login"]).run()
    _ok(at)
    assert set(at.dataframe[0].value["action_name"]) == {"登录"}


def test_audit_log_is_a_list_on_a_phone(demo_city: str) -> None:
    """Each event of the log is also one entry of a list (ui.phone), headed by its time; the
    first 30 are listed (a log holds up to a thousand): four columns scrolled sideways."""
    token_for("leader")
    at = open_page("admin", "pages/audit.py", timeout=90)
    _ok(at)
    frame = at.dataframe[0].value
    entries = phone_list_entries(at, "操作人 ")
    assert len(entries) == min(len(frame), 30)
    first = frame.iloc[0]
    assert entries[0].startswith(f"- **{first['at']}** 操作人 {first['actor_name']} · ")
    assert f"经过 {first['sentence']}" in entries[0]


# ----------------------------------------------------------------------------- 修改密码


def test_account_page_changes_the_password_with_the_current_one(demo_city: str) -> None:
    at = open_page("branch01", "pages/account.py", timeout=90)
    _ok(at)
    # The rule shown is the rule applied (it once said 8 while the check wanted 10).
    assert f"至少 {auth.MIN_PASSWORD_LENGTH} 个字符" in _texts(at)
    fields = at.text_input
    fields[0].input("wrong-current")
    fields[1].input("Branch#New-Pass-2026")
    fields[2].input("Branch#New-Pass-2026")
    at.button[0].click().run()
    assert any("当前密码不正确" in e.value for e in at.error)
    fields = at.text_input
    fields[0].input("demo123456")
    fields[1].input("Branch#New-Pass-2026")
    fields[2].input("Branch#Other-2026")
    at.button[0].click().run()
    assert any("不一致" in e.value for e in at.error)
    fields = at.text_input
    fields[0].input("demo123456")
    fields[1].input("Branch#New-Pass-2026")
    fields[2].input("Branch#New-Pass-2026")
    at.button[0].click().run()
    _ok(at)
    assert any("已修改" in s.value for s in at.success)
    assert auth.login("branch01", "Branch#New-Pass-2026")[0].username == "branch01"


def _rubric_preview() -> None:
    """The 评价细则 tab's preview of an uploaded file (the uploader itself is not drivable)."""
    from db.services import rubrics
    from db.services.cycles import current_cycle
    from tests.utils import actor
    from ui import admin

    cycle = current_cycle(actor("leader"))
    boss = actor("admin")
    text = rubrics.export_rubric(boss, cycle_id=cycle.id)
    text = text.replace("minimum: 24", "minimum: 32", 1)
    text = text.replace("title: 党的政治建设和贯彻落实决策部署", "title: 另一条细则", 1)
    admin._show_change(rubrics.check_rubric(boss, cycle_id=cycle.id, text=text))


def test_rubric_preview_shows_point_changes_and_field_differences(demo_city: str) -> None:
    at = AppTest.from_function(_rubric_preview, default_timeout=60).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "不能替换" in errors
    problems = " ".join(t.value for t in at.text)
    assert "L1.1 的名称或评价标准改变了" in problems
    assert "previous_code: L1.1" in problems
    warnings = " ".join(w.value for w in at.warning)
    assert "个组织的已存得分将按新规则重新计算" in warnings
    assert any(t.value.startswith("L2.3：2.5 分 → ") for t in at.text)
    labels = [e.label for e in at.expander]
    assert any("细则 L1.1 的变化" in label for label in labels)
    tables = [d.value for d in at.dataframe]
    assert any(
        "名称" in t["项目"].tolist() and "另一条细则" in t["上传文件"].tolist()
        for t in tables
        if "项目" in t.columns
    )


def test_account_page_sets_the_own_email(demo_city: str) -> None:
    at = open_page("branch01", "pages/account.py", timeout=90)
    _ok(at)
    assert at.title[0].value == "我的账号"
    field = next(t for t in at.text_input if t.label == "电子邮箱")
    assert field.value == ""
    field.input("王芳的邮箱")
    next(b for b in at.button if b.label == "保存邮箱").click().run()
    _ok(at)
    assert any("电子邮箱“王芳的邮箱”格式不正确" in e.value for e in at.error)
    assert users.own_email(actor("branch01")) == ""
    next(t for t in at.text_input if t.label == "电子邮箱").input("wangfang@sx.gov.cn")
    next(b for b in at.button if b.label == "保存邮箱").click().run()
    _ok(at)
    assert any("提醒邮箱已保存" in s.value for s in at.success)
    assert users.own_email(actor("branch01")) == "wangfang@sx.gov.cn"
    at = open_page("branch01", "pages/account.py", timeout=90)
    assert next(t for t in at.text_input if t.label == "电子邮箱").value == "wangfang@sx.gov.cn"


def test_admin_edits_an_accounts_email(demo_city: str) -> None:
    at = _admin_tab("用户")
    own = actor("branch01")
    at.selectbox(key="admin:user-pick").set_value(own.id).run()
    email = [t for t in at.text_input if t.label == "电子邮箱（接收提醒，可留空）"][-1]
    email.input("不是邮箱")
    next(b for b in at.button if b.label == "保存修改").click().run()
    _ok(at)
    assert "格式不正确" in _texts(at)
    email = [t for t in at.text_input if t.label == "电子邮箱（接收提醒，可留空）"][-1]
    email.input("branch01@sx.gov.cn")
    next(b for b in at.button if b.label == "保存修改").click().run()
    _ok(at)
    assert not at.error, [e.value for e in at.error]
    assert users.own_email(own) == "branch01@sx.gov.cn"
    assert "branch01@sx.gov.cn" in set(at.dataframe[0].value["email"])


def test_a_region_admin_sets_its_regions_robot(demo_city: str) -> None:
    at = open_page("keqiao_admin", "pages/admin.py", timeout=90)
    at.session_state["admin:tab"] = "工作群机器人"
    at.run()
    _ok(at)
    assert "未设置，发到全市默认机器人" in set(at.dataframe[0].value["state"])
    assert not [s for s in at.selectbox if s.key == "admin:robot-region"]  # its region alone
    field = next(t for t in at.text_input if t.label == "柯桥区工作群机器人地址")
    field.input("钉钉群")
    next(b for b in at.button if b.label == "保存").click().run()
    _ok(at)
    assert "机器人地址格式不正确" in _texts(at)
    url = "https://oapi.dingtalk.com/robot/send?access_token=kq"
    next(t for t in at.text_input if t.label == "柯桥区工作群机器人地址").input(url)
    next(b for b in at.button if b.label == "保存").click().run()
    _ok(at)
    assert any("柯桥区的工作群机器人已保存" in s.value for s in at.success)
    assert robots.robot_settings(actor("keqiao_admin")).rows[0].url == url
    assert "已设置（oapi.dingtalk.com/robot/send）" in set(at.dataframe[0].value["state"])
    # The city's admin chooses among every region.
    city = open_page("admin", "pages/admin.py", timeout=90)
    city.session_state["admin:tab"] = "工作群机器人"
    city.run()
    _ok(city)
    assert len(city.selectbox(key="admin:robot-region").options) == 7
