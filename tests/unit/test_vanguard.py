"""先锋指数: who takes part in which round, the index from its parts (bands, caps, 清零), and
the rubric's `vanguard:` block with its Chinese messages."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.models import MemberService
from rubric import RubricError, default_rubric_path, dump_rubric, load_rubric, parse_rubric
from rubric_vanguard import rules_from_json, rules_to_json
from vanguard import (
    counted_points,
    grade_of,
    peer_points,
    score,
    services_in_half,
    takes_part,
)


@pytest.mark.parametrize(
    ("service", "half", "expected"),
    [
        (MemberService.IN_SERVICE, 1, True),
        (MemberService.IN_SERVICE, 2, True),
        (MemberService.RETIRED, 1, False),
        (MemberService.RETIRED, 2, True),
    ],
)
def test_takes_part(service: MemberService, half: int, expected: bool) -> None:
    assert takes_part(service, half) is expected
    assert (service in services_in_half(half)) is expected


@pytest.mark.parametrize("half", [0, 3, -1])
def test_a_half_is_one_or_two(half: int) -> None:
    with pytest.raises(ValueError, match="half must be 1 or 2"):
        takes_part(MemberService.IN_SERVICE, half)


def test_an_unknown_service_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown member service"):
        takes_part("在职", 1)


# --------------------------------------------------------------------------- the index

RULES = load_rubric(default_rubric_path()).vanguard
assert RULES is not None
FULL_BASE = {"P1": D(20), "P2": D(20), "P3": D(20), "P4": D(20)}


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (D("100"), "优秀"),
        (D("90"), "优秀"),
        (D("89.99"), "合格"),
        (D("75"), "合格"),
        (D("74.99"), "基本合格"),
        (D("60"), "基本合格"),
        (D("59.99"), "不合格"),
        (D("0"), "不合格"),
    ],
)
def test_grade_bands_at_their_boundaries(total: D, grade: str) -> None:
    assert grade_of(RULES, total) == grade


def test_full_marks_with_the_best_peer_average() -> None:
    result = score(RULES, FULL_BASE, peer_average=D(4), scale_size=4)
    assert (result.base, result.peer, result.total, result.grade) == (D(80), D(20), D(100), "优秀")
    assert result.peer_counted


def test_the_worst_peer_average_gives_no_peer_points() -> None:
    result = score(RULES, FULL_BASE, peer_average=D(1), scale_size=4)
    assert result.peer == 0
    assert result.total == D(80)
    assert result.grade == "合格"


def test_peer_points_are_linear_to_the_cent() -> None:
    assert peer_points(RULES, D("3.5"), 4) == D("16.67")
    assert peer_points(RULES, D("2.5"), 4) == D("10.00")
    with pytest.raises(ValueError, match="not on a scale of 4"):
        peer_points(RULES, D("4.1"), 4)


def test_without_a_ballot_result_the_peer_part_follows_the_base_rate() -> None:
    points = {"P1": D(18), "P2": D(18), "P3": D(18), "P4": D(18)}  # 90% of the base
    result = score(RULES, points, peer_average=None)
    assert result.peer == D("18.00")
    assert not result.peer_counted
    assert result.total == D(90)
    assert result.grade == "优秀"


def test_add_and_minus_are_capped() -> None:
    points = {**FULL_BASE, "P5": D(5), "P6": D(5), "P7": D(10), "P8": D(5)}
    result = score(RULES, points, peer_average=D(4))
    assert result.add == D(10)  # 5 + 5, cap 10
    assert result.minus == D(15)  # 10 + 5, cap 15
    assert result.total == D(80 + 20 + 10 - 15)


def test_the_index_never_goes_below_zero() -> None:
    result = score(RULES, {"P7": D(10), "P8": D(5)}, peer_average=D(1))
    assert result.total == 0
    assert result.grade == "不合格"


def test_qingling_sets_the_index_to_zero() -> None:
    points = {**FULL_BASE, "P5": D(5), "P9": D(1)}
    result = score(RULES, points, peer_average=D(4))
    assert result.zeroed
    assert result.total == 0
    assert result.grade == "不合格"
    assert result.base == D(80)  # the parts stay visible


def test_the_branch_figure_counts_before_the_declaration() -> None:
    declared = {"P1": D(20), "P4": D(20), "P5": D(5)}
    assessed = {"P1": D(15), "P4": None}
    counted = counted_points(RULES, declared, assessed)
    assert counted["P1"] == D(15)  # the branch's
    assert "P4" not in counted  # P4 takes no declaration
    assert counted["P5"] == D(5)  # declared, not yet assessed


def test_passing_grade_and_better() -> None:
    assert [RULES.passes(g) for g in ("优秀", "合格", "基本合格", "不合格", None)] == [
        True,
        True,
        False,
        False,
        False,
    ]


halves = st.decimals(min_value=0, max_value=20, places=1).map(lambda d: (d * 2).to_integral() / 2)


@given(
    base=st.lists(halves, min_size=4, max_size=4),
    add=st.lists(st.decimals(min_value=0, max_value=5, places=1), min_size=2, max_size=2),
    minus=st.lists(st.decimals(min_value=0, max_value=5, places=1), min_size=2, max_size=2),
    peer=st.one_of(st.none(), st.decimals(min_value=1, max_value=4, places=2)),
    zero=st.booleans(),
)
def test_index_properties(
    base: list[D], add: list[D], minus: list[D], peer: D | None, zero: bool
) -> None:
    points = dict(zip(("P1", "P2", "P3", "P4"), base, strict=True))
    points.update({"P5": add[0], "P6": add[1], "P7": minus[0], "P8": minus[1]})
    if zero:
        points["P9"] = D(1)
    result = score(RULES, points, peer_average=peer)
    assert D(0) <= result.total <= D(110)
    assert result.add <= RULES.add_cap
    assert result.minus <= (RULES.minus_cap or result.minus)
    assert result.grade == grade_of(RULES, result.total)
    if zero:
        assert result.total == 0
    else:
        expected = max(D(0), result.base + result.peer + result.add - result.minus)
        assert result.total == expected
    # more base points never lower the index
    better = score(RULES, {**points, "P1": D(20)}, peer_average=peer)
    assert better.total >= result.total


# --------------------------------------------------------------------------- the rubric block

SHIPPED = default_rubric_path().read_text(encoding="utf-8")


def test_the_block_survives_a_dump_and_the_database() -> None:
    rubric = load_rubric(default_rubric_path())
    assert parse_rubric(dump_rubric(rubric)) == rubric
    assert rules_from_json(rules_to_json(RULES)) == RULES
    assert rules_from_json("") is None


def _broken(old: str, new: str) -> str:
    assert old in SHIPPED
    return SHIPPED.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "      kind: base\n      title: 政治素质",
            "      kind: basic\n      title: 政治素质",
            "类别“basic”无法识别",
        ),
        ("    - code: P2\n", "    - code: P1\n", "编号“P1”重复"),
        ("    - code: P2\n", "    - code: L1.1\n", "编号“L1.1”重复"),
        ("    - code: P2\n", "    - code: p2\n", "格式不正确"),
        (
            "      standard: 当期受到党纪政务处分，或有违法犯罪行为的，先锋指数清零。\n",
            "      standard: 清零。\n      max_points: 5\n",
            "是清零项，不设分值",
        ),
        ("      min_score: 75", "      min_score: 95", "最低分逐个减小"),
        ("      min_score: 90", "      min_score: 130", "超过可得的最高分"),
        (
            "    - grade: 不合格\n      min_score: 0",
            "    - grade: 不合格\n      min_score: 10",
            "最低分应为 0",
        ),
        ("  passing_grade: 合格", "  passing_grade: 良好", "不在等次中"),
        ("  minus_cap: 15", "  minus_cap: -1", "扣分上限（minus_cap）应不小于 0"),
        ("  add_cap: 10", "  add_cap: 10\n  bonus: 1", "未知的键“bonus”"),
        (
            "      max_points: 20\n      declare: true\n    - code: P2",
            "      max_points: 20\n      declare: yes please\n    - code: P2",
            "个人申报（declare）应为 true 或 false",
        ),
    ],
)
def test_a_broken_block_is_named_in_chinese_on_its_line(old: str, new: str, message: str) -> None:
    with pytest.raises(RubricError) as caught:
        parse_rubric(_broken(old, new))
    assert message in str(caught.value)
    assert caught.value.line is not None


def test_a_rubric_without_the_block_has_no_index() -> None:
    start = SHIPPED.index(
        "# ========================================================================== 先锋指数"
    )
    assert parse_rubric(SHIPPED[:start]).vanguard is None
