"""One result everywhere (issue 10): the cases that used to disagree, each on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from db.services import assessment as A
from db.services import editing, guidance, readmodels, review, reviewing
from tests.services.cycle_helpers import assessment, entries
from tests.services.test_full_cycle import fill_and_submit
from tests.utils import actor, leader, pass_first_level

DEDUCTION_REASON = "信息报送不及时"


def _submit_and_review_with_deduction(branch, reviewer) -> int:
    """branch01 submits full points; the reviewer adds a deduction of 1 (not approving yet)."""
    view = fill_and_submit(branch)
    rv = review.load_review(reviewer, assessment_id=view.id)
    deduction = next(line for line in rv.lines if line.kind == "deduction")
    reviewing.save_review(
        reviewer,
        assessment_id=view.id,
        version=rv.version,
        lines=[review.ReviewLine(deduction.code, 1, DEDUCTION_REASON)],
    )
    return view.id


def test_reviewer_deduction_is_not_on_the_self_basis_anywhere(city: str) -> None:
    """我的支部, the rankings' 自评分 basis and the review page agree on the self composite;
    the reviewer's deduction shows on the reviewed basis only (was 99.0 on 我的支部 vs 100.0)."""
    branch, reviewer = actor("branch01"), actor("reviewer")
    aid = _submit_and_review_with_deduction(branch, reviewer)
    mine = A.get_assessment(branch, assessment_id=aid)
    own, reviewed = review.preview(review.load_review(reviewer, assessment_id=aid))
    self_frame = readmodels.load_city_frame(leader(), mine.year, "self")
    reviewed_frame = readmodels.load_city_frame(leader(), mine.year, "reviewed")
    shown_self = {
        mine.self_result.composite,
        own.composite,
        Decimal(str(self_frame.loc[branch.org_id, "composite"])),
    }
    assert len(shown_self) == 1
    assert mine.self_result.deduction == 0
    assert mine.reviewed_result is not None
    shown_reviewed = {
        mine.reviewed_result.composite,
        reviewed.composite,
        Decimal(str(reviewed_frame.loc[branch.org_id, "composite"])),
    }
    assert shown_reviewed == {mine.self_result.composite - 1}


def test_resubmitted_entry_drops_the_old_reviewer_figure_and_is_marked(city: str) -> None:
    """退回 with a cut to 9 of 10 (say), the branch changes the entry to 9.5 and resubmits: the
    reviewer sees the entry marked changed and approving counts 9.5, not the old 9."""
    branch, reviewer = actor("branch01"), actor("reviewer")
    view = fill_and_submit(branch)
    aid = view.id
    rv = review.load_review(reviewer, assessment_id=aid)
    line = next(x for x in rv.lines if x.kind == "criterion" and x.self_points >= 2)
    other = next(x for x in rv.lines if x.kind == "criterion" and x.code != line.code)
    cut = line.self_points - 1
    reviewing.return_assessment(
        reviewer,
        assessment_id=aid,
        version=rv.version,
        comment="请核实后重新提交。",
        lines=[
            review.ReviewLine(line.code, cut, "台账不全"),
            review.ReviewLine(other.code, other.self_points, ""),
        ],
    )
    returned = A.my_assessment(branch)
    half = line.self_points - Decimal("0.5")
    version = editing.save_star_page(
        branch,
        assessment_id=aid,
        version=returned.version,
        star=line.star,
        entries={line.code: editing.EntryInput(points=str(half), note="已补充")},
    )
    # The branch's change drops the figure given for other points; the untouched entry keeps it.
    stored = entries(aid)
    assert stored[line.code].reviewed_tenths is None
    assert stored[other.code].reviewed_tenths == int(other.self_points * 10)
    editing.submit_assessment(branch, assessment_id=aid, version=version)
    pass_first_level(aid)

    again = review.load_review(reviewer, assessment_id=aid)
    assert [x.code for x in again.changed_lines] == [line.code]
    queue = review.review_queue(reviewer, year=view.year).set_index("assessment_id")
    assert queue.at[aid, "resubmitted_changes"] == 1
    assert (queue.drop(index=aid)["resubmitted_changes"] == 0).all()
    assert again.line(line.code).reviewed_points is None
    reviewing.approve_assessment(reviewer, assessment_id=aid, version=again.version)
    assert assessment(aid).status == "reviewed"
    approved = A.get_assessment(branch, assessment_id=aid)
    assert approved.entries[line.code].reviewed_points == half
    assert approved.reviewed_result is not None
    assert approved.reviewed_result.composite == view.self_result.composite - Decimal("0.5")


