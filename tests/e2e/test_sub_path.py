"""A sub-path install (BASE_URL_PATH=wuxing): log in and open a page under /wuxing/, no proxy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import demo_server
from tests.e2e.helpers import login, wait_app

BASE = "wuxing"


@pytest.fixture(scope="module")
def sub_path_server(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator:
    env = {"BASE_URL_PATH": BASE, "STREAMLIT_SERVER_BASE_URL_PATH": BASE}
    with demo_server(tmp_path_factory, "subpath", **env) as server:
        yield server


def test_login_and_pages_work_under_the_sub_path(sub_path_server, browser, shots) -> None:
    root = f"{sub_path_server.url}/{BASE}"
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    login(page, root, "leader")
    assert page.url.startswith(root + "/")
    page.goto(root + "/rankings")
    wait_app(page)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=30_000)
    shots(page, "rankings-under-sub-path")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名").wait_for(timeout=30_000)
    assert page.url.startswith(root)
    context.close()
