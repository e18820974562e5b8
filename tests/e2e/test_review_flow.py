"""In Chromium: `reviewer` returns branch01's submission with comments, `branch01` sees them,
fixes a point and resubmits, `reviewer` approves. Screenshots of every step.

branch01's region has switched the first level (初审) off for the year here, so every
submission goes straight to the reviewer; test_two_levels.py runs the 初审 as well."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.models import Assessment, Cycle, Organisation, User
from tests.e2e.conftest import LiveServer, demo_server
from tests.e2e.helpers import login, wait_app

RETURN_COMMENT = "学习星第1项佐证不足，请补充第三季度传达学习记录后重新提交。"
LINE_COMMENT = "缺少第三季度传达学习记录"
APPROVE_REASON = "补充记录仅覆盖两个季度，核减0.5分"

SUBMIT_BRANCH01 = """
from db.services import assessment, first_review
from tests.services.test_full_cycle import fill_and_submit
from tests.utils import actor
mine = assessment.my_assessment(actor("branch01"))
first_review.set_first_level(actor("admin"), year=mine.year, region=mine.org_region, enabled=False)
fill_and_submit(actor("branch01"))
"""


@pytest.fixture(scope="module")
def review_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str
) -> Iterator[LiveServer]:
    """A demo city of its own in which branch01 has already submitted a complete self-assessment."""
    with demo_server(tmp_path_factory, "review-flow", before_start=SUBMIT_BRANCH01) as server:
        yield server


def _branch01(url: str) -> tuple[int, str, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            org_id, code, name = conn.execute(
                select(Organisation.id, Organisation.code, Organisation.name)
                .join(User, User.org_id == Organisation.id)
                .where(User.username == "branch01")
            ).one()
    finally:
        engine.dispose()
    return int(org_id), code, name


def _status(url: str, org_id: int) -> tuple[str, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(Assessment.status, Assessment.return_comment)
                .join(Cycle, Cycle.id == Assessment.cycle_id)
                .where(Assessment.org_id == org_id, Cycle.status == "open")
            ).one()
    finally:
        engine.dispose()
    return str(row[0]), str(row[1])


def _open_in_review(page, base: str, code: str, name: str) -> None:
    page.goto(base + "/review")
    wait_app(page)
    search = page.get_by_label("按名称或编码搜索")
    search.wait_for(timeout=30_000)
    search.fill(code)
    search.press("Enter")
    page.get_by_role("heading", name=re.compile(re.escape(f"{name}（{code}）"))).wait_for(
        timeout=30_000
    )
    wait_app(page)


def test_return_fix_resubmit_approve(review_server, browser, shots) -> None:
    base = review_server.url
    db = review_server.env["DATABASE_URL"]
    org_id, code, name = _branch01(db)
    assert _status(db, org_id)[0] == "submitted"

    # The reviewer returns the submission with an overall and a per-criterion comment.
    reviewer_ctx = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN")
    reviewer = reviewer_ctx.new_page()
    login(reviewer, base, "reviewer")
    _open_in_review(reviewer, base, code, name)
    shots(reviewer, "reviewer-opens-branch01")
    comment = reviewer.get_by_label("审核意见", exact=True).first
    comment.fill(LINE_COMMENT)
    comment.press("Tab")
    wait_app(reviewer)
    reviewer.get_by_label(re.compile("^退回意见")).fill(RETURN_COMMENT)
    reviewer.get_by_label(re.compile("^退回意见")).press("Tab")
    wait_app(reviewer)
    reviewer.get_by_role("button", name="退回修改").click()
    reviewer.get_by_text(f"已退回 {name}").wait_for(timeout=30_000)
    wait_app(reviewer)
    shots(reviewer, "reviewer-returned")
    assert _status(db, org_id) == ("returned", RETURN_COMMENT)

    # branch01 sees the comments, fixes a point and resubmits.
    branch_ctx = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN")
    branch = branch_ctx.new_page()
    login(branch, base, "branch01")
    branch.get_by_text(RETURN_COMMENT).first.wait_for(timeout=30_000)
    shots(branch, "branch01-sees-return")
    branch.goto(base + "/learning")
    wait_app(branch)
    branch.get_by_text(LINE_COMMENT).first.wait_for(timeout=30_000)
    points = branch.get_by_label(re.compile("^自评得分")).first
    points.fill("2.5")
    points.press("Tab")
    wait_app(branch)
    shots(branch, "branch01-fixes-learning")
    branch.get_by_role("button", name="保存", exact=True).first.click()
    branch.get_by_text("已保存").first.wait_for(timeout=30_000)
    wait_app(branch)
    branch.goto(base + "/")  # 我的支部 is branch01's default page
    branch.get_by_text("提交自评").wait_for(timeout=30_000)
    wait_app(branch)
    branch.get_by_role("button", name="提交", exact=True).click()
    branch.get_by_role("button", name="确认提交").click()
    branch.get_by_text("已提交，等待机关工委审核。").first.wait_for(timeout=30_000)
    shots(branch, "branch01-resubmitted")
    assert _status(db, org_id)[0] == "submitted"

    # The reviewer approves, cutting the fixed item with a reason.
    _open_in_review(reviewer, base, code, name)
    points = reviewer.get_by_label("审核分", exact=True).first
    points.fill("2")
    points.press("Tab")
    wait_app(reviewer)
    comment = reviewer.get_by_label("审核意见", exact=True).first
    comment.fill(APPROVE_REASON)
    comment.press("Tab")
    wait_app(reviewer)
    shots(reviewer, "reviewer-cuts-with-reason")
    reviewer.get_by_role("button", name="审核通过").click()
    reviewer.get_by_text(f"{name} 已审核通过").wait_for(timeout=30_000)
    wait_app(reviewer)
    shots(reviewer, "reviewer-approved")
    assert _status(db, org_id)[0] == "reviewed"
    reviewer_ctx.close()
    branch_ctx.close()
