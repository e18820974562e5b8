"""Upgrade tests: a database left at an older revision, data written then, upgraded to head.

Every upgrade test has one shape (tests/deploy/test_migrations.py):

    def test_upgrade_adds_x(old_database: OldDatabase) -> None:
        ids = old_database.at("0011")  # schema of that revision + the old release's city
        ...                              # rows only that revision could hold
        old_database.upgrade()          # to head; every row stored before is still there
        ...                              # what the new revision adds or changes

`old_database` (tests/conftest.py) runs it on SQLite, and on PostgreSQL when TEST_DATABASE_URL
is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, MetaData, Table, func, insert, select

from db import migrate
from db.models import Assessment, Criterion, Cycle, Organisation, ScoreEntry, User

COUNTED = (Organisation, User, Assessment, ScoreEntry)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows of the tables every revision has (an upgrade must keep them all)."""
    with engine.connect() as conn:
        return {
            model.__tablename__: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in COUNTED
        }


def cycle_row(year: int) -> dict[str, object]:
    """A cycle row with the columns every revision has (their model defaults)."""
    columns = (
        "status",
        "rubric_title",
        "rubric_version",
        "star_ratio",
        "five_star_composite",
        "bonus_cap",
        "excellence_ratio",
        "base_learning_tenths",
        "base_standard_tenths",
        "base_service_tenths",
        "base_democracy_tenths",
        "base_innovation_tenths",
        "version",
    )
    defaults = Cycle(year=year)
    return {"year": year, **{c: getattr(defaults, c) for c in columns}}


def write_old_release_city(engine: Engine) -> dict[str, int]:
    """Two organisations with scores, written while the schema is at an older revision.

    Only tables that revision already had are used, through Core inserts (column defaults
    apply), so nothing here depends on the newer schema. Returns the ids of OLD-1, OLD-2 and
    their assessments (OLD-1-assessment, OLD-2-assessment).
    """
    with engine.begin() as conn:
        ids = {}
        for code in ("OLD-1", "OLD-2"):
            ids[code] = conn.execute(
                insert(Organisation.__table__).values(
                    code=code, name=f"旧版本{code}", org_type="branch", region="市直"
                )
            ).inserted_primary_key[0]
        # cycle gained columns since: insert into the table as it is at this revision
        old_cycle = Table("cycle", MetaData(), autoload_with=conn)
        cycle = conn.execute(insert(old_cycle).values(**cycle_row(2025))).inserted_primary_key[0]
        crit = {}
        for code, kind, star in (
            ("L1", "criterion", "learning"),
            ("S1", "criterion", "standard"),
            ("B1", "bonus", None),
        ):
            crit[code] = conn.execute(
                insert(Criterion.__table__).values(
                    cycle_id=cycle, code=code, kind=kind, star=star, title=code, max_tenths=200
                )
            ).inserted_primary_key[0]
        for code, lines in (
            ("OLD-1", [("L1", 170, 180), ("B1", 20, None)]),
            ("OLD-2", [("S1", 190, None), ("L1", None, None)]),
        ):
            # assessment gained a column since: insert into the table as it was then
            aid = conn.execute(
                insert(Table("assessment", MetaData(), autoload_with=conn)).values(
                    org_id=ids[code],
                    cycle_id=cycle,
                    status="published",
                    version=1,
                    return_comment="",
                    updated_at=datetime.now(UTC),
                )
            ).inserted_primary_key[0]
            ids[f"{code}-assessment"] = aid
            for crit_code, own, reviewed in lines:
                conn.execute(
                    insert(ScoreEntry.__table__).values(
                        assessment_id=aid,
                        criterion_id=crit[crit_code],
                        self_tenths=own,
                        reviewed_tenths=reviewed,
                    )
                )
    return ids


@dataclass(frozen=True)
class OldDatabase:
    """An empty, unmigrated database on one backend ("sqlite" or "postgresql")."""

    backend: str
    engine: Engine

    def at(self, revision: str) -> dict[str, int]:
        """Migrate to `revision` and write the old release's city (write_old_release_city)."""
        migrate.upgrade(self.engine, revision)
        return write_old_release_city(self.engine)

    def upgrade(self, revision: str = "head") -> None:
        """Upgrade (to head, as a release start does); every row stored before is still there."""
        before = row_counts(self.engine)
        migrate.upgrade(self.engine, revision)
        assert row_counts(self.engine) == before
