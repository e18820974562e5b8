"""A deterministic Shaoxing-like demo city, and large cities for benchmarks.

Every figure comes from a seeded random generator, so the same arguments give the same
database. Scores are generated per criterion; whether an organisation is five-star is then
decided by scoring.py, never here. The profile is tuned so that the five-star share rises
about 70% → 80% → 90% from 2018 to 2020 and stays around the target after.
"""

from __future__ import annotations

import io
import logging
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    exists,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

import scoring
from db.demo_files import DemoFile, demo_files
from db.engine import get_engine
from db.models import (
    Assessment,
    ChangeCounter,
    Criterion,
    Cycle,
    Evidence,
    ExcellenceDecision,
    Organisation,
    PerformanceGrade,
    ScoreEntry,
    User,
    utcnow,
)
from db.query import pk
from db.seed_ballots import seed_ballots
from db.seed_levels import seed_levels
from db.seed_members import SeedOrg, seed_members
from db.seed_scores import CritInfo, generate_year, year_frame
from db.services.auth import hash_password
from db.services.cycles import install_rubric
from db.services.published import record_publication
from db.services.totals import refresh_totals
from rubric import Rubric, load_rubric

log = logging.getLogger("wuxing.seed")

DEMO_PASSWORD = "demo123456"
DEMO_USERS = (
    ("admin", "系统管理员", "admin"),
    ("reviewer", "市直机关工委 审核员", "reviewer"),
    ("leader", "机关党建工作领导小组", "leader"),
    ("branch01", "支部书记 王芳", "branch"),
    ("branch02", "支部书记 李强", "branch"),
    # The 机关党委 of branch01's department: the first review (初审) of its branches.
    ("dept01", "机关党委 陈静", "department"),
    ("keqiao_admin", "柯桥区机关工委 管理员", "admin"),
    ("keqiao_reviewer", "柯桥区机关工委 审核员", "reviewer"),
    ("keqiao_leader", "柯桥区机关工委 领导", "leader"),
)
# The region a demo account answers for (the others are city-wide or bound to a branch).
DEMO_REGIONS = {
    "keqiao_admin": "柯桥区",
    "keqiao_reviewer": "柯桥区",
    "keqiao_leader": "柯桥区",
}
REGION_WEIGHTS = (
    ("市直", 4),
    ("越城区", 1),
    ("柯桥区", 1),
    ("上虞区", 1),
    ("诸暨市", 1),
    ("嵊州市", 1),
    ("新昌县", 1),
)
CITY_BUREAUS = (
    "市发展和改革委员会",
    "市财政局",
    "市教育局",
    "市公安局",
    "市卫生健康委员会",
    "市住房和城乡建设局",
    "市交通运输局",
    "市农业农村局",
    "市商务局",
    "市文化广电旅游局",
    "市市场监督管理局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市水利局",
    "市审计局",
    "市统计局",
    "市医疗保障局",
    "市司法局",
    "市民政局",
    "市科学技术局",
    "市经济和信息化局",
    "市应急管理局",
    "市退役军人事务局",
    "市综合行政执法局",
    "市机关事务管理局",
    "市信访局",
    "市档案馆",
)
COUNTY_BUREAUS = (
    "委办公室",
    "政府办公室",
    "财政局",
    "教育体育局",
    "卫生健康局",
    "住房和城乡建设局",
    "农业农村局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "民政局",
    "司法局",
    "审计局",
    "自然资源和规划分局",
)
BRANCH_NAMES = ("第一党支部", "第二党支部", "第三党支部", "第四党支部", "离退休干部党支部")


@dataclass
class CityPlan:
    """What to generate."""

    orgs: int = 150
    first_year: int = 2018
    last_year: int = field(default_factory=lambda: date.today().year)
    seed: int = 2018
    demo_users: bool = True
    current_open: bool = True
    # Evidence files for every handed-in assessment (the rule a branch obeys to submit). Off for
    # benchmark cities of tens of thousands of organisations, where it would only add bulk.
    evidence: bool = True


@dataclass
class OrgRow:
    id: int
    code: str
    name: str
    org_type: str
    region: str
    parent_id: int | None
    department_id: int | None
    member_count: int
    staff_count: int
    sort_order: int


