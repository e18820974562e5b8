"""Absurd numbers are refused at once (issue 12, finding 8): "1e1000000" is a valid Decimal whose
printing or doubling burned a CPU for a minute or escaped as an overflow."""

from __future__ import annotations

import pytest

from db.services import assessment as A
from db.services import editing, review, reviewing
from db.services.common import InvalidInput
from tests.services.cycle_helpers import assessments_with
from tests.utils import actor

HUGE = ["1e1000000", "-1e1000000", "1e999999999", "9" * 5000, "1e-1000000", "0." + "0" * 60 + "1"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("raw", HUGE)
def test_a_branch_save_refuses_absurd_points_and_figures(city: str, raw: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    with pytest.raises(InvalidInput) as refused:
        editing.save_star_page(
            branch,
            assessment_id=view.id,
            version=view.version,
            star="learning",
            entries={
                "L1.1": editing.EntryInput(points=raw),
                "L2.3": editing.EntryInput(figure=raw),
            },
        )
    assert len(refused.value.errors) == 2
    assert all(len(problem) < 400 for problem in refused.value.errors)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("raw", HUGE[:3])
def test_a_review_refuses_absurd_points(city: str, raw: str) -> None:
    reviewer = actor("reviewer")
    view = review.load_review(reviewer, assessment_id=assessments_with("submitted")[0])
    line = next(x for x in view.lines if x.kind == "criterion")
    with pytest.raises(InvalidInput) as refused:
        reviewing.save_review(
            reviewer,
            assessment_id=view.assessment_id,
            version=view.version,
            lines=[review.ReviewLine(line.code, raw, "x")],
        )
    assert "不是数字" in refused.value.errors[0]
    assert len(refused.value.errors[0]) < 400