@pytest.mark.parametrize("basis", ["self", "reviewed"])
def test_gap_advice_counts_bonus_room_after_a_review_deduction(city: str, basis: str) -> None:
    """After a reviewer's deductions the branch is told how 加分项 can still close the gap
    instead of "即使各项得满分也达不到五星级"."""
    branch, reviewer = actor("branch01"), actor("reviewer")
    view = fill_and_submit(branch)
    aid = view.id
    rv = review.load_review(reviewer, assessment_id=aid)
    deductions = [x for x in rv.lines if x.kind == "deduction"]
    # Deduct 11 points in all: under 90 (S6.2 takes its figure from the roster, so the self
    # composite may be under 100 and that item's room counts first), but the bonus cap (5) can
    # still lift it.
    lines, left = [], Decimal(11)
    for d in deductions:
        take = min(d.max_points, left)
        if take <= 0:
            break
        lines.append(review.ReviewLine(d.code, take, DEDUCTION_REASON))
        left -= take
    assert left == 0, "the rubric's deduction items allow at least 11 points"
    reviewing.return_assessment(
        reviewer, assessment_id=aid, version=rv.version, comment="扣分较多", lines=lines
    )
    returned = A.my_assessment(branch)
    # What 我的支部 shows by default: the basis the year will count, with the deductions.
    shown = guidance.gap_advice(returned)
    assert shown.result.composite == view.self_result.composite - 11 < 90
    assert shown.gap.reachable
    assert shown.bonus_items
    assert sum(i.add_points for i in shown.bonus_items) == 1
    assert shown.basis == "reviewed"
    advice = guidance.gap_advice(returned, basis=basis)
    assert advice.gap.five_star == (basis == "self")


def test_submitted_is_one_count_on_every_screen(city: str) -> None:
    """总览's 已提交, 管理→年度's 已提交 and the 问题导向 scope count the same organisations
    (they were 68 / 76 / 76: two counted 已退回)."""
    from db.models import SUBMITTED_STATUSES
    from db.services import statistics, years

    boss = actor("admin")
    rows = {r.year: r for r in years.list_years(boss)}
    for year in readmodels.load_years(leader()):
        frame = readmodels.load_city_frame(leader(), year, "reviewed")
        shown = len(statistics.submitted(frame))
        assert rows[year].submitted == shown
        assert shown == int(frame["status"].isin(SUBMITTED_STATUSES).sum())
        if year == max(rows):
            assert (frame["status"] == "returned").any(), "the open year has returned ones"
            assert "returned" not in SUBMITTED_STATUSES


def test_shown_five_star_line_comes_from_the_years_rubric(city: str) -> None:
    """A year whose rubric sets the five-star line at 92: the line the charts draw is 92."""
    from sqlmodel import update

    from db.engine import write_session
    from db.models import Cycle
    from ui import charts, data

    year = readmodels.load_years(leader())[-1]
    with write_session() as session:
        session.exec(update(Cycle).where(Cycle.year == year).values(five_star_composite="92"))
    line = data.thresholds(leader(), year).five_star_composite
    assert line == 92
    frame = readmodels.load_city_frame(leader(), year, "reviewed")
    spec = charts.composite_histogram(frame, line).to_dict()
    assert '"x": 92.0' in str(spec).replace("'", '"')


def test_excellence_only_from_reviewed_results_with_the_status_shown(city: str) -> None:
    """With every organisation graded 优秀, submitted-but-unreviewed, returned and draft
    organisations that are five-star on their self-scores are neither eligible nor recommended;
    the candidate table says each one's status."""
    from db.models import REVIEWED_STATUSES
    from db.services import excellence
    from db.services import grades as G

    admin = actor("admin")
    year = readmodels.load_years(actor("leader"))[-1]
    frame = readmodels.load_city_frame(actor("leader"), year, "reviewed")
    G.set_grades(admin, year=year, grades={int(o): "优秀" for o in frame.index})
    pending = frame[frame["five_star"] & ~frame["status"].isin(REVIEWED_STATUSES)]
    assert not pending.empty, "the open year has five-star self-scores awaiting review"
    view = excellence.excellence_view(admin, year=year)
    for org in (*view.eligible, *view.recommended):
        assert frame.at[org, "status"] in REVIEWED_STATUSES
    assert set(pending.index).isdisjoint(view.eligible)
    shown = view.candidates
    assert "status" in shown.columns
    assert set(pending.index) <= set(shown.index)
    assert (shown.loc[list(pending.index), "status"] == pending["status"]).all()
    assert view.basis_count == int(excellence.reviewed_only(frame)["five_star"].sum())