def build_orgs(n_evaluated: int, rng: random.Random, start_id: int = 1) -> list[OrgRow]:
    """Departments with their 机关党委, 党总支 and 党支部 until `n_evaluated` are evaluated."""
    regions = [r for r, w in REGION_WEIGHTS for _ in range(w)]
    rows: list[OrgRow] = []
    next_id = start_id
    evaluated = 0
    dept_no = 0
    per_region: dict[str, int] = {}
    while evaluated < n_evaluated:
        region = regions[dept_no % len(regions)]
        k = per_region[region] = per_region.get(region, -1) + 1
        names = CITY_BUREAUS if region == "市直" else tuple(region + b for b in COUNTY_BUREAUS)
        base, repeat = names[k % len(names)], k // len(names)
        dept_name = base if repeat == 0 else f"{base}（{repeat + 1}）"
        dept_no += 1
        staff = rng.randint(30, 400)
        dept = OrgRow(
            next_id,
            f"D{dept_no:05d}",
            dept_name,
            "department",
            region,
            None,
            None,
            0,
            staff,
            dept_no,
        )
        rows.append(dept)
        next_id += 1
        committee = OrgRow(
            next_id,
            f"P{dept_no:05d}",
            f"中共{dept_name}机关委员会",
            "party_committee",
            region,
            dept.id,
            dept.id,
            rng.randint(30, 180),
            staff,
            0,
        )
        rows.append(committee)
        next_id += 1
        evaluated += 1
        parent = committee.id
        if rng.random() < 0.35 and evaluated < n_evaluated:
            rows.append(
                OrgRow(
                    next_id,
                    f"G{dept_no:05d}",
                    f"中共{dept_name}机关总支部委员会",
                    "general_branch",
                    region,
                    committee.id,
                    dept.id,
                    rng.randint(20, 60),
                    staff,
                    1,
                )
            )
            parent = next_id
            next_id += 1
            evaluated += 1
        for b in range(rng.randint(2, 4)):
            if evaluated >= n_evaluated:
                break
            members = rng.randint(4, 24) if rng.random() > 0.06 else rng.choice((2, 27, 31))
            rows.append(
                OrgRow(
                    next_id,
                    f"B{dept_no:05d}{b + 1:02d}",
                    f"中共{dept_name}{BRANCH_NAMES[b]}",
                    "branch",
                    region,
                    parent,
                    dept.id,
                    members,
                    staff,
                    2 + b,
                )
            )
            next_id += 1
            evaluated += 1
    return rows


def _department_of(orgs: Sequence[OrgRow], org_id: int) -> set[int]:
    """The organisations of `org_id`'s department (itself included)."""
    department = next(o.department_id for o in orgs if o.id == org_id)
    return {o.id for o in orgs if o.department_id == department and department is not None} | {
        org_id
    }


def bulk_insert(conn: Connection, table: Any, rows: list[dict[str, Any]] | pd.DataFrame) -> None:
    """Insert many rows fast: COPY on PostgreSQL, the driver's executemany on SQLite."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    if frame.empty:
        return
    tbl = table.__table__
    if len(frame) < 1000:  # small tables: let SQLAlchemy convert every type
        records = [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]
        conn.execute(insert(tbl), records)
        return
    columns = list(frame.columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql":
        buffer = io.StringIO()
        frame = frame.convert_dtypes()  # integral floats (ids next to NULLs) back to integers
        for column in frame.columns:
            if frame[column].dtype == object:  # datetimes: format each distinct value once
                frame[column] = _distinct_map(frame[column], _pg_value)
        frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
        cursor = _driver(conn).cursor()
        sql = f"COPY \"{tbl.name}\" ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        with cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())
        return
    marks = ", ".join("?" for _ in columns)
    driver = _driver(conn)
    values = [_sqlite_column(frame[c]) for c in columns]
    driver.executemany(
        f'INSERT INTO "{tbl.name}" ({quoted}) VALUES ({marks})', zip(*values, strict=True)
    )


def _driver(conn: Connection) -> Any:
    """The DBAPI driver's own connection (psycopg's COPY, sqlite3's executemany)."""
    driver = conn.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection is closed")
    return driver


def _sqlite_column(column: pd.Series) -> list[Any]:
    """A column as SQLAlchemy would store it on SQLite (UTC naive ISO datetimes, NULL for NA).

    Converted once per distinct value, so millions of rows cost a factorize, not a loop.
    """
    values: list[Any]
    if pd.api.types.is_integer_dtype(column.dtype) and not column.isna().any():
        values = column.astype("int64").tolist()
    else:
        values = _distinct_map(column, _sqlite_value).tolist()
    return values


