"""批量审核通过: each assessment approved on its own; failures named in Chinese, the rest done."""

from __future__ import annotations

import pytest

from db.services import review, review_batch, reviewing
from db.services.common import InvalidInput, PermissionDenied
from tests.services.cycle_helpers import assessment, assessments_with, audit_rows, entries
from tests.utils import actor
from texts import common as C


def test_batch_approves_each_and_reports_every_failure(city: str) -> None:
    reviewer = actor("reviewer")
    pending = assessments_with("submitted")
    assert len(pending) >= 3, "the seeded open year has several submissions"
    first, stale, *rest = pending
    draft = assessments_with("draft")[0]
    versions = {a: assessment(a).version for a in pending}
    versions[draft] = assessment(draft).version
    # Someone saves `stale` after the reviewer loaded the queue: its version moved on.
    view = review.load_review(reviewer, assessment_id=stale)
    reviewing.save_review(reviewer, assessment_id=stale, version=view.version, lines=[])
    before = len(audit_rows("review_approved"))

    outcome = review_batch.approve_many(reviewer, versions=versions)

    assert sorted(outcome.approved) == sorted([first, *rest])
    failed = dict(outcome.failed)
    assert set(failed) == {stale, draft}
    stale_name = review.load_review(reviewer, assessment_id=stale).org_name
    draft_name = review.load_review(reviewer, assessment_id=draft).org_name
    assert failed[stale] == f"{stale_name}：{C.ERR_STALE}"
    assert failed[draft] == f"{draft_name}：这份测评当前状态为“草稿”，不能审核通过。"
    for aid in [first, *rest]:
        assert assessment(aid).status == "reviewed"
        # The same 通过 as one by one: the branch's points confirmed as the reviewed ones.
        assert all(
            e.reviewed_tenths == e.self_tenths for e in entries(aid).values() if e.self_tenths
        )
    assert assessment(stale).status == "submitted"
    assert assessment(draft).status == "draft"
    approved_logs = audit_rows("review_approved")[before:]
    assert sorted(int(r.target_id) for r in approved_logs) == sorted([first, *rest])


def test_batch_checks_role_and_input(city: str) -> None:
    pending = assessments_with("submitted")
    versions = {a: assessment(a).version for a in pending}
    for who in ("leader", "branch01"):
        with pytest.raises(PermissionDenied):
            review_batch.approve_many(actor(who), versions=versions)
    with pytest.raises(InvalidInput) as empty:
        review_batch.approve_many(actor("reviewer"), versions={})
    assert empty.value.message == "请至少选择一份测评。"
    assert all(assessment(a).status == "submitted" for a in pending)
