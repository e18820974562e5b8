"""审核: queue, per-criterion review with reasons, 退回, 通过, live results, locking, access."""

from __future__ import annotations

from decimal import Decimal

import pytest

import scoring
from db.services import readmodels, review, reviewing
from db.services.common import InvalidInput, PermissionDenied, StaleVersion
from tests.services.cycle_helpers import (
    assessment,
    assessments_with,
    audit_rows,
    entries,
    first_criterion,
    open_cycle_id,
)
from tests.utils import actor, leader, make_user

CUT_REASON = "台账不全，核减0.5分"


@pytest.fixture
def reviewer(city: str):
    return actor("reviewer")


def _submitted(reviewer) -> review.ReviewView:
    aid = assessments_with("submitted")[0]
    return review.load_review(reviewer, assessment_id=aid)


def test_queue_lists_every_assessment_with_self_and_reviewed_results(reviewer) -> None:
    year = readmodels.load_years(leader())[-1]
    queue = review.review_queue(reviewer, year=year)
    frame = readmodels.load_city_frame(leader(), year, "self")
    assert set(queue["org_id"]) == set(frame.index)
    submitted = queue[queue["status"] == "submitted"]
    assert set(submitted["assessment_id"]) == set(assessments_with("submitted"))
    row = submitted.iloc[0]
    assert row["self_composite"] == frame.loc[row["org_id"], "composite"]
    # Oldest submission first; not-yet-submitted ones at the end.
    assert queue["submitted_at"].is_monotonic_increasing or queue["submitted_at"].isna().any()


def test_changing_points_needs_a_reason_and_bad_values_are_all_listed(reviewer) -> None:
    view = _submitted(reviewer)
    line = first_criterion(view, scored_above=Decimal(1))
    others = [x for x in view.lines if x.kind == "criterion" and x.code != line.code]
    before = entries(view.assessment_id)
    lines = [
        review.ReviewLine(line.code, line.self_points - Decimal(1), ""),  # no reason
        review.ReviewLine(others[0].code, "abc", "x"),
        review.ReviewLine(others[1].code, others[1].max_points + 1, "x"),
        review.ReviewLine(others[2].code, Decimal("0.3"), "x"),
        review.ReviewLine(others[3].code, Decimal(-1), "x"),
        review.ReviewLine("Z9.9", 1, "x"),
    ]
    with pytest.raises(InvalidInput) as refused:
        reviewing.save_review(
            reviewer, assessment_id=view.assessment_id, version=view.version, lines=lines
        )
    problems = refused.value.errors
    assert len(problems) == 6
    assert "理由" in problems[0]
    assert line.code in problems[0]
    assert "不是数字" in problems[1]
    assert "超出范围" in problems[2]
    assert "超出范围" in problems[4]
    assert "0.5" in problems[3]
    assert "Z9.9" in problems[5]
    assert entries(view.assessment_id) == before
    assert assessment(view.assessment_id).version == view.version


def test_save_keeps_status_and_records_before_and_after(reviewer) -> None:
    view = _submitted(reviewer)
    line = first_criterion(view, scored_above=Decimal(1))
    new_version = reviewing.save_review(
        reviewer,
        assessment_id=view.assessment_id,
        version=view.version,
        lines=[
            review.ReviewLine(line.code, line.self_points - Decimal("0.5"), "台账不全，核减0.5分")
        ],
    )
    assert new_version == view.version + 1
    row = assessment(view.assessment_id)
    assert (row.status, row.version) == ("submitted", new_version)
    entry = entries(view.assessment_id)[line.code]
    assert entry.reviewed_tenths == int((line.self_points - Decimal("0.5")) * 10)
    assert entry.reviewer_comment == CUT_REASON
    assert entry.reviewed_by == reviewer.id
    saved = audit_rows("review_saved")[-1]
    assert saved.actor_name == "reviewer"
    assert '"before": {"reviewed": "—"' in saved.detail
    assert "台账不全" in saved.detail


