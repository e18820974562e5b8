"""Nothing leaves the server: every request of a full session of each role goes to its host.

Chromium records every request (documents, scripts, styles, fonts, images, map tiles, XHR,
websockets) while each demo account logs in, opens every page of its menu, clicks every tab
there, and logs out. Any http(s)/ws(s) request to another host fails the test.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.helpers import login, wait_app

pytestmark = pytest.mark.e2e

ACCOUNTS = ("branch01", "branch02", "reviewer", "leader", "admin")
NETWORK_SCHEMES = ("http", "https", "ws", "wss")


class Recorder:
    """Every URL the page asked for, including websockets and service-worker fetches."""

    def __init__(self, context, page) -> None:
        self.urls: list[str] = []
        context.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", lambda ws: self.urls.append(ws.url))

    def foreign(self, host: str) -> list[str]:
        return sorted(
            {
                url
                for url in self.urls
                if urlsplit(url).scheme in NETWORK_SCHEMES and urlsplit(url).netloc != host
            }
        )


def _menu_links(page) -> list[str]:
    """The href of every page in the sidebar menu (the menu of this role)."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [href for i in range(links.count()) if (href := links.nth(i).get_attribute("href"))]


def _click_every_tab(page) -> None:
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    for i in range(tabs.count()):
        # A rerun can redraw the tab bar under the click; wait for the app and try again.
        for attempt in range(3):
            wait_app(page)
            try:
                tabs.nth(i).click(timeout=10_000)
                break
            except PlaywrightTimeoutError:
                if attempt == 2:
                    raise
        wait_app(page)


def test_login_page_loads_nothing_from_outside(live_server, browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    recorder = Recorder(context, page)
    page.goto(live_server.url + "/")
    wait_app(page)
    page.get_by_label("用户名").wait_for()
    context.close()
    host = urlsplit(live_server.url).netloc
    assert recorder.urls, "no request was recorded"
    assert recorder.foreign(host) == []


@pytest.mark.timeout(600)
@pytest.mark.parametrize("username", ACCOUNTS)
def test_full_session_loads_nothing_from_outside(
    live_server, browser, shots, username: str
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    recorder = Recorder(context, page)
    login(page, live_server.url, username)
    links = _menu_links(page)
    assert links, f"{username} sees no menu"
    for href in links:
        # Open by address: the wall screen (大屏) hides the sidebar, so its links can't be clicked.
        page.goto(href)
        wait_app(page)
        shots(page, urlsplit(href).path.strip("/").split("/")[-1] or "home")
        _click_every_tab(page)
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名").wait_for(timeout=30_000)
    context.close()

    host = urlsplit(live_server.url).netloc
    assert len(recorder.urls) > len(links), "too few requests recorded to be a real session"
    assert recorder.foreign(host) == [], f"{username}'s session reached outside the server"
    print(f"{username}: {len(links)} pages, {len(recorder.urls)} requests, all to {host}")
