"""Self-assessment services: reading, saving a star page, 加分项, submission and their rules."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update
from sqlmodel import col, select

import scoring
from db.engine import read_session, write_session
from db.models import Assessment, AuditLog, Cycle, Organisation, ScoreEntry
from db.services import assessment as A
from db.services import editing, guidance, readmodels, reviewing
from db.services import evidence as E
from db.services.common import InvalidInput, NotFound, PermissionDenied, StaleVersion
from tests.assessment_helpers import PDF, fill_all, full_entries, star_points
from tests.utils import actor, leader, make_user, pass_first_level

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def audit_rows(action: str) -> list[AuditLog]:
    with read_session() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == action)))


def entry_rows(assessment_id: int) -> dict[int, tuple]:
    with read_session() as session:
        rows = session.exec(select(ScoreEntry).where(ScoreEntry.assessment_id == assessment_id))
        return {r.criterion_id: (r.self_tenths, r.figure, r.note) for r in rows}


def set_status(assessment_id: int, status: str) -> None:
    with write_session() as session:
        session.exec(
            update(Assessment).where(col(Assessment.id) == assessment_id).values(status=status)
        )


def set_cycle(view: A.AssessmentView, **values: object) -> None:
    with write_session() as session:
        session.exec(update(Cycle).where(col(Cycle.id) == view.cycle.id).values(**values))


# --------------------------------------------------------------------------- reading


def test_my_assessment_is_the_open_draft_with_every_item(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    assert view.org_id == branch.org_id
    assert view.status == "draft"
    assert view.editable
    assert view.cycle.status == "open"
    assert set(view.entries) == {c.code for c in view.rubric.criteria}
    assert sum(len(view.star_entries(s)) for s in scoring.STAR_KEYS) == 46
    done = guidance.completion(view)
    assert 0 < done.scored < done.criteria_total == 46
    assert not done.complete


def test_self_result_agrees_with_the_city_read_model(city: str) -> None:
    view = A.my_assessment(actor("branch01"))
    frame = readmodels.load_city_frame(leader(), view.year, "self")
    row = frame.loc[view.org_id]
    assert Decimal(str(row["composite"])) == view.self_result.composite
    for star in scoring.STAR_KEYS:
        assert Decimal(str(row[star])) == view.self_result.star_scores[star]
        assert bool(row[f"lit_{star}"]) == (star in view.self_result.lit_stars)


def test_branch_asking_for_another_orgs_assessment_is_refused_and_logged(city: str) -> None:
    own = A.my_assessment(actor("branch01"))
    intruder = actor("branch02")
    with pytest.raises(PermissionDenied) as refused:
        A.get_assessment(intruder, assessment_id=own.id)
    assert CHINESE.search(refused.value.message)
    rows = audit_rows("access_denied")
    assert any(
        r.actor_name == "branch02"
        and r.target_id == str(own.id)
        and json.loads(r.detail)["attempted"] == "view_assessment"
        for r in rows
    )
    with pytest.raises(PermissionDenied):
        editing.save_star_page(
            intruder,
            assessment_id=own.id,
            version=own.version,
            star="learning",
            entries={"L1.1": {"points": "3"}},
        )
    assert any(
        r.actor_name == "branch02" and json.loads(r.detail)["attempted"] == "self_assess"
        for r in audit_rows("access_denied")
    )
    with pytest.raises(PermissionDenied):
        guidance.past_results(intruder, org_id=own.org_id)


def test_unknown_id_is_refused_for_a_branch_and_not_found_for_a_reviewer(city: str) -> None:
    with pytest.raises(PermissionDenied):
        A.get_assessment(actor("branch02"), assessment_id=999_999)
    assert any(r.target_id == "999999" for r in audit_rows("access_denied"))
    with pytest.raises(NotFound):
        A.get_assessment(actor("reviewer"), assessment_id=999_999)


def test_city_roles_read_but_never_write_a_branch_assessment(city: str) -> None:
    view = A.my_assessment(actor("branch01"))
    for name in ("reviewer", "leader", "admin"):
        assert A.get_assessment(actor(name), assessment_id=view.id).id == view.id
        with pytest.raises(PermissionDenied):
            editing.save_star_page(
                actor(name),
                assessment_id=view.id,
                version=view.version,
                star="learning",
                entries={"L1.1": {"points": "3"}},
            )
    with pytest.raises(PermissionDenied):
        A.my_assessment(actor("reviewer"))
    with pytest.raises(PermissionDenied):
        A.get_assessment(None, assessment_id=view.id)


def test_a_new_organisation_gets_an_empty_draft(city: str) -> None:
    with write_session() as session:
        org = Organisation(code="B99999", name="新建党支部", org_type="branch", region="市直")
        session.add(org)
        session.flush()
        org_id = org.id
    newcomer = make_user("branch", username="newbranch", org_id=org_id)
    view = A.my_assessment(newcomer)
    assert view.org_id == org_id
    assert view.status == "draft"
    assert view.version == 1
    assert guidance.completion(view).scored == 0
    assert A.my_assessment(newcomer).id == view.id


# --------------------------------------------------------------------------- saving


def test_save_star_page_writes_the_page_and_audits_before_and_after(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    new_version = editing.save_star_page(
        branch,
        assessment_id=view.id,
        version=view.version,
        star="learning",
        entries={
            "L1.1": editing.EntryInput(points="2.5", note="已传达学习 12 次"),
            "L2.3": editing.EntryInput(figure="20", note="人均 20 学时"),
            "L3.4": {"points": None, "note": ""},
        },
    )
    assert new_version == view.version + 1
    after = A.get_assessment(branch, assessment_id=view.id)
    assert after.version == new_version
    assert after.entries["L1.1"].self_points == Decimal("2.5")
    assert after.entries["L1.1"].note == "已传达学习 12 次"
    # 24 学时 minimum, 0.5 per started 2 学时 short: 20 → 2.5 − 1 = 1.5
    assert after.entries["L2.3"].figure == Decimal(20)
    assert after.entries["L2.3"].self_points == Decimal("1.5")
    assert after.entries["L3.4"].self_points is None
    saved = [r for r in audit_rows("save_star_page") if r.target_id == str(view.id)]
    assert saved, "the save is audited"
    detail = json.loads(saved[-1].detail)
    assert detail["version"] == [view.version, new_version]
    assert detail["changes"]["L1.1"]["after"]["points"] == "2.5"
    assert "before" in detail["changes"]["L1.1"]


def test_auto_points_come_from_scoring(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    rule = view.rubric.criterion("L3.3")
    for figure in ("100", "95", "81", "0"):
        view = A.my_assessment(branch)
        editing.save_star_page(
            branch,
            assessment_id=view.id,
            version=view.version,
            star="learning",
            entries={"L3.3": {"figure": figure}},
        )
        got = A.my_assessment(branch).entries["L3.3"].self_points
        assert got == scoring.auto_points(rule.auto, Decimal(figure), rule.max_points)


@pytest.mark.parametrize(
    ("code", "raw", "phrase"),
    [
        ("L1.1", "-1", "不能为负数"),
        ("L1.1", "3.5", "超过了本项满分"),
        ("L2.1", "1.3", "0.5 的整数倍"),
        ("L2.1", "abc", "不是数字"),
        ("L2.1", "１两", "不是数字"),
        ("L2.3", "-2", "不能为负数"),
        ("L2.3", "二十", "不是数字"),
        ("L2.3", "20.125", "两位小数"),
    ],
)
def test_bad_values_are_refused_in_chinese_and_nothing_is_written(
    city: str, code: str, raw: str, phrase: str
) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    before = entry_rows(view.id)
    audits = len(audit_rows("save_star_page"))
    field = "figure" if view.rubric.criterion(code).auto else "points"
    with pytest.raises(InvalidInput) as bad:
        editing.save_star_page(
            branch,
            assessment_id=view.id,
            version=view.version,
            star="learning",
            entries={"L3.4": {"points": "2"}, code: {field: raw}},
        )
    assert CHINESE.search(bad.value.message)
    assert len(bad.value.errors) == 1
    assert code in bad.value.errors[0]
    assert phrase in bad.value.errors[0]
    assert entry_rows(view.id) == before
    assert A.my_assessment(branch).version == view.version
    assert len(audit_rows("save_star_page")) == audits


def test_every_bad_entry_is_listed(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    with pytest.raises(InvalidInput) as bad:
        editing.save_star_page(
            branch,
            assessment_id=view.id,
            version=view.version,
            star="learning",
            entries={
                "L1.1": {"points": "-1"},
                "L2.1": {"points": "9"},
                "L2.2": {"points": "x"},
                "S4.1": {"points": "1"},
                "L3.1": {"points": "1", "note": "长" * 2001},
            },
        )
    assert len(bad.value.errors) == 5
    assert "5 处" in bad.value.message
    assert any("S4.1" in e and "学习星" in e for e in bad.value.errors)


def test_a_stale_save_is_refused_and_overwrites_nothing(city: str) -> None:
    branch = actor("branch01")
    first = A.my_assessment(branch)
    second = A.my_assessment(branch)  # the same page open in another window
    editing.save_star_page(
        branch,
        assessment_id=first.id,
        version=first.version,
        star="learning",
        entries={"L1.1": {"points": "3"}},
    )
    with pytest.raises(StaleVersion) as stale:
        editing.save_star_page(
            branch,
            assessment_id=second.id,
            version=second.version,
            star="learning",
            entries={"L1.1": {"points": "0.5"}},
        )
    assert "其他人已保存" in stale.value.message
    assert A.my_assessment(branch).entries["L1.1"].self_points == Decimal(3)


def test_unchanged_entries_and_blank_new_ones_write_no_rows(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    before = entry_rows(view.id)
    unscored = next(
        e.code
        for e in view.star_entries("learning")
        if not e.scored and view.entries[e.code].note == ""
    )
    entries = {
        e.code: editing.EntryInput(
            points=str(e.self_points) if e.self_points is not None else None,
            figure=str(e.figure) if e.figure else None,
            note=e.note,
        )
        for e in view.star_entries("learning")
    }
    entries[unscored] = editing.EntryInput()
    editing.save_star_page(
        branch, assessment_id=view.id, version=view.version, star="learning", entries=entries
    )
    assert entry_rows(view.id) == before


# --------------------------------------------------------------------------- status and deadline


def test_submit_needs_every_score_and_evidence(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    with pytest.raises(InvalidInput) as incomplete:
        editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    assert "暂不能提交" in incomplete.value.message
    assert any("尚未评分" in e for e in incomplete.value.errors)
    assert any("尚未上传佐证材料" in e for e in incomplete.value.errors)

    view = fill_all(branch, evidence=False)
    with pytest.raises(InvalidInput) as no_evidence:
        editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    assert all("佐证" in e for e in no_evidence.value.errors)

    view = fill_all(branch)
    done = guidance.completion(view)
    assert done.complete
    assert done.scored == done.criteria_total
    assert view.self_result.five_star
    new_version = editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    after = A.my_assessment(branch)
    # branch01 belongs to a department: the 初审 of its 机关党委 comes first.
    assert after.status == "first_review"
    assert after.version == new_version
    assert after.submitted_at is not None
    assert not after.editable
    assert "已提交" in after.lock_reason
    assert audit_rows("submit_assessment")


def test_after_submission_the_branch_can_no_longer_edit(city: str) -> None:
    branch = actor("branch01")
    view = fill_all(branch)
    version = editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    with pytest.raises(A.NotEditable) as locked:
        editing.save_star_page(
            branch,
            assessment_id=view.id,
            version=version,
            star="learning",
            entries={"L1.1": {"points": "0"}},
        )
    assert "已提交" in locked.value.message
    with pytest.raises(A.NotEditable):
        editing.save_bonus_items(
            branch, assessment_id=view.id, version=version, entries={"B1": {"points": "1"}}
        )
    with pytest.raises(A.NotEditable):
        E.upload_evidence(branch, assessment_id=view.id, code="L1.1", filename="a.pdf", content=PDF)
    with pytest.raises(A.NotEditable):
        E.delete_evidence(branch, evidence_id=view.entries["L1.1"].evidence[0].id)
    with pytest.raises(A.NotEditable):
        editing.submit_assessment(branch, assessment_id=view.id, version=version)


def test_a_returned_assessment_is_editable_and_can_be_resubmitted(city: str) -> None:
    branch = actor("branch01")
    view = fill_all(branch)
    editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    version = pass_first_level(view.id)
    version = reviewing.return_assessment(
        actor("reviewer"), assessment_id=view.id, version=version, comment="请补充主题党日记录。"
    )
    returned = A.my_assessment(branch)
    assert returned.status == "returned"
    assert returned.editable
    assert returned.return_comment == "请补充主题党日记录。"
    version = editing.save_star_page(
        branch,
        assessment_id=view.id,
        version=version,
        star="standard",
        entries={"S4.1": {"points": "1.5", "note": "已补充"}},
    )
    editing.submit_assessment(branch, assessment_id=view.id, version=version)
    # Handed in again, it goes to the 初审 again.
    assert A.my_assessment(branch).status == "first_review"


@pytest.mark.parametrize("status", ["submitted", "reviewed", "published"])
def test_statuses_other_than_draft_and_returned_are_read_only(city: str, status: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    set_status(view.id, status)
    locked = A.my_assessment(branch)
    assert not locked.editable
    assert CHINESE.search(locked.lock_reason)
    with pytest.raises(A.NotEditable):
        editing.save_star_page(
            branch,
            assessment_id=view.id,
            version=locked.version,
            star="learning",
            entries={"L1.1": {"points": "1"}},
        )


def test_deadline_day_is_the_last_editable_day(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    set_cycle(view, deadline=A.today())
    assert A.my_assessment(branch).editable
    version = editing.save_star_page(
        branch,
        assessment_id=view.id,
        version=view.version,
        star="learning",
        entries={"L1.1": {"points": "1"}},
    )
    set_cycle(view, deadline=A.today() - timedelta(days=1))
    late = A.my_assessment(branch)
    assert not late.editable
    assert "截止日期" in late.lock_reason
    with pytest.raises(A.NotEditable) as refused:
        editing.save_star_page(
            branch,
            assessment_id=view.id,
            version=version,
            star="learning",
            entries={"L1.1": {"points": "2"}},
        )
    assert "截止日期" in refused.value.message
    with pytest.raises(A.NotEditable):
        E.upload_evidence(branch, assessment_id=view.id, code="L1.1", filename="a.pdf", content=PDF)
    assert A.my_assessment(branch).entries["L1.1"].self_points == Decimal(1)


def test_a_closed_cycle_is_read_only(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    set_cycle(view, status="closed")
    with pytest.raises(A.NotEditable) as refused:
        editing.save_star_page(
            branch,
            assessment_id=view.id,
            version=view.version,
            star="learning",
            entries={"L1.1": {"points": "2"}},
        )
    assert "已截止" in refused.value.message


# --------------------------------------------------------------------------- 加分项, gap, history


def test_bonus_items_are_declared_capped_and_need_evidence(city: str) -> None:
    branch = actor("branch01")
    view = fill_all(branch)
    version = editing.save_bonus_items(
        branch,
        assessment_id=view.id,
        version=view.version,
        entries={
            "B1": {"points": "2", "note": "获市级表彰"},
            "B3": {"points": "2"},
            "B4": {"points": "1.5"},
        },
    )
    view = A.my_assessment(branch)
    assert view.version == version
    assert view.self_result.bonus == Decimal(5)  # 5.5 declared, capped at 5
    missing = [m for m in guidance.completion(view).missing if m.kind == "bonus_evidence"]
    assert {m.code for m in missing} == {"B1", "B3", "B4"}
    with pytest.raises(InvalidInput):
        editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    for code in ("B1", "B3", "B4"):
        E.upload_evidence(
            branch, assessment_id=view.id, code=code, filename="证书.pdf", content=PDF
        )
    view = A.my_assessment(branch)
    assert guidance.completion(view).complete
    with pytest.raises(InvalidInput) as bad:
        editing.save_bonus_items(
            branch,
            assessment_id=view.id,
            version=view.version,
            entries={"B1": {"points": "2.5"}, "L1.1": {"points": "1"}},
        )
    assert len(bad.value.errors) == 2


def test_gap_advice_closes_the_gap_with_the_fewest_points(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    advice = guidance.gap_advice(view)
    assert not advice.gap.five_star
    assert advice.gap.reachable
    assert advice.items
    assert advice.total_add == max(
        advice.gap.min_extra_points, sum(advice.gap.star_missing.values(), Decimal(0))
    )
    # Applying the advice makes the organisation five-star.
    points = {
        e.code: e.self_points or Decimal(0) for s in scoring.STAR_KEYS for e in view.star_entries(s)
    }
    for item in advice.items:
        points[item.code] += item.add_points
        assert points[item.code] <= item.max_points
    applied = guidance.gap_advice(view, overrides=points)
    assert applied.gap.five_star
    assert not applied.items
    per_star = {k: sum((i.add_points for i in v), Decimal(0)) for k, v in advice.per_star.items()}
    for star, missing in advice.gap.star_missing.items():
        assert per_star[star] >= missing


def test_gap_advice_on_unsaved_values(city: str) -> None:
    view = A.my_assessment(actor("branch01"))
    live = {code: Decimal(0) for code in star_points(view, "learning")}
    advice = guidance.gap_advice(view, overrides=live)
    assert advice.result.star_scores["learning"] == 0
    assert advice.gap.star_missing["learning"] == Decimal(17)


def test_past_results_cover_every_year(city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    results = guidance.past_results(branch, org_id=view.org_id)
    assert [r.year for r in results] == [2024, 2025, 2026]
    assert results[-1].basis == "self"
    assert results[-1].status == "draft"
    assert all(r.basis == "reviewed" and r.status == "published" for r in results[:-1])
    frame = readmodels.load_city_frame(leader(), 2025, "reviewed")
    assert Decimal(str(frame.loc[view.org_id, "composite"])) == results[1].result.composite
    assert guidance.past_results(actor("leader"), org_id=view.org_id) == results


def test_full_points_page_entries_helper_is_valid(city: str) -> None:
    view = A.my_assessment(actor("branch02"))
    for star in scoring.STAR_KEYS:
        entries = full_entries(view, star)
        assert len(entries) == len(view.rubric.by_star(star))
