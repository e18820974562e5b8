"""The leadership read models: the ranking equals scoring.evaluate_frame on the raw rows, the
five-star share per year matches a hand calculation, and the derived statistics add up."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from sqlmodel import select

import scoring
from db.engine import read_session, write_session
from db.models import (
    SUBMITTED_STATUSES,
    Assessment,
    Criterion,
    Cycle,
    Organisation,
    ScoreEntry,
    User,
)
from db.services import attainment, organisations, readmodels, statistics
from db.services.common import Actor, PermissionDenied, bump_change_counter
from db.services.cycles import rubric_of_cycle
from db.services.totals import refresh_totals
from tests.assessment_helpers import fill_all
from tests.utils import actor, change_org, leader
from ui import data, rankings


def _raw_rows(year: int) -> tuple[list[tuple], list[int], int]:
    """(org_id, kind, star, self_tenths, reviewed_tenths) per ScoreEntry; evaluated org ids."""
    with read_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == year)).one()
        rows = session.exec(
            select(
                Assessment.org_id,
                Criterion.kind,
                Criterion.star,
                ScoreEntry.self_tenths,
                ScoreEntry.reviewed_tenths,
            )
            .join(Assessment, Assessment.id == ScoreEntry.assessment_id)
            .join(Criterion, Criterion.id == ScoreEntry.criterion_id)
            .where(Assessment.cycle_id == cycle.id)
        ).all()
        orgs = session.exec(
            select(Organisation.id).where(Organisation.org_type != "department")
        ).all()
    return list(rows), list(orgs), int(cycle.id)


def _independent_frame(year: int, basis: str) -> pd.DataFrame:
    """evaluate_frame built in the test from the ScoreEntry rows, not through readmodels."""
    rows, orgs, cycle_id = _raw_rows(year)
    rubric = rubric_of_cycle(leader(), cycle_id)

    def points(self_t: int | None, reviewed_t: int | None) -> int:
        value = self_t if basis == "self" else (reviewed_t if reviewed_t is not None else self_t)
        return value or 0

    scores = [
        (o, star, Decimal(points(s, r)) / 10) for o, kind, star, s, r in rows if kind == "criterion"
    ]
    adjust: dict[int, list] = {o: [Decimal(0), Decimal(0), False] for o in orgs}
    for o, kind, _star, s, r in rows:
        p = Decimal(points(s, r)) / 10
        if kind == "bonus":
            adjust[o][0] += p
        elif kind == "deduction":
            adjust[o][1] += p
        elif kind == "veto" and p > 0:
            adjust[o][2] = True
    return scoring.evaluate_frame(
        pd.DataFrame(scores, columns=["org_id", "star", "points"]),
        rubric.bases,
        pd.DataFrame(
            [(o, *v) for o, v in adjust.items()], columns=["org_id", "bonus", "deduction", "vetoed"]
        ),
        thresholds=rubric.thresholds,
    )


RESULT_COLUMNS = [
    "composite_milli",
    "star_count",
    "five_star",
    "level",
    "rank",
    "vetoed",
    *(f"lit_{k}" for k in scoring.STAR_KEYS),
]


@pytest.mark.parametrize("basis", ["reviewed", "self"])
def test_ranking_shown_equals_evaluate_frame(city: str, basis: str) -> None:
    for year in readmodels.load_years(leader()):
        expected = _independent_frame(year, basis)
        frame = readmodels.load_city_frame(leader(), year, basis)
        assert sorted(frame.index) == sorted(expected.index)
        # Only what has been handed in competes: ranks 1..k by composite among those k (ties
        # share a rank), then the rest, among themselves, after them.
        handed = frame["status"].isin(list(SUBMITTED_STATUSES)).reindex(expected.index)
        milli = expected["composite_milli"]
        k = int(handed.sum())
        expected["rank"] = [
            (0 if handed[o] else k) + 1 + int(((milli > milli[o]) & (handed == handed[o])).sum())
            for o in expected.index
        ]
        got = frame[RESULT_COLUMNS]
        pd.testing.assert_frame_equal(
            got.loc[expected.index], expected[RESULT_COLUMNS], check_dtype=False
        )
        # The table the leader sees: same order, same rank and composite, lit marks per star.
        table = rankings.ranking_table(frame)
        assert list(table.index) == list(frame.index)
        shown = handed.loc[table.index]
        assert table.loc[shown[shown].index, "全市排名"].tolist() == (
            expected.loc[shown[shown].index, "rank"].tolist()
        )
        assert table.loc[shown[~shown].index, "全市排名"].isna().all()  # none before handing in
        assert table.loc[shown[~shown].index, "地区排名"].isna().all()
        assert table["综合得分"].tolist() == [
            m / 1000 for m in expected.loc[table.index, "composite_milli"]
        ]
        total = frame.loc[table.index, "criteria_total"].where(lambda n: n > 0, 1)
        progress = frame.loc[table.index, "scored"] / total * 100  # percentage points
        assert table["填报进度"].tolist() == pytest.approx(progress.tolist())
        for key in scoring.STAR_KEYS:
            marks = table[scoring.STAR_NAMES[key]].str[0]
            lit = expected.loc[table.index, f"lit_{key}"]
            assert (marks == "★").tolist() == lit.tolist()
        ranks = table["全市排名"].dropna().tolist()
        assert ranks == sorted(ranks)
        assert shown.tolist() == sorted(shown.tolist(), reverse=True)  # handed in first


def test_five_star_share_and_target_match_hand_calculation(demo_city: str) -> None:
    history = readmodels.load_history(leader())
    table = attainment.attainment_table(history, "全市")
    for year in (2024, 2025, 2026):
        rows, orgs, cycle_id = _raw_rows(year)
        base = {k: Decimal(20) for k in scoring.STAR_KEYS}  # the demo rubric's bases
        assert rubric_of_cycle(leader(), cycle_id).bases == base
        per_org: dict[int, dict] = {
            o: {
                "stars": dict.fromkeys(scoring.STAR_KEYS, Decimal(0)),
                "bonus": Decimal(0),
                "deduction": Decimal(0),
                "veto": False,
            }
            for o in orgs
        }
        for o, kind, star, s, r in rows:
            p = Decimal(r if r is not None else (s or 0)) / 10
            if kind == "criterion":
                per_org[o]["stars"][star] += p
            elif kind == "bonus":
                per_org[o]["bonus"] += p
            elif kind == "deduction":
                per_org[o]["deduction"] += p
            elif p > 0:
                per_org[o]["veto"] = True
        five = 0
        for v in per_org.values():
            lit = all(v["stars"][k] >= Decimal("17") for k in scoring.STAR_KEYS)  # 85% of 20
            composite = sum(v["stars"].values()) + min(v["bonus"], Decimal(5)) - v["deduction"]
            five += lit and composite >= 90 and not v["veto"]
        total = len(orgs)
        target = 0.9  # 2020 onwards
        needed = max(0, -(-9 * total // 10) - five)  # ceil(0.9 * total) - five
        row = table[(table["year"] == year) & (table["scope"] == "全市")].iloc[0]
        assert (row["total"], row["five_star"]) == (total, five)
        assert row["share"] == pytest.approx(five / total)
        assert row["target"] == target
        assert bool(row["met"]) == (five * 100 >= 90 * total)
        assert row["needed"] == needed
        regions = table[(table["year"] == year) & (table["scope"] != "全市")]
        assert regions["total"].sum() == total
        assert regions["five_star"].sum() == five
    assert [scoring.target_percent(y) for y in (2017, 2018, 2019, 2020, 2030)] == [
        None,
        70,
        80,
        90,
        90,
    ]


def test_statistics_add_up(demo_city: str) -> None:
    frame = readmodels.load_city_frame(leader(), 2026)
    counts = statistics.completion_counts(frame)
    assert counts["orgs"].sum() == len(frame)
    chase = statistics.chase_list(frame, statistics.load_progress(leader(), 2026))
    assert set(chase["status"]) <= {"draft", "returned"}
    assert len(chase) == int(
        counts.set_index("state").loc[["not_started", "in_progress", "returned"], "orgs"].sum()
    )
    branch01 = actor("branch01").org_id
    assert branch01 in chase.index
    assert "支部书记 王芳" in chase.loc[branch01, "contact"]

    handed = statistics.submitted(frame)
    reasons = statistics.missed_reasons(handed)
    not_five = handed[~handed["five_star"]]
    for key in scoring.STAR_KEYS:
        n = int(reasons.set_index("reason").loc["star:" + key, "orgs"])
        assert n == int((~not_five[f"lit_{key}"]).sum())
    stats = statistics.criterion_stats(
        statistics.load_criterion_totals(leader(), 2026),
        statistics.load_criteria(leader(), 2026),
        len(handed),
    )
    assert stats["avg_share"].between(0, 1).all()
    assert list(stats["avg_share"]) == sorted(stats["avg_share"])

    gaps = statistics.score_gaps(readmodels.load_city_frame(leader(), 2026, "self"), frame)
    assert set(frame.loc[gaps.index, "status"]) <= {"reviewed", "published"}

    history = readmodels.load_history(leader())
    twice = attainment.not_five_star_twice(history, 2025)
    for org_id in twice.index:
        for year in (2024, 2025):
            row = history[(history.index == org_id) & (history["year"] == year)]
            assert not bool(row["five_star"].iloc[0])
    changes = attainment.level_changes(history)
    assert set(changes["change"]) <= {"up", "down", "same"}
    assert (changes["year"] > changes["prev_year"]).all()


def test_org_detail_lines_and_evidence(demo_city: str) -> None:
    org_id = actor("branch01").org_id
    assert org_id is not None
    detail = statistics.load_org_detail(leader(), 2026, org_id)
    assert len(detail.lines) == len(statistics.load_criteria(leader(), 2026))
    assert len(detail.evidence) == 2
    assert detail.lines["evidence"].sum() == 2
    assert detail.lines["self"].notna().sum() > 0


def test_city_views_refuse_branch_users(demo_city: str) -> None:
    branch = actor("branch01")
    for call in (
        lambda: data.city_frame(branch, 2026),
        lambda: data.criterion_stats(branch, 2026),
        lambda: data.chase_list(branch, 2026),
        lambda: data.excellence_view(branch, 2026),
        lambda: data.org_detail(branch, actor("branch02").org_id or 0, 2026),
    ):
        with pytest.raises(PermissionDenied):
            call()
    own = data.org_detail(branch, branch.org_id or 0, 2026)
    assert own.org_id == branch.org_id
    assert data.city_frame(actor("leader"), 2026).shape[0] == 24


def test_ranking_follows_a_saved_score(demo_city: str) -> None:
    """A write bumps the change counter, so the cached ranking is rebuilt with the new score."""
    leader = actor("leader")
    org_id = actor("branch02").org_id
    before = data.city_frame(leader, 2026).loc[org_id, "composite"]
    with write_session() as session:
        aid = session.exec(
            select(Assessment.id)
            .join(Cycle, Cycle.id == Assessment.cycle_id)
            .where(Assessment.org_id == org_id, Cycle.year == 2026)
        ).one()
        crit = session.exec(
            select(Criterion)
            .join(Cycle, Cycle.id == Criterion.cycle_id)
            .where(Cycle.year == 2026, Criterion.kind == "criterion")
        ).first()
        session.add(ScoreEntry(assessment_id=aid, criterion_id=crit.id, self_tenths=15))
        refresh_totals(session, assessment_ids=[aid])
        bump_change_counter(session)
    data.data_version.clear()
    after = data.city_frame(leader, 2026).loc[org_id, "composite"]
    assert after == before + 1.5


def _reference_criterion_stats(year: int, basis: str) -> pd.DataFrame:
    """Per-criterion sums and full marks counted in pandas from every raw entry of the year."""
    frame = statistics.submitted(readmodels.load_city_frame(leader(), year, basis))
    entries = statistics.load_entries(leader(), year)
    criteria = statistics.load_criteria(leader(), year)
    crit = criteria[criteria["kind"] == "criterion"].set_index("code")
    scoped = entries[entries["org_id"].isin(frame.index) & entries["code"].isin(crit.index)]
    points = statistics.basis_points(scoped, basis).fillna(0).astype("int64")
    full = points.to_numpy() >= crit["max_tenths"].reindex(scoped["code"]).to_numpy()
    n = len(frame)
    total = points.groupby(scoped["code"]).sum().reindex(crit.index, fill_value=0)
    full_count = pd.Series(full, index=scoped.index).groupby(scoped["code"]).sum()
    return pd.DataFrame(
        {
            "avg_share": total / (crit["max_tenths"] * n),
            "full_share": full_count.reindex(crit.index, fill_value=0) / n,
        }
    )


def _reference_missed_criteria(year: int, basis: str) -> pd.DataFrame:
    """Points lost per criterion, counted org by org in pandas for unlit stars."""
    frame = statistics.submitted(readmodels.load_city_frame(leader(), year, basis))
    entries = statistics.load_entries(leader(), year)
    criteria = statistics.load_criteria(leader(), year)
    crit = criteria[criteria["kind"] == "criterion"][["code", "star", "title", "max_tenths"]]
    pairs = pd.concat(
        [
            pd.DataFrame({"org_id": frame.index[~frame[f"lit_{key}"]], "star": key})
            for key in scoring.STAR_KEYS
        ],
        ignore_index=True,
    )
    grid = pairs.merge(crit, on="star")
    got = entries.assign(points=statistics.basis_points(entries, basis))
    grid = grid.merge(got[["org_id", "code", "points"]], on=["org_id", "code"], how="left")
    grid["lost"] = grid["max_tenths"] - grid["points"].fillna(0).astype("int64")
    lost = grid[grid["lost"] > 0]
    result = lost.groupby("code").agg(lost=("lost", "sum"), orgs=("org_id", "nunique"))
    result["lost"] = result["lost"] / 10
    return result.sort_index()


@pytest.mark.parametrize("basis", ["reviewed", "self"])
@pytest.mark.parametrize("year", [2025, 2026])
def test_criterion_statistics_summed_in_the_database_match_the_raw_entries(
    demo_city: str, year: int, basis: str
) -> None:
    frame = statistics.submitted(readmodels.load_city_frame(leader(), year, basis))
    criteria = statistics.load_criteria(leader(), year)
    stats = statistics.criterion_stats(
        statistics.load_criterion_totals(leader(), year, basis), criteria, len(frame)
    )
    expected = _reference_criterion_stats(year, basis)
    pd.testing.assert_frame_equal(
        stats[["avg_share", "full_share"]].sort_index(),
        expected.sort_index(),
        check_names=False,
    )
    missed = statistics.missed_criteria(
        frame, statistics.load_criterion_totals(leader(), year, basis, unlit_only=True), criteria
    ).set_index("code")[["lost", "orgs"]]
    reference = _reference_missed_criteria(year, basis)
    if year == 2025:
        assert len(reference) > 0, "the demo city's 2025 has unlit stars to explain"
    pd.testing.assert_frame_equal(
        missed.sort_index(), reference, check_dtype=False, check_names=False
    )


def test_new_and_dissolved_branches_never_rewrite_a_published_year(city: str) -> None:
    """2025 is final: its organisations are those that took part, whatever happens later."""
    boss = actor("admin")
    final_before = readmodels.load_city_frame(leader(), 2025)
    open_before = readmodels.load_city_frame(leader(), 2026)
    committee = open_before[open_before["org_type"] == "party_committee"].iloc[0]
    new_branch = organisations.save_organisation(
        boss,
        org_id=None,
        item=organisations.OrgInput(
            code="B0999901",
            name="中共新成立单位第一党支部",
            org_type="branch",
            region=str(committee["region"]),
            parent_code=str(committee["code"]),
        ),
    )
    with read_session() as session:
        with_accounts = set(session.exec(select(User.org_id)).all())
    dissolved = next(
        org_id
        for org_id in final_before.index
        if org_id not in with_accounts and final_before.loc[org_id, "org_type"] == "branch"
    )
    change_org(boss, dissolved, active=False)

    final_after = readmodels.load_city_frame(leader(), 2025)
    open_after = readmodels.load_city_frame(leader(), 2026)
    pd.testing.assert_frame_equal(final_after, final_before)
    assert new_branch in open_after.index
    assert dissolved not in open_after.index
    assert open_after.loc[new_branch, "status"] == "draft"
    assert open_after.loc[new_branch, "scored"] == 0
    assert len(open_after) == len(open_before)


def test_a_save_in_the_open_year_reloads_no_final_year(
    demo_city: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Final years' scores stay cached across writes; only the open year takes a new name."""
    leader = actor("leader")
    loaded: list[int] = []
    real = readmodels.load_year_scores

    def counting(who: Actor | None, year: int, basis: str = "reviewed") -> pd.DataFrame:
        loaded.append(year)
        return real(who, year, basis)

    monkeypatch.setattr(readmodels, "load_year_scores", counting)
    before = data.city_history(leader)
    assert sorted(set(loaded)) == [2024, 2025, 2026]

    loaded.clear()
    branch = actor("branch02")
    fill_all(branch, evidence=False, stars=("learning",))
    data.data_version.clear()
    after = data.city_history(leader)
    assert loaded == [2026]
    open_year = after[after["year"] == 2026]
    assert (
        open_year.loc[branch.org_id, "learning"]
        > before[before["year"] == 2026].loc[branch.org_id, "learning"]
    )
    pd.testing.assert_frame_equal(after[after["year"] < 2026], before[before["year"] < 2026])

    loaded.clear()
    change_org(actor("admin"), branch.org_id, name="中共改名后的党支部")
    data.data_version.clear()
    renamed = data.city_history(leader)
    assert loaded == [2026]
    names = renamed.loc[branch.org_id].set_index("year")["name"]
    assert names[2026] == "中共改名后的党支部"
    # published years keep the name they were published with
    assert names[2024] == names[2025] == before.loc[branch.org_id].set_index("year")["name"][2025]
    assert names[2025] != "中共改名后的党支部"


def test_level_changes_of_an_unfinished_year_compare_only_handed_in(demo_city: str) -> None:
    history = readmodels.load_history(leader())
    every = attainment.level_changes(history)
    handed = attainment.level_changes(history, unfinished_years=[2026])
    status_2026 = history[history["year"] == 2026]["status"]
    in_2026 = handed[handed["year"] == 2026]
    assert set(in_2026["org_id"]) == set(status_2026[status_2026.isin(statistics.SUBMITTED)].index)
    assert len(every[every["year"] == 2026]) == len(status_2026) > len(in_2026) > 0
    pd.testing.assert_frame_equal(
        handed[handed["year"] < 2026].reset_index(drop=True),
        every[every["year"] < 2026].reset_index(drop=True),
    )
