"""One result everywhere: every place that shows an organisation's result agrees with
scoring.evaluate_basis, for every assessment of the demo city, every year and both bases."""

from __future__ import annotations

import functools
from collections import defaultdict
from decimal import Decimal

import pandas as pd
import pytest
from sqlmodel import select

import formatting
import scoring
from db.engine import read_session
from db.models import (
    SUBMITTED_STATUSES,
    Assessment,
    AssessmentTotal,
    Criterion,
    Cycle,
    ScoreEntry,
)
from db.services import readmodels
from db.services.cycles import from_tenths, rubric_of_cycle
from db.services.totals import SUM_COLUMNS
from tests.utils import leader

BASES = ("self", "reviewed")


def _label(result, row) -> str:
    """What every screen calls the result: 未开始, 已否决 or the level (formatting.standing_key)."""
    from texts import common as C

    key = formatting.standing_key(result.level, result.vetoed, row["status"], row["scored"])
    return C.STANDING_NAMES[key]


def expected_results() -> dict[tuple[int, str], dict[int, scoring.OrgResult]]:
    """(year, basis) → org_id → evaluate_basis over the raw score entries (not the totals)."""
    with read_session() as session:
        cycles = {c.id: c for c in session.exec(select(Cycle)).all()}
        assessments = session.exec(select(Assessment)).all()
        rows = session.exec(
            select(
                ScoreEntry.assessment_id,
                Criterion.code,
                ScoreEntry.self_tenths,
                ScoreEntry.reviewed_tenths,
            ).join(Criterion, Criterion.id == ScoreEntry.criterion_id)
        ).all()
    points: dict[int, dict[str, tuple]] = defaultdict(dict)
    for aid, code, own, figure in rows:
        points[aid][code] = (from_tenths(own), from_tenths(figure))
    out: dict[tuple[int, str], dict[int, scoring.OrgResult]] = defaultdict(dict)
    for a in assessments:
        cycle = cycles[a.cycle_id]
        rubric = rubric_of_cycle(leader(), cycle.id)
        for basis in BASES:
            out[(cycle.year, basis)][a.org_id] = rubric.result(points[a.id], basis)
    return out


def test_assessment_totals_equal_evaluate_basis_for_every_assessment(city: str) -> None:
    """The SQL sums behind every ranking give, through evaluate_frame, exactly the result of
    the one rule for every assessment, year and basis."""
    expected = expected_results()
    with read_session() as session:
        totals = session.exec(select(AssessmentTotal)).all()
        years = {c.id: c.year for c in session.exec(select(Cycle)).all()}
    seen = set()
    for t in totals:
        result = expected[(years[t.cycle_id], t.basis)][t.org_id]
        sums = {c: Decimal(getattr(t, c)) / 10 for c in SUM_COLUMNS}
        assert {k: sums[f"{k}_tenths"] for k in scoring.STAR_KEYS} == result.star_scores
        assert min(sums["bonus_tenths"], Decimal(5)) == result.bonus
        assert sums["deduction_tenths"] == result.deduction
        assert (sums["veto_tenths"] > 0) == result.vetoed
        seen.add((years[t.cycle_id], t.basis, t.org_id))
    # An assessment without entries has no summary row and reads as zero everywhere.
    for key, results in expected.items():
        for org_id, r in results.items():
            if (*key, org_id) not in seen:
                assert r.composite == 0
                assert r.level == 0
    # Every shown frame: composite, stars, level per organisation.
    for (year, basis), results in expected.items():
        frame = readmodels.load_city_frame(leader(), year, basis)
        for org_id, row in frame.iterrows():
            r = results[org_id]
            assert Decimal(int(row["composite_milli"])) / 1000 == r.composite, (year, basis, org_id)
            assert int(row["level"]) == r.level
            assert int(row["star_count"]) == r.star_count
            assert bool(row["five_star"]) == r.five_star


@pytest.mark.parametrize("basis", BASES)
def test_demo_city_has_the_cases_that_used_to_disagree(city: str, basis: str) -> None:
    """The agreement above is only worth something if the demo city has reviewer deductions,
    vetoes, reviewer figures and 加分项 on submitted, returned and reviewed assessments."""
    with read_session() as session:
        kinds = session.exec(
            select(Criterion.kind, Assessment.status)
            .join(ScoreEntry, ScoreEntry.criterion_id == Criterion.id)
            .join(Assessment, Assessment.id == ScoreEntry.assessment_id)
            .where(ScoreEntry.reviewed_tenths.is_not(None))
        ).all()
    present = {k for k, _ in kinds}
    assert {"criterion", "bonus", "deduction"} <= present


