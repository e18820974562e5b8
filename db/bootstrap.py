"""Bring a database to a usable state: migrations, then the demo city when empty in demo mode."""

from __future__ import annotations

import logging

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from db import migrate
from db.engine import get_engine, read_session
from db.models import Cycle, User
from settings import get_settings

log = logging.getLogger("wuxing.bootstrap")


def is_empty(engine: Engine | None = None) -> bool:
    with read_session(engine) as session:
        users = session.exec(select(func.count()).select_from(User)).one()
        cycles = session.exec(select(func.count()).select_from(Cycle)).one()
    return users == 0 and cycles == 0


def prepare_database(engine: Engine | None = None) -> None:
    """Migrate; seed the demo city into an empty database when demo mode is on."""
    engine = engine or get_engine()
    migrate.upgrade(engine)
    if get_settings().demo_mode:
        with migrate.migration_lock(engine):
            if is_empty(engine):
                from db.seed import seed_demo

                log.info("empty database in demo mode: loading the demo city")
                seed_demo(engine)
