"""Bring a database to a usable state: migrations, then the demo city when empty in demo mode."""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from db import migrate
from db.engine import get_engine, read_session
from db.models import Cycle, User
from settings import get_settings
from texts import cli as T

if TYPE_CHECKING:  # the seed (numpy, the generator) is imported only when it runs
    from db.seed import Progress

log = logging.getLogger("wuxing.bootstrap")


def is_empty(engine: Engine | None = None) -> bool:
    with read_session(engine) as session:
        users = session.exec(select(func.count()).select_from(User)).one()
        cycles = session.exec(select(func.count()).select_from(Cycle)).one()
    return users == 0 and cycles == 0


def prepare_database(engine: Engine | None = None, progress: Progress | None = None) -> bool:
    """Migrate; seed the demo city into an empty database when demo mode is on.

    Returns whether the demo city was loaded now; `progress` follows the loading step by step.
    """
    engine = engine or get_engine()
    migrate.upgrade(engine)
    if get_settings().demo_mode:
        with migrate.migration_lock(engine):
            if is_empty(engine):
                from db.seed import seed_demo

                log.info("empty database in demo mode: loading the demo city")
                seed_demo(engine, progress=progress)
                return True
    return False


def progress_bar(done: int, total: int, year: int) -> None:
    """One line redrawn in place on a terminal ([#####.....]  5/11  2022 年); lines in a log."""
    width = 30
    filled = width * done // total
    bar = "#" * filled + "." * (width - filled)
    label = T.START_SEED_YEAR.format(year=year) if year else ""
    if sys.stdout.isatty():
        end = "\n" if done == total else ""
        print(f"\r  [{bar}] {done}/{total} {label:<12}", end=end, flush=True)
    else:
        print(f"  [{bar}] {done}/{total} {label}".rstrip(), flush=True)


def prepare_and_report(engine: Engine | None = None) -> None:
    """prepare_database, telling the administrator on the console what it does (start.sh)."""
    engine = engine or get_engine()
    print(T.START_DATABASE.format(url=engine.url.render_as_string(hide_password=True)), flush=True)
    migrate.upgrade(engine)
    demo = get_settings().demo_mode
    if demo and is_empty(engine):
        print(T.START_SEEDING, flush=True)
    started = time.perf_counter()
    loaded = prepare_database(engine, progress=progress_bar if demo else None)
    if loaded:
        print(T.START_SEEDED.format(seconds=time.perf_counter() - started), flush=True)
    else:
        print(T.START_DEMO_PRESENT if demo else T.START_READY, flush=True)