def _distinct_map(column: pd.Series, convert: Any) -> np.ndarray:
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    mapped: np.ndarray = np.array([*(convert(u) for u in uniques), None], dtype=object)[codes]
    return mapped


def _pg_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(sep=" ")
    return value


def _plain(value: Any) -> Any:
    """numpy/pandas scalars as the plain Python values drivers expect."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _sqlite_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, datetime):
        naive = value.astimezone(UTC).replace(tzinfo=None)
        return naive.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, np.bool_ | bool):
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _reset_sequences(conn: Connection, tables: Iterable[str]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for name in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{name}"), 0) + 1, false)'
            )
        )


def _next_id(conn: Connection, table: Any) -> int:
    return int(conn.execute(select(func.coalesce(func.max(table.id), 0))).scalar_one()) + 1


# progress(done, total, year): called after each step of seed_city (year 0: not a year's step).
Progress = Callable[[int, int, int], None]


def seed_city(
    plan: CityPlan,
    engine: Engine | None = None,
    rubric: Rubric | None = None,
    progress: Progress | None = None,
) -> dict[int, dict[str, Any]]:
    """Generate a whole city into the (migrated) database; returns a summary per year."""
    engine = engine or get_engine()
    rubric = rubric or load_rubric_default()
    rng = random.Random(plan.seed)
    now = utcnow()
    years = list(range(plan.first_year, plan.last_year + 1))
    summary: dict[int, dict[str, Any]] = {}
    steps = len(years) + 2  # organisations and years' rubrics, each year, accounts and totals

    def step(done: int, year: int = 0) -> None:
        if progress is not None:
            progress(done, steps, year)

    step(0)
    with engine.begin() as conn:
        org_rows = build_orgs(plan.orgs, rng, start_id=_next_id(conn, Organisation))
        bulk_insert(
            conn,
            Organisation,
            [
                {
                    "id": o.id,
                    "code": o.code,
                    "name": o.name,
                    "org_type": o.org_type,
                    "region": o.region,
                    "parent_id": o.parent_id,
                    "department_id": o.department_id,
                    "member_count": o.member_count,
                    "staff_count": o.staff_count,
                    "active": True,
                    "sort_order": o.sort_order,
                }
                for o in org_rows
            ],
        )
        evaluated = [o for o in org_rows if o.org_type != "department"]
        branches = [o for o in evaluated if o.org_type == "branch"]
        demo_orgs = {branches[0].id, branches[min(5, len(branches) - 1)].id} if branches else set()
        with Session(bind=conn, expire_on_commit=False) as session:
            cycles = {}
            for year in years:
                is_current = plan.current_open and year == years[-1]
                cycle = Cycle(
                    year=year,
                    status="open" if is_current else "final",
                    deadline=date(year, 12, 20) if is_current else date(year + 1, 1, 15),
                    published_at=None if is_current else datetime(year + 1, 2, 1, tzinfo=UTC),
                    publication_ends=None if is_current else datetime(year + 1, 2, 6, tzinfo=UTC),
                    finalized_at=None if is_current else datetime(year + 1, 2, 7, tzinfo=UTC),
                    excellence_confirmed_at=None
                    if is_current
                    else datetime(year + 1, 2, 7, tzinfo=UTC),
                )
                session.add(cycle)
                session.flush()
                install_rubric(session, cycle, rubric)
                session.flush()
                cycles[year] = cycle
            ids_by_year = {
                year: {
                    c.code: pk(c.id)
                    for c in session.scalars(
                        select(Criterion).where(col(Criterion.cycle_id) == cyc.id)
                    )
                }
                for year, cyc in cycles.items()
            }
            if session.get(ChangeCounter, 1) is None:
                session.add(ChangeCounter(id=1, value=1))
            session.flush()
            session.commit()
        step(1)
        next_assessment = _next_id(conn, Assessment)
        files = demo_files(rubric)
        if plan.evidence:
            _DEMO_FILE.create(conn)
        org_ids = np.array([o.id for o in evaluated], dtype=np.int64)
        demo = sorted(demo_orgs)
        for done, year in enumerate(years, start=2):
            cycle = cycles[year]
            cycle_id = pk(cycle.id)
            data = generate_year(
                year=year,
                cycle_id=cycle_id,
                org_ids=org_ids,
                crits=_crit_infos(rubric, ids_by_year[year]),
                first_assessment_id=next_assessment,
                is_current=cycle.status == "open",
                demo_draft=demo[0] if demo else None,
                demo_empty=demo[1] if len(demo) > 1 else None,
                seed=plan.seed,
                now=now,
            )
            next_assessment += len(org_ids)
            bulk_insert(conn, Assessment, data.assessments)
            bulk_insert(conn, ScoreEntry, data.entries)
            if plan.evidence:
                year_evidence(conn, cycle_id, rubric, ids_by_year[year], files, now)
            refresh_totals(conn, cycle_id=cycle_id)
            if cycle.status != "open":
                record_publication(conn, cycle_id)
            bulk_insert(conn, PerformanceGrade, data.grades)
            frame = year_frame(
                data.entries,
                data.assessments,
                _crit_infos(rubric, ids_by_year[year]),
                rubric.bases,
                rubric.thresholds,
            )
            summary[year] = _year_summary(frame, year)
            if cycle.status != "open":
                grades = dict(zip(data.grades["org_id"], data.grades["grade"], strict=True))
                _record_excellence(conn, cycle_id, frame, grades, now)
            step(done, year)
        if plan.evidence:
            _DEMO_FILE.drop(conn)
        seeded = seed_members(
            conn,
            [SeedOrg(o.id, o.name, o.member_count) for o in evaluated],
            years,
            rubric,
            plan.seed,
            current_open=plan.current_open,
        )
        seed_ballots(
            conn,
            seeded.members,
            seeded.rounds,
            rubric.ballot,
            years[-1],
            plan.seed,
            demo[0] if demo and plan.demo_users else None,
            _department_of(evaluated, demo[0]) if demo and plan.demo_users else set(),
        )
        _reset_sequences(
            conn,
            (
                "evidence",
                "organisation",
                "assessment",
                "score_entry",
                "performance_grade",
                "excellence_decision",
                "criterion",
                "cycle",
                "party_member",
                "vanguard_round",
                "vanguard_sheet",
            ),
        )
        if plan.current_open:
            department = next((o.department_id for o in branches if o.id in demo_orgs), None)
            seed_levels(
                conn, pk(cycles[years[-1]].id), department if plan.demo_users else None, now
            )
        if plan.demo_users:
            _demo_users(conn, sorted(demo_orgs), now)
            _demo_evidence(
                conn,
                sorted(demo_orgs),
                pk(cycles[years[-1]].id),
                ids_by_year[years[-1]],
                rubric,
                now,
            )
            _reset_sequences(conn, ("user", "evidence"))
    if engine.dialect.name == "postgresql":
        # Fresh bulk data: planner statistics now, not at autovacuum's pace. Autocommit, since
        # ANALYZE inside a transaction that ends in a rollback keeps nothing.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    step(steps)
    log.info("seeded %s organisations over %s years", len(evaluated), len(years))
    return summary


_DEMO_FILE = Table(
    "demo_file",
    MetaData(),
    Column("criterion_id", Integer),
    Column("kind", String(20)),
    Column("filename", String(200)),
    Column("content_type", String(100)),
    Column("size", Integer),
    Column("sha256", String(64)),
    Column("content", LargeBinary),
    prefixes=["TEMPORARY"],
)


def year_evidence(
    conn: Connection,
    cycle_id: int,
    rubric: Rubric,
    ids: dict[str, int],
    files: dict[str, DemoFile],
    now: datetime,
) -> None:
    """A file for every required criterion (and declared 加分项) of each handed-in assessment.

    What `assessment.completion` asks before a branch may submit: a file on every star criterion
    whose evidence is required, and on every 加分项 with points declared. The 51 files go into a
    temporary table once; the database copies them to each assessment (INSERT … SELECT), so
    no row crosses the driver 58,000 times.
    """
    needed = [
        c for c in rubric.criteria if c.kind in ("criterion", "bonus") and c.evidence_required
    ]
    conn.execute(delete(_DEMO_FILE))
    conn.execute(
        insert(_DEMO_FILE),
        [
            {
                "criterion_id": ids[c.code],
                "kind": c.kind,
                "filename": files[c.code].filename,
                "content_type": files[c.code].content_type,
                "size": len(files[c.code].content),
                "sha256": files[c.code].sha256,
                "content": files[c.code].content,
            }
            for c in needed
        ],
    )
    a, f, e = inspect(Assessment).local_table, _DEMO_FILE, inspect(ScoreEntry).local_table
    declared = exists().where(
        e.c.assessment_id == a.c.id, e.c.criterion_id == f.c.criterion_id, e.c.self_tenths > 0
    )
    rows = (
        select(
            a.c.id,
            f.c.criterion_id,
            f.c.filename,
            f.c.content_type,
            f.c.size,
            f.c.sha256,
            f.c.content,
            literal(now, DateTime(timezone=True)),
        )
        .select_from(a.join(f, true()))
        .where(
            a.c.cycle_id == cycle_id,
            a.c.status != "draft",
            or_(f.c.kind == "criterion", declared),
        )
        .order_by(a.c.id, f.c.criterion_id)
    )
    columns = [
        "assessment_id",
        "criterion_id",
        "filename",
        "content_type",
        "size",
        "sha256",
        "content",
        "uploaded_at",
    ]
    conn.execute(insert(Evidence).from_select(columns, rows))


def _crit_infos(rubric: Rubric, ids: dict[str, int]) -> list[CritInfo]:
    return [
        CritInfo(ids[c.code], c.code, c.kind, c.star, c.max_points, c.auto) for c in rubric.criteria
    ]


def _year_summary(frame: pd.DataFrame, year: int) -> dict[str, Any]:
    att = scoring.target_attainment(frame, year)
    return {
        "total": att.total,
        "five_star": att.five_star,
        "share": round(att.share, 3),
        "target": att.target,
        "met": att.met,
    }


def _record_excellence(
    conn: Connection, cycle_id: int, frame: pd.DataFrame, grades: dict[int, str], now: datetime
) -> None:
    result = scoring.select_excellence_in(frame, grades, mode=scoring.QuotaMode.CITY)
    bulk_insert(
        conn,
        ExcellenceDecision,
        [
            {
                "cycle_id": cycle_id,
                "org_id": int(org_id),
                "recommended": True,
                "selected": True,
                "reason": "",
                "decided_at": now,
                "decided_by": None,
            }
            for org_id in result.recommended
        ],
    )


def _demo_users(conn: Connection, demo_orgs: list[int], now: datetime) -> None:
    pw_hash = hash_password(DEMO_PASSWORD)
    start = _next_id(conn, User)
    rows = []
    branch01_department = (
        conn.execute(
            select(col(Organisation.department_id)).where(col(Organisation.id) == demo_orgs[0])
        ).scalar_one()
        if demo_orgs
        else None
    )
    for i, (username, display, role) in enumerate(DEMO_USERS):
        org_id = None
        scope_department_id = None
        if username == "branch01" and demo_orgs:
            org_id = demo_orgs[0]
        elif username == "branch02" and len(demo_orgs) > 1:
            org_id = demo_orgs[1]
        elif username == "dept01":
            scope_department_id = branch01_department
        rows.append(
            {
                "id": start + i,
                "username": username,
                "display_name": display,
                "role": role,
                "org_id": org_id,
                "scope_region": DEMO_REGIONS.get(username),
                "scope_department_id": scope_department_id,
                "active": True,
                "password_hash": pw_hash,
                "failed_logins": 0,
                "locked_until": None,
                "created_at": now,
                "password_changed_at": None,
                "version": 1,
            }
        )
    bulk_insert(conn, User, rows)


def _demo_evidence(
    conn: Connection,
    demo_orgs: list[int],
    cycle_id: int,
    ids: dict[str, int],
    rubric: Rubric,
    now: datetime,
) -> None:
    """A couple of small PDFs on branch01's current assessment, so the screens show evidence."""
    if not demo_orgs:
        return
    assessment_id = conn.execute(
        select(col(Assessment.id)).where(
            col(Assessment.org_id) == demo_orgs[0], col(Assessment.cycle_id) == cycle_id
        )
    ).scalar_one()
    files = demo_files(rubric)
    rows = []
    for c in [c for c in rubric.by_star("learning") if c.evidence_required][:2]:
        f = files[c.code]
        rows.append(
            {
                "assessment_id": assessment_id,
                "criterion_id": ids[c.code],
                "filename": f.filename,
                "content_type": f.content_type,
                "size": len(f.content),
                "sha256": f.sha256,
                "content": f.content,
                "uploaded_at": now,
                "uploaded_by": None,
            }
        )
    bulk_insert(conn, Evidence, rows)


def load_rubric_default() -> Rubric:
    from rubric import default_rubric_path

    return load_rubric(default_rubric_path())


def seed_demo(
    engine: Engine | None = None, progress: Progress | None = None
) -> dict[int, dict[str, Any]]:
    """The demo city: ~150 organisations, 2018 to this year, demo accounts."""
    return seed_city(CityPlan(), engine, progress=progress)


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "CityPlan", "bulk_insert", "seed_city", "seed_demo"]