def test_same_points_need_no_reason(reviewer) -> None:
    view = _submitted(reviewer)
    line = first_criterion(view)
    reviewing.save_review(
        reviewer,
        assessment_id=view.assessment_id,
        version=view.version,
        lines=[review.ReviewLine(line.code, line.self_points, "")],
    )
    assert entries(view.assessment_id)[line.code].reviewed_tenths == int(line.self_points * 10)


def test_deductions_and_vetoes_need_a_reason_and_change_the_result(reviewer) -> None:
    view = _submitted(reviewer)
    deduction = view.rubric.items("deduction")[0]
    veto = view.rubric.items("veto")[0]
    with pytest.raises(InvalidInput) as refused:
        reviewing.save_review(
            reviewer,
            assessment_id=view.assessment_id,
            version=view.version,
            lines=[review.ReviewLine(deduction.code, 1, ""), review.ReviewLine(veto.code, 1, "")],
        )
    assert len(refused.value.errors) == 2
    with pytest.raises(InvalidInput):
        reviewing.save_review(
            reviewer,
            assessment_id=view.assessment_id,
            version=view.version,
            lines=[review.ReviewLine(veto.code, 2, "依据处分决定")],
        )
    reviewing.save_review(
        reviewer,
        assessment_id=view.assessment_id,
        version=view.version,
        lines=[
            review.ReviewLine(deduction.code, 1, "信息报送不及时"),
            review.ReviewLine(veto.code, 1, "依据处分决定"),
        ],
    )
    after = review.load_review(reviewer, assessment_id=view.assessment_id)
    own, reviewed = review.preview(after)
    assert reviewed.vetoed
    assert reviewed.level == 0
    assert not reviewed.five_star
    assert reviewed.deduction == Decimal(1)
    assert own.composite - reviewed.composite == Decimal(1)


def test_preview_applies_unsaved_inputs_through_scoring(reviewer) -> None:
    view = _submitted(reviewer)
    line = first_criterion(view, scored_above=Decimal(1))
    cut = line.self_points - Decimal(1)
    own, reviewed = review.preview(view, {line.code: cut})
    stars = {k: Decimal(0) for k in scoring.STAR_KEYS}
    for x in view.lines:
        if x.kind == "criterion" and x.self_points is not None:
            stars[x.star] += cut if x.code == line.code else x.self_points
    bonus = sum((x.self_points or 0 for x in view.lines if x.kind == "bonus"), Decimal(0))
    expected = scoring.evaluate_org(
        stars, view.rubric.bases, bonus=bonus, thresholds=view.rubric.thresholds
    )
    assert reviewed == expected
    assert own.composite - reviewed.composite == Decimal(1)


def test_return_needs_a_comment_and_the_branch_sees_it(reviewer) -> None:
    view = _submitted(reviewer)
    line = first_criterion(view)
    with pytest.raises(InvalidInput):
        reviewing.return_assessment(
            reviewer, assessment_id=view.assessment_id, version=view.version, comment="  "
        )
    reviewing.return_assessment(
        reviewer,
        assessment_id=view.assessment_id,
        version=view.version,
        comment="请补充主题党日签到表。",
        lines=[review.ReviewLine(line.code, None, "签到表缺第三季度")],
    )
    row = assessment(view.assessment_id)
    assert row.status == "returned"
    assert row.return_comment == "请补充主题党日签到表。"
    assert entries(view.assessment_id)[line.code].reviewer_comment == "签到表缺第三季度"
    from db.services import assessment as branch_side

    branch = make_user("branch", username="zhibu", org_id=view.org_id)
    shown = branch_side.get_assessment(branch, assessment_id=view.assessment_id)
    assert shown.return_comment == "请补充主题党日签到表。"
    assert shown.entries[line.code].reviewer_comment == "签到表缺第三季度"
    assert audit_rows("review_returned")[-1].target_id == str(view.assessment_id)


