"""Steps shared by the browser tests."""

from __future__ import annotations

from db.seed import DEMO_PASSWORD


def wait_app(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished a run (no running indicator, app view present).

    The app shell exists before the websocket connects; only a connected app whose script
    state is "notRunning" has drawn the page (the attributes Streamlit's own tests wait on).
    """
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]',
        timeout=timeout,
    )
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=timeout,
    )


def login(page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form (labels 用户名 / 密码, button 登录)."""
    page.goto(base_url + "/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()  # not 统一身份认证登录
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=30_000)
    wait_app(page)
