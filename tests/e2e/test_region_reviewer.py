"""In Chromium: 柯桥区's reviewer (keqiao_reviewer) sees only 柯桥区 organisations in the review
queue and in 实时排名, opens one of them from `?org=ID` in the address, and gets the Chinese
"no such organisation" answer for a 越城区 organisation's id typed into the address."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from db.engine import make_engine
from db.models import Assessment, Cycle, Organisation
from tests.e2e.conftest import LiveServer
from tests.e2e.helpers import login, wait_app
from texts import common as C

KEQIAO = "柯桥区"
NO_SUCH = "没有这个组织"


def _orgs(url: str) -> dict[str, object]:
    """A 越城区 organisation, a submitted 柯桥区 one (or None), and the number of 柯桥区
    organisations the open year counts."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            open_year = (Cycle.status == "open",)
            yuecheng = (
                conn.execute(
                    select(Organisation.id)
                    .where(Organisation.region == "越城区", Organisation.org_type != "department")
                    .order_by(Organisation.id)
                )
                .scalars()
                .first()
            )
            submitted = conn.execute(
                select(Organisation.id, Organisation.name)
                .join(Assessment, Assessment.org_id == Organisation.id)
                .join(Cycle, Cycle.id == Assessment.cycle_id)
                .where(*open_year, Organisation.region == KEQIAO, Assessment.status == "submitted")
                .order_by(Organisation.id)
            ).first()
            counted = conn.execute(
                select(func.count())
                .select_from(Organisation)
                .where(
                    Organisation.region == KEQIAO,
                    Organisation.org_type != "department",
                    Organisation.active.is_(True),
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return {"yuecheng": yuecheng, "submitted": submitted, "counted": counted}


def _options(page, label: str) -> list[str]:
    """The options a multiselect offers (opened, read, closed again)."""
    page.get_by_label(label, exact=True).first.click()
    listbox = page.get_by_role("listbox")
    # The list can open a moment before its options are drawn (the page still arriving).
    listbox.get_by_role("option").first.wait_for(timeout=15_000)
    texts = [t.strip() for t in listbox.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    return texts


def test_keqiao_reviewer_sees_keqiao_only_and_no_yuecheng_by_url(
    live_server: LiveServer,
    browser,
    shots,
) -> None:
    orgs = _orgs(live_server.env["DATABASE_URL"])
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    try:
        login(page, live_server.url, "keqiao_reviewer")
        # The review queue: its region filter offers 柯桥区 alone.
        page.goto(live_server.url + "/review")
        wait_app(page)
        page.get_by_text(re.compile(r"^显示 \d+ / \d+ 份")).first.wait_for(timeout=30_000)
        assert _options(page, "地区") == [KEQIAO]
        shots(page, "queue")
        # 实时排名: 柯桥区 alone, every organisation of it counted.
        page.goto(live_server.url + "/rankings")
        wait_app(page)
        counted = orgs["counted"]
        page.get_by_text(f"显示 {counted} / {counted} 个组织").wait_for(timeout=30_000)
        assert _options(page, "地区") == [KEQIAO]
        shots(page, "rankings")
        # A 越城区 organisation's id typed into the address: the Chinese answer, nothing shown.
        for path in ("/review", "/report"):
            page.goto(f"{live_server.url}{path}?org={orgs['yuecheng']}")
            wait_app(page)
            page.get_by_text(NO_SUCH).first.wait_for(timeout=30_000)
            shots(page, f"yuecheng-by-url{path.replace('/', '-')}")
        page.goto(f"{live_server.url}/review?org=not-a-number")
        wait_app(page)
        page.get_by_text(NO_SUCH).first.wait_for(timeout=30_000)
        # A 柯桥区 organisation's id opens it in the queue.
        if orgs["submitted"] is not None:
            org_id, name = orgs["submitted"]
            page.goto(f"{live_server.url}/review?org={org_id}")
            wait_app(page)
            page.get_by_text(name).filter(visible=True).first.wait_for(timeout=30_000)
            assert page.get_by_text(NO_SUCH).count() == 0
            shots(page, "keqiao-by-url")
        assert C.ERR_URL_ORG.startswith(NO_SUCH)
    finally:
        context.close()
