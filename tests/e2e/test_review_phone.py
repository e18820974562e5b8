"""On a phone (390×844): the two review levels. `dept01` opens 初审, opens branch01's
submission and passes it on; `reviewer` finds it in 审核 and approves it. On every screen the
page is no wider than the screen, the queues are lists (their tables hidden), and the controls
(初审通过, 审核通过, 批量审核通过) come into view when scrolled to. At 360×740 the 管理 page's
account and organisation tables are lists too. Screenshots of every step in test-output/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import LiveServer, demo_server
from tests.e2e.helpers import (
    DEMO_PASSWORD,
    branch01_org,
    open_year_status,
    submit_branch01_script,
    wait_app,
)
from tests.e2e.test_phone_layout import (
    PHONE,
    SMALL_PHONE,
    assert_in_view,
    assert_no_horizontal_scroll,
    assert_readable_input,
)

pytestmark = pytest.mark.e2e

PASS_COMMENT = "材料齐全，同意报送复核。"


@pytest.fixture(scope="module")
def review_phone_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str
) -> Iterator[LiveServer]:
    """A demo city of its own in which branch01 has handed in a complete self-assessment."""
    script = submit_branch01_script(first_level=True)
    with demo_server(tmp_path_factory, "review-phone", before_start=script) as server:
        yield server


def _log_in(page, base: str, username: str) -> None:
    page.goto(base + "/")
    wait_app(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector('[data-testid="stSidebar"]', state="attached", timeout=30_000)
    wait_app(page)


def _open(page, base: str, path: str, title: str) -> None:
    page.goto(base + "/" + path)
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=60_000)
    wait_app(page)


def _phone_list_only(page, name: str, text: str) -> None:
    """The queue or table `name` shows as a list holding `text`; its table is hidden."""
    listed = page.locator(f".st-key-wx-phone-{name}")
    listed.get_by_text(text).first.wait_for(timeout=30_000)
    assert page.locator(f".st-key-wx-wide-{name}").is_hidden()
    assert_in_view(page, listed.get_by_text(text).first, f"{name}: {text}")


def test_first_review_and_review_on_a_390_pixel_phone(review_phone_server, browser, shots) -> None:
    base = review_phone_server.url
    db = review_phone_server.env["DATABASE_URL"]
    org_id, code, name = branch01_org(db)
    assert open_year_status(db, org_id)[0] == "first_review"

    dept_ctx = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    dept = dept_ctx.new_page()
    try:
        _log_in(dept, base, "dept01")
        _open(dept, base, "first-review", "初审")
        dept.get_by_text(re.compile("待初审 \\d+ 份")).first.wait_for(timeout=30_000)
        assert_no_horizontal_scroll(dept, "first-review queue")
        _phone_list_only(dept, "first-queue", name)
        shots(dept, "first-review-queue")

        picker = dept.get_by_role("combobox", name="选择要初审的党组织")
        assert_in_view(dept, picker, "选择要初审的党组织")
        picker.click()
        dept.get_by_role("option", name=re.compile(re.escape(f"{name}（{code}）"))).click()
        dept.get_by_role("heading", name=name).wait_for(timeout=30_000)
        wait_app(dept)
        assert_no_horizontal_scroll(dept, "first-review opened")
        # The items of the open star read as a list (code, title, points, note, evidence).
        _phone_list_only(dept, "first-items-learning", "L1.1")
        shots(dept, "first-review-opened")

        comment = dept.get_by_label(re.compile("^初审意见"))
        assert_in_view(dept, comment, "初审意见")
        assert_readable_input(comment, "初审意见")
        comment.fill(PASS_COMMENT)
        comment.press("Tab")
        wait_app(dept)
        passing = dept.get_by_role("button", name="初审通过，报送复核")
        assert_in_view(dept, passing, "初审通过")
        assert_in_view(dept, dept.get_by_role("button", name="退回支部修改"), "退回支部修改")
        shots(dept, "first-review-decision")
        passing.click()
        dept.get_by_text(f"{name} 已初审通过").wait_for(timeout=30_000)
        wait_app(dept)
        assert_no_horizontal_scroll(dept, "first-review passed")
        shots(dept, "first-review-passed")
        assert open_year_status(db, org_id)[0] == "submitted"
    finally:
        dept_ctx.close()

    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        _log_in(page, base, "reviewer")
        _open(page, base, "review", "审核")
        page.get_by_text("两级审核进度").wait_for(timeout=30_000)
        assert_no_horizontal_scroll(page, "review queue")
        listed = page.locator(".st-key-wx-phone-review-queue")
        listed.locator("li").first.wait_for(timeout=30_000)
        assert page.locator(".st-key-wx-wide-review-queue").is_hidden()
        batch = page.get_by_text("批量审核通过").first
        assert_in_view(page, batch, "批量审核通过")
        shots(page, "review-queue")

        search = page.get_by_label("按名称或编码搜索")
        assert_in_view(page, search, "搜索")
        assert_readable_input(search, "搜索")
        search.fill(code)
        search.press("Enter")
        page.get_by_role("heading", name=re.compile(re.escape(f"{name}（{code}）"))).wait_for(
            timeout=30_000
        )
        wait_app(page)
        _phone_list_only(page, "review-queue", name)
        assert_no_horizontal_scroll(page, "review opened")
        shots(page, "review-opened")

        points = page.get_by_label("审核分").first
        assert_in_view(page, points, "审核分")
        assert_readable_input(points, "审核分")
        approve = page.get_by_role("button", name="审核通过", exact=True)
        assert_in_view(page, approve, "审核通过")
        assert_in_view(page, page.get_by_role("button", name="退回修改"), "退回修改")
        assert_no_horizontal_scroll(page, "review decision")
        shots(page, "review-decision")
        approve.click()
        page.get_by_text(f"{name} 已审核通过").wait_for(timeout=30_000)
        wait_app(page)
        assert_no_horizontal_scroll(page, "review approved")
        shots(page, "review-approved")
        assert open_year_status(db, org_id)[0] == "reviewed"
    finally:
        ctx.close()


def test_admin_tables_are_lists_on_a_360_pixel_phone(review_phone_server, browser, shots) -> None:
    base = review_phone_server.url
    ctx = browser.new_context(viewport=SMALL_PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = ctx.new_page()
    try:
        _log_in(page, base, "admin")
        _open(page, base, "admin", "管理")
        assert_no_horizontal_scroll(page, "admin years")
        _phone_list_only(page, "admin-years", "2026")
        shots(page, "admin-years")
        for tab, name, text in (
            ("组织", "admin-orgs", "党支部"),
            ("用户", "admin-users", "branch01"),
            ("工作群机器人", "admin-robots", "柯桥区"),
        ):
            page.get_by_role("tab", name=tab).click()
            wait_app(page)
            _phone_list_only(page, name, text)
            assert_no_horizontal_scroll(page, f"admin {tab}")
            shots(page, f"admin-{name}")
        # Both review pages fit a 360-pixel screen too (an admin may open both).
        _open(page, base, "review", "审核")
        page.locator(".st-key-wx-phone-review-queue li").first.wait_for(timeout=30_000)
        assert_no_horizontal_scroll(page, "review 360")
        assert_in_view(
            page, page.get_by_role("button", name="审核通过", exact=True), "审核通过 360"
        )
        shots(page, "review-360")
        _open(page, base, "first-review", "初审")
        assert_no_horizontal_scroll(page, "first-review 360")
        shots(page, "first-review-360")
    finally:
        ctx.close()
