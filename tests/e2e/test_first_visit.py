"""The first visitor after a (re)start sees the login page, never a menu of page file names."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import demo_server

FILE_NAMES = ("admin", "learning", "review", "audit", "login")
WATCH_SECONDS = 4.0


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator:
    with demo_server(tmp_path_factory, "first_visit") as server:
        yield server


def test_first_page_load_after_start_shows_no_file_name_menu(fresh_server, browser, shots) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(fresh_server.url + "/", wait_until="commit")
    menus: set[str] = set()
    deadline = time.monotonic() + WATCH_SECONDS
    while time.monotonic() < deadline:
        menu = page.evaluate(
            "() => { const nav = document.querySelector('[data-testid=stSidebarNav]');"
            " return nav ? nav.innerText : ''; }"
        )
        if menu:
            menus.add(menu)
        time.sleep(0.03)
    page.get_by_label("用户名").wait_for(timeout=30_000)
    shots(page, "first-visit-login")
    shown = [name for menu in menus for name in FILE_NAMES if name in menu.split()]
    assert not shown, f"a menu of page files was shown before the login page: {menus}"
    context.close()
