"""The leader's 实时排名 follows a branch's save without a click (two browser contexts)."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from db.engine import make_engine
from db.models import Organisation, User
from tests.e2e.helpers import login, wait_app

LIVE_WITHIN_MS = 15_000
TABLE = '[data-testid="stDataFrame"] table'


def _branch01_org(database_url: str) -> tuple[str, str, int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            code, name = conn.execute(
                select(Organisation.code, Organisation.name)
                .join(User, User.org_id == Organisation.id)
                .where(User.username == "branch01")
            ).one()
            total = conn.execute(
                select(func.count())
                .select_from(Organisation)
                .where(Organisation.org_type != "department")
            ).scalar_one()
    finally:
        engine.dispose()
    return code, name, int(total)


def _first_row(page) -> str:
    return page.evaluate(
        """(sel) => { const t = document.querySelector(sel);
                      return t && t.rows.length > 1 ? t.rows[1].innerText : ''; }""",
        TABLE,
    )


def test_branch_save_shows_in_leader_ranking(live_server, browser, shots) -> None:
    code, name, total = _branch01_org(live_server.env["DATABASE_URL"])

    leader_ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    leader = leader_ctx.new_page()
    login(leader, live_server.url, "leader")
    leader.goto(live_server.url + "/rankings")
    wait_app(leader)
    leader.get_by_text(f"显示 {total} / {total} 个组织").wait_for(timeout=30_000)
    leader.wait_for_function(
        "(sel) => { const t = document.querySelector(sel); return t && t.rows.length > 10; }",
        arg=TABLE,
        timeout=30_000,
    )
    shots(leader, "leader-rankings-demo-city")

    search = leader.get_by_label("按名称或编码搜索")
    search.fill(code)
    search.press("Enter")
    leader.get_by_text(f"显示 1 / {total} 个组织").wait_for(timeout=30_000)
    leader.wait_for_function(
        "([sel, name]) => { const t = document.querySelector(sel);"
        " return t && t.rows.length === 2 && t.rows[1].innerText.includes(name); }",
        arg=[TABLE, name],
        timeout=30_000,
    )
    before = _first_row(leader)
    shots(leader, "leader-branch01-before")

    branch_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    branch = branch_ctx.new_page()
    login(branch, live_server.url, "branch01")
    branch.goto(live_server.url + "/learning")
    wait_app(branch)
    inputs = branch.locator('input[placeholder="未评分"]')
    inputs.first.wait_for(timeout=30_000)
    empty = next(i for i in range(inputs.count()) if inputs.nth(i).input_value() == "")
    inputs.nth(empty).fill("1.5")
    inputs.nth(empty).press("Tab")
    wait_app(branch)
    branch.get_by_role("button", name="保存").click()
    branch.get_by_text("已保存").first.wait_for(timeout=30_000)
    saved_at = time.monotonic()
    shots(branch, "branch01-saved")

    # No click, no reload on the leader's page: the row must change by itself.
    leader.wait_for_function(
        "([sel, before]) => { const t = document.querySelector(sel);"
        " return t && t.rows.length === 2 && t.rows[1].innerText !== before; }",
        arg=[TABLE, before],
        timeout=LIVE_WITHIN_MS,
    )
    elapsed = time.monotonic() - saved_at
    after = _first_row(leader)
    shots(leader, "leader-branch01-after")
    assert name in after
    assert after != before
    assert elapsed * 1000 <= LIVE_WITHIN_MS
    print(f"leader saw branch01's save after {elapsed:.1f} s")
    branch_ctx.close()
    leader_ctx.close()
