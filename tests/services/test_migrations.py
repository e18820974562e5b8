"""The schema comes from Alembic, on both backends, and matches the models."""

from __future__ import annotations

from sqlalchemy import inspect

from db import migrate
from db.engine import get_engine


def test_migrated_schema_has_every_table_and_matches_models(db_url: str) -> None:
    engine = get_engine()
    tables = set(inspect(engine).get_table_names())
    assert {
        "organisation",
        "user",
        "cycle",
        "criterion",
        "assessment",
        "score_entry",
        "evidence",
        "audit_log",
        "change_counter",
        "alembic_version",
    } <= tables
    migrate.check(engine)  # alembic check: no difference between models and schema


def test_upgrade_is_idempotent(db_url: str) -> None:
    migrate.upgrade(get_engine())
    migrate.upgrade(get_engine())
