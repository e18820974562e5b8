"""assessment_total stays equal to a full rebuild from the score entries after every write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import AssessmentTotal
from db.services import review, reviewing
from db.services.totals import refresh_totals
from tests.assessment_helpers import fill_all
from tests.services.cycle_helpers import assessments_with, first_criterion, open_cycle_id
from tests.utils import actor

CUT_REASON = "台账不全，核减1分"


def _totals(cycle_id: int) -> dict[tuple[int, str], tuple]:
    with read_session() as session:
        rows = session.exec(select(AssessmentTotal).where(AssessmentTotal.cycle_id == cycle_id))
        return {
            (row.assessment_id, row.basis): tuple(row.model_dump().values()) for row in rows.all()
        }


def _rebuilt(cycle_id: int) -> dict[tuple[int, str], tuple]:
    with write_session() as session:
        refresh_totals(session, cycle_id=cycle_id)
    return _totals(cycle_id)


def test_seeded_city_totals_equal_a_rebuild(city: str) -> None:
    cycle = open_cycle_id()
    seeded = _totals(cycle)
    assert seeded, "the seed writes the totals"
    assert _rebuilt(cycle) == seeded


def test_saves_and_reviews_keep_the_totals_equal_to_a_rebuild(city: str) -> None:
    cycle = open_cycle_id()
    before = _totals(cycle)
    view = fill_all(actor("branch02"), evidence=False)
    after_save = _totals(cycle)
    assert after_save[(view.id, "self")] != before.get((view.id, "self"))
    assert _rebuilt(cycle) == after_save

    reviewer = actor("reviewer")
    aid = assessments_with("submitted")[0]
    loaded = review.load_review(reviewer, assessment_id=aid)
    line = first_criterion(loaded, scored_above=Decimal(1))
    reviewing.save_review(
        reviewer,
        assessment_id=aid,
        version=loaded.version,
        lines=[review.ReviewLine(line.code, line.self_points - 1, CUT_REASON)],
    )
    after_review = _totals(cycle)
    reviewed, own = after_review[(aid, "reviewed")], after_review[(aid, "self")]
    assert reviewed != own, "the cut shows on the reviewed basis only"
    assert _rebuilt(cycle) == after_review


def test_refresh_needs_exactly_one_scope() -> None:
    with pytest.raises(ValueError, match="either assessment_ids or cycle_id"):
        refresh_totals(None, assessment_ids=None, cycle_id=None)
    with pytest.raises(ValueError, match="either assessment_ids or cycle_id"):
        refresh_totals(None, assessment_ids=[1], cycle_id=1)
