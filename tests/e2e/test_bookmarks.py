"""Every known path answers: the login form (and, after login, the page asked for) or a Chinese
"no access" page, never Streamlit's English "Page not found" dialog."""

from __future__ import annotations

from db.seed import DEMO_PASSWORD
from tests.e2e.helpers import login, wait_app


def test_bookmark_survives_login(live_server, browser, shots) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/learning")
    wait_app(page)
    assert not page.get_by_role("dialog").count()
    page.get_by_text("请先登录，登录后将打开您要访问的页面。").wait_for()
    shots(page, "bookmark-login")
    page.get_by_label("用户名").fill("branch01")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/learning")
    wait_app(page)
    page.get_by_role("heading", name="学习星").first.wait_for()
    assert not page.get_by_role("dialog").count()
    shots(page, "landed-on-learning")
    context.close()


def test_failed_login_keeps_the_bookmark(live_server, browser) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/review")
    wait_app(page)
    page.get_by_label("用户名").fill("reviewer")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/review?login=failed")
    wait_app(page)
    page.get_by_text("用户名或密码不正确").first.wait_for()
    page.get_by_label("用户名").fill("reviewer")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url + "/review")
    wait_app(page)
    page.get_by_role("heading", name="审核").first.wait_for()
    context.close()


def test_page_of_another_role_says_no_access_in_chinese(live_server, browser, shots) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server.url, "branch02")
    page.goto(live_server.url + "/rankings")
    wait_app(page)
    assert not page.get_by_role("dialog").count()
    page.get_by_role("heading", name="无法打开“实时排名”").wait_for()
    assert page.url == live_server.url + "/rankings"
    assert not page.locator('[data-testid="stDataFrame"]').count()
    shots(page, "branch02-rankings-no-access")
    page.get_by_role("link", name="返回我的支部").click()
    page.get_by_role("heading", name="我的支部").first.wait_for()
    context.close()


def test_unknown_address_answers_in_chinese(live_server, browser, shots) -> None:
    """/foo (and /foo/bar) is no page: a Chinese answer, never Streamlit's English dialog."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/foo")
    wait_app(page)
    assert not page.get_by_role("dialog").count()
    page.get_by_text("本系统没有“/foo”这个页面。登录后将进入您的首页。").wait_for()
    assert page.url == live_server.url + "/foo"
    shots(page, "anonymous-unknown")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=30_000)
    wait_app(page)
    page.get_by_role("heading", name="总览").first.wait_for()
    # A nested address goes to its first part (below it the page could not load its code).
    for address, lands, heading in (
        ("/foo", "/foo", "没有这个页面"),
        ("/foo/bar", "/foo", "没有这个页面"),
        ("/learning/x", "/learning", "无法打开“学习星”"),
        ("/rankings/x", "/rankings", "实时排名"),
    ):
        page.goto(live_server.url + address)
        wait_app(page)
        assert not page.get_by_role("dialog").count(), address
        assert page.url == live_server.url + lands
        page.get_by_role("heading", name=heading).first.wait_for()
        assert not page.get_by_text("Page not found").count()
    page.goto(live_server.url + "/foo")
    wait_app(page)
    page.get_by_text("本系统没有“/foo”这个页面").wait_for()
    shots(page, "leader-unknown")
    page.get_by_role("link", name="返回总览").click()
    page.get_by_role("heading", name="总览").first.wait_for()
    context.close()
