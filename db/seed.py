"""A deterministic Shaoxing-like demo city, and large cities for benchmarks.

Every figure comes from a seeded random generator, so the same arguments give the same
database. Scores are generated per criterion; whether an organisation is five-star is then
decided by scoring.py, never here. The profile is tuned so that the five-star share rises
about 70% → 80% → 90% from 2018 to 2020 and stays around the target after.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

import scoring
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
from db.services.auth import hash_password
from db.services.cycles import install_rubric
from rubric import Rubric, load_rubric

log = logging.getLogger("wuxing.seed")

DEMO_PASSWORD = "demo123456"
DEMO_USERS = (
    ("admin", "系统管理员", "admin"),
    ("reviewer", "市直机关工委 审核员", "reviewer"),
    ("leader", "机关党建工作领导小组", "leader"),
    ("branch01", "支部书记 王芳", "branch"),
    ("branch02", "支部书记 李强", "branch"),
)
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
GRADE_WEIGHTS = (("优秀", 38), ("良好", 44), ("一般", 14), ("较差", 4))
FIVE_STAR_PROFILE = {2018: 0.72, 2019: 0.80, 2020: 0.91}  # later years: 0.92
NOTES = (
    "已按要求开展，台账齐全。",
    "详见会议记录和签到表。",
    "按季度开展，材料已归档。",
    "年度计划已落实，个别活动延期。",
    "",
)


@dataclass
class CityPlan:
    """What to generate."""

    orgs: int = 150
    first_year: int = 2018
    last_year: int = field(default_factory=lambda: date.today().year)
    seed: int = 2018
    demo_users: bool = True
    current_open: bool = True


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


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _half(value: float) -> Decimal:
    """Nearest multiple of 0.5."""
    return Decimal(round(value * 2)) / 2


@dataclass
class _Crit:
    id: int
    code: str
    kind: str
    star: str | None
    max_points: Decimal
    auto: scoring.AutoRule | None
    evidence_required: bool


def _criteria_of(rubric: Rubric, ids: dict[str, int]) -> list[_Crit]:
    return [
        _Crit(ids[c.code], c.code, c.kind, c.star, c.max_points, c.auto, c.evidence_required)
        for c in rubric.criteria
    ]


def _auto_figure(rule: scoring.AutoRule, strong: bool, rng: random.Random) -> Decimal:
    lo = rule.minimum
    hi = rule.maximum
    if strong or rng.random() < 0.7:
        if lo is not None and hi is not None:
            return Decimal(rng.randint(int(lo), int(hi)))
        if lo is not None:
            figure = lo + Decimal(rng.randint(0, max(1, int(lo) // 2)))
            # Coverage rates never exceed 100%.
            return min(figure, Decimal(100)) if rule.unit == "%" else figure
        assert hi is not None
        return max(Decimal(0), hi - Decimal(rng.randint(0, max(1, int(hi) // 2))))
    steps = rng.randint(1, 3)
    if lo is not None:
        return max(Decimal(0), lo - rule.step * steps)
    assert hi is not None
    return hi + rule.step * steps


def _true_points(
    crits: list[_Crit], strong: bool, weak_stars: set[str], rng: random.Random
) -> dict[str, tuple[Decimal, Decimal | None]]:
    """The points an org really earned per criterion code, with the auto figure if any."""
    out: dict[str, tuple[Decimal, Decimal | None]] = {}
    for c in crits:
        if c.kind != "criterion":
            continue
        if c.auto is not None:
            figure = _auto_figure(c.auto, strong and c.star not in weak_stars, rng)
            out[c.code] = (scoring.auto_points(c.auto, figure, c.max_points), figure)
            continue
        low, high = (
            (0.55, 0.86) if c.star in weak_stars else ((0.88, 1.0) if strong else (0.8, 1.0))
        )
        points = _half(float(c.max_points) * rng.uniform(low, high))
        out[c.code] = (min(max(points, Decimal(0)), c.max_points), None)
    return out


@dataclass
class _Generated:
    entries: list[dict[str, Any]]
    frame_rows: list[tuple[int, str, Decimal]]
    adjustments: list[tuple[int, Decimal, Decimal, bool]]


def _generate_assessment(
    *,
    assessment_id: int,
    org_id: int,
    year: int,
    crits: list[_Crit],
    rng: random.Random,
    fill: float,
    reviewed: bool,
    now: datetime,
) -> _Generated:
    """Score entries for one assessment; `fill` is the share of criteria the branch has scored."""
    p_five = FIVE_STAR_PROFILE.get(year, 0.92) if year >= 2018 else 0.6
    strong = rng.random() < p_five
    stars = list(scoring.STAR_KEYS)
    weak = set() if strong else set(rng.sample(stars, rng.choice((1, 1, 2))))
    truth = _true_points(crits, strong, weak, rng)
    inflated = rng.random() < 0.1
    entries: list[dict[str, Any]] = []
    frame_rows: list[tuple[int, str, Decimal]] = []
    for c in crits:
        if c.kind != "criterion" or rng.random() > fill:
            continue
        true_points, figure = truth[c.code]
        self_points = true_points
        if inflated and figure is None and rng.random() < 0.5:
            self_points = min(c.max_points, true_points + _half(rng.uniform(0.5, 1.5)))
        entries.append(
            _entry(
                assessment_id,
                c,
                self_points,
                true_points if reviewed else None,
                figure,
                rng,
                now,
                reviewer_cut=self_points != true_points,
            )
        )
        frame_rows.append((org_id, c.star or "", true_points if reviewed else self_points))
    bonus = deduction = Decimal(0)
    vetoed = False
    if fill >= 1:
        for c in crits:
            if c.kind == "bonus" and rng.random() < 0.12:
                pts = min(c.max_points, _half(rng.uniform(0.5, 2)))
                entries.append(
                    _entry(assessment_id, c, pts, pts if reviewed else None, None, rng, now)
                )
                bonus += pts
            elif c.kind == "deduction" and reviewed and rng.random() < 0.03:
                pts = min(c.max_points, _half(rng.uniform(0.5, 2)))
                entries.append(_entry(assessment_id, c, None, pts, None, rng, now))
                deduction += pts
            elif c.kind == "veto" and reviewed and not vetoed and rng.random() < 0.005:
                entries.append(_entry(assessment_id, c, None, Decimal(1), None, rng, now))
                vetoed = True
    return _Generated(entries, frame_rows, [(org_id, bonus, deduction, vetoed)])


def _entry(
    assessment_id: int,
    c: _Crit,
    self_points: Decimal | None,
    reviewed: Decimal | None,
    figure: Decimal | None,
    rng: random.Random,
    now: datetime,
    *,
    reviewer_cut: bool = False,
) -> dict[str, Any]:
    return {
        "assessment_id": assessment_id,
        "criterion_id": c.id,
        "self_tenths": None if self_points is None else int(self_points * 10),
        "figure": None if figure is None else str(figure),
        "note": rng.choice(NOTES),
        "reviewed_tenths": None if reviewed is None else int(reviewed * 10),
        "reviewer_comment": "佐证材料不足以支撑自评分，按台账核减。" if reviewer_cut else "",
        "updated_at": now,
        "updated_by": None,
        "reviewed_at": now if reviewed is not None else None,
        "reviewed_by": None,
    }


def bulk_insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows fast: COPY on PostgreSQL, executemany on SQLite."""
    if not rows:
        return
    tbl = table.__table__
    if conn.dialect.name == "postgresql":
        columns = list(rows[0].keys())
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        quoted = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{tbl.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    for start in range(0, len(rows), 50_000):
        conn.execute(insert(tbl), rows[start : start + 50_000])


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


def seed_city(plan: CityPlan, engine: Engine | None = None, rubric: Rubric | None = None) -> dict:
    """Generate a whole city into the (migrated) database; returns a summary per year."""
    engine = engine or get_engine()
    rubric = rubric or load_rubric_default()
    rng = random.Random(plan.seed)
    now = utcnow()
    years = list(range(plan.first_year, plan.last_year + 1))
    summary: dict[int, dict[str, Any]] = {}
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
                    c.code: c.id
                    for c in session.exec(  # type: ignore[call-overload]
                        select(Criterion).where(Criterion.cycle_id == cyc.id)
                    ).scalars()
                }
                for year, cyc in cycles.items()
            }
            if session.get(ChangeCounter, 1) is None:
                session.add(ChangeCounter(id=1, value=1))
            session.flush()
            session.commit()
        next_assessment = _next_id(conn, Assessment)
        for year in years:
            cycle = cycles[year]
            crits = _criteria_of(rubric, ids_by_year[year])
            is_current = cycle.status == "open"
            assessments, entries = [], []
            frame_rows: list[tuple[int, str, Decimal]] = []
            adjustments: list[tuple[int, Decimal, Decimal, bool]] = []
            grades = []
            for org in evaluated:
                status, fill, reviewed = _status_for(org.id, is_current, demo_orgs, branches, rng)
                aid = next_assessment
                next_assessment += 1
                gen = _generate_assessment(
                    assessment_id=aid,
                    org_id=org.id,
                    year=year,
                    crits=crits,
                    rng=rng,
                    fill=fill,
                    reviewed=reviewed,
                    now=now,
                )
                assessments.append(
                    {
                        "id": aid,
                        "org_id": org.id,
                        "cycle_id": cycle.id,
                        "status": status,
                        "version": 1 + (1 if gen.entries else 0),
                        "submitted_at": now
                        if status in ("submitted", "reviewed", "published", "returned")
                        else None,
                        "reviewed_at": now if reviewed else None,
                        "reviewer_id": None,
                        "return_comment": "请补充主题党日活动记录和签到表后重新提交。"
                        if status == "returned"
                        else "",
                        "updated_at": now,
                        "updated_by": None,
                    }
                )
                entries.extend(gen.entries)
                frame_rows.extend(gen.frame_rows)
                adjustments.extend(gen.adjustments)
                grades.append(
                    {
                        "org_id": org.id,
                        "year": year,
                        "grade": _weighted(rng, GRADE_WEIGHTS),
                        "updated_at": now,
                        "updated_by": None,
                    }
                )
            bulk_insert(conn, Assessment, assessments)
            bulk_insert(conn, ScoreEntry, entries)
            bulk_insert(conn, PerformanceGrade, grades)
            frame = _evaluate(frame_rows, adjustments, rubric)
            summary[year] = _year_summary(frame, year)
            if not is_current:
                _record_excellence(conn, cycle.id, frame, grades, now)
        _reset_sequences(
            conn,
            (
                "organisation",
                "assessment",
                "score_entry",
                "performance_grade",
                "excellence_decision",
                "criterion",
                "cycle",
            ),
        )
        if plan.demo_users:
            _demo_users(conn, sorted(demo_orgs), now)
            _demo_evidence(
                conn, sorted(demo_orgs), cycles[years[-1]].id, ids_by_year[years[-1]], rubric, now
            )
            _reset_sequences(conn, ("user", "evidence"))
    log.info("seeded %s organisations over %s years", len(evaluated), len(years))
    return summary