# --------------------------------------------------------------------------- every place


def _rank(composites: dict[int, Decimal], handed: dict[int, bool] | None = None) -> dict[int, int]:
    """Competition rank (1-2-2-4) by composite, highest first; with `handed`, only what has been
    handed in competes for 1..k and the rest follow, ranked among themselves."""
    handed = handed or dict.fromkeys(composites, True)
    k = sum(handed.values())
    return {
        o: (0 if handed[o] else k)
        + 1
        + sum(1 for p, c in composites.items() if handed[p] == handed[o] and c > mine)
        for o, mine in composites.items()
    }


def _handed(frame: pd.DataFrame) -> dict[int, bool]:
    """Which organisations of a year frame have handed in (the only ones ranked 1..k)."""
    return {int(o): str(s) in SUBMITTED_STATUSES for o, s in frame["status"].items()}


def _sheet(content: bytes, name: str) -> tuple[list, list[tuple]]:
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(content))[name].iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def test_every_place_shows_the_same_result(city: str) -> None:
    """For every year, basis and organisation the year rates: 我的支部's service view, the
    review page, the read model (readmodels and the cached ui/data), statistics, the Excel
    workbook (排名, 分星得分, 目标达成), the printable report and the attainment counts show the
    composite, stars, level, rank and five-star count that scoring.evaluate_basis gives."""

    from db.services import assessment as A
    from db.services import attainment, exports, publication, review, statistics
    from db.services.cycles import cycle_by_year
    from formatting import points_text
    from tests.utils import actor
    from texts import leadership as TL
    from texts.review import PUB_SHEET as TL_PUB_SHEET
    from ui import data

    admin = actor("admin")
    expected = expected_results()
    with read_session() as session:
        assessment_of = {
            (c_year, org): aid
            for aid, org, c_year in session.exec(
                select(Assessment.id, Assessment.org_id, Cycle.year).join(
                    Cycle,
                    Cycle.id == Assessment.cycle_id,
                )
            ).all()
        }

    # 我的支部 (AssessmentView) and the review page (ReviewView) for every assessment.
    for (year, org), aid in assessment_of.items():
        view = A.get_assessment(admin, assessment_id=aid)
        own = expected[(year, "self")][org]
        judged = expected[(year, "reviewed")][org]
        assert view.self_result == own, (year, org)
        assert (view.reviewed_result or view.self_result) == judged, (year, org)
        shown_self, shown_reviewed = review.preview(review.load_review(admin, assessment_id=aid))
        assert (shown_self, shown_reviewed) == (own, judged), (year, org)

    viewer = leader()

    @functools.cache
    def frame_of(year: int, basis: str) -> pd.DataFrame:
        return readmodels.load_city_frame(viewer, year, basis)

    history = readmodels.load_history(viewer)
    published_years = 0
    for year in readmodels.load_years(viewer):
        workbook = exports.export_workbook(admin, year=year)
        for basis in BASES:
            frame = frame_of(year, basis)
            results = {int(o): expected[(year, basis)][int(o)] for o in frame.index}
            handed = {int(o): str(s) in SUBMITTED_STATUSES for o, s in frame["status"].items()}
            ranks = _rank({o: r.composite for o, r in results.items()}, handed)
            cached = data.city_frame(admin, year, basis)
            assert cached[["composite", "level", "rank"]].equals(
                frame[["composite", "level", "rank"]]
            )
            for region, part in frame.groupby("region"):
                in_region = _rank(
                    {int(o): results[int(o)].composite for o in part.index},
                    {int(o): handed[int(o)] for o in part.index},
                )
                for org, rank in in_region.items():
                    assert int(frame.at[org, "region_rank"]) == rank, (year, basis, region)
            for org, r in results.items():
                row = frame.loc[org]
                assert int(row["rank"]) == ranks[org]
                assert {k: Decimal(str(row[k])) for k in scoring.STAR_KEYS} == r.star_scores
                # The printable report: level, composite and rank of this basis.
                report = exports.org_report(
                    admin, org_id=org, year=year, basis=basis, frame_of=frame_of
                ).body
                assert _label(r, row) in report
                assert f'<span class="big">{points_text(r.composite)}</span>' in report
                # Only what has been handed in holds a printed rank (readmodels.ranked).
                if handed[org]:
                    total = sum(handed.values())
                    assert TL.R_RANK_VALUE.format(rank=ranks[org], total=total) in report
                else:
                    assert TL.R_NOT_RANKED in report
            five = sum(r.five_star for r in results.values())
            assert attainment.attainment(frame, year).five_star == five
            if basis == "reviewed":
                # Excel 排名 and 分星得分 are on the reviewed basis.
                header, rows = _sheet(workbook, TL.SHEET_RANKING)
                col = {h: i for i, h in enumerate(header)}
                by_code = {r[col[TL.COL_CODE]]: r for r in rows}
                assert len(by_code) == len(frame)
                for org, r in results.items():
                    line = by_code[frame.at[org, "code"]]
                    assert Decimal(str(line[col[TL.COL_COMPOSITE]])) == r.composite
                    assert line[col[TL.COL_RANK]] == (ranks[org] if handed[org] else None)
                    assert line[col[TL.COL_LEVEL]] == _label(r, frame.loc[org])
                header, rows = _sheet(workbook, TL.SHEET_STARS)
                by_code = {line[1]: line for line in rows}
                for org, r in results.items():
                    line = by_code[frame.at[org, "code"]]
                    shown = [Decimal(str(line[3 + 2 * i])) for i in range(len(scoring.STAR_KEYS))]
                    assert shown == [r.star_scores[k] for k in scoring.STAR_KEYS]
                header, rows = _sheet(workbook, TL.SHEET_TARGETS)
                city_row = next(x for x in rows if x[0] == year and x[1] == TL.CITY_SCOPE)
                assert (city_row[2], city_row[3]) == (len(frame), five)
                in_history = history[history["year"] == year]
                assert int(in_history["five_star"].sum()) == five
        # The 公示 list (page and Excel file) of a published year: composite, level, rank.
        cycle = cycle_by_year(viewer, year)
        if cycle.status in ("published", "final"):
            published_years += 1
            listed = publication.publication_list(admin, cycle_id=cycle.id).set_index("org_id")
            results = expected[(year, "reviewed")]
            ranks = _rank({int(o): results[int(o)].composite for o in listed.index})
            for org, row in listed.iterrows():
                assert Decimal(str(row["composite"])) == results[int(org)].composite
                assert int(row["level"]) == results[int(org)].level
                assert int(row["rank"]) == ranks[int(org)]
            header, rows = _sheet(publication.list_xlsx(admin, cycle_id=cycle.id), TL_PUB_SHEET)
            listed_rows = rows[1:]  # below the title row and the header
            assert [Decimal(str(x[6])) for x in listed_rows] == [
                Decimal(str(v)) for v in listed["composite"]
            ]
        # score_gaps: self and reviewed composites of reviewed organisations.
        gaps = statistics.score_gaps(frame_of(year, "self"), frame_of(year, "reviewed"))
        for org, row in gaps.iterrows():
            assert Decimal(str(row["self"])) == expected[(year, "self")][int(org)].composite
            assert Decimal(str(row["reviewed"])) == expected[(year, "reviewed")][int(org)].composite
    assert published_years, "the demo city has published years"


