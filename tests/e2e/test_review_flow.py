"""In Chromium: `reviewer` returns branch01's submission with comments, `branch01` sees them,
fixes a point and resubmits, `reviewer` approves. Screenshots of every step.

branch01's region has switched the first level (初审) off for the year here, so every
submission goes straight to the reviewer; test_two_levels.py runs the 初审 as well."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import LiveServer, demo_server
from tests.e2e.helpers import (
    branch01_org,
    login,
    open_in_review,
    open_year_status,
    submit_branch01_script,
    wait_app,
)

RETURN_COMMENT = "学习星第1项佐证不足，请补充第三季度传达学习记录后重新提交。"
LINE_COMMENT = "缺少第三季度传达学习记录"
APPROVE_REASON = "补充记录仅覆盖两个季度，核减0.5分"


@pytest.fixture(scope="module")
def review_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str
) -> Iterator[LiveServer]:
    """A demo city of its own in which branch01 has already submitted a complete
    self-assessment, straight to the reviewer (no 初审 in its region this year)."""
    script = submit_branch01_script(first_level=False)
    with demo_server(tmp_path_factory, "review-flow", before_start=script) as server:
        yield server


def test_return_fix_resubmit_approve(review_server, browser, shots) -> None:
    base = review_server.url
    db = review_server.env["DATABASE_URL"]
    org_id, code, name = branch01_org(db)
    assert open_year_status(db, org_id)[0] == "submitted"

    # The reviewer returns the submission with an overall and a per-criterion comment.
    reviewer_ctx = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN")
    reviewer = reviewer_ctx.new_page()
    login(reviewer, base, "reviewer")
    open_in_review(reviewer, base, code, name)
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
    assert open_year_status(db, org_id) == ("returned", RETURN_COMMENT)

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
    assert open_year_status(db, org_id)[0] == "submitted"

    # The reviewer approves, cutting the fixed item with a reason.
    open_in_review(reviewer, base, code, name)
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
    assert open_year_status(db, org_id)[0] == "reviewed"
    reviewer_ctx.close()
    branch_ctx.close()
