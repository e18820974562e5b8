"""On a phone (390 px) the sidebar, opened over the page, closes after a tap on a menu entry."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import DEMO_PASSWORD, wait_app

pytestmark = pytest.mark.e2e


def test_sidebar_closes_after_a_menu_tap_on_a_phone(live_server, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        page.get_by_label("用户名").fill("leader")
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_selector('[data-testid="stSidebar"]', state="attached", timeout=30_000)
        wait_app(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_attribute("data-collapsed") == "true"
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stSidebar\"]')"
            ".getAttribute('data-collapsed') === 'false'"
        )
        page.locator('[data-testid="stSidebarNavLink"]', has_text="实时排名").click()
        page.wait_for_url("**/rankings")
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stSidebar\"]')"
            ".getAttribute('data-collapsed') === 'true'",
            timeout=10_000,
        )
        wait_app(page)
        assert sidebar.get_attribute("data-collapsed") == "true"
    finally:
        context.close()