def _status_for(
    org_id: int,
    is_current: bool,
    demo_orgs: set[int],
    branches: list[OrgRow],
    rng: random.Random,
) -> tuple[str, float, bool]:
    """(status, share of criteria filled in, reviewed?) for an assessment."""
    if not is_current:
        return "published", 1.0, True
    if branches and org_id == branches[0].id:
        return "draft", 0.6, False
    if org_id in demo_orgs:
        return "draft", 0.0, False
    u = rng.random()
    if u < 0.30:
        return "submitted", 1.0, False
    if u < 0.45:
        return "reviewed", 1.0, True
    if u < 0.52:
        return "returned", 1.0, False
    if u < 0.80:
        return "draft", rng.uniform(0.3, 0.9), False
    return "draft", 0.0, False


def _evaluate(frame_rows, adjustments, rubric: Rubric) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    scores = pd.DataFrame(frame_rows, columns=["org_id", "star", "points"])
    adj = pd.DataFrame(adjustments, columns=["org_id", "bonus", "deduction", "vetoed"])
    return scoring.evaluate_frame(scores, rubric.bases, adj, thresholds=rubric.thresholds)


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
    conn: Connection,
    cycle_id: int,
    frame: pd.DataFrame,
    grades: list[dict[str, Any]],
    now: datetime,
) -> None:
    grade_map = {g["org_id"]: g["grade"] for g in grades}
    result = scoring.select_excellence(frame, grade_map)
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
    for i, (username, display, role) in enumerate(DEMO_USERS):
        org_id = None
        if username == "branch01" and demo_orgs:
            org_id = demo_orgs[0]
        elif username == "branch02" and len(demo_orgs) > 1:
            org_id = demo_orgs[1]
        rows.append(
            {
                "id": start + i,
                "username": username,
                "display_name": display,
                "role": role,
                "org_id": org_id,
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
        select(Assessment.id).where(
            Assessment.org_id == demo_orgs[0], Assessment.cycle_id == cycle_id
        )
    ).scalar_one()
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"  # noqa: E501
    rows = []
    for c in [c for c in rubric.by_star("learning") if c.evidence_required][:2]:
        rows.append(
            {
                "assessment_id": assessment_id,
                "criterion_id": ids[c.code],
                "filename": f"{c.code}-学习记录.pdf",
                "content_type": "application/pdf",
                "size": len(pdf),
                "sha256": hashlib.sha256(pdf).hexdigest(),
                "content": pdf,
                "uploaded_at": now,
                "uploaded_by": None,
            }
        )
    bulk_insert(conn, Evidence, rows)


def load_rubric_default() -> Rubric:
    from rubric import default_rubric_path

    return load_rubric(default_rubric_path())


def seed_demo(engine: Engine | None = None) -> dict:
    """The demo city: ~150 organisations, 2018 to this year, demo accounts."""
    return seed_city(CityPlan(), engine)


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "CityPlan", "bulk_insert", "seed_city", "seed_demo"]
