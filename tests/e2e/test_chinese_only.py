"""Every page, as every role and as an anonymous visitor, shows no English (tests/e2e/latin.py).

Besides the page as drawn, the table and chart toolbars (shown on hover) and the column menu of
the first table are opened and read too. Screenshots of every page go to test-output/.
"""

from __future__ import annotations

import pytest

from tests.e2e.helpers import login, wait_app
from tests.e2e.latin import latin_texts, page_latin_texts
from ui.navigation import PAGES

ROLES = {
    "branch": "branch01",
    "reviewer": "reviewer",
    "leader": "leader",
    "admin": "admin",
    "department": "dept01",
}
TOOLBAR = '[data-testid="stElementToolbar"]'


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


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r or "anonymous")
def test_no_english_on_any_page(live_server, browser, shots, role) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    if role is None:
        page.goto(live_server.url + "/")
        wait_app(page)
    else:
        login(page, live_server.url, ROLES[role])
    problems: dict[str, set[str]] = {}
    for spec in PAGES:
        page.goto(f"{live_server.url}/{spec.url_path}")
        wait_app(page, timeout=60_000)
        assert not page.get_by_role("dialog").count(), f"a dialog opened on /{spec.url_path}"
        words = page_latin_texts(page) | latin_texts(_hover_toolbars(page))
        shots(page, spec.url_path)
        if words:
            problems[f"/{spec.url_path}"] = words
    context.close()
    assert not problems, f"Latin-script texts shown to {role or 'anonymous'}: {problems}"
