"""In Chromium, the two review levels: `dept01` (the 机关党委 of branch01's department) passes
branch01's submission on with a comment, `reviewer` approves it, and `branch01` sees both steps
on 我的支部. Screenshots of every step."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import LiveServer, demo_server
from tests.e2e.helpers import (
    branch01_org,
    find_in_review,
    login,
    open_year_status,
    submit_branch01_script,
    wait_app,
)

PASS_COMMENT = "材料齐全，同意报送复核。"


@pytest.fixture(scope="module")
def levels_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str
) -> Iterator[LiveServer]:
    """A demo city of its own in which branch01 has handed in a complete self-assessment
    (its region runs the 初审, so it waits for dept01)."""
    script = submit_branch01_script(first_level=True)
    with demo_server(tmp_path_factory, "two-levels", before_start=script) as server:
        yield server


def test_department_passes_on_reviewer_approves_branch_sees_both(
    levels_server, browser, shots
) -> None:
    base = levels_server.url
    db = levels_server.env["DATABASE_URL"]
    org_id, code, name = branch01_org(db)
    assert open_year_status(db, org_id)[0] == "first_review"

    # dept01 opens its 初审 queue, picks branch01 and passes it on with a comment.
    dept_ctx = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN")
    dept = dept_ctx.new_page()
    login(dept, base, "dept01")  # lands on 部门进度, its department's progress
    dept.goto(base + "/first-review")
    wait_app(dept)
    dept.get_by_role("heading", name="初审").first.wait_for(timeout=30_000)
    dept.get_by_text(re.compile("待初审 \\d+ 份")).first.wait_for(timeout=30_000)
    dept.get_by_role("combobox", name="选择要初审的党组织").click()
    dept.get_by_role("option", name=re.compile(re.escape(f"{name}（{code}）"))).click()
    dept.get_by_role("heading", name=name).wait_for(timeout=30_000)
    wait_app(dept)
    shots(dept, "dept01-opens-branch01")
    comment = dept.get_by_label(re.compile("^初审意见"))
    comment.fill(PASS_COMMENT)
    comment.press("Tab")
    wait_app(dept)
    dept.get_by_role("button", name="初审通过，报送复核").click()
    dept.get_by_text(f"{name} 已初审通过").wait_for(timeout=30_000)
    wait_app(dept)
    shots(dept, "dept01-passed-on")
    assert open_year_status(db, org_id)[0] == "submitted"
    dept_ctx.close()

    # The reviewer finds it in the 复核 queue, sees the 初审 step, and approves.
    reviewer_ctx = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN")
    reviewer = reviewer_ctx.new_page()
    login(reviewer, base, "reviewer")
    reviewer.goto(base + "/review")
    wait_app(reviewer)
    reviewer.get_by_text("两级审核进度").wait_for(timeout=30_000)
    shots(reviewer, "reviewer-sees-both-levels")
    find_in_review(reviewer, code, name)
    reviewer.get_by_text("审核记录").first.click()
    reviewer.get_by_text(PASS_COMMENT, exact=False).first.wait_for(timeout=30_000)
    shots(reviewer, "reviewer-sees-first-level")
    reviewer.get_by_role("button", name="审核通过").click()
    reviewer.get_by_text(f"{name} 已审核通过").wait_for(timeout=30_000)
    wait_app(reviewer)
    shots(reviewer, "reviewer-approved")
    assert open_year_status(db, org_id)[0] == "reviewed"
    reviewer_ctx.close()

    # branch01 sees both steps, with who acted, on 我的支部.
    branch_ctx = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="zh-CN")
    branch = branch_ctx.new_page()
    login(branch, base, "branch01")
    branch.get_by_text("审核记录").first.wait_for(timeout=30_000)
    branch.get_by_text(
        re.compile("初审（机关党委） · 初审通过，报送复核 · 机关党委 陈静")
    ).wait_for(timeout=30_000)
    branch.get_by_text(re.compile("复核（机关工委） · 审核通过 · 市直机关工委 审核员")).wait_for(
        timeout=30_000
    )
    branch.get_by_text(PASS_COMMENT, exact=False).first.wait_for(timeout=30_000)
    shots(branch, "branch01-sees-both-steps")
    branch_ctx.close()
