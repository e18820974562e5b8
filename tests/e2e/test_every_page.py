"""Every page, as every role and as an anonymous visitor: no English shown, and nothing loaded
from outside the server. One walk per account checks both.

The walk: an anonymous visitor opens every page's address (each answers the login page); each
role's account opens every page of its menu from the menu and every tab there (read too: a
tab's content is drawn only while it is open), and one page outside its menu by its address
(the "no access" screen, the same for every page it may not open: which role may open which
page is checked for every pair, without a browser, in tests/pages/test_access_matrix.py).

No English (tests/e2e/latin.py): besides the page as drawn, the table and chart toolbars (shown
on hover, the same on every table and chart) are read on the first page that has one.
Screenshots of every page go to test-output/.

Nothing leaves the server: Chromium records every request (documents, scripts, styles, fonts,
images, map tiles, XHR, websockets) from login to logout. Any http(s)/ws(s) request to another
host fails the test.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.helpers import login, wait_app
from tests.e2e.latin import latin_texts, page_latin_texts
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e

# None: an anonymous visitor; one account per role.
ACCOUNTS = (None, "branch01", "reviewer", "leader", "admin", "dept01")
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


TOOLBAR_OWNERS = ('[data-testid="stDataFrame"]', '[data-testid="stVegaLiteChart"]')


def _hover_toolbars(page, owners: set[str]) -> list[str]:
    """Hover the first table or chart of each kind in `owners`; read the labels of the toolbar
    that appears, and drop that kind from `owners` (its toolbar has been read).

    A toolbar button's tooltip is its aria-label (Streamlit draws both from one label).
    """
    seen: list[str] = []
    for selector in sorted(owners):
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
        owners.discard(selector)
    return seen


HEADING = '[data-testid="stMain"] h1'


def _open(page, base_url: str, path: str, *, by_menu: bool) -> None:
    """Open a page by its menu entry, as its user does (the app is not loaded again), or by its
    address: when asked, and where there is no entry to click (大屏 hides the menu)."""
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first
    if by_menu and link.count() and link.is_visible():
        before = page.locator(HEADING).first.inner_text()
        link.click()
        page.wait_for_url(f"**/{path}")
        # The old page stays drawn until the new one replaces it: wait for the new title.
        page.wait_for_function(
            "([sel, before]) => { const h = document.querySelector(sel);"
            " return !!h && h.innerText !== before; }",
            arg=[HEADING, before],
            timeout=60_000,
        )
    else:
        page.goto(f"{base_url}/{path}")
    wait_app(page, timeout=60_000)


def _latin_in_every_tab(page) -> set[str]:
    """Open every tab of the page in turn; the Latin-script texts each shows (a tab's content
    is drawn only while it is open)."""
    words: set[str] = set()
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
        words |= page_latin_texts(page)
    return words


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
    toolbars_to_read = set(TOOLBAR_OWNERS)
    refused = [spec.url_path for spec in PAGES if spec.url_path not in menu]
    # The menu's pages by their entries (the first by address: login has just drawn it), the
    # rest by address.
    for i, path in enumerate((menu + refused[:1]) if username else refused):
        _open(page, live_server.url, path, by_menu=0 < i < len(menu))
        assert not page.get_by_role("dialog").count(), f"a dialog opened on /{path}"
        words = page_latin_texts(page) | latin_texts(_hover_toolbars(page, toolbars_to_read))
        shots(page, path)
        if path in menu:
            words |= _latin_in_every_tab(page)
        if words:
            english[f"/{path}"] = words
    if username is not None:
        page.get_by_role("button", name="退出登录").click()
        page.get_by_label("用户名").wait_for(timeout=30_000)
    context.close()

    who = username or "anonymous"
    assert not english, f"Latin-script texts shown to {who}: {english}"
    host = urlsplit(live_server.url).netloc
    assert len(recorder.urls) > len(PAGES), "too few requests recorded to be a real session"
    assert recorder.foreign(host) == [], f"{who}'s session reached outside the server"
    if username == "leader":  # the leader's pages have both: the toolbars were read
        assert not toolbars_to_read, f"no toolbar read on the leader's pages: {toolbars_to_read}"
    print(f"{who}: {len(menu)} pages of the menu, {len(recorder.urls)} requests")
