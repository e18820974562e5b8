"""Steps shared by the browser tests."""

from __future__ import annotations

import re

from sqlalchemy import select

from db.engine import make_engine
from db.models import Assessment, Cycle, Organisation, User
from db.seed import DEMO_PASSWORD


def wait_app(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished a run (no running indicator, app view present) and
    every element is drawn (no skeleton of an element whose code is still loading).

    The app shell exists before the websocket connects; only a connected app whose script
    state is "notRunning" has drawn the page (the attributes Streamlit's own tests wait on).
    """
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]',
        timeout=timeout,
    )
    # No running indicator, and no grey skeleton of an element whose code is still loading.
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
             && ![...document.querySelectorAll('[data-testid="stSkeleton"]')]
                  .some((el) => el.checkVisibility())""",
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


def submit_branch01_script(*, first_level: bool) -> str:
    """Python run against a demo database before its server starts (demo_server's
    before_start): branch01 scores every criterion in full, attaches the evidence and hands in.

    first_level=False switches the 初审 off for branch01's region in the open year first, so the
    submission goes straight to the reviewer's 复核; with True it waits for the 机关党委.
    """
    switch_off = (
        "first_review.set_first_level(actor('admin'), year=mine.year, region=mine.org_region,"
        " enabled=False)\n"
        if not first_level
        else ""
    )
    return (
        "from db.services import assessment, editing, first_review\n"
        "from tests.assessment_helpers import fill_all\n"
        "from tests.utils import actor\n"
        "branch = actor('branch01')\n"
        "mine = assessment.my_assessment(branch)\n"
        f"{switch_off}"
        "view = fill_all(branch)\n"
        "editing.submit_assessment(branch, assessment_id=view.id, version=view.version)\n"
    )


def branch01_org(database_url: str) -> tuple[int, str, str]:
    """branch01's organisation: (id, code, name)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            org_id, code, name = conn.execute(
                select(Organisation.id, Organisation.code, Organisation.name)
                .join(User, User.org_id == Organisation.id)
                .where(User.username == "branch01")
            ).one()
    finally:
        engine.dispose()
    return int(org_id), str(code), str(name)


def open_year_status(database_url: str, org_id: int) -> tuple[str, str]:
    """(status, return comment) of the organisation's assessment in the open year."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            status, comment = conn.execute(
                select(Assessment.status, Assessment.return_comment)
                .join(Cycle, Cycle.id == Assessment.cycle_id)
                .where(Assessment.org_id == org_id, Cycle.status == "open")
            ).one()
    finally:
        engine.dispose()
    return str(status), str(comment)


def find_in_review(page, code: str, name: str) -> None:
    """On 审核 (/review): search the organisation by its code and wait for its heading."""
    search = page.get_by_label("按名称或编码搜索")
    search.wait_for(timeout=90_000)
    search.fill(code)
    search.press("Enter")
    page.get_by_role("heading", name=re.compile(re.escape(f"{name}（{code}）"))).wait_for(
        timeout=30_000
    )
    wait_app(page)


def open_in_review(page, base_url: str, code: str, name: str) -> None:
    """Open 审核 and the organisation's submission there."""
    page.goto(base_url + "/review")
    wait_app(page)
    find_in_review(page, code, name)


def change_a_score(page) -> None:
    """On an open star page, give one criterion a new score (an unscored one if any is left,
    else the first) so that the organisation's composite moves."""
    inputs = page.locator('input[placeholder="未评分"]')
    inputs.first.wait_for(timeout=30_000)
    values = [inputs.nth(i).input_value() for i in range(inputs.count())]
    index = values.index("") if "" in values else 0
    target = inputs.nth(index)
    target.fill("1.5" if values[index] != "1.5" else "1")
    target.press("Tab")
    wait_app(page)