def test_pages_show_the_same_result(city: str) -> None:
    """Through AppTest: 实时排名 (every year, both bases: 全市排名, 综合得分, 等级 per org),
    我的支部 (self and reviewed composites) and 大屏 (five-star and submitted counts)."""
    from db.services import assessment as A
    from db.services import statistics
    from tests.utils import actor, open_page
    from texts import assessment as TA
    from texts import common as C
    from texts import leadership as TL

    expected = expected_results()
    at = open_page("leader", "pages/rankings.py", timeout=120)
    for year in readmodels.load_years(leader()):
        for basis in BASES:
            at.selectbox(key="rk_year").set_value(year)
            at.session_state["rk_basis"] = basis
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            frame = readmodels.load_city_frame(leader(), year, basis)
            table = at.dataframe[0].value
            assert len(table) == len(frame)
            handed = {int(o): str(s) in SUBMITTED_STATUSES for o, s in frame["status"].items()}
            ranks = _rank(
                {int(o): expected[(year, basis)][int(o)].composite for o in frame.index}, handed
            )
            # The table keeps the frame's order; its index is not shown. No rank is shown for
            # what has not been handed in.
            for org, (_i, row) in zip(frame.index, table.iterrows(), strict=True):
                assert row[TL.COL_NAME] == frame.at[org, "name"]
                r = expected[(year, basis)][int(org)]
                assert Decimal(str(row[TL.COL_COMPOSITE])) == r.composite, (year, basis, org)
                if handed[int(org)]:
                    assert row[TL.COL_RANK] == ranks[int(org)]
                else:
                    assert pd.isna(row[TL.COL_RANK])
                assert row[TL.COL_LEVEL] == _label(r, frame.loc[org])

    branch = actor("branch01")
    mine = A.my_assessment(branch)
    page = open_page("branch01", "pages/overview.py", timeout=120)
    assert not page.exception
    metrics = {m.label: m.value for m in page.metric}
    own = expected[(mine.year, "self")][branch.org_id]
    assert Decimal(metrics[TA.COMPOSITE_SELF]) == own.composite
    scored = sum(1 for e in mine.entries.values() if e.scored)
    key = formatting.standing_key(own.level, own.vetoed, mine.status, scored)
    assert metrics[TA.LEVEL_SELF] == C.STANDING_NAMES[key]
    if mine.reviewed_result is not None:
        judged = expected[(mine.year, "reviewed")][branch.org_id]
        assert Decimal(metrics[TA.COMPOSITE_REVIEWED]) == judged.composite

    wall = open_page("leader", "pages/screen.py", timeout=120)
    assert not wall.exception
    year = readmodels.load_years(leader())[-1]
    frame = readmodels.load_city_frame(leader(), year, "reviewed")
    five = sum(expected[(year, "reviewed")][int(o)].five_star for o in frame.index)
    metrics = {m.label: m.value for m in wall.metric}
    assert metrics[TL.KPI_FIVE] == TL.KPI_FIVE_VALUE.format(five=five, total=len(frame))
    submitted = len(statistics.submitted(frame))
    assert metrics[TL.KPI_SUBMITTED] == TL.KPI_SUBMITTED_VALUE.format(n=submitted, total=len(frame))


