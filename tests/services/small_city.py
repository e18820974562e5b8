"""A six-organisation city whose figures are set by hand, for the leadership read models.

The seed builds the structure (two departments, six evaluated organisations, demo accounts,
2025 final and 2026 open); this module then writes every figure the read models read:
regions, 2025's published rows and 2026's statuses and totals. The expected figures in the
tests are worked out by hand from the table below, never by the code under test.

Every star of an organisation gets the same points (the demo rubric: base 20 per star, lit at
17, five-star at a composite of 90, bonus capped at 5).

    org  region  dept  2025 (published)     2026 status  2026 self            2026 reviewed
    P1   越城区   D1    19×5 = 95, level 5   reviewed     19×5 = 95            18×5 = 90 (5)
    G1   越城区   D1    18×5 = 90, level 5   submitted    17×5+3 = 88          same: 88 (4)
    B1   越城区   D1    17×5 = 85, level 4   draft        nothing scored       0 (0)
    B2   柯桥区   D1    16×5 = 80, level 0   reviewed     18×5 = 90            17×5−2 = 83 (4)
    B3   柯桥区   D1    19×5 = 95, level 5   returned     19×5 = 95            same: 95 (5)
    P2   柯桥区   D2    18×5 = 90, level 5   reviewed     19×5+4 = 99          19×5+2 = 97 (5)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import col, select

from db.engine import write_session
from db.models import (
    Assessment,
    AssessmentTotal,
    Cycle,
    Organisation,
    OrgType,
    PublishedResult,
)
from db.seed import CityPlan, seed_city
from db.services.common import bump_change_counter

STARS = ("learning", "standard", "service", "democracy", "innovation")
YEAR = 2026
PREVIOUS = 2025
# key → (region, 2025 star points, 2026 status, self (star, bonus), reviewed (star, bonus,
# deduction), criteria scored in 2026)
PLAN = {
    "P1": ("越城区", 19, "reviewed", (19, 0), (18, 0, 0), 25),
    "G1": ("越城区", 18, "submitted", (17, 3), (17, 3, 0), 25),
    "B1": ("越城区", 17, "draft", (0, 0), (0, 0, 0), 0),
    "B2": ("柯桥区", 16, "reviewed", (18, 0), (17, 0, 2), 25),
    "B3": ("柯桥区", 19, "returned", (19, 0), (19, 0, 0), 25),
    "P2": ("柯桥区", 18, "reviewed", (19, 4), (19, 2, 0), 25),
}


@dataclass(frozen=True)
class SmallCity:
    ids: dict[str, int]  # P1 … P2 → organisation id
    departments: dict[str, int]  # D1, D2 → the department organisation's id
    names: dict[str, str]  # P1 … P2 → organisation name


def _sums(star: int, bonus: int = 0, deduction: int = 0) -> dict[str, int]:
    sums = {f"{key}_tenths": star * 10 for key in STARS}
    return {**sums, "bonus_tenths": bonus * 10, "deduction_tenths": deduction * 10}


def make_small_city() -> SmallCity:
    seed_city(CityPlan(orgs=6, first_year=PREVIOUS, last_year=YEAR, seed=3))
    with write_session() as session:
        orgs = session.exec(select(Organisation).order_by(col(Organisation.id))).all()
        departments = [o for o in orgs if o.org_type == OrgType.DEPARTMENT]
        evaluated = [o for o in orgs if o.org_type != OrgType.DEPARTMENT]
        assert len(evaluated) == len(PLAN), "the seed changed"
        assert len(departments) == 2, "the seed changed"
        ids = {key: int(o.id or 0) for key, o in zip(PLAN, evaluated, strict=True)}
        names = {key: o.name for key, o in zip(PLAN, evaluated, strict=True)}
        dept = {"D1": int(departments[0].id or 0), "D2": int(departments[1].id or 0)}
        assert {o.department_id for o in evaluated[:5]} == {dept["D1"]}
        assert evaluated[5].department_id == dept["D2"]
        cycles = {c.year: c for c in session.exec(select(Cycle)).all()}
        assert cycles[PREVIOUS].status == "final"
        assert cycles[YEAR].status == "open"
        for key, (region, prev_star, status, own, checked, scored) in PLAN.items():
            org_id = ids[key]
            session.execute(
                update(Organisation).where(Organisation.id == org_id).values(region=region)
            )
            session.execute(
                update(PublishedResult)
                .where(
                    PublishedResult.cycle_id == cycles[PREVIOUS].id,
                    PublishedResult.org_id == org_id,
                )
                .values(region=region, status="published", veto_tenths=0, **_sums(prev_star))
            )
            assessment = session.exec(
                select(Assessment).where(
                    Assessment.cycle_id == cycles[YEAR].id, Assessment.org_id == org_id
                )
            ).one()
            assessment.status = status
            session.add(assessment)
            session.execute(
                delete(AssessmentTotal).where(AssessmentTotal.assessment_id == assessment.id)
            )
            for basis, (star, bonus, *rest) in (("self", own), ("reviewed", checked)):
                session.add(
                    AssessmentTotal(
                        assessment_id=assessment.id,
                        basis=basis,
                        cycle_id=cycles[YEAR].id,
                        org_id=org_id,
                        scored=scored,
                        veto_tenths=0,
                        **_sums(star, bonus, *rest),
                    )
                )
        bump_change_counter(session)
    return SmallCity(ids, dept, names)
