"""One result everywhere: every place that shows an organisation's result agrees with
scoring.evaluate_basis, for every assessment of the demo city, every year and both bases."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from sqlmodel import select

import scoring
from db.engine import read_session
from db.models import Assessment, AssessmentTotal, Criterion, Cycle, ScoreEntry
from db.services import readmodels
from db.services.cycles import from_tenths, rubric_of_cycle
from db.services.totals import SUM_COLUMNS
from tests.utils import leader

BASES = ("self", "reviewed")


def expected_results() -> dict[tuple[int, str], dict[int, scoring.OrgResult]]:
    """(year, basis) → org_id → evaluate_basis over the raw score entries (not the totals)."""
    with read_session() as session:
        cycles = {c.id: c for c in session.exec(select(Cycle)).all()}
        assessments = session.exec(select(Assessment)).all()
        rows = session.exec(
            select(
                ScoreEntry.assessment_id,
                Criterion.code,
                ScoreEntry.self_tenths,
                ScoreEntry.reviewed_tenths,
            ).join(Criterion, Criterion.id == ScoreEntry.criterion_id)  # type: ignore[arg-type]
        ).all()
    points: dict[int, dict[str, tuple]] = defaultdict(dict)
    for aid, code, own, figure in rows:
        points[aid][code] = (from_tenths(own), from_tenths(figure))
    out: dict[tuple[int, str], dict[int, scoring.OrgResult]] = defaultdict(dict)
    for a in assessments:
        cycle = cycles[a.cycle_id]
        rubric = rubric_of_cycle(leader(), cycle.id)
        for basis in BASES:
            out[(cycle.year, basis)][a.org_id] = rubric.result(points[a.id], basis)
    return out


def test_assessment_totals_equal_evaluate_basis_for_every_assessment(city: str) -> None:
    """The SQL sums behind every ranking give, through evaluate_frame, exactly the result of
    the one rule for every assessment, year and basis."""
    expected = expected_results()
    with read_session() as session:
        totals = session.exec(select(AssessmentTotal)).all()
        years = {c.id: c.year for c in session.exec(select(Cycle)).all()}
    seen = set()
    for t in totals:
        result = expected[(years[t.cycle_id], t.basis)][t.org_id]
        sums = {c: Decimal(getattr(t, c)) / 10 for c in SUM_COLUMNS}
        assert {k: sums[f"{k}_tenths"] for k in scoring.STAR_KEYS} == result.star_scores
        assert min(sums["bonus_tenths"], Decimal(5)) == result.bonus
        assert sums["deduction_tenths"] == result.deduction
        assert (sums["veto_tenths"] > 0) == result.vetoed
        seen.add((years[t.cycle_id], t.basis, t.org_id))
    # An assessment without entries has no summary row and reads as zero everywhere.
    for key, results in expected.items():
        for org_id, r in results.items():
            if (*key, org_id) not in seen:
                assert r.composite == 0 and r.level == 0
    # Every shown frame: composite, stars, level per organisation.
    for (year, basis), results in expected.items():
        frame = readmodels.load_city_frame(leader(), year, basis)
        for org_id, row in frame.iterrows():
            r = results[org_id]
            assert Decimal(int(row["composite_milli"])) / 1000 == r.composite, (year, basis, org_id)
            assert int(row["level"]) == r.level
            assert int(row["star_count"]) == r.star_count
            assert bool(row["five_star"]) == r.five_star


@pytest.mark.parametrize("basis", BASES)
def test_demo_city_has_the_cases_that_used_to_disagree(city: str, basis: str) -> None:
    """The agreement above is only worth something if the demo city has reviewer deductions,
    vetoes, reviewer figures and 加分项 on submitted, returned and reviewed assessments."""
    with read_session() as session:
        kinds = session.exec(
            select(Criterion.kind, Assessment.status)
            .join(ScoreEntry, ScoreEntry.criterion_id == Criterion.id)  # type: ignore[arg-type]
            .join(Assessment, Assessment.id == ScoreEntry.assessment_id)  # type: ignore[arg-type]
            .where(ScoreEntry.reviewed_tenths.is_not(None))  # type: ignore[union-attr]
        ).all()
    present = {k for k, _ in kinds}
    assert {"criterion", "bonus", "deduction"} <= present
