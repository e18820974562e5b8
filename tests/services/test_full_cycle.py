"""One year end to end on the demo city: the branch submits, the reviewer returns, the branch
fixes, the reviewer approves, the admin publishes, an objection is recorded and answered, the
results become final and every later edit of that year is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

import scoring
from db.engine import read_session
from db.services import assessment as A
from db.services import (
    editing,
    evidence,
    excellence,
    freeze,
    publication,
    review,
    reviewing,
    rubrics,
    years,
)
from db.services import grades as G
from db.services import objections as O
from db.services.common import ServiceError
from tests.services.cycle_helpers import (
    Clock,
    approve_all_submitted,
    assessment,
    audit_rows,
    confirm_recommended,
)
from tests.utils import actor, pass_first_level

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
    b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _figure(rule: scoring.AutoRule) -> str:
    """A figure that earns full points."""
    return str(rule.minimum if rule.minimum is not None else rule.maximum)


def fill_and_submit(branch) -> A.AssessmentView:
    """The branch scores every criterion in full, attaches required evidence and submits."""
    view = A.my_assessment(branch)
    version = view.version
    for star in scoring.STAR_KEYS:
        entries = {}
        for c in view.rubric.by_star(star):
            if c.auto is not None:
                entries[c.code] = editing.EntryInput(figure=_figure(c.auto), note="按要求完成")
            else:
                entries[c.code] = editing.EntryInput(points=str(c.max_points), note="按要求完成")
        version = editing.save_star_page(
            branch, assessment_id=view.id, version=version, star=star, entries=entries
        )
    view = A.get_assessment(branch, assessment_id=view.id)
    for entry in view.entries.values():
        if (
            entry.criterion.kind == "criterion"
            and entry.criterion.evidence_required
            and not (entry.evidence)
        ):
            evidence.upload_evidence(
                branch,
                assessment_id=view.id,
                code=entry.code,
                filename=f"{entry.code}-台账.pdf",
                content=PDF,
            )
    editing.submit_assessment(branch, assessment_id=view.id, version=version)
    if A.get_assessment(branch, assessment_id=view.id).status == "first_review":
        pass_first_level(view.id)  # the 初审 of branch01's department's 机关党委
    return A.get_assessment(branch, assessment_id=view.id)


def test_one_year_from_submission_to_frozen_results(
    city: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    branch, reviewer, leader, boss = (actor(u) for u in ("branch01", "reviewer", "leader", "admin"))

    # 1. The branch submits.
    submitted = fill_and_submit(branch)
    assert submitted.status == "submitted"
    aid = submitted.id
    queue = review.review_queue(reviewer, year=submitted.year)
    assert queue.set_index("assessment_id").loc[aid, "status"] == "submitted"

    # 2. The reviewer returns it with comments.
    view = review.load_review(reviewer, assessment_id=aid)
    code = view.rubric.by_star("learning")[0].code
    reviewing.return_assessment(
        reviewer,
        assessment_id=aid,
        version=view.version,
        comment="学习星第 1 项佐证不足，请补充会议记录后重新提交。",
        lines=[review.ReviewLine(code, None, "缺少第三季度传达学习记录")],
    )

    # 3. The branch sees the comments where they belong, fixes and resubmits.
    returned = A.my_assessment(branch)
    assert returned.status == "returned"
    assert returned.editable
    assert "会议记录" in returned.return_comment
    assert returned.entries[code].reviewer_comment == "缺少第三季度传达学习记录"
    assert "learning" in returned.concerned_stars()
    evidence.upload_evidence(
        branch, assessment_id=aid, code=code, filename="第三季度记录.pdf", content=PDF
    )
    max_points = returned.rubric.criterion(code).max_points
    version = editing.save_star_page(
        branch,
        assessment_id=aid,
        version=returned.version,
        star="learning",
        entries={
            code: editing.EntryInput(points=str(max_points - Decimal("0.5")), note="已补充记录")
        },
    )
    editing.submit_assessment(branch, assessment_id=aid, version=version)
    assert assessment(aid).status == "first_review"
    pass_first_level(aid)
    assert assessment(aid).status == "submitted"

    # 4. The reviewer approves, cutting one item with a reason.
    view = review.load_review(reviewer, assessment_id=aid)
    assert view.line(code).note == "已补充记录"
    assert len(view.line(code).evidence) >= 1
    reviewing.approve_assessment(
        reviewer,
        assessment_id=aid,
        version=view.version,
        lines=[review.ReviewLine(code, max_points - 1, "补充记录仅覆盖两个季度，核减0.5分")],
    )
    assert assessment(aid).status == "reviewed"
    approve_all_submitted(reviewer)

    # 5. The leadership confirms 双优, the admin publishes.
    confirm_recommended(leader, submitted.year)
    cycle_id = submitted.cycle.id
    publication.publish_year(boss, cycle_id=cycle_id, include_unfinished=True)
    listed = publication.publication_list(leader, cycle_id=cycle_id).set_index("org_id")
    expected = review.preview(review.load_review(reviewer, assessment_id=aid))[1]
    assert Decimal(str(listed.loc[branch.org_id, "composite"])) == expected.composite
    assert assessment(aid).status == "published"

    # 6. An objection is recorded and answered during the notice period.
    objection = O.record_objection(
        boss,
        cycle_id=cycle_id,
        org_id=branch.org_id,
        raised_by="本单位党员",
        content="认为学习星核减过多",
    )
    clock.advance(days=2)
    O.resolve_objection(
        boss, objection_id=objection, outcome="maintained", note="复核台账，维持核减。"
    )

    # 7. The period ends: the results are final.
    clock.advance(days=3, seconds=1)
    info = publication.publication_info(leader, cycle_id=cycle_id)
    assert info.state == "final"

    # 8. Every later edit of that year is refused.
    view = review.load_review(reviewer, assessment_id=aid)
    refused = [
        lambda: reviewing.save_review(
            reviewer,
            assessment_id=aid,
            version=view.version,
            lines=[review.ReviewLine(code, max_points, "改回")],
        ),
        lambda: editing.save_star_page(
            branch,
            assessment_id=aid,
            version=view.version,
            star="learning",
            entries={code: editing.EntryInput(points="0")},
        ),
        lambda: evidence.upload_evidence(
            branch, assessment_id=aid, code=code, filename="迟交.pdf", content=PDF
        ),
        lambda: O.record_objection(
            boss, cycle_id=cycle_id, org_id=branch.org_id, content="再提异议"
        ),
        lambda: publication.publish_year(boss, cycle_id=cycle_id, include_unfinished=True),
        lambda: G.import_grades(
            boss,
            data=f"组织编码,年度,业绩等次\n{listed.loc[branch.org_id, 'code']},"
            f"{submitted.year},较差\n".encode(),
            filename="业绩.csv",
        ),
        lambda: rubrics.import_rubric(
            boss,
            cycle_id=cycle_id,
            version=next(r.version for r in years.list_years(boss) if r.cycle_id == cycle_id),
            text=rubrics.export_rubric(boss, cycle_id=cycle_id),
        ),
        lambda: excellence.confirm_excellence(
            leader,
            year=submitted.year,
            selected=[],
            reasons={},
            cycle_version=excellence.excellence_view(leader, year=submitted.year).cycle_version,
        ),
    ]
    for attempt in refused:
        with pytest.raises(ServiceError):
            attempt()
    with read_session() as session:
        assert freeze.cycle_is_frozen(session, cycle_id)
        assert freeze.year_is_frozen(session, submitted.year)
    after = publication.publication_list(leader, cycle_id=cycle_id).set_index("org_id")
    assert after.loc[branch.org_id, "composite"] == listed.loc[branch.org_id, "composite"]
    actions = [r.action for r in audit_rows()]
    for expected_action in (
        "submit_assessment",
        "first_review_passed",
        "review_returned",
        "review_approved",
        "publication_published",
        "objection_recorded",
        "objection_resolved",
        "publication_finalized",
    ):
        assert expected_action in actions
