"""Apply Alembic migrations once, even when several replicas start at the same moment."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from db.engine import get_engine, is_sqlite

ROOT = Path(__file__).resolve().parent.parent
MIGRATION_LOCK_ID = 7_272_018  # any constant shared by all replicas


def alembic_config(engine: Engine) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "db" / "migrations"))
    cfg.attributes["url"] = engine.url.render_as_string(hide_password=False)
    return cfg


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    if is_sqlite(engine):
        database = make_url(str(engine.url)).database or ""
        if not database or database == ":memory:":
            yield
            return
        lock_path = Path(database).with_suffix(".migrate.lock")
        with open(lock_path, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_ID})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_ID})
            conn.commit()


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    """Bring the schema to `revision`; replicas wait for each other on a lock."""
    engine = engine or get_engine()
    cfg = alembic_config(engine)
    with migration_lock(engine), engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def check(engine: Engine | None = None) -> None:
    """Raise if the models and the migrated schema differ (`alembic check`)."""
    engine = engine or get_engine()
    cfg = alembic_config(engine)
    with engine.connect() as connection:
        cfg.attributes["connection"] = connection
        command.check(cfg)
