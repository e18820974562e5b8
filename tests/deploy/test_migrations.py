"""Migrations run once when replicas start together, keep the data, and match the models."""

from __future__ import annotations

import multiprocessing as mp
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, func, insert, inspect, select, text

from db import migrate
from db.engine import make_engine
from db.models import (
    Cycle,
    Organisation,
    RegionPublication,
    RegionRobot,
    User,
)
from tests.migration_helpers import OldDatabase, cycle_row, row_counts

PREVIOUS_RELEASE = "0001"  # the schema of the release before this one
WORKERS = 4


# --- helpers -------------------------------------------------------------------------------


def _worker(url: str, barrier, results) -> None:
    """One "replica": wait for the others, then migrate; report how many tables it created."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine as EngineClass

    from db import migrate as worker_migrate
    from db.engine import make_engine as worker_make_engine

    created = 0

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
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
        before = row_counts(engine)
        assert all(before.values()), before
        migrate.upgrade(engine)
        migrate.upgrade(engine)
        assert row_counts(engine) == before
    finally:
        engine.dispose()


def test_upgrade_from_the_previous_revision_keeps_and_sums_the_data(
    old_database: OldDatabase,
) -> None:
    """Scores written under the previous schema survive the upgrade and fill the new totals."""
    engine = old_database.engine
    ids = old_database.at(PREVIOUS_RELEASE)
    old_database.upgrade()
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT assessment_id, basis, learning_tenths, standard_tenths, "
                "bonus_tenths, scored FROM assessment_total"
            )
        ).all()
    totals = {(aid, basis): tuple(rest) for aid, basis, *rest in rows}
    one, two = ids["OLD-1-assessment"], ids["OLD-2-assessment"]
    assert totals == {
        (one, "self"): (170, 0, 20, 1),
        (one, "reviewed"): (180, 0, 20, 1),
        (two, "self"): (0, 190, 0, 1),
        (two, "reviewed"): (0, 190, 0, 1),
    }
    with engine.connect() as conn:
        counted = conn.execute(text("SELECT counted FROM assessment")).scalars().all()
    assert counted == [True, True], "published years keep counting what they counted"


def test_models_match_the_migrations(db_url: str) -> None:
    """`alembic check`: no model change is missing a migration."""
    engine = make_engine(db_url)
    try:
        migrate.check(engine)
    finally:
        engine.dispose()


def test_upgrade_freezes_the_years_already_published(old_database: OldDatabase) -> None:
    """0004 records each published year's counted organisations as stored at upgrade time,
    with their reviewed sums; an open year gets no frozen rows (publish_year writes them)."""
    engine = old_database.engine
    ids = old_database.at("0003")
    with engine.begin() as conn:
        # at 0003 the app keeps assessment_total in step with the entries
        from db.services.totals import refresh_totals

        refresh_totals(conn, assessment_ids=[ids["OLD-1-assessment"], ids["OLD-2-assessment"]])
        conn.execute(text("UPDATE cycle SET status = 'final'"))
        dept = conn.execute(
            insert(Organisation.__table__).values(
                code="D-1", name="市旧部门", org_type="department", region="市直"
            )
        ).inserted_primary_key[0]
        conn.execute(
            text("UPDATE organisation SET department_id = :d WHERE code = 'OLD-1'"),
            {"d": dept},
        )
        conn.execute(
            text("UPDATE assessment SET counted = :f WHERE id = :a"),
            {"f": False, "a": ids["OLD-2-assessment"]},
        )
        open_cycle = conn.execute(
            insert(Table("cycle", MetaData(), autoload_with=conn)).values(**cycle_row(2026))
        ).inserted_primary_key[0]
        conn.execute(
            insert(Table("assessment", MetaData(), autoload_with=conn)).values(
                org_id=ids["OLD-1"],
                cycle_id=open_cycle,
                status="draft",
                version=1,
                return_comment="",
                updated_at=datetime.now(UTC),
                counted=True,
            )
        )
    old_database.upgrade()
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT assessment_id, code, name, region, department, status, "
                "learning_tenths, bonus_tenths, scored FROM published_result"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (
            ids["OLD-1-assessment"],
            "OLD-1",
            "旧版本OLD-1",
            "市直",
            "市旧部门",
            "published",
            180,
            20,
            1,
        )
    ]


def test_upgrade_makes_every_existing_account_city_wide(old_database: OldDatabase) -> None:
    """0006 adds the account scope: every account stored before keeps its role, organisation
    and password and answers for the whole city (a branch stays bound to its organisation)."""
    from db.services.auth import actor_of
    from permissions import CITY_SCOPE, ScopeKind

    engine = old_database.engine
    ids = old_database.at("0005")
    with engine.begin() as conn:
        old_user = Table("user", MetaData(), autoload_with=conn)
        assert "scope_region" not in old_user.c
        for name, role, org in (
            ("old_branch", "branch", ids["OLD-1"]),
            ("old_reviewer", "reviewer", None),
            ("old_leader", "leader", None),
            ("old_admin", "admin", None),
        ):
            conn.execute(
                insert(old_user).values(
                    username=name,
                    display_name=name,
                    role=role,
                    org_id=org,
                    active=True,
                    password_hash=f"hash-{name}",
                    failed_logins=0,
                    created_at=datetime.now(UTC),
                    version=1,
                )
            )
    old_database.upgrade()
    with engine.connect() as conn:
        rows = conn.execute(select(User.__table__).order_by(User.__table__.c.username)).mappings()
        users = [User.model_validate(dict(row)) for row in rows]
    assert [(u.username, u.role, u.org_id, u.password_hash) for u in users] == [
        ("old_admin", "admin", None, "hash-old_admin"),
        ("old_branch", "branch", ids["OLD-1"], "hash-old_branch"),
        ("old_leader", "leader", None, "hash-old_leader"),
        ("old_reviewer", "reviewer", None, "hash-old_reviewer"),
    ]
    assert [(u.scope_region, u.scope_department_id) for u in users] == [(None, None)] * 4
    scopes = {u.username: actor_of(u).scope for u in users}
    assert set(scopes.values()) == {CITY_SCOPE}
    assert CITY_SCOPE.kind is ScopeKind.CITY
    assert actor_of(users[1]).org_id == ids["OLD-1"]


def test_upgrade_adds_an_empty_roster_and_no_rounds(old_database: OldDatabase) -> None:
    """0007 adds party_member and vanguard_round: nothing stored before changes, the roster
    starts empty (member_count keeps its stored figure), and the new tables take rows."""
    from datetime import date

    engine = old_database.engine
    ids = old_database.at("0006")
    with engine.begin() as conn:
        conn.execute(text("UPDATE organisation SET member_count = 17"))
        assert "party_member" not in inspect(conn).get_table_names()
    old_database.upgrade()
    with engine.begin() as conn:
        counts = conn.execute(text("SELECT member_count FROM organisation")).scalars().all()
        assert counts == [17, 17]
        for table in ("party_member", "vanguard_round"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
        conn.execute(
            insert(Table("party_member", MetaData(), autoload_with=conn)).values(
                org_id=ids["OLD-1"],
                name="张三",
                service="in_service",
                status="full",
                joined_on=date(2001, 7, 1),
                active=True,
                updated_at=datetime.now(UTC),
                version=1,
            )
        )
        conn.execute(
            insert(Table("vanguard_round", MetaData(), autoload_with=conn)).values(
                year=2025, half=2, status="open", opened_at=datetime.now(UTC), version=1
            )
        )
    columns = {c["name"] for c in inspect(engine).get_columns("party_member")}
    assert columns == {
        "id",
        "org_id",
        "name",
        "service",
        "status",
        "joined_on",
        "active",
        "updated_at",
        "updated_by",
        "version",
    }, "the roster keeps no personal data beyond these fields"


def test_upgrade_adds_empty_ballot_tables_without_rowid(old_database: OldDatabase) -> None:
    """0008 adds the ballot tables: nothing stored before changes (the roster and rounds
    included), they start empty, take a ballot, and on SQLite keep no hidden rowid."""
    from datetime import date

    engine = old_database.engine
    ids = old_database.at("0007")
    with engine.begin() as conn:
        assert "ballot" not in inspect(conn).get_table_names()
        member = conn.execute(
            insert(Table("party_member", MetaData(), autoload_with=conn))
            .values(
                org_id=ids["OLD-1"],
                name="张三",
                service="in_service",
                status="full",
                joined_on=date(2001, 7, 1),
                active=True,
                updated_at=datetime.now(UTC),
                version=1,
            )
            .returning(text("id"))
        ).scalar_one()
        round_id = conn.execute(
            insert(Table("vanguard_round", MetaData(), autoload_with=conn))
            .values(year=2025, half=2, status="open", opened_at=datetime.now(UTC), version=1)
            .returning(text("id"))
        ).scalar_one()
    old_database.upgrade()
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM party_member")).scalar_one() == 1
        for table in ("ballot_box", "ballot_code", "ballot", "ballot_rating"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
        conn.execute(
            text(
                "INSERT INTO ballot (id, round_id, org_id, branch_rating) "
                "VALUES ('0f' || :pad, :round, :org, 1)"
            ),
            {"pad": "0" * 30, "round": round_id, "org": ids["OLD-1"]},
        )
        conn.execute(
            text(
                "INSERT INTO ballot_rating (ballot_id, member_id, rating) "
                "VALUES ('0f' || :pad, :member, 0)"
            ),
            {"pad": "0" * 30, "member": member},
        )
        if old_database.backend == "sqlite":
            for table in ("ballot_code", "ballot", "ballot_rating"):
                sql = conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}
                ).scalar_one()
                assert "WITHOUT ROWID" in sql.upper(), table


def test_upgrade_to_review_levels_keeps_every_status(old_database: OldDatabase) -> None:
    """0009 adds the two review levels: existing assessments keep their status (one submitted
    before waits for the 复核 as it did), accounts keep their role and scope, no deadline is
    set, every region runs the first level, and no step is invented."""
    engine = old_database.engine
    ids = old_database.at("0008")
    with engine.begin() as conn:
        old_assessment = Table("assessment", MetaData(), autoload_with=conn)
        assert "first_reviewed_at" not in old_assessment.c
        conn.execute(
            old_assessment.update()
            .where(old_assessment.c.id == ids["OLD-2-assessment"])
            .values(status="submitted", submitted_at=datetime.now(UTC))
        )
        old_user = Table("user", MetaData(), autoload_with=conn)
        conn.execute(
            insert(old_user).values(
                username="old_reviewer",
                display_name="old_reviewer",
                role="reviewer",
                scope_region="柯桥区",
                active=True,
                password_hash="hash",
                failed_logins=0,
                created_at=datetime.now(UTC),
                version=1,
            )
        )
    old_database.upgrade()
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(
                text(
                    "SELECT id, status FROM assessment "
                    "WHERE first_reviewed_at IS NULL AND first_reviewer_id IS NULL"
                )
            ).all()
        )
        deadlines = conn.execute(
            text("SELECT first_review_deadline, review_deadline FROM cycle")
        ).all()
        steps = conn.execute(text("SELECT count(*) FROM review_step")).scalar_one()
        settings = conn.execute(text("SELECT count(*) FROM first_review_setting")).scalar_one()
        user = conn.execute(
            text("SELECT role, scope_region FROM \"user\" WHERE username = 'old_reviewer'")
        ).one()
    assert statuses == {
        ids["OLD-1-assessment"]: "published",
        ids["OLD-2-assessment"]: "submitted",
    }
    assert [tuple(d) for d in deadlines] == [(None, None)]
    assert (steps, settings) == (0, 0)
    assert tuple(user) == ("reviewer", "柯桥区")


def test_upgrade_adds_an_empty_reminder_table_and_accounts_without_an_address(
    old_database: OldDatabase,
) -> None:
    """0010 adds the reminder table and user.email: nothing stored before changes, every
    account stored before has no address (in-app notices only), and a reminder row fits."""
    engine = old_database.engine
    ids = old_database.at("0009")
    with engine.begin() as conn:
        old_user = Table("user", MetaData(), autoload_with=conn)
        assert "email" not in old_user.c
        assert "reminder" not in inspect(conn).get_table_names()
        user_id = conn.execute(
            insert(old_user)
            .values(
                username="old_branch",
                display_name="old_branch",
                role="branch",
                org_id=ids["OLD-1"],
                active=True,
                password_hash="hash-old_branch",
                failed_logins=0,
                created_at=datetime.now(UTC),
                version=1,
            )
            .returning(text("id"))
        ).scalar_one()
        cycle_id = conn.execute(text("SELECT min(id) FROM cycle")).scalar_one()
    old_database.upgrade()
    with engine.begin() as conn:
        rows = conn.execute(text('SELECT username, password_hash, email FROM "user"')).all()
        assert [tuple(r) for r in rows] == [("old_branch", "hash-old_branch", "")]
        assert conn.execute(text("SELECT count(*) FROM reminder")).scalar_one() == 0
        conn.execute(
            insert(Table("reminder", MetaData(), autoload_with=conn)).values(
                cycle_id=cycle_id,
                kind="deadline",
                slot="7",
                recipient=f"org:{ids['OLD-1']}",
                channel="notice",
                org_id=ids["OLD-1"],
                user_id=user_id,
                address="",
                subject="提醒",
                body="正文",
                status="sent",
                attempts=1,
                last_error="",
                created_at=datetime.now(UTC),
            )
        )


def _revision_named(slug: str) -> tuple[str, str]:
    """(revision, down_revision) of the migration file named NNNN_<slug>.py."""
    script = ScriptDirectory.from_config(migrate.alembic_config(make_engine("sqlite://")))
    for rev in script.walk_revisions():
        if rev.path is not None and Path(rev.path).stem.endswith("_" + slug):
            assert isinstance(rev.down_revision, str)
            return rev.revision, rev.down_revision
    raise AssertionError(f"no migration named {slug}")


def test_upgrade_adds_vanguard_sheets_and_keeps_rounds(old_database: OldDatabase) -> None:
    """The 先锋指数 sheets migration: cycles and rounds stored before keep everything and get
    empty rules (a round opened later takes the year's rubric's), criteria no figure source,
    and the sheets and entries take rows."""
    _revision, previous = _revision_named("vanguard_sheets")
    engine = old_database.engine
    ids = old_database.at(previous)
    with engine.begin() as conn:
        member = conn.execute(
            insert(Table("party_member", MetaData(), autoload_with=conn)).values(
                org_id=ids["OLD-1"],
                name="张三",
                service="in_service",
                status="full",
                joined_on=datetime(2001, 7, 1).date(),
                active=True,
                updated_at=datetime.now(UTC),
                version=1,
            )
        ).inserted_primary_key[0]
        round_id = conn.execute(
            insert(Table("vanguard_round", MetaData(), autoload_with=conn)).values(
                year=2025, half=2, status="open", opened_at=datetime.now(UTC), version=1
            )
        ).inserted_primary_key[0]
    old_database.upgrade("0011")  # 0014 fills the empty rules in
    with engine.begin() as conn:
        assert conn.execute(text("SELECT vanguard_rules FROM cycle")).scalars().all() == [""]
        assert conn.execute(text("SELECT rules, half FROM vanguard_round")).all() == [("", 2)]
        sources = conn.execute(text("SELECT DISTINCT auto_source FROM criterion")).all()
        assert sources == [(None,)]
        sheet = conn.execute(
            insert(Table("vanguard_sheet", MetaData(), autoload_with=conn)).values(
                round_id=round_id,
                member_id=member,
                org_id=ids["OLD-1"],
                complete=False,
                updated_at=datetime.now(UTC),
                version=1,
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(Table("vanguard_entry", MetaData(), autoload_with=conn)).values(
                sheet_id=sheet, code="P1", declared_tenths=200, assessed_tenths=185
            )
        )
        assert conn.execute(text("SELECT assessed_tenths FROM vanguard_entry")).scalar() == 185


def test_upgrade_adds_region_publication_and_keeps_the_city_quota(
    old_database: OldDatabase,
) -> None:
    """0012 adds region_publication (empty: no region has published on its own) and the
    year's quota mode: every year stored before counts its 双优 quota city-wide."""
    engine = old_database.engine
    old_database.at("0011")
    with engine.connect() as conn:
        assert "excellence_quota" not in Table("cycle", MetaData(), autoload_with=conn).c
        assert "region_publication" not in inspect(conn).get_table_names()
    old_database.upgrade()
    with engine.connect() as conn:
        quotas = conn.execute(select(Cycle.__table__.c.excellence_quota)).scalars().all()
        assert quotas
        assert set(quotas) == {"city"}
        rows = conn.execute(select(func.count()).select_from(RegionPublication)).scalar_one()
        assert rows == 0


