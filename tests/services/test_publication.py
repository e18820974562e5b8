"""公示: preconditions, notice period, objections with outcomes, final and frozen results."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import Assessment, Cycle, Organisation, User
from db.services import exports, freeze, publication, readmodels, review, reviewing
from db.services import objections as O
from db.services.common import InvalidInput, PermissionDenied
from tests.services.cycle_helpers import (
    Clock,
    approve_all_submitted,
    assessment,
    assessments_with,
    audit_rows,
    confirm_recommended,
    first_criterion,
    open_cycle_id,
)
from tests.utils import actor, change_org, leader


@pytest.fixture
def clock(city: str, monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _ready(cycle_id: int) -> None:
    """Every submission reviewed and the 双优 list confirmed by the leadership."""
    approve_all_submitted(actor("reviewer"), cycle_id)
    year = publication.publication_info(actor("admin"), cycle_id=cycle_id).year
    confirm_recommended(actor("leader"), year)


def _publish(cycle_id: int, **kwargs: object) -> None:
    publication.publish_year(actor("admin"), cycle_id=cycle_id, include_unfinished=True, **kwargs)


def test_publishing_waits_for_every_review(clock: Clock) -> None:
    cycle_id = open_cycle_id()
    admin = actor("admin")
    with pytest.raises(InvalidInput) as refused:
        publication.publish_year(
            admin, cycle_id=cycle_id, include_unfinished=True, without_excellence=True
        )
    assert "尚未审核" in refused.value.message
    approve_all_submitted(actor("reviewer"), cycle_id)
    with pytest.raises(InvalidInput) as unfinished:
        publication.publish_year(admin, cycle_id=cycle_id, without_excellence=True)
    assert "未提交" in unfinished.value.message
    with pytest.raises(InvalidInput) as no_excellence:
        publication.publish_year(admin, cycle_id=cycle_id, include_unfinished=True)
    assert "双优" in no_excellence.value.message
    with pytest.raises(InvalidInput):
        publication.publish_year(
            admin, cycle_id=cycle_id, days=0, include_unfinished=True, without_excellence=True
        )
    info = publication.publication_info(admin, cycle_id=cycle_id)
    assert info.state == "none"
    assert info.pending == 0


def test_publish_sets_the_notice_period_and_publishes_reviewed_assessments(clock: Clock) -> None:
    cycle_id = open_cycle_id()
    _ready(cycle_id)
    reviewed = assessments_with("reviewed", cycle_id)
    drafts = assessments_with("draft", cycle_id)
    _publish(cycle_id)
    info = publication.publication_info(actor("leader"), cycle_id=cycle_id)
    assert info.state == "published"
    assert info.publication_ends - info.published_at == timedelta(days=5)  # settings default
    assert info.published_at == clock.now
    assert assessments_with("published", cycle_id) == reviewed
    assert assessments_with("draft", cycle_id) == drafts
    listed = publication.publication_list(actor("reviewer"), cycle_id=cycle_id)
    frame = readmodels.load_city_frame(leader(), info.year, "reviewed")
    assert set(listed["org_id"]) == set(frame[frame["status"] == "published"].index)
    row = listed.iloc[0]
    assert row["composite"] == frame.loc[row["org_id"], "composite"]
    assert row["level"] == frame.loc[row["org_id"], "level"]
    assert int(listed["excellence"].sum()) == info.excellence_count
    entry = audit_rows("publication_published")[-1]
    assert entry.actor_name == "admin"
    assert f'"year": {info.year}' in entry.detail
    with pytest.raises(InvalidInput):
        _publish(cycle_id)  # once only


def test_objections_are_recorded_during_the_period_with_an_outcome(clock: Clock) -> None:
    cycle_id = open_cycle_id()
    _ready(cycle_id)
    _publish(cycle_id)
    admin = actor("admin")
    listed = publication.publication_list(admin, cycle_id=cycle_id)
    org_id = int(listed.iloc[0]["org_id"])
    not_listed = [
        o for o in readmodels.load_org_table(leader(), 2026).index if o not in set(listed["org_id"])
    ]
    with pytest.raises(InvalidInput):
        O.record_objection(admin, cycle_id=cycle_id, org_id=org_id, content=" ")
    with pytest.raises(InvalidInput):
        O.record_objection(
            admin, cycle_id=cycle_id, org_id=not_listed[0], content="对评定结果有异议"
        )
    with pytest.raises(PermissionDenied):
        O.record_objection(actor("reviewer"), cycle_id=cycle_id, org_id=org_id, content="x")
    objection = O.record_objection(
        admin,
        cycle_id=cycle_id,
        org_id=org_id,
        content="群众反映该支部主题党日活动未按月开展",
        raised_by="来信",
    )
    frame = O.objections(actor("leader"), cycle_id=cycle_id)
    assert frame.iloc[0]["id"] == objection
    assert frame.iloc[0]["outcome"] == ""
    with pytest.raises(InvalidInput) as incomplete:
        O.resolve_objection(admin, objection_id=objection, outcome="nonsense", note="")
    assert len(incomplete.value.errors) == 2
    O.resolve_objection(
        admin,
        objection_id=objection,
        outcome="maintained",
        note="经查阅台账，活动按月开展，维持原评定。",
    )
    with pytest.raises(InvalidInput):
        O.resolve_objection(admin, objection_id=objection, outcome="corrected", note="改判")
    frame = O.objections(admin, cycle_id=cycle_id)
    assert frame.iloc[0]["outcome"] == "maintained"
    assert frame.iloc[0]["resolved_at"] is not None
    clock.advance(days=5, seconds=1)
    with pytest.raises(InvalidInput) as late:
        O.record_objection(admin, cycle_id=cycle_id, org_id=org_id, content="迟到的异议")
    assert "结束" in late.value.message
    actions = [r.action for r in audit_rows()]
    assert "objection_recorded" in actions
    assert "objection_resolved" in actions


def test_a_justified_objection_is_corrected_before_the_results_are_final(clock: Clock) -> None:
    cycle_id = open_cycle_id()
    _ready(cycle_id)
    _publish(cycle_id)
    admin, reviewer = actor("admin"), actor("reviewer")
    listed = publication.publication_list(admin, cycle_id=cycle_id)
    target = listed.iloc[0]
    objection = O.record_objection(
        admin, cycle_id=cycle_id, org_id=int(target["org_id"]), content="学习台账系补做"
    )
    aid = next(
        a
        for a in assessments_with("published", cycle_id)
        if assessment(a).org_id == int(target["org_id"])
    )
    view = review.load_review(reviewer, assessment_id=aid)
    assert view.mode == "correct"
    line = first_criterion(view, scored_above=Decimal(1))
    with pytest.raises(InvalidInput):  # 退回 is not possible while the results are published
        reviewing.return_assessment(reviewer, assessment_id=aid, version=view.version, comment="x")
    reviewing.save_review(
        reviewer,
        assessment_id=aid,
        version=view.version,
        lines=[review.ReviewLine(line.code, line.reviewed_points - 1, "异议属实，核减1分")],
    )
    clock.advance(days=6)
    # The period is over, but an objection is open: not yet final, correction still possible.
    info = publication.publication_info(admin, cycle_id=cycle_id)
    assert info.state == "expired"
    assert info.open_objections == 1
    with pytest.raises(InvalidInput):
        publication.finalize_year(admin, cycle_id=cycle_id)
    O.resolve_objection(admin, objection_id=objection, outcome="corrected", note="已核减学习星1分")
    after = publication.publication_list(admin, cycle_id=cycle_id)
    corrected = after[after["org_id"] == target["org_id"]].iloc[0]
    assert corrected["composite"] == target["composite"] - 1
    publication.finalize_year(admin, cycle_id=cycle_id)
    info = publication.publication_info(admin, cycle_id=cycle_id)
    assert info.state == "final"
    assert info.finalized_at == clock.now
    with read_session() as session:
        assert freeze.cycle_is_frozen(session, cycle_id)


def test_finalizing_early_is_refused_and_the_period_end_makes_results_final(clock: Clock) -> None:
    cycle_id = open_cycle_id()
    _ready(cycle_id)
    _publish(cycle_id, days=3)
    admin = actor("admin")
    with pytest.raises(InvalidInput) as early:
        publication.finalize_year(admin, cycle_id=cycle_id)
    assert "期满" in early.value.message
    with read_session() as session:
        assert not freeze.cycle_is_frozen(session, cycle_id)
    clock.advance(days=3)
    with read_session() as session:
        assert freeze.cycle_is_frozen(session, cycle_id)  # no open objection: final by time
    info = publication.publication_info(actor("leader"), cycle_id=cycle_id)
    assert info.state == "final"
    finalized = audit_rows("publication_finalized")[-1]
    assert '"automatic": true' in finalized.detail
    assert finalized.actor_id is None
    with pytest.raises(InvalidInput):
        publication.finalize_year(admin, cycle_id=cycle_id)


def test_frozen_results_refuse_review_edits(clock: Clock) -> None:
    cycle_id = open_cycle_id()
    _ready(cycle_id)
    _publish(cycle_id, days=1)
    clock.advance(days=2)
    publication.finalize_due()
    aid = assessments_with("published", cycle_id)[0]
    reviewer = actor("reviewer")
    view = review.load_review(reviewer, assessment_id=aid)
    assert view.mode == "read"
    line = first_criterion(view)
    with pytest.raises(freeze.CycleFrozen) as refused:
        reviewing.save_review(
            reviewer,
            assessment_id=aid,
            version=view.version,
            lines=[review.ReviewLine(line.code, line.self_points, "")],
        )
    assert "定档" in refused.value.message


def test_lists_escape_names_and_spreadsheets_are_formula_safe(clock: Clock) -> None:
    cycle_id = open_cycle_id()
    _ready(cycle_id)
    admin = actor("admin")
    with write_session() as session:
        org_id = session.exec(
            select(Assessment.org_id).where(
                Assessment.cycle_id == cycle_id, Assessment.status == "reviewed"
            )
        ).first()
        org = session.get(Organisation, org_id)
        assert org is not None
        # renamed before publication: the published list keeps the name it was published with
        org.name = '=HYPERLINK("http://x")<script>alert(1)</script>'
        session.add(org)
    _publish(cycle_id)
    page = publication.print_html(admin, cycle_id=cycle_id).decode("utf-8")
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "公示期" in page
    assert "http" not in page.split("<body>")[0]
    book = load_workbook(io.BytesIO(publication.list_xlsx(admin, cycle_id=cycle_id)))
    sheet = book.active
    cells = [sheet.cell(r, 3) for r in range(3, sheet.max_row + 1)]
    risky = [c for c in cells if c.value == '=HYPERLINK("http://x")<script>alert(1)</script>']
    assert risky
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    assert sheet.cell(2, 1).value == "序号"


@pytest.mark.parametrize("username", ["branch01", None])
def test_publication_is_not_for_branches_or_anonymous(city: str, username) -> None:
    who = actor(username) if username else None
    cycle_id = open_cycle_id()
    for call in (
        lambda: publication.publication_info(who, cycle_id=cycle_id),
        lambda: publication.publication_list(who, cycle_id=cycle_id),
        lambda: O.objections(who, cycle_id=cycle_id),
        lambda: publication.publish_year(who, cycle_id=cycle_id),
        lambda: publication.finalize_year(who, cycle_id=cycle_id),
    ):
        with pytest.raises(PermissionDenied):
            call()
    with read_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.id == cycle_id)).one()
    assert cycle.status == "open"


def test_leaders_and_reviewers_cannot_publish(city: str) -> None:
    cycle_id = open_cycle_id()
    for username in ("leader", "reviewer"):
        with pytest.raises(PermissionDenied):
            publication.publish_year(actor(username), cycle_id=cycle_id)


def test_an_organisation_dissolved_before_publication_stays_out_of_the_published_year(
    clock: Clock,
) -> None:
    cycle_id = open_cycle_id()
    before = readmodels.load_city_frame(leader(), 2026)
    with read_session() as session:
        with_accounts = set(session.exec(select(User.org_id)).all())
    dissolved = next(
        org_id
        for org_id in before.index
        if org_id not in with_accounts
        and before.loc[org_id, "org_type"] == "branch"
        and before.loc[org_id, "status"] == "draft"
    )
    change_org(actor("admin"), dissolved, active=False)
    assert dissolved not in readmodels.load_city_frame(leader(), 2026).index
    _ready(cycle_id)
    _publish(cycle_id)
    published = readmodels.load_city_frame(leader(), 2026)
    assert dissolved not in published.index
    counted = readmodels.load_org_table(leader(), 2026)
    assert dissolved not in counted.index
    assert len(counted) == len(before) - 1
    rated = counted[counted["status"] == "published"]
    assert sorted(published.index) == sorted(rated.index)


def test_organisations_not_taking_part_get_no_rank_and_no_level(clock: Clock) -> None:
    """Published with the unfinished ones left out: the ranking, the 公示 list, the report and
    the workbook count the same rated set, ranked among themselves."""
    cycle_id = open_cycle_id()
    _ready(cycle_id)
    _publish(cycle_id)
    admin = actor("admin")
    counted = readmodels.load_org_table(leader(), 2026)
    not_rated = counted.index[counted["status"] != "published"]
    assert len(not_rated)
    assert len(not_rated) < len(counted)
    frame = readmodels.load_city_frame(leader(), 2026)
    listed = publication.publication_list(admin, cycle_id=cycle_id)
    assert len(frame) == len(listed) == len(counted) - len(not_rated)
    assert not set(not_rated) & set(frame.index)
    ranks = frame["composite_milli"].rank(method="min", ascending=False).astype("int64")
    assert frame["rank"].tolist() == ranks.tolist()
    report_of = exports.org_report
    with pytest.raises(InvalidInput) as refused:
        report_of(admin, org_id=int(not_rated[0]), year=2026)
    assert "不参加评定" in refused.value.message
    for row in listed.head(12).itertuples():
        # the report prints the rank the 公示 list shows, out of the rated organisations
        report = report_of(admin, org_id=int(row.org_id), year=2026).body
        assert f"第 {row.rank} 名 / 共 {len(listed)} 个" in report
    assert listed["rank"].tolist() == frame.loc[listed["org_id"], "rank"].tolist()


def test_every_screen_says_whom_the_year_counts(clock: Clock) -> None:
    """An open year names the statuses its figures include; a published one its rated set and
    the organisations not taking part, the same numbers as the 公示 list."""
    cycle_id = open_cycle_id()
    open_scope = readmodels.load_year_scope(leader(), 2026)
    assert not open_scope.published
    assert open_scope.counted == open_scope.rated == len(readmodels.load_city_frame(leader(), 2026))
    assert set(open_scope.by_status) >= {"draft", "submitted"}
    _ready(cycle_id)
    _publish(cycle_id)
    scope = readmodels.load_year_scope(leader(), 2026)
    listed = publication.publication_list(actor("admin"), cycle_id=cycle_id)
    assert scope.published
    assert scope.counted == open_scope.counted
    assert scope.rated == len(listed) == len(readmodels.load_city_frame(leader(), 2026))
    assert scope.not_rated == scope.by_status.get("draft", 0) + scope.by_status.get("returned", 0)


def test_a_publish_that_loses_the_race_names_the_year_status_in_chinese(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another admin publishes the year between the checks and the update: the refusal names
    the status the year now has, in Chinese (never the stored code), and nothing is written."""
    cycle_id = open_cycle_id()
    _ready(cycle_id)
    checked = publication.publishable_cycle

    def published_meanwhile(session: Session, *args: Any, **kwargs: Any) -> tuple[Cycle, int, int]:
        found = checked(session, *args, **kwargs)
        session.exec(update(Cycle).where(col(Cycle.id) == cycle_id).values(status="published"))
        return found

    monkeypatch.setattr(publication, "publishable_cycle", published_meanwhile)
    with pytest.raises(InvalidInput) as refused:
        _publish(cycle_id)
    assert refused.value.message.endswith("当前状态为“公示中”，不能发布公示。")
    assert "published" not in refused.value.message
    with read_session() as session:
        assert session.exec(select(Cycle.status).where(col(Cycle.id) == cycle_id)).one() == "open"
