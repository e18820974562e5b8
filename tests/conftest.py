"""Temporary databases for every test: SQLite always, PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import functools
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db import migrate, models
from db.engine import dispose_engines, make_engine
from db.services import auth
from settings import get_settings
from tests.migration_helpers import OldDatabase

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
# Every table of the schema, those that refer to others first.
TABLES = tuple(table.name for table in reversed(models.SQLModel.metadata.sorted_tables))

os.environ.setdefault("DEMO_MODE", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-0123456789-abcdefghijklmnop")


def _use(url: str, monkeypatch: pytest.MonkeyPatch, demo: bool = False) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_MODE", "1" if demo else "0")
    get_settings.cache_clear()
    from db.services import cycles

    cycles._rubric_cached.cache_clear()


# argon2id as the app configures it costs ~0.26 s of CPU a hash or check; the suite makes over a
# thousand (every login, every account a test creates, every demo city). Tests hash with the
# same algorithm at the lowest cost; the cost itself is the app's setting (tests/services/
# test_auth.py checks it) and tests whose point is the time a check takes use `real_argon2`.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
_REAL_HASHER = auth._hasher
auth._hasher = FAST_HASHER


@pytest.fixture
def real_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's own argon2 cost for this test (logins racing each other need the real window)."""
    monkeypatch.setattr(auth, "_hasher", _REAL_HASHER)


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Shared caches are keyed by the change counter, which repeats across test databases."""
    import streamlit as st

    st.cache_data.clear()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file copied for each test (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def create_pg_database(prefix: str, template_url: str = "") -> str:
    """A new throwaway PostgreSQL database (a copy of `template_url`'s when given); its URL.

    Its commits do not wait for the disk (synchronous_commit off): a test database is never
    recovered after a crash, and the suite makes tens of thousands of small commits.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    template = f' TEMPLATE "{make_url(template_url).database}"' if template_url else ""
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test run, migrated once."""
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL not set")
    url = create_pg_database("wx_test")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    dispose_engines()
    drop_pg_database(url)


def _fresh_sqlite(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "app.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


# Emptying a small database row by row is ~20x quicker than TRUNCATE (which recreates every
# table's files); foreign keys are not checked meanwhile (replica role: the whole set goes).
_EMPTY_TABLES = "SET LOCAL session_replication_role = replica; " + "; ".join(
    f'DELETE FROM "{t}"' for t in TABLES
)
_RESTART_SEQUENCES = "SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"
SNAPSHOT = "city_snapshot"  # schema holding the demo city's rows in a per-run city database


def _fresh_pg(url: str) -> str:
    """Empty every table of a migrated PostgreSQL database, ids starting at 1 again."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(_EMPTY_TABLES))
        conn.execute(text(_RESTART_SEQUENCES))
    engine.dispose()
    return url


# Each table of the city database notes in SNAPSHOT.dirty that a statement wrote to it, so that
# a restore copies back only what a test changed (most change two or three tables of thirty).
# One row per statement and no unique key: writers never wait on each other for the note.
_MARK_DIRTY = f"""
CREATE FUNCTION {SNAPSHOT}.mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO {SNAPSHOT}.dirty VALUES (TG_TABLE_NAME); RETURN NULL; END $$
"""


def _snapshot_pg(url: str) -> None:
    """Keep a copy of every table's rows and of every sequence's position in SNAPSHOT, and
    note from now on which tables are written to."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {SNAPSHOT}"))
        for table in TABLES:
            conn.execute(text(f'CREATE TABLE {SNAPSHOT}."{table}" AS SELECT * FROM "{table}"'))
        conn.execute(
            text(f"CREATE TABLE {SNAPSHOT}.sequences (name text, last_value bigint, called bool)")
        )
        names = conn.execute(text("SELECT relname FROM pg_class WHERE relkind = 'S'")).scalars()
        for name in list(names):
            conn.execute(
                text(
                    f"INSERT INTO {SNAPSHOT}.sequences "
                    f"SELECT '{name}', last_value, is_called FROM \"{name}\""
                )
            )
        conn.execute(text(f"CREATE TABLE {SNAPSHOT}.dirty (name text)"))
        conn.execute(text(_MARK_DIRTY))
        for table in TABLES:
            conn.execute(
                text(
                    "CREATE TRIGGER zz_mark_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                    f' ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {SNAPSHOT}.mark_dirty()'
                )
            )
    engine.dispose()


def _restore_pg(url: str) -> str:
    """Put back the rows of the tables written to since the last restore and every sequence's
    position, as _snapshot_pg kept them (~5 ms for a test that changed a few tables, against
    ~0.15 s for copying back all of them and ~0.1-0.3 s for a CREATE DATABASE ... TEMPLATE).

    The replica role also keeps the triggers quiet: the restore's own writes are not noted.
    """
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        dirty = conn.execute(text(f"SELECT DISTINCT name FROM {SNAPSHOT}.dirty")).scalars()
        for table in sorted(set(dirty)):
            conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(text(f'INSERT INTO "{table}" SELECT * FROM {SNAPSHOT}."{table}"'))
        conn.execute(text(f"DELETE FROM {SNAPSHOT}.dirty"))
        # The snapshot holds every sequence of the database: each is set back, none reset.
        conn.execute(
            text(
                f"SELECT setval(quote_ident(name)::regclass, last_value, called) "
                f"FROM {SNAPSHOT}.sequences"
            )
        )
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """An empty migrated database on each backend; the app's settings point at it."""
    if request.param == "sqlite":
        url = _fresh_sqlite(sqlite_template, tmp_path)
    else:
        url = _fresh_pg(request.getfixturevalue("pg_database"))
    _use(url, monkeypatch)
    yield url
    dispose_engines()


@pytest.fixture
def sqlite_url(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty migrated SQLite database (for page tests, where one backend is enough)."""
    url = _fresh_sqlite(sqlite_template, tmp_path)
    _use(url, monkeypatch)
    yield url
    dispose_engines()


@pytest.fixture(scope="session")
def demo_city_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo city seeded once into a SQLite file that each test copies."""
    from tests.utils import make_city

    folder = tmp_path_factory.mktemp("city")
    url = _fresh_sqlite(sqlite_template, folder)
    with pytest.MonkeyPatch.context() as mp:
        _use(url, mp)
        make_city()
        dispose_engines()
    get_settings.cache_clear()
    return folder / "app.db"


@pytest.fixture(scope="session")
def pg_city_template(pg_database: str) -> Iterator[str]:
    """A PostgreSQL database holding the small demo city, cloned per test (CREATE ... TEMPLATE)."""
    from tests.utils import make_city

    url = _fresh_pg(pg_database)
    with pytest.MonkeyPatch.context() as mp:
        _use(url, mp)
        make_city()
        dispose_engines()
    get_settings.cache_clear()
    template = create_pg_database("wx_city", url)
    yield template
    dispose_engines()
    drop_pg_database(template)


def _clone_pg(template_url: str) -> str:
    return create_pg_database("wx_t", template_url)


def _drop_pg(url: str) -> None:
    drop_pg_database(url)


@pytest.fixture
def demo_city(
    demo_city_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh copy of the small demo city on SQLite (24 organisations, 2024–2026)."""
    url = _fresh_sqlite(demo_city_template, tmp_path)
    _use(url, monkeypatch)
    yield url
    dispose_engines()


@pytest.fixture(scope="session")
def pg_city(pg_city_template: str) -> Iterator[str]:
    """One PostgreSQL database of this run's worker holding the small demo city and a snapshot
    of it, restored before each test that uses it (`city`)."""
    url = _clone_pg(pg_city_template)
    _snapshot_pg(url)
    yield url
    dispose_engines()
    _drop_pg(url)


@pytest.fixture(params=BACKENDS)
def city(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh copy of the small demo city on each backend."""
    if request.param == "sqlite":
        url = _fresh_sqlite(request.getfixturevalue("demo_city_template"), tmp_path)
    else:
        url = _restore_pg(request.getfixturevalue("pg_city"))
    _use(url, monkeypatch)
    yield url
    dispose_engines()


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """An empty (not migrated) throwaway PostgreSQL database."""
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL not set")
    url = create_pg_database("wx_mig")
    yield url
    dispose_engines()
    drop_pg_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OldDatabase]:
    """An empty, unmigrated database on each backend for an upgrade test
    (tests/migration_helpers.py); PostgreSQL is skipped without TEST_DATABASE_URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("fresh_pg_url")
    engine = make_engine(url)
    try:
        yield OldDatabase(request.param, engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where browser tests write screenshots (kept by CI as test output)."""
    path = ROOT / "test-output"
    path.mkdir(exist_ok=True)
    return path


# The browser tests run as two groups, one per worker, each one after the other as without
# xdist: the modules on the shared demo server (`live_server`, started once per group) and those
# that start servers of their own. The two take about as long as each other.
@functools.cache
def uses_shared_server(module: str) -> bool:
    """Whether a browser test module asks for the shared demo server (`live_server`)."""
    return re.search(r"\blive_server\b", (ROOT / module).read_text(encoding="utf-8")) is not None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are marked `e2e` (and grouped by the scheduler below)."""
    for item in items:
        if browser_group(item.nodeid):
            item.add_marker(pytest.mark.e2e)


def browser_group(nodeid: str) -> str:
    """The browser tests' group of a test ("" for any other test)."""
    if not nodeid.startswith("tests/e2e/"):
        return ""
    return "browser-shared" if uses_shared_server(nodeid.split("::")[0]) else "browser-own"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """Under `--dist loadgroup` (scripts/test.sh) each of the two browser groups runs on one
    worker, while the other tests are shared out one by one; xdist sends the largest groups
    (the browser ones) out first, one to each worker.

    pytest-xdist 3.8 marks a group by renaming the test (`item._nodeid`), which pytest 9 no
    longer reads, so its own grouping does nothing here: this scheduler groups by path.
    """
    if config.getoption("dist", "no") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserTestsTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return browser_group(nodeid) or super()._split_scope(nodeid)

    return BrowserTestsTogether(config, log)