def test_upgrade_adds_awaiting_approval_and_no_account_waits(old_database: OldDatabase) -> None:
    """0013 adds user.awaiting_approval (single sign-on's self-registration): every account
    stored before keeps signing in as it did, none waits for an approval."""
    engine = old_database.engine
    old_database.at("0012")
    with engine.begin() as conn:
        old_user = Table("user", MetaData(), autoload_with=conn)
        assert "awaiting_approval" not in old_user.c
        for name, active in (("old_admin", True), ("old_gone", False)):
            conn.execute(
                insert(old_user).values(
                    username=name,
                    display_name="",
                    role="admin",
                    email="",
                    active=active,
                    password_hash="x",
                    failed_logins=0,
                    created_at=datetime.now(UTC),
                    version=1,
                )
            )
    old_database.upgrade()
    with engine.connect() as conn:
        rows = conn.execute(
            select(User.__table__.c.username, User.__table__.c.awaiting_approval)
        ).all()
        assert {name for name, _ in rows} >= {"old_admin", "old_gone"}
        assert {waiting for _, waiting in rows} == {False}


def test_upgrade_stores_each_years_ballot_and_vanguard_rules(old_database: OldDatabase) -> None:
    """0014 writes into every stored year the ballot rules its boxes were issued under (the
    shipped rubric's, the defaults) and, where the year kept no 先锋指数 block, the shipped
    rubric's, which a round stored without rules then takes; a year's own block stays."""
    from rubric import DEFAULT_BALLOT, ballot_from_json, default_rubric_path, load_rubric
    from rubric_vanguard import stored_rules

    engine = old_database.engine
    old_database.at("0013")  # the year 2025, stored without a 先锋指数 block
    with engine.begin() as conn:
        old_cycle = Table("cycle", MetaData(), autoload_with=conn)
        assert "ballot_rules" not in old_cycle.c
        conn.execute(insert(old_cycle).values(**cycle_row(2026), vanguard_rules="OWN"))
        rounds = Table("vanguard_round", MetaData(), autoload_with=conn)
        for year in (2025, 2026, 2030):  # 2030: a year that is not stored
            conn.execute(
                insert(rounds).values(
                    year=year, half=1, status="closed", opened_at=datetime.now(UTC), version=1
                )
            )
    old_database.upgrade()
    shipped = stored_rules(load_rubric(default_rubric_path()).vanguard)
    with engine.connect() as conn:
        years = conn.execute(
            text("SELECT year, ballot_rules, vanguard_rules FROM cycle ORDER BY year")
        ).all()
        assert [(y, v) for y, _b, v in years] == [(2025, shipped), (2026, "OWN")]
        assert {ballot_from_json(b) for _y, b, _v in years} == {DEFAULT_BALLOT}
        kept = dict(conn.execute(text("SELECT year, rules FROM vanguard_round")).all())
        assert kept == {2025: shipped, 2026: "OWN", 2030: ""}


def test_upgrade_adds_an_empty_region_robot_table(old_database: OldDatabase) -> None:
    """0015 adds region_robot, empty: every region's reminders go to the city's robot as before,
    and nothing stored changes."""
    engine = old_database.engine
    old_database.at("0014")
    with engine.connect() as conn:
        assert "region_robot" not in inspect(conn).get_table_names()
    old_database.upgrade()
    with engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(RegionRobot)).scalar_one() == 0
        conn.execute(
            insert(RegionRobot.__table__).values(
                region="柯桥区",
                webhook_url="https://oapi.dingtalk.com/robot/send?access_token=t",
                updated_at=datetime.now(UTC),
                version=1,
            )
        )
        regions = conn.execute(select(RegionRobot.__table__.c.region)).scalars().all()
        assert regions == ["柯桥区"]
