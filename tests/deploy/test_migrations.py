"""Migrations run once when replicas start together, keep the data, and match the models."""

from __future__ import annotations

import multiprocessing as mp
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from db import migrate
from db.engine import dispose_engines, make_engine
from db.models import Assessment, Organisation, ScoreEntry, User

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
WORKERS = 4


# --- helpers -------------------------------------------------------------------------------


def _worker(url: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    """One "replica": wait for the others, then migrate; report how many tables it created."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine as EngineClass

    from db import migrate as worker_migrate
    from db.engine import make_engine as worker_make_engine

    created = 0

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        nonlocal created
        if statement.lstrip().upper().startswith("CREATE TABLE"):
            created += 1

    event.listen(EngineClass, "before_cursor_execute", count)
    engine = worker_make_engine(url)
    try:
        barrier.wait(timeout=60)
        worker_migrate.upgrade(engine)
        results.put(("ok", created))
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(("error", repr(exc)))
    finally:
        engine.dispose()


def _migrate_concurrently(url: str) -> list[tuple[str, object]]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, barrier, results)) for _ in range(WORKERS)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=180) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return outcomes


def _head() -> str:
    head = ScriptDirectory.from_config(
        migrate.alembic_config(make_engine("sqlite://"))
    ).get_current_head()
    assert head is not None
    return head


def _assert_migrated_once(url: str, outcomes: list[tuple[str, object]]) -> None:
    errors = [detail for status, detail in outcomes if status != "ok"]
    assert not errors, errors
    creators = [n for _, n in outcomes if n]
    assert len(creators) == 1, f"tables were created by {len(creators)} replicas: {outcomes}"
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert versions == [_head()]
        tables = set(inspect(engine).get_table_names())
        assert {"organisation", "user", "cycle", "assessment", "score_entry"} <= tables
    finally:
        engine.dispose()


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """An empty (not migrated) throwaway PostgreSQL database."""
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL not set")
    name = f"wx_mig_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    dispose_engines()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            model.__tablename__: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Organisation, User, Assessment, ScoreEntry)
        }


# --- tests ---------------------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_concurrent_start_migrates_once_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _assert_migrated_once(url, _migrate_concurrently(url))


@pytest.mark.timeout(300)
def test_concurrent_start_migrates_once_on_postgresql(fresh_pg_url: str) -> None:
    _assert_migrated_once(fresh_pg_url, _migrate_concurrently(fresh_pg_url))


def test_upgrade_keeps_the_data(db_url: str) -> None:
    """A city in the database, then `upgrade` again (what every release start does)."""
    from tests.utils import make_city

    make_city(orgs=12, first_year=2025, last_year=2026)
    engine = make_engine(db_url)
    try:
        before = _counts(engine)
        assert all(before.values()), before
        migrate.upgrade(engine)
        migrate.upgrade(engine)
        assert _counts(engine) == before
    finally:
        engine.dispose()


def test_upgrade_from_the_previous_revision_keeps_the_data(tmp_path: Path) -> None:
    """Rows written under the previous schema survive the upgrade to head."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    script = ScriptDirectory.from_config(migrate.alembic_config(engine))
    revisions = [rev.revision for rev in script.walk_revisions()]  # head first
    if len(revisions) < 2:
        pytest.skip("only one migration so far: there is no previous release schema yet")
    try:
        migrate.upgrade(engine, revisions[1])
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisation (code, name, org_type, region, member_count, "
                    "staff_count, active, sort_order) VALUES "
                    "('OLD-1', '旧版本数据', 'branch', '市直', 12, 30, 1, 0)"
                )
            )
        migrate.upgrade(engine)
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM organisation WHERE code = 'OLD-1'"))
            assert names.scalars().all() == ["旧版本数据"]
    finally:
        engine.dispose()


def test_models_match_the_migrations(db_url: str) -> None:
    """`alembic check`: no model change is missing a migration."""
    engine = make_engine(db_url)
    try:
        migrate.check(engine)
    finally:
        engine.dispose()