def test_trends_page_shows_the_same_result(city: str) -> None:
    """历年趋势 through AppTest: per year the organisation count, five-star count and average
    composite of the city table, and per organisation its composite, stars, level and rank
    in every year it was rated (reviewed basis, as the page is)."""
    from tests.utils import open_page
    from texts import leadership as TL
    from ui import trends

    viewer = leader()
    expected = expected_results()
    years = readmodels.load_years(viewer)
    frames = {y: readmodels.load_city_frame(viewer, y, "reviewed") for y in years}
    at = open_page("leader", "pages/trends.py", timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert [int(y) for y in table[TL.YEAR]] == [y for y in years if not frames[y].empty]
    for _i, line in table.iterrows():
        year = int(line[TL.YEAR])
        results = [expected[(year, "reviewed")][int(o)] for o in frames[year].index]
        assert line[TL.COL_ORG_COUNT] == len(results), year
        assert line[TL.COL_FIVE_COUNT] == sum(r.five_star for r in results), year
        average = sum((r.composite for r in results), Decimal(0)) / len(results)
        assert line[TL.COL_AVG_COMPOSITE] == pytest.approx(float(average)), year

    def shown_rows(org: int) -> list[tuple]:
        return [
            (
                int(y),
                expected[(int(y), "reviewed")][org].composite,
                expected[(int(y), "reviewed")][org].star_count,
                _label(expected[(int(y), "reviewed")][org], f.loc[org]),
                _rank(
                    {int(o): expected[(int(y), "reviewed")][int(o)].composite for o in f.index},
                    _handed(f),
                )[org]
                if _handed(f)[org]
                else None,
            )
            for y, f in frames.items()
            if org in f.index
        ]

    def table_rows(shown: pd.DataFrame) -> list[tuple]:
        return [
            (
                int(r[TL.YEAR]),
                Decimal(str(r[TL.COL_COMPOSITE])),
                int(r[TL.COL_STARS]),
                r[TL.COL_LEVEL],
                None if pd.isna(r[TL.COL_RANK]) else int(r[TL.COL_RANK]),
            )
            for _i, r in shown.iterrows()
        ]

    # Every organisation's table as the page builds it (ui.trends over the page's history) …
    history = readmodels.load_history(viewer)
    for org in sorted({int(o) for o in history.index}):
        assert table_rows(trends.org_table(trends.org_rows(history, org))) == shown_rows(org)
    # … and the page itself for organisations with reviewer deductions, vetoes or figures.
    with read_session() as session:
        judged = session.exec(
            select(Assessment.org_id)
            .join(ScoreEntry, ScoreEntry.assessment_id == Assessment.id)
            .where(ScoreEntry.reviewed_tenths.is_not(None))
            .distinct()
        ).all()
    latest = frames[years[-1]]
    picked = sorted(o for o in {int(o) for o in judged} if o in latest.index)[:4]
    assert picked
    for org in picked:
        at.selectbox(key="tr_org").set_value(org)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert table_rows(at.dataframe[-1].value) == shown_rows(org), org


def test_chase_workbook_lists_exactly_the_unsubmitted(city: str) -> None:
    """The 催报 workbook of every year lists the organisations the year counts as not handed
    in (the complement of statistics.submitted), each with its status and its progress."""
    from db.models import SUBMITTED_STATUSES, AssessmentStatus, CriterionKind
    from db.services import exports, statistics
    from tests.utils import actor
    from texts import leadership as TL

    admin = actor("admin")
    viewer = leader()
    with read_session() as session:
        status_of = {
            (year, org): (status, cycle_id)
            for org, status, year, cycle_id in session.exec(
                select(Assessment.org_id, Assessment.status, Cycle.year, Cycle.id).join(
                    Cycle,
                    Cycle.id == Assessment.cycle_id,
                )
            ).all()
        }
        entered = session.exec(
            select(Cycle.year, Assessment.org_id, Criterion.kind)
            .select_from(ScoreEntry)
            .join(Assessment, Assessment.id == ScoreEntry.assessment_id)
            .join(Cycle, Cycle.id == Assessment.cycle_id)
            .join(Criterion, Criterion.id == ScoreEntry.criterion_id)
            .where(ScoreEntry.self_tenths.is_not(None))
        ).all()
        criteria = session.exec(
            select(Criterion.cycle_id).where(Criterion.kind == CriterionKind.CRITERION)
        ).all()
    per_cycle: dict[int, int] = defaultdict(int)
    for cid in criteria:
        per_cycle[cid] += 1
    scored: dict[tuple[int, int], int] = defaultdict(int)
    for year, org, kind in entered:
        if kind == CriterionKind.CRITERION:
            scored[(year, org)] += 1
    for year in readmodels.load_years(viewer):
        frame = readmodels.load_city_frame(viewer, year, "reviewed")
        header, rows = _sheet(exports.chase_workbook(admin, year=year), TL.X_CHASE_SHEET)
        col = {h: i for i, h in enumerate(header)}
        listed = {r[col[TL.COL_CODE]]: r for r in rows}
        pending = {
            str(frame.at[o, "code"]): int(o)
            for o in frame.index
            if status_of[(year, int(o))][0] not in SUBMITTED_STATUSES
        }
        assert set(listed) == set(pending), year
        assert len(listed) == len(frame) - len(statistics.submitted(frame)), year
        for code, org in pending.items():
            status, cycle_id = status_of[(year, org)]
            done = scored[(year, org)]
            if status == AssessmentStatus.RETURNED:
                state = "returned"
            else:
                state = "in_progress" if done else "not_started"
            line = listed[code]
            assert line[col[TL.COL_STATUS]] == TL.COMPLETION_NAMES[state], (year, code)
            share = Decimal(done) / per_cycle[cycle_id]
            assert line[col[TL.COL_PROGRESS]] == pytest.approx(float(share)), (year, code)


def test_excellence_candidates_show_the_same_composite(city: str) -> None:
    """The 双优 candidate table of every year: each candidate's composite and rank are its
    reviewed result, the five-star organisations with a reviewed result are all there, and
    nobody is recommended without one."""
    from db.models import REVIEWED_STATUSES
    from db.services import excellence

    viewer = leader()
    expected = expected_results()
    for year in readmodels.load_years(viewer):
        frame = readmodels.load_city_frame(viewer, year, "reviewed")
        if frame.empty:
            continue
        results = {int(o): expected[(year, "reviewed")][int(o)] for o in frame.index}
        ranks = _rank({o: r.composite for o, r in results.items()}, _handed(frame))
        view = excellence.excellence_view(viewer, year=year)
        cand = view.candidates
        for org, row in cand.iterrows():
            r = results[int(org)]
            assert Decimal(str(row["composite"])) == r.composite, (year, org)
            assert int(row["rank"]) == ranks[int(org)], (year, org)
            assert bool(row["five_star"]) == r.five_star, (year, org)
            assert row["status"] == frame.at[org, "status"]
            if row["recommended"] or row["selected"]:
                assert row["status"] in REVIEWED_STATUSES, (year, org)
        five_reviewed = {
            o
            for o, r in results.items()
            if r.five_star and frame.at[o, "status"] in REVIEWED_STATUSES
        }
        assert five_reviewed <= {int(o) for o in cand.index}, year
        assert view.basis_count == len(five_reviewed), year