def test_approve_confirms_untouched_points_and_keeps_changed_ones(reviewer) -> None:
    view = _submitted(reviewer)
    line = first_criterion(view, scored_above=Decimal(1))
    cut = line.self_points - Decimal(1)
    reviewing.approve_assessment(
        reviewer,
        assessment_id=view.assessment_id,
        version=view.version,
        lines=[review.ReviewLine(line.code, cut, "会议记录不全")],
    )
    row = assessment(view.assessment_id)
    assert row.status == "reviewed"
    assert row.reviewer_id == reviewer.id
    for code, entry in entries(view.assessment_id).items():
        if entry.self_tenths is None:
            continue
        expected = int(cut * 10) if code == line.code else entry.self_tenths
        assert entry.reviewed_tenths == expected
    # The ranking's reviewed basis equals what the reviewer saw.
    after = review.load_review(reviewer, assessment_id=view.assessment_id)
    frame = readmodels.load_city_frame(leader(), after.year, "reviewed")
    assert Decimal(str(frame.loc[after.org_id, "composite"])) == review.preview(after)[1].composite
    # Approving again, or returning a reviewed one into approval, is refused.
    with pytest.raises(InvalidInput):
        reviewing.approve_assessment(
            reviewer, assessment_id=view.assessment_id, version=after.version
        )


def test_draft_and_returned_assessments_cannot_be_reviewed(reviewer) -> None:
    for status in ("draft", "returned"):
        aid = assessments_with(status)[0]
        view = review.load_review(reviewer, assessment_id=aid)
        assert view.mode == "read"
        with pytest.raises(InvalidInput):
            reviewing.save_review(reviewer, assessment_id=aid, version=view.version, lines=[])
        with pytest.raises(InvalidInput):
            reviewing.approve_assessment(reviewer, assessment_id=aid, version=view.version)
        with pytest.raises(InvalidInput):
            reviewing.return_assessment(
                reviewer, assessment_id=aid, version=view.version, comment="x"
            )


def test_a_stale_version_is_refused_and_nothing_is_written(reviewer) -> None:
    view = _submitted(reviewer)
    line = first_criterion(view)
    admin = actor("admin")
    reviewing.save_review(
        admin,
        assessment_id=view.assessment_id,
        version=view.version,
        lines=[review.ReviewLine(line.code, line.self_points, "已核对")],
    )
    before = entries(view.assessment_id)
    with pytest.raises(StaleVersion):
        reviewing.approve_assessment(
            reviewer, assessment_id=view.assessment_id, version=view.version
        )
    assert assessment(view.assessment_id).status == "submitted"
    assert entries(view.assessment_id) == before


@pytest.mark.parametrize("username", ["leader", "branch01", None])
def test_only_reviewers_and_admins_review_and_refusals_are_logged(city: str, username) -> None:
    who = actor(username) if username else None
    aid = assessments_with("submitted")[0]
    calls = [
        lambda: review.review_queue(who, year=readmodels.load_years(leader())[-1]),
        lambda: review.load_review(who, assessment_id=aid),
        lambda: reviewing.save_review(who, assessment_id=aid, version=1, lines=[]),
        lambda: reviewing.return_assessment(who, assessment_id=aid, version=1, comment="x"),
        lambda: reviewing.approve_assessment(who, assessment_id=aid, version=1),
    ]
    before = len(audit_rows("access_denied"))
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    refusals = audit_rows("access_denied")[before:]
    assert len(refusals) == len(calls)
    assert all(r.actor_id == (who.id if who else None) for r in refusals)
    assert assessment(aid).status == "submitted"


def test_queue_of_a_year_without_assessments_is_empty(reviewer) -> None:
    queue = review.review_queue(reviewer, year=1999)
    assert queue.empty
    assert list(queue.columns) == review.QUEUE_COLUMNS
    assert open_cycle_id()
