"""The audit log page and its export read real entries as sentences with names resolved."""

from __future__ import annotations

import csv
import io

from db.services import audit, review_batch
from tests.services.cycle_helpers import assessment, assessments_with
from tests.utils import actor


def test_real_entries_read_as_sentences(city: str) -> None:
    reviewer = actor("reviewer")
    aid = assessments_with("submitted")[0]
    review_batch.approve_many(reviewer, versions={aid: assessment(aid).version})
    view = review_batch.review.load_review(reviewer, assessment_id=aid)
    admin = actor("admin")
    frame, _ = audit.search_audit(admin, audit.AuditFilter(actions=("review_approved",)))
    expected = f"{reviewer.label} 审核通过了 {view.org_name}（{view.year} 年度） 的自评："
    assert frame.iloc[0]["sentence"].startswith(expected)
    assert "项采用支部自评分" in frame.iloc[0]["sentence"]

    content = audit.export_audit(admin, audit.AuditFilter(actions=("review_approved",)))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][7:] == ["说明", "原始记录"]
    assert rows[1][7].startswith(expected)
