"""Two review levels on both databases: the department's 初审, then the region's 复核.

branch01 belongs to a department whose 机关党委 is dept01: its submission waits for dept01
(first_review), which passes it on (submitted, the reviewer's 复核) or returns it to the branch.
The department's own 机关党委 and a region that switched the first level off go straight to the
复核. Every step is recorded with who, level, what, when and the comment.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import Assessment, Cycle, Organisation, OrgType
from db.services import assessment as A
from db.services import editing, first_review, review, reviewing
from db.services.common import InvalidInput, PermissionDenied, StaleVersion
from tests.assessment_helpers import fill_all
from tests.utils import actor, make_user, pass_first_level


def _status(assessment_id: int) -> str:
    with read_session() as session:
        row = session.get(Assessment, assessment_id)
        assert row is not None
        return row.status


def _submit(username: str = "branch01") -> A.AssessmentView:
    branch = actor(username)
    view = fill_all(branch)
    editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    return A.get_assessment(branch, assessment_id=view.id)


def _steps(assessment_id: int, who: str = "branch01") -> list[tuple[str, str, str]]:
    return [
        (s.level, s.action, s.comment)
        for s in first_review.review_steps(actor(who), assessment_id=assessment_id)
    ]


def test_pass_on_then_approve_records_both_steps(city: str) -> None:
    view = _submit()
    assert view.status == "first_review"
    assert not view.editable
    dept, reviewer = actor("dept01"), actor("reviewer")

    queue = first_review.first_queue(dept, year=view.year)
    assert list(queue["assessment_id"]) == [view.id]
    assert queue.iloc[0]["department"]
    # The 复核 cannot approve what the 初审 has not passed on.
    with pytest.raises(InvalidInput):
        reviewing.approve_assessment(reviewer, assessment_id=view.id, version=view.version)
    assert review.load_review(reviewer, assessment_id=view.id).mode == "read"

    version = first_review.pass_on(
        dept, assessment_id=view.id, version=view.version, comment="材料齐全，同意报送。"
    )
    assert _status(view.id) == "submitted"
    assert first_review.first_queue(dept, year=view.year).empty
    queued = review.review_queue(reviewer, year=view.year).set_index("assessment_id")
    assert queued.at[view.id, "status"] == "submitted"
    assert queued.at[view.id, "first_reviewed_at"] is not None

    reviewing.approve_assessment(reviewer, assessment_id=view.id, version=version)
    assert _status(view.id) == "reviewed"
    expected = [
        ("branch", "submitted", ""),
        ("first", "passed", "材料齐全，同意报送。"),
        ("second", "approved", ""),
    ]
    # The branch and both levels see the same history, with who acted.
    for who in ("branch01", "dept01", "reviewer"):
        assert _steps(view.id, who) == expected
    names = [s.actor_name for s in first_review.review_steps(dept, assessment_id=view.id)]
    assert names == ["支部书记 王芳", "机关党委 陈静", "市直机关工委 审核员"]


def test_first_level_return_goes_back_to_the_branch_with_its_comment(city: str) -> None:
    view = _submit()
    dept = actor("dept01")
    with pytest.raises(InvalidInput):
        first_review.return_to_branch(
            dept, assessment_id=view.id, version=view.version, comment=" "
        )
    assert _status(view.id) == "first_review"
    first_review.return_to_branch(
        dept, assessment_id=view.id, version=view.version, comment="请补充第三季度学习记录。"
    )
    mine = A.my_assessment(actor("branch01"))
    assert mine.status == "returned"
    assert mine.editable
    assert mine.return_comment == "请补充第三季度学习记录。"
    assert _steps(view.id)[-1] == ("first", "returned", "请补充第三季度学习记录。")
    # Handed in again, it waits for the 初审 again.
    editing.submit_assessment(actor("branch01"), assessment_id=view.id, version=mine.version)
    assert _status(view.id) == "first_review"


def test_second_level_return_goes_back_to_the_branch(city: str) -> None:
    view = _submit()
    version = pass_first_level(view.id)
    reviewing.return_assessment(
        actor("reviewer"), assessment_id=view.id, version=version, comment="复核：佐证不清晰。"
    )
    mine = A.my_assessment(actor("branch01"))
    assert mine.status == "returned"
    assert mine.return_comment == "复核：佐证不清晰。"
    assert [s[:2] for s in _steps(view.id)] == [
        ("branch", "submitted"),
        ("first", "passed"),
        ("second", "returned"),
    ]


def test_the_departments_own_committee_goes_straight_to_the_second_level(city: str) -> None:
    branch01 = actor("branch01")
    with read_session() as session:
        org = session.get(Organisation, branch01.org_id)
        assert org is not None
        committee = session.exec(
            select(Organisation.id).where(
                Organisation.department_id == org.department_id,
                Organisation.org_type == OrgType.PARTY_COMMITTEE,
            )
        ).one()
    make_user("branch", username="committee", org_id=committee)
    view = fill_all(actor("committee"))
    if view.status != "draft":
        pytest.skip("the committee's demo assessment is already handed in")
    editing.submit_assessment(actor("committee"), assessment_id=view.id, version=view.version)
    assert _status(view.id) == "submitted"
    assert view.id not in set(
        first_review.first_queue(actor("dept01"), year=view.year)["assessment_id"]
    )


def test_a_region_that_switches_the_first_level_off_goes_straight_to_the_second(
    city: str,
) -> None:
    branch = actor("branch01")
    mine = A.my_assessment(branch)
    with pytest.raises(PermissionDenied):
        first_review.set_first_level(
            actor("dept01"), year=mine.year, region=mine.org_region, enabled=False
        )
    with pytest.raises(InvalidInput):
        first_review.set_first_level(actor("admin"), year=mine.year, region="外省", enabled=False)
    first_review.set_first_level(
        actor("admin"), year=mine.year, region=mine.org_region, enabled=False
    )
    settings = first_review.level_settings(branch, year=mine.year)
    assert settings.regions_off == (mine.org_region,)
    view = _submit()
    assert view.status == "submitted"
    assert _steps(view.id) == [("branch", "submitted", "")]
    first_review.set_first_level(
        actor("admin"), year=mine.year, region=mine.org_region, enabled=True
    )
    assert first_review.level_settings(branch, year=mine.year).regions_off == ()


def test_the_department_acts_on_its_own_department_only(city: str) -> None:
    view = _submit()
    other = _submit("branch02")
    dept = actor("dept01")
    with read_session() as session:
        mine = session.get(Organisation, actor("branch01").org_id)
        theirs = session.get(Organisation, actor("branch02").org_id)
        assert mine is not None
        assert theirs is not None
    queue = set(first_review.first_queue(dept, year=view.year)["assessment_id"])
    assert view.id in queue
    if theirs.department_id != mine.department_id:
        assert other.id not in queue
        with pytest.raises(PermissionDenied):
            first_review.pass_on(dept, assessment_id=other.id, version=other.version)
    # The department's 机关党委 cannot do the 复核.
    with pytest.raises(PermissionDenied):
        review.review_queue(dept, year=view.year)


def test_deadlines_per_level(city: str) -> None:
    boss = actor("admin")
    year = A.my_assessment(actor("branch01")).year
    settings = first_review.level_settings(boss, year=year)
    assert settings.first_review_deadline is None
    assert settings.review_deadline is None
    first, second = date(year, 12, 10), date(year, 12, 20)
    with pytest.raises(InvalidInput):
        first_review.set_deadlines(
            boss,
            cycle_id=settings.cycle_id,
            version=settings.version,
            first_review=second,
            review=first,
        )
    with pytest.raises(PermissionDenied):
        first_review.set_deadlines(
            actor("dept01"),
            cycle_id=settings.cycle_id,
            version=settings.version,
            first_review=first,
            review=second,
        )
    version = first_review.set_deadlines(
        boss,
        cycle_id=settings.cycle_id,
        version=settings.version,
        first_review=first,
        review=second,
    )
    with pytest.raises(StaleVersion):
        first_review.set_deadlines(
            boss,
            cycle_id=settings.cycle_id,
            version=settings.version,
            first_review=None,
            review=None,
        )
    now = first_review.level_settings(actor("dept01"), year=year)
    assert (now.first_review_deadline, now.review_deadline, now.version) == (first, second, version)
    with read_session() as session:
        assert (
            session.exec(select(Cycle.version).where(Cycle.id == settings.cycle_id)).one()
            == version
        )


def test_ages_and_days_left() -> None:
    today = date(2026, 12, 10)
    # 2026-12-08 17:00 UTC is 2026-12-09 01:00 in China: one day waited.
    assert first_review.waiting_days(datetime(2026, 12, 8, 17, 0, tzinfo=UTC), today) == 1
    assert first_review.waiting_days(datetime(2026, 12, 8, 15, 0), today) == 2
    assert first_review.waiting_days(None, today) is None
    assert first_review.days_left(today + timedelta(days=3), today) == 3
    assert first_review.days_left(today - timedelta(days=2), today) == -2
    assert first_review.days_left(None, today) is None


def test_a_stale_pass_on_is_refused(city: str) -> None:
    """dept01 loaded the assessment, then it was returned and handed in again: the pass-on made
    from the old page is stale, nothing is written."""
    view = _submit()
    dept = actor("dept01")
    version = first_review.return_to_branch(
        dept, assessment_id=view.id, version=view.version, comment="请补充。"
    )
    editing.submit_assessment(actor("branch01"), assessment_id=view.id, version=version)
    assert _status(view.id) == "first_review"
    with pytest.raises(StaleVersion):
        first_review.pass_on(dept, assessment_id=view.id, version=view.version)
    assert _status(view.id) == "first_review"
    assert [s[1] for s in _steps(view.id)].count("passed") == 0


def test_concurrent_pass_on_lands_once(city: str) -> None:
    """Two 机关党委 sessions pass the same version on at once: one lands, the other is refused
    (stale, or told it is no longer at the 初审); one step, one version."""
    view = _submit()
    dept = actor("dept01")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        try:
            first_review.pass_on(dept, assessment_id=view.id, version=view.version)
        except (StaleVersion, InvalidInput) as exc:
            with lock:
                outcomes.append(type(exc).__name__)
        else:
            with lock:
                outcomes.append("landed")

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcomes.count("landed") == 1
    assert len(outcomes) == 2
    with read_session() as session:
        row = session.get(Assessment, view.id)
        assert row is not None
        assert (row.status, row.version) == ("submitted", view.version + 1)
    assert [s[1] for s in _steps(view.id)].count("passed") == 1
