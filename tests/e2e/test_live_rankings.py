"""The leader's 实时排名 follows a branch's save without a click (two browser contexts)."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from db.engine import make_engine
from db.models import Organisation, User
from tests.e2e.helpers import DEMO_PASSWORD, change_a_score, login, wait_app

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
    change_a_score(branch)
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


# Every chosen value of the filters, and whether its chip shows the whole text (no "越 ×").
CHIPS_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMultiSelect"] [data-tag]')].map(tag => {
  const parts = [tag, ...tag.querySelectorAll('*')];
  return {text: tag.innerText.trim(),
          whole: parts.every(el => el.scrollWidth <= el.clientWidth + 1),
          width: Math.round(tag.getBoundingClientRect().width)};
})"""
FILTER_LABELS = ["地区", "所属部门", "按名称或编码搜索", "组织类型", "等级", "状态"]


def _pick(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first
    box.locator("input").click()
    box.locator("input").fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_app(page)


def _shown(page) -> str:
    return page.evaluate(
        """() => { for (const el of document.querySelectorAll(
              '[data-testid="stCaptionContainer"]')) {
              if (el.innerText.startsWith('显示 ')) return el.innerText; } return ''; }"""
    )


def test_rankings_filters_are_drawn_with_the_page_and_readable_on_a_desk(
    live_server, browser, shots
) -> None:
    _code, _name, total = _branch01_org(live_server.env["DATABASE_URL"])
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    login(page, live_server.url, "leader")
    page.goto(live_server.url + "/rankings")
    # The moment the table shows its rows, the filters are there and live (not stale grey).
    page.wait_for_function(
        "(sel) => { const t = document.querySelector(sel); return t && t.rows.length > 10; }",
        arg=TABLE,
        timeout=30_000,
    )
    labels = page.locator('[data-testid="stMain"] [data-testid="stWidgetLabel"]').all_inner_texts()
    assert set(FILTER_LABELS) <= {t.strip() for t in labels}, labels
    wait_app(page)
    # Every column of the table in sight at 1,400 px: the grid does not scroll sideways.
    overflow = page.evaluate(
        """() => { const s = document.querySelector('[data-testid="stDataFrame"] .dvn-scroller');
                   return s ? s.scrollWidth - s.clientWidth : null; }"""
    )
    assert overflow is not None
    assert overflow <= 1, f"the ranking table scrolls sideways by {overflow} px"
    stale = page.locator('[data-testid="stMain"] [data-stale="true"]').count()
    assert stale == 0, f"{stale} elements still drawn as stale after the run"
    shots(page, "rankings-1400")

    _pick(page, "地区", "越城区")
    _pick(page, "等级", "五星级")
    _pick(page, "状态", "已提交")
    page.wait_for_function(
        "(total) => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
        ".some(el => el.innerText.startsWith('显示 ') && !el.innerText.startsWith("
        "'显示 ' + total + ' /'))",
        arg=total,
        timeout=30_000,
    )
    page.mouse.move(0, 0)  # no tooltip over the filters in the picture
    chips = page.evaluate(CHIPS_JS)
    shots(page, "rankings-1400-filtered")
    assert [c["text"] for c in chips] == ["越城区", "五星级", "已提交"], chips
    assert all(c["whole"] for c in chips), chips
    assert all(c["width"] >= 40 for c in chips), chips  # no sliver of a chip
    ctx.close()


def test_rankings_are_a_list_on_a_phone(live_server, browser, shots) -> None:
    from tests.e2e.test_phone_layout import PHONE, assert_no_horizontal_scroll

    _code, _name, total = _branch01_org(live_server.env["DATABASE_URL"])
    ctx = browser.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = ctx.new_page()
    # On a phone the menu starts folded: wait for the app, not for a visible sidebar.
    page.goto(live_server.url + "/")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector('[data-testid="stSidebar"]', state="attached", timeout=30_000)
    wait_app(page)
    page.goto(live_server.url + "/rankings")
    wait_app(page)
    phone_list = page.locator(".st-key-wx-phone-rankings li")
    phone_list.first.wait_for(timeout=30_000)
    assert page.locator(".st-key-wx-wide-rankings").is_hidden()
    assert phone_list.count() == min(30, total)
    first = phone_list.first.inner_text()
    for part in ("全市排名 1", "综合得分", "等级"):
        assert part in first, first
    assert_no_horizontal_scroll(page, "rankings on a phone")
    shots(page, "rankings-390")

    _pick(page, "地区", "柯桥区")
    page.wait_for_function(
        "(total) => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
        ".some(el => el.innerText.startsWith('显示 ') && !el.innerText.startsWith("
        "'显示 ' + total + ' /'))",
        arg=total,
        timeout=30_000,
    )
    shown = int(_shown(page).split()[1])
    assert 0 < shown < total
    # The caption is drawn before the list: wait for the list of the filtered rows.
    page.wait_for_function(
        "(n) => document.querySelectorAll('.st-key-wx-phone-rankings li').length === n",
        arg=min(30, shown),
        timeout=30_000,
    )
    assert phone_list.count() == min(30, shown)
    assert_no_horizontal_scroll(page, "rankings on a phone, filtered")
    shots(page, "rankings-390-filtered")
    ctx.close()
