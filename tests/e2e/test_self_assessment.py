"""In Chromium: branch01 scores 学习星, saves, reloads, sees the star light, uploads evidence and
submits on 我的支部; /admin and /review do not exist for a branch user. Screenshots of each step."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from db.engine import make_engine
from db.models import Assessment, Cycle, User
from tests.assessment_helpers import PDF
from tests.e2e.conftest import LiveServer, demo_server
from tests.e2e.helpers import login, wait_app

# Everything complete and full except 学习星: L1.1 and L2.1 at 0 (15 of 20, below the 17 line)
# and no evidence yet on L3.4, so the browser has a star to light and a file to upload.
PREPARE_BRANCH01 = """
from db.services import assessment as A, evidence as E
from db.services import editing
from tests.assessment_helpers import fill_all
from tests.utils import actor
branch = actor("branch01")
view = fill_all(branch)
editing.save_star_page(branch, assessment_id=view.id, version=view.version, star="learning",
                 entries={"L1.1": {"points": "0"}, "L2.1": {"points": "0"}})
for f in view.entries["L3.4"].evidence:
    E.delete_evidence(branch, evidence_id=f.id)
"""


@pytest.fixture(scope="module")
def branch_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str
) -> Iterator[LiveServer]:
    """A demo city of its own (the shared server's branch01 is left alone)."""
    with demo_server(tmp_path_factory, "self-assessment", before_start=PREPARE_BRANCH01) as server:
        yield server


def _status(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return str(
                conn.execute(
                    select(Assessment.status)
                    .join(Cycle, Cycle.id == Assessment.cycle_id)
                    .join(User, User.org_id == Assessment.org_id)
                    .where(User.username == "branch01", Cycle.status == "open")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _bar(page) -> str:
    return page.locator('[data-testid="stBottom"]').inner_text()


def _wait_bar(page, text: str) -> None:
    page.locator('[data-testid="stBottom"]').get_by_text(text).first.wait_for(timeout=30_000)


def test_branch01_self_assessment_in_the_browser(branch_server, browser, shots) -> None:
    base = branch_server.url
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
    page = context.new_page()

    login(page, base, "branch01")
    page.get_by_role("heading", name="我的支部", exact=True).wait_for(timeout=30_000)
    shots(page, "overview-after-login")

    page.get_by_role("link", name="学习星").first.click()
    page.get_by_role("heading", name="学习星", exact=True).wait_for(timeout=30_000)
    wait_app(page)
    _wait_bar(page, "学习星 15 / 20")
    assert "未点亮" in _bar(page)
    shots(page, "learning-below-the-line")

    # Keyboard entry: type the points, Tab on. The star lights before anything is saved.
    points = page.get_by_label("自评得分（0–3）", exact=True).first
    points.fill("3")
    points.press("Tab")
    _wait_bar(page, "学习星 18 / 20")
    bar = _bar(page)
    assert "已点亮" in bar
    assert "有未保存的修改" in bar
    shots(page, "star-lights-while-typing")

    page.locator('[data-testid="stBottom"]').get_by_role("button", name="保存").click()
    _wait_bar(page, "本页填写已全部保存")
    wait_app(page)
    shots(page, "saved")

    page.reload()
    page.get_by_role("heading", name="学习星", exact=True).wait_for(timeout=30_000)
    wait_app(page)
    _wait_bar(page, "学习星 18 / 20")
    assert page.get_by_label("自评得分（0–3）", exact=True).first.input_value() == "3.0"
    assert "已点亮" in _bar(page)
    shots(page, "value-kept-after-reload")

    # Evidence for the last criterion (L3.4), through its own drop zone.
    page.locator("input.wx-drop-input").last.set_input_files(
        files=[{"name": "L3.4-关怀帮扶台账.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    uploaded = page.get_by_text("L3.4-关怀帮扶台账.pdf").first
    uploaded.wait_for(timeout=30_000)
    page.get_by_text("已传佐证 9 / 9 项").first.wait_for(timeout=30_000)
    wait_app(page)
    uploaded.scroll_into_view_if_needed()
    shots(page, "evidence-uploaded")

    # The download links go to the session-checked route, never to Streamlit's /media/.
    hrefs = page.locator('a[href*="/evidence/"]').evaluate_all("els => els.map(e => e.href)")
    assert hrefs
    assert not page.locator('a[href*="/media/"]').count()
    fetched = page.request.get(hrefs[-1])  # the browser's own cookie
    assert fetched.status == 200
    assert fetched.headers["content-disposition"].startswith("attachment")
    assert fetched.headers["x-content-type-options"] == "nosniff"
    with pytest.raises(urllib.error.HTTPError) as refused:  # the same link without the cookie
        urllib.request.urlopen(hrefs[-1], timeout=10)
    assert refused.value.code == 403

    page.get_by_role("link", name="我的支部").first.click()
    page.get_by_role("heading", name="我的支部", exact=True).wait_for(timeout=30_000)
    wait_app(page)
    page.get_by_text("可以提交").first.wait_for(timeout=30_000)
    shots(page, "ready-to-submit")
    submit = page.get_by_role("button", name="提交", exact=True)
    assert submit.is_enabled()
    submit.click()
    page.get_by_role("button", name="确认提交").click()
    # branch01 belongs to a department, so its hand-in goes to that department's 初审 first.
    page.get_by_text("已提交，等待本部门机关党委初审。").first.wait_for(timeout=30_000)
    wait_app(page)
    shots(page, "submitted")
    assert _status(branch_server.env["DATABASE_URL"]) == "first_review"

    page.get_by_role("link", name="学习星").first.click()
    page.get_by_role("heading", name="学习星", exact=True).wait_for(timeout=30_000)
    wait_app(page)
    assert page.get_by_label("自评得分（0–3）", exact=True).first.is_disabled()
    assert page.locator('[data-testid="stBottom"]').get_by_role("button").count() == 0
    shots(page, "read-only-after-submission")

    for path in ("/admin", "/review"):
        page.goto(base + path)
        page.get_by_text("您的账号没有权限访问此页面").first.wait_for(timeout=30_000)
        wait_app(page)
        shots(page, f"no-such-page-{path.strip('/')}")
        # Only the Chinese no-access page: no heading of the admin or review screens.
        screens = re.compile("^(?!无法打开).*(管理|审核)")
        assert page.get_by_role("heading", name=screens).count() == 0
    context.close()