def test_excellence_count_is_the_same_on_every_page_and_file(city: str) -> None:
    """The 公示 list's 双优 marks, the 双优 page's confirmed count and the Excel 双优 sheet agree
    for every published year (they were 19 / 20 / 20)."""
    import io

    from openpyxl import load_workbook

    from db.services import excellence, exports, publication
    from db.services.cycles import cycle_by_year

    leader = actor("leader")
    checked = 0
    for year in readmodels.load_years(actor("leader")):
        cycle = cycle_by_year(actor("leader"), year)
        if cycle.status not in ("published", "final"):
            continue
        view = excellence.excellence_view(leader, year=year)
        listed = publication.publication_list(leader, cycle_id=cycle.id)
        sheet = load_workbook(io.BytesIO(exports.export_workbook(leader, year=year)))["双优名单"]
        table = list(sheet.iter_rows(values_only=True))
        header = next(i for i, row in enumerate(table) if "入选" in row)
        selected_col = table[header].index("入选")
        in_sheet = sum(1 for r in table[header + 1 :] if r[selected_col] == "是")
        assert len(view.final) == int(listed["excellence"].sum()) == in_sheet
        checked += 1
    assert checked


def test_a_returned_organisation_never_reaches_the_excellence_list(city: str) -> None:
    """The open year: a returned organisation with full self-scores and 优秀 is not recommended
    and cannot be confirmed; after publishing with the unfinished left out, the 公示 list, the
    双优 page and the Excel sheet show the same number of 双优."""
    import io

    from openpyxl import load_workbook

    from db.services import excellence, exports, publication
    from db.services import grades as G
    from db.services.common import InvalidInput
    from tests.assessment_helpers import fill_all
    from tests.services.cycle_helpers import approve_all_submitted, assessments_with
    from tests.utils import make_user

    admin, leader, reviewer = actor("admin"), actor("leader"), actor("reviewer")
    returned = assessments_with("returned")[0]
    org_id = assessment(returned).org_id
    fill_all(make_user("branch", org_id=org_id))  # full points: five-star on its self-scores
    approve_all_submitted(reviewer)
    year = readmodels.load_years(actor("leader"))[-1]
    frame = readmodels.load_city_frame(actor("leader"), year, "reviewed")
    assert bool(frame.at[org_id, "five_star"])
    assert frame.at[org_id, "status"] == "returned"
    G.set_grades(admin, year=year, grades={int(o): "优秀" for o in frame.index})
    view = excellence.excellence_view(leader, year=year)
    assert org_id not in view.eligible
    assert org_id not in view.recommended
    with pytest.raises(InvalidInput) as refused:
        excellence.confirm_excellence(
            leader,
            year=year,
            selected=[*view.recommended, org_id],
            reasons={org_id: "自评优秀"},
            cycle_version=view.cycle_version,
        )
    assert any("已退回" in e for e in refused.value.errors)
    excellence.confirm_excellence(
        leader, year=year, selected=view.recommended, reasons={}, cycle_version=view.cycle_version
    )
    cycle_id = view.cycle_id
    publication.publish_year(admin, cycle_id=cycle_id, include_unfinished=True)
    confirmed = excellence.excellence_view(leader, year=year)
    listed = publication.publication_list(leader, cycle_id=cycle_id)
    table = list(
        load_workbook(io.BytesIO(exports.export_workbook(leader, year=year)))["双优名单"].iter_rows(
            values_only=True
        )
    )
    header = next(i for i, row in enumerate(table) if "入选" in row)
    column = table[header].index("入选")
    in_sheet = sum(1 for r in table[header + 1 :] if r[column] == "是")
    assert len(confirmed.final) == int(listed["excellence"].sum()) == in_sheet > 0
