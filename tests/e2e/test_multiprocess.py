"""Several app processes on one database: live data across processes, all-or-nothing saves.

The browser test needs PostgreSQL (TEST_DATABASE_URL) and Debian's Chromium; the kill test
runs on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.engine import make_engine
from db.models import Assessment, AuditLog, ChangeCounter, Organisation, ScoreEntry, User

ROOT = Path(__file__).resolve().parents[2]


def _stalled_save_script(username: str, marker: str) -> str:
    """A real save_star_page that stops inside its transaction, after every statement has been
    sent to the database but before the commit (run in a separate process)."""
    return textwrap.dedent(
        f"""
        import time
        from sqlmodel import select
        from db.engine import read_session
        from db.models import Assessment
        from db.services import editing
        from db.services.cycles import rubric_of_cycle
        from tests.utils import actor, current_assessment_id, leader

        who = actor({username!r})
        aid = current_assessment_id({username!r})
        with read_session() as session:
            assessment = session.exec(select(Assessment).where(Assessment.id == aid)).one()
        rubric = rubric_of_cycle(leader(), assessment.cycle_id)
        entries = {{
            c.code: editing.EntryInput(points=c.max_points, note={marker!r})
            for c in rubric.by_star("learning") if c.auto is None
        }}
        original = editing.bump_change_counter

        def stalled(session):
            original(session)
            session.flush()  # every change is now in the database, uncommitted
            print("IN-TRANSACTION", len(entries), flush=True)
            time.sleep(300)

        editing.bump_change_counter = stalled
        editing.save_star_page(who, assessment_id=aid, version=assessment.version, star="learning",
                         entries=entries)
        print("COMMITTED", flush=True)
        """
    )


def _snapshot(url: str, assessment_id: int) -> dict:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.execute(
                select(Assessment.version).where(Assessment.id == assessment_id)
            ).scalar_one()
            entries = sorted(
                conn.execute(
                    select(ScoreEntry.criterion_id, ScoreEntry.self_tenths, ScoreEntry.note).where(
                        ScoreEntry.assessment_id == assessment_id
                    )
                ).all()
            )
            audits = conn.execute(select(func.count()).select_from(AuditLog)).scalar_one()
            counter = conn.execute(select(ChangeCounter.value)).scalar_one_or_none()
    finally:
        engine.dispose()
    return {"version": version, "entries": entries, "audits": audits, "counter": counter}


@pytest.mark.timeout(180)
def test_killed_save_commits_nothing(city: str) -> None:
    """kill -9 in the middle of a save: the database holds nothing of it, and stays usable."""
    from db.services import editing
    from db.services.cycles import rubric_of_cycle
    from tests.utils import actor, current_assessment_id, leader

    marker = "written by a process killed before its commit"
    aid = current_assessment_id("branch01")
    before = _snapshot(city, aid)

    env = dict(os.environ, DATABASE_URL=city, DEMO_MODE="0", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", _stalled_save_script("branch01", marker)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("IN-TRANSACTION"), (line, proc.stderr.read() if proc.stderr else "")
        assert int(line.split()[1]) > 0
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    assert _snapshot(city, aid) == before, "a killed transaction left data behind"

    # The database is not left locked: the same save, at the same version, goes through now.
    who = actor("branch01")
    engine = make_engine(city)
    with engine.connect() as conn:
        cycle_id = conn.execute(
            select(Assessment.cycle_id).where(Assessment.id == aid)
        ).scalar_one()
    engine.dispose()
    criteria = [
        c for c in rubric_of_cycle(leader(), cycle_id).by_star("learning") if c.auto is None
    ]
    started = time.monotonic()
    new_version = editing.save_star_page(
        who,
        assessment_id=aid,
        version=before["version"],
        star="learning",
        entries={c.code: editing.EntryInput(points=c.max_points, note="after") for c in criteria},
    )
    assert time.monotonic() - started < 15
    after = _snapshot(city, aid)
    assert new_version == after["version"] == before["version"] + 1
    assert sum(1 for e in after["entries"] if e[2] == "after") == len(criteria)


# --- two processes, one PostgreSQL database, two browsers ----------------------------------

LIVE_WITHIN_S = 10.0
TABLE = '[data-testid="stDataFrame"] table'


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[tuple]:
    """Two `streamlit run app.py` processes on one throwaway PostgreSQL demo database."""
    from tests.conftest import create_pg_database, drop_pg_database
    from tests.e2e.conftest import LiveServer, prepare_demo_database

    if not os.environ.get("TEST_DATABASE_URL", ""):
        pytest.skip("two processes need a shared PostgreSQL: set TEST_DATABASE_URL")
    url = create_pg_database("wx_mp")
    folder = tmp_path_factory.mktemp("multiprocess")
    servers = []
    try:
        prepare_demo_database(url)
        # Same secrets on both, as in compose.yaml: a cookie from one is valid on the other.
        extra = {"STREAMLIT_SERVER_COOKIE_SECRET": "e2e-cookie-" + "c" * 32}
        servers = [LiveServer(url, folder / f"server-{i}.log", **extra) for i in "ab"]
        yield url, servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()
        drop_pg_database(url)


def _branch01_org(url: str) -> tuple[str, str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            code, name = conn.execute(
                select(Organisation.code, Organisation.name)
                .join(User, User.org_id == Organisation.id)
                .where(User.username == "branch01")
            ).one()
            total = conn.execute(
                select(func.count())
                .select_from(Organisation)
                .where(Organisation.org_type != "department")
            ).scalar_one()
    finally:
        engine.dispose()
    return code, name, int(total)


def _row_text(page) -> str:
    return page.evaluate(
        "(sel) => { const t = document.querySelector(sel);"
        " return t && t.rows.length > 1 ? t.rows[1].innerText : ''; }",
        TABLE,
    )


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_save_on_one_process_shows_on_the_other(two_servers, browser, shots) -> None:
    """branch01 saves on process A; the leader's 实时排名 on process B follows, no click."""
    from tests.e2e.helpers import change_a_score, login, wait_app

    url, server_a, server_b = two_servers
    assert server_a.port != server_b.port
    code, name, total = _branch01_org(url)

    leader_ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    leader = leader_ctx.new_page()
    login(leader, server_b.url, "leader")
    leader.goto(server_b.url + "/rankings")
    wait_app(leader)
    leader.get_by_text(f"显示 {total} / {total} 个组织").wait_for(timeout=30_000)
    search = leader.get_by_label("按名称或编码搜索")
    search.fill(code)
    search.press("Enter")
    leader.wait_for_function(
        "([sel, name]) => { const t = document.querySelector(sel);"
        " return t && t.rows.length === 2 && t.rows[1].innerText.includes(name); }",
        arg=[TABLE, name],
        timeout=30_000,
    )
    before = _row_text(leader)
    shots(leader, "process-b-leader-before")

    branch_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    branch = branch_ctx.new_page()
    login(branch, server_a.url, "branch01")
    branch.goto(server_a.url + "/learning")
    wait_app(branch)
    change_a_score(branch)
    branch.get_by_role("button", name="保存").click()
    branch.get_by_text("已保存").first.wait_for(timeout=30_000)
    saved_at = time.monotonic()
    shots(branch, "process-a-branch01-saved")

    # Process B learns of the save only through the database; no click, no reload.
    leader.wait_for_function(
        "([sel, before]) => { const t = document.querySelector(sel);"
        " return t && t.rows.length === 2 && t.rows[1].innerText !== before; }",
        arg=[TABLE, before],
        timeout=LIVE_WITHIN_S * 1000,
    )
    elapsed = time.monotonic() - saved_at
    after = _row_text(leader)
    shots(leader, "process-b-leader-after")
    assert name in after
    assert after != before
    assert elapsed <= LIVE_WITHIN_S
    print(f"process B showed process A's save after {elapsed:.1f} s")
    branch_ctx.close()
    leader_ctx.close()
