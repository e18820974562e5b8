"""Every page, as every demo account and as an anonymous visitor: no English shown, and nothing
loaded from outside the server. One walk per account checks both.

No English (tests/e2e/latin.py): besides the page as drawn, the table and chart toolbars (shown
on hover) are read too. Screenshots of every page go to test-output/.

Nothing leaves the server: Chromium records every request (documents, scripts, styles, fonts,
images, map tiles, XHR, websockets) while the account logs in, opens every page (its own menu's
and the others, which answer "no access"), clicks every tab of its menu's pages, and logs out.
Any http(s)/ws(s) request to another host fails the test.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.helpers import login, wait_app
from tests.e2e.latin import latin_texts, page_latin_texts
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e

# None: an anonymous visitor. branch02 is a second branch (another organisation's data).
ACCOUNTS = (None, "branch01", "branch02", "reviewer", "leader", "admin", "dept01")
NETWORK_SCHEMES = ("http", "https", "ws", "wss")
TOOLBAR = '[data-testid="stElementToolbar"]'


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


def _menu_paths(page) -> list[str]:
    """The path of every page in the sidebar menu (the menu of this account)."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    return [urlsplit(href).path.strip("/") for href in hrefs if href]


def _hover_toolbars(page) -> list[str]:
    """Hover the first table and chart; read the labels of the toolbar that appears.

    A toolbar button's tooltip is its aria-label (Streamlit draws both from one label).
    """
    seen: list[str] = []
    for selector in ('[data-testid="stDataFrame"]', '[data-testid="stVegaLiteChart"]'):
        target = page.locator(selector).first
        if not target.count() or not target.is_visible():
            continue  # none, or in a tab that is not open
        target.scroll_into_view_if_needed()
        target.hover(timeout=10_000)
        page.wait_for_timeout(300)
        seen += page.evaluate(
            """(sel) => [...document.querySelectorAll(sel)]
                 .filter((b) => b.checkVisibility())
                 .map((b) => b.getAttribute("aria-label") || b.innerText)""",
            f"{TOOLBAR} button",
        )
    return seen


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


@pytest.mark.timeout(600)
@pytest.mark.parametrize("username", ACCOUNTS, ids=lambda u: u or "anonymous")
def test_every_page_is_chinese_and_loads_nothing_from_outside(
    live_server, browser, shots, username: str | None
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    recorder = Recorder(context, page)
    if username is None:
        page.goto(live_server.url + "/")
        wait_app(page)
        page.get_by_label("用户名").wait_for()
        menu: list[str] = []
    else:
        login(page, live_server.url, username)
        menu = _menu_paths(page)
        assert menu, f"{username} sees no menu"
        paths = {spec.url_path for spec in PAGES}
        assert set(menu) <= paths, f"menu entries outside the page table: {set(menu) - paths}"
    english: dict[str, set[str]] = {}
    for spec in PAGES:
        # Open by address: the wall screen (大屏) hides the sidebar, so its links can't be clicked.
        page.goto(f"{live_server.url}/{spec.url_path}")
        wait_app(page, timeout=60_000)
        assert not page.get_by_role("dialog").count(), f"a dialog opened on /{spec.url_path}"
        words = page_latin_texts(page) | latin_texts(_hover_toolbars(page))
        shots(page, spec.url_path)
        if words:
            english[f"/{spec.url_path}"] = words
        if spec.url_path in menu:
            _click_every_tab(page)
    if username is not None:
        page.get_by_role("button", name="退出登录").click()
        page.get_by_label("用户名").wait_for(timeout=30_000)
    context.close()

    who = username or "anonymous"
    assert not english, f"Latin-script texts shown to {who}: {english}"
    host = urlsplit(live_server.url).netloc
    assert len(recorder.urls) > len(PAGES), "too few requests recorded to be a real session"
    assert recorder.foreign(host) == [], f"{who}'s session reached outside the server"
    print(f"{who}: {len(PAGES)} pages ({len(menu)} in the menu), {len(recorder.urls)} requests")
