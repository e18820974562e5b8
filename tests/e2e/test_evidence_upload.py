"""In Chromium: branch01 drops four files at once on 学习星's page-wide zone; the bad one is
refused in Chinese, the others are held with the criterion their names carry, one is assigned
from the list, and all three are saved together. Screenshots of each step."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from db.engine import make_engine
from db.models import Assessment, Criterion, Cycle, Evidence, User
from tests.assessment_helpers import PDF, PNG
from tests.e2e.conftest import LiveServer, demo_server
from tests.e2e.helpers import login, wait_app

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    {"name": "L3.1-意识形态工作会议记录.pdf", "mimeType": "application/pdf", "buffer": PDF},
    {"name": "l3.3 谈心谈话记录.pdf", "mimeType": "application/pdf", "buffer": PDF},
    {"name": "主题党日现场照片.png", "mimeType": "image/png", "buffer": PNG},
    {"name": "L3.4-伪装的文件.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"},
]


@pytest.fixture(scope="module")
def evidence_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str
) -> Iterator[LiveServer]:
    with demo_server(tmp_path_factory, "evidence-upload") as server:
        yield server


def _nginx_csp() -> str:
    """The Content-Security-Policy the deployment's proxy sends (deploy/nginx.conf)."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    found = re.search(r'add_header Content-Security-Policy "([^"]+)"', conf)
    assert found is not None
    return found.group(1)


def _with_proxy_csp(context) -> None:
    """Pages get the proxy's CSP header, so the zone is tested as it runs behind nginx."""
    csp = _nginx_csp()

    def fulfil(route) -> None:
        request = route.request
        if request.method != "GET" or request.resource_type != "document":
            route.continue_()  # the login POST and its redirect, uploads: untouched
            return
        response = route.fetch(max_redirects=0)
        headers = {**response.headers, "content-security-policy": csp}
        route.fulfill(response=response, headers=headers)

    context.route(lambda url: "/static/" not in url and "/_stcore/" not in url, fulfil)


def _stored(url: str) -> dict[str, str]:
    """File name → criterion code of branch01's evidence in the open year."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Evidence.filename, Criterion.code)
                .join(Criterion, Criterion.id == Evidence.criterion_id)
                .join(Assessment, Assessment.id == Evidence.assessment_id)
                .join(Cycle, Cycle.id == Assessment.cycle_id)
                .join(User, User.org_id == Assessment.org_id)
                .where(User.username == "branch01", Cycle.status == "open")
            ).all()
    finally:
        engine.dispose()
    return {name: code for name, code in rows}


def test_several_files_at_once_on_a_star_page(
    evidence_server, browser, chromium_path, shots
) -> None:
    base = evidence_server.url
    # A browser of its own: a page whose headers the test rewrites is not "local" to Chromium's
    # Local Network Access check, which would then block the websocket to 127.0.0.1.
    own = browser.browser_type.launch(
        executable_path=chromium_path,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-features=LocalNetworkAccessChecks",
        ],
    )
    context = own.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
    _with_proxy_csp(context)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    login(page, base, "branch01")
    # Loaded afresh (the document after the login redirect does not pass the route).
    page.goto(base + "/learning")
    page.get_by_role("heading", name="学习星", exact=True).wait_for(timeout=30_000)
    wait_app(page)
    zone = page.locator(".wx-drop", has_text="批量上传佐证材料")
    zone.wait_for(timeout=30_000)
    expect(page.locator(".wx-drop")).to_have_count(1 + 9)  # the page's zone, one per criterion
    shots(page, "page-wide-drop-zone")

    # One file dialog, four files, on the page-wide zone.
    zone.locator("input.wx-drop-input").set_input_files(files=FILES)
    page.get_by_text("待保存的佐证材料（3 个）").first.wait_for(timeout=30_000)
    page.get_by_text("内容与扩展名").first.wait_for(timeout=30_000)
    wait_app(page)
    shots(page, "held-with-their-criteria")
    assert "L3.4-伪装的文件.pdf" not in _stored(evidence_server.env["DATABASE_URL"])

    # The photo carries no code: choose its criterion from the list.
    page.get_by_role("combobox", name="对应细则").nth(2).click()
    page.get_by_role("option", name="L3.2").first.click()
    wait_app(page)
    page.get_by_text("← 主题党日现场照片.png").first.wait_for(timeout=30_000)
    shots(page, "assigned-from-the-list")

    page.get_by_role("button", name="保存佐证材料（3 个）").click()
    page.get_by_text("已保存 3 个佐证材料。").first.wait_for(timeout=30_000)
    wait_app(page)
    shots(page, "saved")
    stored = _stored(evidence_server.env["DATABASE_URL"])
    assert stored["L3.1-意识形态工作会议记录.pdf"] == "L3.1"
    assert stored["l3.3 谈心谈话记录.pdf"] == "L3.3"
    assert stored["主题党日现场照片.png"] == "L3.2"
    assert "L3.4-伪装的文件.pdf" not in stored
    assert page.get_by_text("待保存的佐证材料").count() == 0
    page.get_by_text("主题党日现场照片.png").first.scroll_into_view_if_needed()
    shots(page, "listed-under-its-criterion")
    assert blocked == []
    context.close()
    own.close()
