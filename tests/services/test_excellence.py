"""双优: quota, tie flag, recorded reasons for every deviation, grades, permissions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import AuditLog, ExcellenceDecision
from db.services import excellence, readmodels
from db.services import grades as G
from db.services.common import InvalidInput, PermissionDenied, StaleVersion
from db.services.freeze import CycleFrozen
from tests.services.cycle_helpers import approve_all_submitted, assessments_with
from tests.utils import actor

OPEN_YEAR = 2026
FINAL_YEAR = 2025


def _quota(five: int) -> int:
    return int((Decimal("0.25") * five).to_integral_value(rounding=ROUND_HALF_UP))


def test_recommendation_obeys_quota_and_rules(city: str) -> None:
    for year in (2024, FINAL_YEAR, OPEN_YEAR):
        view = excellence.excellence_view(actor("leader"), year=year)
        # 双优 rests on reviewed results only (drafts, pending and returned never count).
        frame = excellence.reviewed_only(readmodels.load_city_frame(actor("leader"), year))
        grades = G.load_grades(actor("leader"), year)
        five = int(frame["five_star"].sum())
        assert view.basis_count == five
        assert view.quota == _quota(five)
        for org in view.recommended:
            assert frame.at[org, "five_star"]
            assert not frame.at[org, "vetoed"]
            assert grades[org] == "优秀"
        eligible = [
            o
            for o in frame.index
            if frame.at[o, "five_star"] and not frame.at[o, "vetoed"] and grades.get(o) == "优秀"
        ]
        assert sorted(view.eligible) == sorted(eligible)
        if not view.tie_at_cut:
            assert len(view.recommended) == min(view.quota, len(eligible))
        # The recommended are the best eligible composites.
        worst_in = min((frame.at[o, "composite_milli"] for o in view.recommended), default=None)
        for o in set(eligible) - set(view.recommended):
            assert worst_in is not None
            assert frame.at[o, "composite_milli"] <= worst_in


def test_tie_at_the_cut_is_flagged(city: str) -> None:
    admin = actor("admin")
    approve_all_submitted(actor("reviewer"))
    frame = excellence.reviewed_only(readmodels.load_city_frame(actor("leader"), OPEN_YEAR))
    five = frame[frame["five_star"] & ~frame["vetoed"]].sort_values(
        "composite_milli", ascending=False
    )
    quota = _quota(len(frame[frame["five_star"]]))
    assert quota >= 2
    groups = five.groupby("composite_milli").groups
    chosen = None
    for milli in sorted(groups, reverse=True):
        higher = five[five["composite_milli"] > milli]
        if len(groups[milli]) >= 2 and len(higher) >= quota - 1:
            chosen = [*higher.index[: quota - 1], *groups[milli]]
            break
    assert chosen is not None, "the seeded city has tied five-star composites"
    grades = {int(o): ("优秀" if o in chosen else "良好") for o in frame.index}
    G.set_grades(admin, year=OPEN_YEAR, grades=grades)
    view = excellence.excellence_view(admin, year=OPEN_YEAR)
    assert view.tie_at_cut
    assert len(view.recommended) > view.quota
    assert set(view.tied) <= set(view.recommended)
    assert len(view.tied) >= 2
    flagged = view.candidates[view.candidates["tied"]].index
    assert sorted(flagged) == sorted(view.tied)


def test_confirmation_waits_for_the_review(city: str) -> None:
    leader = actor("leader")
    view = excellence.excellence_view(leader, year=OPEN_YEAR)
    # Handed in and waiting at either level: the 初审 or the 复核.
    waiting = len(assessments_with("first_review")) + len(assessments_with("submitted"))
    assert waiting > 0, "the seeded open year has submissions waiting for review"
    assert view.progress.unreviewed == waiting
    assert not view.progress.finished
    counts = readmodels.load_city_frame(actor("leader"), OPEN_YEAR)["status"].value_counts()
    assert view.progress.drafts == counts.get("draft", 0)
    assert view.progress.returned == counts.get("returned", 0)
    assert view.progress.reviewed == counts.get("reviewed", 0) + counts.get("published", 0)

    with pytest.raises(InvalidInput) as refused:
        excellence.confirm_excellence(
            leader,
            year=OPEN_YEAR,
            selected=view.recommended,
            reasons={},
            cycle_version=view.cycle_version,
        )
    assert f"还有 {waiting} 个组织已提交、尚未审核" in refused.value.message
    with read_session() as session:
        assert not session.exec(
            select(ExcellenceDecision).where(ExcellenceDecision.cycle_id == view.cycle_id)
        ).all()
        assert not session.exec(
            select(AuditLog).where(AuditLog.action == "confirm_excellence")
        ).all()
    assert not excellence.excellence_view(leader, year=OPEN_YEAR).confirmed

    # Once every submission is reviewed the same list is accepted; the audit entry keeps the
    # figures it rested on (drafts and returned ones do not block it).
    approve_all_submitted(actor("reviewer"))
    view = excellence.excellence_view(leader, year=OPEN_YEAR)
    assert view.progress.finished
    assert view.progress.unreviewed == 0
    done = excellence.confirm_excellence(
        leader,
        year=OPEN_YEAR,
        selected=view.recommended,
        reasons={},
        cycle_version=view.cycle_version,
    )
    assert done.confirmed
    assert sorted(done.final) == sorted(view.recommended)
    with read_session() as session:
        log = session.exec(select(AuditLog).where(AuditLog.action == "confirm_excellence")).one()
    assert '"unreviewed": 0' in log.detail
    assert f'"drafts": {view.progress.drafts}' in log.detail


def test_every_deviation_needs_a_recorded_reason(city: str) -> None:
    leader = actor("leader")
    approve_all_submitted(actor("reviewer"))
    view = excellence.excellence_view(leader, year=OPEN_YEAR)
    assert view.recommended, "the open year has recommendations"
    dropped = view.recommended[0]
    frame = readmodels.load_city_frame(actor("leader"), OPEN_YEAR)
    extra = next(
        o
        for o in frame.index
        if frame.at[o, "five_star"] and not frame.at[o, "vetoed"] and o not in view.recommended
    )
    selected = [o for o in view.recommended if o != dropped] + [extra]

    with pytest.raises(InvalidInput) as missing:
        excellence.confirm_excellence(
            leader,
            year=OPEN_YEAR,
            selected=selected,
            reasons={dropped: "  "},
            cycle_version=view.cycle_version,
        )
    assert len(missing.value.errors) == 2
    assert frame.at[dropped, "name"] in missing.value.errors[0] + missing.value.errors[1]
    with read_session() as session:
        assert (
            session.exec(
                select(ExcellenceDecision).where(ExcellenceDecision.cycle_id == view.cycle_id)
            ).all()
            == []
        )

    reasons = {
        dropped: "年内发生安全责任事故，经领导小组研究暂缓",
        extra: "业绩突出，领导小组研究增补",
    }
    done = excellence.confirm_excellence(
        leader, year=OPEN_YEAR, selected=selected, reasons=reasons, cycle_version=view.cycle_version
    )
    assert done.confirmed
    assert sorted(done.final) == sorted(selected)
    assert not done.changed_since
    with read_session() as session:
        rows = {
            d.org_id: d
            for d in session.exec(
                select(ExcellenceDecision).where(ExcellenceDecision.cycle_id == view.cycle_id)
            ).all()
        }
        logs = session.exec(select(AuditLog).where(AuditLog.action == "confirm_excellence")).all()
    assert rows[dropped].recommended
    assert not rows[dropped].selected
    assert rows[dropped].reason == reasons[dropped]
    assert rows[extra].selected
    assert not rows[extra].recommended
    assert rows[extra].reason == reasons[extra]
    assert all(r.reason == "" for o, r in rows.items() if o not in (dropped, extra))
    assert len(logs) == 1
    assert str(extra) in logs[0].detail

    # The old version is stale now: a second leader's form cannot overwrite silently.
    with pytest.raises(StaleVersion):
        excellence.confirm_excellence(
            leader,
            year=OPEN_YEAR,
            selected=selected,
            reasons=reasons,
            cycle_version=view.cycle_version,
        )


def test_only_five_star_organisations_can_be_selected(city: str) -> None:
    leader = actor("leader")
    approve_all_submitted(actor("reviewer"))
    view = excellence.excellence_view(leader, year=OPEN_YEAR)
    frame = readmodels.load_city_frame(actor("leader"), OPEN_YEAR)
    weak = next(o for o in frame.index if not frame.at[o, "five_star"])
    with pytest.raises(InvalidInput) as refused:
        excellence.confirm_excellence(
            leader,
            year=OPEN_YEAR,
            selected=[*view.recommended, weak],
            reasons={weak: "理由"},
            cycle_version=view.cycle_version,
        )
    assert any(frame.at[weak, "name"] in e for e in refused.value.errors)


def test_permissions_and_frozen_years(city: str) -> None:
    view = excellence.excellence_view(actor("reviewer"), year=OPEN_YEAR)
    for who in ("reviewer", "branch01"):
        with pytest.raises(PermissionDenied):
            excellence.confirm_excellence(
                actor(who),
                year=OPEN_YEAR,
                selected=view.recommended,
                reasons={},
                cycle_version=view.cycle_version,
            )
    with pytest.raises(PermissionDenied):
        excellence.excellence_view(actor("branch01"), year=OPEN_YEAR)
    org = int(readmodels.load_city_frame(actor("leader"), OPEN_YEAR).index[0])
    for who in ("leader", "reviewer", "branch01"):
        with pytest.raises(PermissionDenied):
            G.set_grade(actor(who), org_id=org, year=OPEN_YEAR, grade="优秀")
    with pytest.raises(InvalidInput):
        G.set_grade(actor("admin"), org_id=org, year=OPEN_YEAR, grade="很好")
    G.set_grade(actor("admin"), org_id=org, year=OPEN_YEAR, grade="一般")
    assert G.load_grades(actor("leader"), OPEN_YEAR)[org] == "一般"

    final = excellence.excellence_view(actor("admin"), year=FINAL_YEAR)
    assert final.frozen
    assert final.confirmed
    assert final.final
    with pytest.raises(CycleFrozen):
        excellence.confirm_excellence(
            actor("admin"),
            year=FINAL_YEAR,
            selected=final.final,
            reasons={},
            cycle_version=final.cycle_version,
        )
    with pytest.raises(CycleFrozen):
        G.set_grade(actor("admin"), org_id=org, year=FINAL_YEAR, grade="优秀")
