"""Example-based tests for the five-star rules in scoring.py."""

from __future__ import annotations

import re
from decimal import Decimal as D

import numpy as np
import pandas as pd
import pytest

import scoring
from scoring import (
    STAR_KEYS,
    AutoRule,
    CriterionState,
    Thresholds,
    auto_points,
    evaluate_frame,
    evaluate_org,
    gap_to_five_star,
    is_half_step,
    meets_target,
    quantize_half,
    select_excellence,
    star_threshold,
    suggest_gap_closure,
    target_attainment,
    target_percent,
    target_rate,
    to_decimal,
)

FULL = dict.fromkeys(STAR_KEYS, 20)


def scores_with(**overrides: object) -> dict[str, object]:
    """Full marks on every star except the given overrides."""
    return {**FULL, **overrides}


def raises_naming(text: str) -> pytest.RaisesContext:
    return pytest.raises(ValueError, match=re.escape(text))


# --------------------------------------------------------------------------- to_decimal & co


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (15.3, D("15.3")),
        (89.99, D("89.99")),
        (17, D(17)),
        ("11.05", D("11.05")),
        (" 12.75 ", D("12.75")),
        (D("0.1"), D("0.1")),
        (np.float64(15.3), D("15.3")),
        (np.int64(7), D(7)),
    ],
)
def test_to_decimal_is_exact(value: object, expected: D) -> None:
    result = to_decimal(value)
    assert result == expected
    assert isinstance(result, D)


@pytest.mark.parametrize(
    ("value", "named"),
    [
        (True, "True"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (D("NaN"), "NaN"),
        ("abc", "'abc'"),
        (None, "None"),
        ([1], "[1]"),
    ],
)
def test_to_decimal_rejects_non_numbers(value: object, named: str) -> None:
    with raises_naming(named):
        to_decimal(value)


@pytest.mark.parametrize(
    ("base", "threshold"),
    [(20, D(17)), (18, D("15.3")), (13, D("11.05")), (15, D("12.75")), (18.0, D("15.3"))],
)
def test_star_threshold(base: object, threshold: D) -> None:
    assert star_threshold(base) == threshold


@pytest.mark.parametrize("base", [0, -5])
def test_star_threshold_rejects_non_positive_base(base: int) -> None:
    with raises_naming(str(base)):
        star_threshold(base)


def test_thresholds_coerce_rubric_values_to_decimal() -> None:
    t = Thresholds(star_ratio=0.8, five_star_composite="85", bonus_cap=3)
    assert t.star_ratio == D("0.8")
    assert t.five_star_composite == D(85)
    assert t.bonus_cap == D(3)
    assert star_threshold(20, t) == D(16)


def test_thresholds_reject_bad_values() -> None:
    with pytest.raises(ValueError, match="star_ratio must be positive"):
        Thresholds(star_ratio=0)
    with pytest.raises(ValueError, match="excellence_ratio must be within"):
        Thresholds(excellence_ratio=D("1.5"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, D(0)), (D("0.3"), D("0.5")), (0.5, D("0.5")), (1, D(1)), ("1.01", D("1.5")), (2.6, D(3))],
)
def test_quantize_half(value: object, expected: D) -> None:
    assert quantize_half(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, True), (2.5, True), (D("17.0"), True), (2.3, False), ("0.25", False), (15.3, False)],
)
def test_is_half_step(value: object, expected: bool) -> None:
    assert is_half_step(value) is expected


# --------------------------------------------------------------------------- evaluate_org


@pytest.mark.parametrize(
    ("base", "at_threshold", "below"),
    [
        (20, 17, D("16.99")),
        (20, D(17), 16.99),
        (18, 15.3, 15.29),
        (18, D("15.3"), D("15.29")),
        (13, 11.05, 11.04),
        (13, D("11.05"), D("11.049")),
        (15, 12.75, 12.74),
        (15, D("12.75"), D("12.749")),
    ],
)
def test_star_lit_at_exactly_85_percent(base: int, at_threshold: object, below: object) -> None:
    bases = {"learning": base}
    lit = evaluate_org(scores_with(learning=at_threshold), bases)
    assert "learning" in lit.lit_stars
    unlit = evaluate_org(scores_with(learning=below), bases)
    assert "learning" not in unlit.lit_stars
    assert unlit.star_count == 4


def test_float_15_3_is_not_15_299999() -> None:
    result = evaluate_org(scores_with(standard=15.3), {"standard": 18})
    assert result.star_scores["standard"] == D("15.3")
    assert result.lit_stars == frozenset(STAR_KEYS)


@pytest.mark.parametrize("learning", [D("17.99"), 17.99, "17.99"])
def test_composite_89_99_is_not_five_star(learning: object) -> None:
    result = evaluate_org({"learning": learning, **dict.fromkeys(STAR_KEYS[1:], 18)})
    assert result.composite == D("89.99")
    assert result.star_count == 5
    assert not result.five_star
    assert result.level == 4


@pytest.mark.parametrize("value", [D("18.00"), 18.0, 18])
def test_composite_exactly_90_is_five_star(value: object) -> None:
    result = evaluate_org(dict.fromkeys(STAR_KEYS, value))
    assert result.composite == D(90)
    assert result.five_star
    assert result.level == 5


def test_bonus_fraction_just_short_of_90() -> None:
    result = evaluate_org(dict.fromkeys(STAR_KEYS, 17), bonus=4.99)
    assert result.composite == D("89.99")
    assert not result.five_star
    assert evaluate_org(dict.fromkeys(STAR_KEYS, 17), bonus=5).five_star


def test_bonus_is_capped_at_5() -> None:
    result = evaluate_org(dict.fromkeys(STAR_KEYS, 17), bonus=7)
    assert result.bonus == D(5)
    assert result.composite == D(90)
    assert result.five_star


def test_bonus_cap_override() -> None:
    result = evaluate_org(dict.fromkeys(STAR_KEYS, 17), bonus=7, thresholds=Thresholds(bonus_cap=3))
    assert result.composite == D(88)


def test_deduction_lowers_composite() -> None:
    result = evaluate_org(dict.fromkeys(STAR_KEYS, 18), deduction=D("0.5"))
    assert result.deduction == D("0.5")
    assert result.composite == D("89.5")
    assert not result.five_star
    assert result.level == 4


def test_veto_blocks_five_star_even_with_full_marks() -> None:
    result = evaluate_org(FULL, bonus=5, vetoed=True)
    assert result.vetoed
    assert result.composite == D(105)
    assert result.star_count == 5
    assert not result.five_star
    assert result.level == 0


@pytest.mark.parametrize("n_lit", [0, 1, 2, 3, 4])
def test_level_is_star_count_when_not_five_star(n_lit: int) -> None:
    scores = {k: (20 if i < n_lit else 10) for i, k in enumerate(STAR_KEYS)}
    result = evaluate_org(scores)
    assert result.star_count == n_lit
    assert result.level == n_lit
    assert not result.five_star


def test_all_five_lit_but_composite_below_90_is_level_4() -> None:
    result = evaluate_org(dict.fromkeys(STAR_KEYS, 17))
    assert result.star_count == 5
    assert result.composite == D(85)
    assert not result.five_star
    assert result.level == 4


def test_default_bases_are_20_and_partial_bases_fill_in() -> None:
    result = evaluate_org(FULL)
    assert result.star_bases == dict.fromkeys(STAR_KEYS, D(20))
    partial = evaluate_org(scores_with(learning=18), {"learning": 18})
    assert partial.star_bases["learning"] == D(18)
    assert partial.star_bases["innovation"] == D(20)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"star_scores": scores_with(learning=-1)}, "-1"),
        ({"star_scores": scores_with(service=20.5)}, "20.5"),
        ({"star_scores": {k: 20 for k in STAR_KEYS if k != "democracy"}}, "'democracy'"),
        ({"star_scores": scores_with(leadership=20)}, "'leadership'"),
        ({"star_scores": scores_with(learning=float("nan"))}, "nan"),
        ({"star_scores": scores_with(learning="seventeen")}, "'seventeen'"),
        ({"star_scores": scores_with(learning=True)}, "True"),
        ({"star_scores": FULL, "bonus": -1}, "-1"),
        ({"star_scores": FULL, "deduction": D("-0.5")}, "-0.5"),
        ({"star_scores": FULL, "star_bases": {"learning": 0}}, "0"),
        ({"star_scores": FULL, "star_bases": {"leadership": 20}}, "'leadership'"),
        ({"star_scores": FULL, "vetoed": "yes"}, "'yes'"),
    ],
)
def test_evaluate_org_rejects_bad_input_naming_it(kwargs: dict, named: str) -> None:
    with raises_naming(named):
        evaluate_org(**kwargs)


# --------------------------------------------------------------------------- evaluate_frame


def long_rows(per_org: dict[object, dict[str, list[object]]]) -> pd.DataFrame:
    """Long-format rows from {org: {star: [points, ...]}}."""
    rows = [
        (org, star, p)
        for org, stars in per_org.items()
        for star, points in stars.items()
        for p in points
    ]
    return pd.DataFrame(rows, columns=["org_id", "star", "points"])


def uniform(total: float) -> dict[str, list[float]]:
    """Each star scores total/5, split over two criterion rows."""
    per_star = total / 5
    return {k: [per_star / 2, per_star / 2] for k in STAR_KEYS}


def test_evaluate_frame_columns_and_dtypes() -> None:
    frame = evaluate_frame(long_rows({1: uniform(95)}))
    assert list(frame.columns) == [
        *STAR_KEYS,
        "composite",
        "composite_milli",
        "bonus",
        "deduction",
        "vetoed",
        "star_count",
        *(f"lit_{k}" for k in STAR_KEYS),
        "five_star",
        "level",
        "rank",
    ]
    assert frame.index.name == "org_id"
    for key in [*STAR_KEYS, "composite", "bonus", "deduction"]:
        assert frame[key].dtype == np.float64
    for key in ["composite_milli", "star_count", "level", "rank"]:
        assert frame[key].dtype == np.int64
    for key in ["vetoed", "five_star", *(f"lit_{k}" for k in STAR_KEYS)]:
        assert frame[key].dtype == bool
    row = frame.loc[1]
    assert row["composite_milli"] == 95_000
    assert row["five_star"]
    assert row["level"] == 5


def test_evaluate_frame_rank_ties_1_2_2_4_sorted_by_rank_then_org() -> None:
    frame = evaluate_frame(
        long_rows({"d": uniform(80), "c": uniform(90), "b": uniform(90), "a": uniform(95)})
    )
    assert list(frame.index) == ["a", "b", "c", "d"]
    assert list(frame["rank"]) == [1, 2, 2, 4]
    assert list(frame["composite_milli"]) == [95_000, 90_000, 90_000, 80_000]


def test_rank_within_the_city_and_within_each_region() -> None:
    composite = pd.Series([95_000, 90_000, 90_000, 80_000, 91_500, 80_000], index=list("abcdef"))
    region = pd.Series(
        ["越城区", "柯桥区", "越城区", "柯桥区", "柯桥区", "越城区"], index=list("abcdef")
    )
    assert scoring.rank_within(composite).tolist() == [1, 3, 3, 5, 2, 5]
    # 越城区: a 95, c 90, f 80 → 1, 2, 3; 柯桥区: e 91.5, b 90, d 80 → 1, 2, 3
    within = scoring.rank_within(composite, region)
    assert within.to_dict() == {"a": 1, "b": 2, "c": 2, "d": 3, "e": 1, "f": 3}
    tied = scoring.rank_within(pd.Series([70_000, 70_000, 60_000]), pd.Series(["甲", "甲", "甲"]))
    assert tied.tolist() == [1, 1, 3]
    assert scoring.rank_within(pd.Series([], dtype="int64")).empty
    # the city rank is the rank evaluate_frame gives
    frame = evaluate_frame(long_rows({"x": uniform(80), "y": uniform(90), "z": uniform(90)}))
    assert scoring.rank_within(frame["composite_milli"]).tolist() == frame["rank"].tolist()


def test_evaluate_frame_empty_input() -> None:
    empty = pd.DataFrame({"org_id": [], "star": [], "points": []})
    frame = evaluate_frame(empty)
    assert frame.empty
    assert frame.index.name == "org_id"
    assert "composite_milli" in frame.columns
    assert "lit_learning" in frame.columns
    assert frame["rank"].dtype == np.int64


def test_evaluate_frame_org_only_in_adjustments_is_included() -> None:
    adjustments = pd.DataFrame(
        {"org_id": [1, 2], "bonus": [7.0, 2.0], "deduction": [0.0, 1.5], "vetoed": [False, True]}
    )
    frame = evaluate_frame(long_rows({1: uniform(85)}), adjustments=adjustments)
    assert list(frame.index) == [1, 2]
    one, two = frame.loc[1], frame.loc[2]
    assert one["bonus"] == 5.0  # capped
    assert one["composite_milli"] == 90_000
    assert one["five_star"]
    assert two["learning"] == 0.0
    assert two["composite_milli"] == 500  # 0 + 2 - 1.5
    assert two["vetoed"]
    assert two["level"] == 0


def test_evaluate_frame_adjustments_repeat_rows_are_summed() -> None:
    adjustments = pd.DataFrame(
        {"org_id": [1, 1], "bonus": [3, 3], "deduction": [1, 0], "vetoed": [False, True]}
    )
    row = evaluate_frame(long_rows({1: uniform(85)}), adjustments=adjustments).loc[1]
    assert row["bonus"] == 5.0
    assert row["deduction"] == 1.0
    assert row["vetoed"]


def test_evaluate_frame_star_without_rows_scores_zero() -> None:
    frame = evaluate_frame(long_rows({7: {"learning": [10, 10]}}))
    row = frame.loc[7]
    assert row["learning"] == 20.0
    assert row["service"] == 0.0
    assert row["star_count"] == 1
    assert row["level"] == 1


def test_evaluate_frame_categorical_star_matches_strings() -> None:
    rows = long_rows({1: uniform(92.5), 2: uniform(86), 3: {"service": [17]}})
    expected = evaluate_frame(rows)
    cat = rows.assign(star=pd.Categorical(rows["star"], categories=[*STAR_KEYS, "unused"]))
    pd.testing.assert_frame_equal(evaluate_frame(cat), expected)
    obj = rows.assign(star=rows["star"].astype(object))
    pd.testing.assert_frame_equal(evaluate_frame(obj), expected)


def test_evaluate_frame_arrow_and_python_string_stars_match() -> None:
    rows = long_rows({1: uniform(92.5), 2: uniform(86)})
    expected = evaluate_frame(rows.assign(star=rows["star"].astype(object)))
    for dtype in ["str", "string[python]", "string[pyarrow]", "large_string[pyarrow]"]:
        pd.testing.assert_frame_equal(
            evaluate_frame(rows.assign(star=rows["star"].astype(dtype))), expected
        )


@pytest.mark.parametrize("dtype", [object, "str", "category"])
def test_evaluate_frame_missing_star_raises(dtype: object) -> None:
    rows = pd.DataFrame({"org_id": [1, 1], "star": ["learning", None], "points": [1.0, 2.0]})
    with raises_naming("missing star"):
        evaluate_frame(rows.astype({"star": dtype}))


def test_evaluate_frame_object_floats_round_like_float_column() -> None:
    rows = pd.DataFrame(
        {"org_id": [1, 1], "star": ["learning", "learning"], "points": [0.1 + 0.2, D(15)]}
    )
    assert rows["points"].dtype == object
    assert evaluate_frame(rows).loc[1, "composite_milli"] == 15_300


def test_evaluate_frame_decimal_object_points_are_exact() -> None:
    rows = long_rows(
        {1: {"learning": [D("7.65"), D("7.65")], **{k: [D(18)] for k in STAR_KEYS[1:]}}}
    )
    assert rows["points"].dtype == object
    row = evaluate_frame(rows, {"learning": 18}).loc[1]
    assert row["learning"] == 15.3
    assert row["lit_learning"]
    assert row["composite_milli"] == 87_300


def test_evaluate_frame_float_boundaries_are_exact() -> None:
    bases = {"learning": 18, "standard": 13, "service": 15}
    rows = long_rows(
        {
            "at": {"learning": [15.3], "standard": [11.05], "service": [12.75]},
            "below": {"learning": [15.29], "standard": [11.04], "service": [12.74]},
            "split": {"learning": [5.1, 5.1, 5.1], "standard": [5.525, 5.525]},
        }
    )
    frame = evaluate_frame(rows, bases)
    for org in ["at", "split"]:
        assert frame.loc[org, "lit_learning"]
        assert frame.loc[org, "lit_standard"]
    assert frame.loc["at", "lit_service"]
    assert frame.loc["split", "composite_milli"] == 15_300 + 11_050
    assert not frame.loc["below", ["lit_learning", "lit_standard", "lit_service"]].any()


def test_evaluate_frame_composite_89_99_vs_90() -> None:
    rows = long_rows(
        {
            "a": {"learning": [17.99], **{k: [18.0] for k in STAR_KEYS[1:]}},
            "b": {k: [18.0] for k in STAR_KEYS},
        }
    )
    frame = evaluate_frame(rows)
    assert frame.loc["a", "composite_milli"] == 89_990
    assert not frame.loc["a", "five_star"]
    assert frame.loc["a", "level"] == 4
    assert frame.loc["b", "five_star"]


def test_evaluate_frame_integer_points() -> None:
    rows = long_rows({1: {k: [9, 9] for k in STAR_KEYS}})
    assert rows["points"].dtype == np.int64
    assert evaluate_frame(rows).loc[1, "composite_milli"] == 90_000


def test_evaluate_frame_mixed_org_id_types_sort() -> None:
    frame = evaluate_frame(long_rows({"x": uniform(50), 3: uniform(50)}))
    assert list(frame.index) == [3, "x"]


@pytest.mark.parametrize(
    ("rows", "named"),
    [
        (long_rows({1: {"learning": [15, 6]}}), "'learning'"),
        (long_rows({1: {"leadership": [5]}}), "'leadership'"),
        (long_rows({1: {"learning": [-1]}}), "-1"),
        (long_rows({1: {"learning": [float("nan")]}}), "nan"),
        (long_rows({1: {"learning": [D("1.0005")]}}), "1.0005"),
        (long_rows({1: {"learning": ["lots"]}}), "'lots'"),
        (pd.DataFrame({"org_id": [1], "star": ["learning"]}), "points"),
    ],
)
def test_evaluate_frame_rejects_bad_rows_naming_them(rows: pd.DataFrame, named: str) -> None:
    with raises_naming(named):
        evaluate_frame(rows)


def test_evaluate_frame_star_above_base_names_org_and_total() -> None:
    with pytest.raises(ValueError, match=r"'learning'.*18\.5.*18.*org_id=42"):
        evaluate_frame(long_rows({42: {"learning": [10, 8.5]}}), {"learning": 18})


def test_evaluate_frame_rejects_negative_adjustment() -> None:
    adjustments = pd.DataFrame({"org_id": [1], "bonus": [-2.0]})
    with raises_naming("-2"):
        evaluate_frame(long_rows({1: uniform(90)}), adjustments=adjustments)


def test_evaluate_frame_rejects_non_boolean_veto() -> None:
    adjustments = pd.DataFrame({"org_id": [1], "vetoed": ["no"]})
    with raises_naming("'no'"):
        evaluate_frame(long_rows({1: uniform(90)}), adjustments=adjustments)


def test_evaluate_frame_agrees_with_evaluate_org_on_examples() -> None:
    per_org = {1: uniform(95), 2: uniform(86), 3: {"learning": [17], "service": [20]}}
    frame = evaluate_frame(long_rows(per_org))
    for org, stars in per_org.items():
        scores = {k: sum((to_decimal(p) for p in stars.get(k, [])), D(0)) for k in STAR_KEYS}
        expected = evaluate_org(scores)
        assert D(int(frame.loc[org, "composite_milli"])) / 1000 == expected.composite
        assert frame.loc[org, "level"] == expected.level


# --------------------------------------------------------------------------- targets


@pytest.mark.parametrize("year", range(2017, 2031))
def test_targets_by_year(year: int) -> None:
    expected = None if year < 2018 else {2018: 70, 2019: 80}.get(year, 90)
    assert target_percent(year) == expected
    assert target_rate(year) == (None if expected is None else expected / 100)
    if expected is None:
        assert meets_target(10, 10, year) is None


def test_target_rate_values() -> None:
    assert target_rate(2018) == pytest.approx(0.70)
    assert target_rate(2019) == pytest.approx(0.80)
    assert target_rate(2025) == pytest.approx(0.90)


@pytest.mark.parametrize(
    ("count", "total", "year", "met"),
    [
        (7, 10, 2018, True),
        (6, 10, 2018, False),
        (79, 100, 2019, False),
        (80, 100, 2019, True),
        (9, 10, 2020, True),
        (89, 99, 2024, False),
        (0, 0, 2020, None),
        (5, 5, 2017, None),
    ],
)
def test_meets_target_exact(count: int, total: int, year: int, met: bool | None) -> None:
    assert meets_target(count, total, year) is met


def test_target_attainment_from_frame() -> None:
    per_org = {i: uniform(95 if i < 7 else 80) for i in range(10)}
    att = target_attainment(evaluate_frame(long_rows(per_org)), 2018)
    assert (att.year, att.total, att.five_star) == (2018, 10, 7)
    assert att.share == pytest.approx(0.7)
    assert att.target == pytest.approx(0.7)
    assert att.met is True
    assert target_attainment(evaluate_frame(long_rows(per_org)), 2019).met is False
    empty = target_attainment(evaluate_frame(long_rows({})), 2020)
    assert (empty.total, empty.share, empty.met) == (0, 0.0, None)


# --------------------------------------------------------------------------- select_excellence


def excellence_frame(
    composites: dict[object, float], *, not_five: tuple = (), vetoed: tuple = ()
) -> pd.DataFrame:
    """A minimal evaluate_frame-like result."""
    orgs = list(composites)
    return pd.DataFrame(
        {
            "composite_milli": [round(composites[o] * 1000) for o in orgs],
            "five_star": [o not in not_five for o in orgs],
            "vetoed": [o in vetoed for o in orgs],
        },
        index=pd.Index(orgs, name="org_id"),
    )


@pytest.mark.parametrize(("n_five", "quota"), [(10, 3), (6, 2), (2, 1), (1, 0), (4, 1), (0, 0)])
def test_excellence_quota_rounds_half_up(n_five: int, quota: int) -> None:
    frame = excellence_frame({i: 100 - i for i in range(n_five)})
    result = select_excellence(frame, dict.fromkeys(range(n_five), "优秀"))
    assert result.basis_count == n_five
    assert result.quota == quota
    assert result.recommended == tuple(range(quota))
    assert not result.tie_at_cut


def test_excellence_fewer_eligible_than_quota() -> None:
    frame = excellence_frame({i: 100 - i for i in range(10)})
    result = select_excellence(frame, {8: "优秀", 9: "优秀", 0: "良好"})
    assert result.quota == 3
    assert result.eligible == (8, 9)
    assert result.recommended == (8, 9)
    assert not result.tie_at_cut


def test_excellence_tie_at_cut_is_flagged_and_all_tied_recommended() -> None:
    composites = {
        "a": 99,
        "b": 98,
        "d": 97.5,
        "c": 97.5,
        "e": 97.5,
        **{f"z{i}": 90 for i in range(5)},
    }
    frame = excellence_frame(composites)
    result = select_excellence(frame, dict.fromkeys(composites, "优秀"))
    assert result.quota == 3  # 10 * 0.25 = 2.5 -> 3
    assert result.eligible[:5] == ("a", "b", "c", "d", "e")
    assert result.recommended == ("a", "b", "c", "d", "e")
    assert result.tie_at_cut
    assert result.tied == ("c", "d", "e")


def test_excellence_tie_below_cut_is_not_flagged() -> None:
    composites = {"a": 99, "b": 98, "c": 97, "d": 96, "e": 96, **{f"z{i}": 90 for i in range(5)}}
    result = select_excellence(excellence_frame(composites), dict.fromkeys(composites, "优秀"))
    assert result.recommended == ("a", "b", "c")
    assert not result.tie_at_cut
    assert result.tied == ()


def test_excellence_excludes_non_excellent_vetoed_and_non_five_star() -> None:
    composites = {i: 100 - i for i in range(12)}
    frame = excellence_frame(composites, not_five=(1, 11), vetoed=(0,))
    grades = dict.fromkeys(composites, "优秀")
    grades[2] = "良好"
    result = select_excellence(frame, grades)
    assert result.basis_count == 10  # five-star count includes the vetoed row flagged five_star
    assert 0 not in result.eligible
    assert 1 not in result.eligible
    assert 2 not in result.eligible
    assert result.recommended == (3, 4, 5)


def test_excellence_basis_all() -> None:
    composites = {i: 100 - i for i in range(12)}
    frame = excellence_frame(composites, not_five=tuple(range(4, 12)))
    grades = dict.fromkeys(composites, "优秀")
    five_basis = select_excellence(frame, grades)
    assert (five_basis.basis_count, five_basis.quota) == (4, 1)
    all_basis = select_excellence(frame, grades, basis="all")
    assert (all_basis.basis_count, all_basis.quota) == (12, 3)
    assert all_basis.recommended == (0, 1, 2)


def test_excellence_custom_ratio_and_bad_basis() -> None:
    frame = excellence_frame({i: 100 - i for i in range(10)})
    grades = dict.fromkeys(range(10), "优秀")
    assert select_excellence(frame, grades, ratio=D("0.5")).quota == 5
    with raises_naming("'best'"):
        select_excellence(frame, grades, basis="best")


def test_excellence_on_evaluate_frame_output() -> None:
    per_org = {f"o{i}": uniform(100 - i) for i in range(8)}
    frame = evaluate_frame(long_rows(per_org))
    result = select_excellence(frame, dict.fromkeys(per_org, "优秀"))
    assert result.quota == 2
    assert result.recommended == ("o0", "o1")


# --------------------------------------------------------------------------- gap to five-star


def test_gap_already_five_star() -> None:
    gap = gap_to_five_star(dict.fromkeys(STAR_KEYS, 19))
    assert gap.five_star
    assert gap.reachable
    assert gap.min_extra_points == 0
    assert gap.composite_missing == 0
    assert all(v == 0 for v in gap.star_missing.values())


def test_gap_composite_dominates() -> None:
    gap = gap_to_five_star(scores_with(learning=16, **dict.fromkeys(STAR_KEYS[1:], 18)))
    assert gap.star_missing["learning"] == D(1)
    assert gap.composite_missing == D(2)
    assert gap.min_extra_points == D(2)
    assert gap.reachable
    assert not gap.five_star


def test_gap_stars_dominate() -> None:
    gap = gap_to_five_star(scores_with(learning=15, standard=D("15.5")))
    assert gap.star_missing == {
        "learning": D(2),
        "standard": D("1.5"),
        "service": D(0),
        "democracy": D(0),
        "innovation": D(0),
    }
    assert gap.composite_missing == 0
    assert gap.min_extra_points == D("3.5")


def test_gap_with_custom_bases() -> None:
    gap = gap_to_five_star(scores_with(learning=15), {"learning": 18})
    assert gap.star_missing["learning"] == D("0.3")


def test_gap_unreachable_by_deduction_or_veto() -> None:
    assert not gap_to_five_star(dict.fromkeys(STAR_KEYS, 10), deduction=11).reachable
    assert gap_to_five_star(dict.fromkeys(STAR_KEYS, 10), deduction=10).reachable
    vetoed = gap_to_five_star(FULL, vetoed=True)
    assert not vetoed.reachable
    assert not vetoed.five_star


def test_gap_small_bases_need_bonus() -> None:
    bases = {"learning": 18, "standard": 18, "service": 18, "democracy": 18, "innovation": 17}
    scores = dict.fromkeys(STAR_KEYS, 15)
    assert not gap_to_five_star(scores, bases).reachable
    assert gap_to_five_star(scores, bases, bonus=1).reachable


# --------------------------------------------------------------------------- suggest_gap_closure


PREFIX = {"learning": "L", "standard": "G", "service": "S", "democracy": "D", "innovation": "I"}


def rubric(points: dict[str, list[object]], max_points: object = 5) -> list[CriterionState]:
    """Criteria L1.., G1.., S1.., D1.., I1.. with the given current points and a common maximum."""
    return [
        CriterionState(f"{PREFIX[star]}{i + 1}", star, to_decimal(p), to_decimal(max_points))
        for star, values in points.items()
        for i, p in enumerate(values)
    ]


def apply(criteria: list[CriterionState], plan: list[scoring.Suggestion]) -> dict[str, D]:
    """Star scores after applying a plan."""
    extra = {s.code: s.add_points for s in plan}
    totals = dict.fromkeys(STAR_KEYS, D(0))
    for c in criteria:
        totals[c.star] += c.points + extra.get(c.code, D(0))
    return totals


def test_suggest_lights_a_star_with_the_fewest_criteria() -> None:
    criteria = rubric(
        {
            "learning": [5, 4, 3, 2],  # 14, needs 3: L4 has 3 headroom
            **{k: [5, 5, 5, 4] for k in STAR_KEYS[1:]},  # 19 each
        }
    )
    plan = suggest_gap_closure(criteria)
    assert plan == [scoring.Suggestion("L4", "learning", D(3), "star")]
    assert evaluate_org(apply(criteria, plan)).five_star


def test_suggest_rounds_last_addition_up_to_half_point() -> None:
    criteria = [
        CriterionState("G1", "standard", D(5), D(6)),
        CriterionState("G2", "standard", D(10), D(12)),
        *rubric({k: [5, 5, 5, 5] for k in STAR_KEYS if k != "standard"}),
    ]
    plan = suggest_gap_closure(criteria, {"standard": 18})  # 15 of 18, needs 0.3
    assert plan == [scoring.Suggestion("G2", "standard", D("0.5"), "star")]
    assert evaluate_org(apply(criteria, plan), {"standard": 18}).five_star


def test_suggest_fills_composite_with_most_headroom_first() -> None:
    criteria = rubric(
        {
            "learning": [5, 5, 5, 2],  # 17, headroom 3 on L4
            "standard": [5, 5, 5, 2],
            "service": [5, 5, 4, 3],  # 17, headroom 1 and 2
            "democracy": [5, 5, 5, 2],
            "innovation": [5, 5, 5, "2.5"],  # 17.5
        }
    )
    plan = suggest_gap_closure(criteria)  # composite 85.5, needs 4.5
    assert plan == [
        scoring.Suggestion("L4", "learning", D(3), "composite"),
        scoring.Suggestion("G4", "standard", D("1.5"), "composite"),
    ]
    assert evaluate_org(apply(criteria, plan)).five_star


def test_suggest_star_and_composite_combined() -> None:
    criteria = rubric({"learning": [4, 4, 4, 4], **{k: [4, 4, 4, 5] for k in STAR_KEYS[1:]}})
    plan = suggest_gap_closure(criteria)  # learning 16 (needs 1), composite 84 (needs 6)
    assert plan[0] == scoring.Suggestion("L1", "learning", D(1), "star")
    assert sum(s.add_points for s in plan) == D(6)
    assert all(is_half_step(s.add_points) for s in plan)
    assert evaluate_org(apply(criteria, plan)).five_star


def test_suggest_empty_when_five_star_vetoed_or_unreachable() -> None:
    done = rubric({k: [5, 5, 5, 4] for k in STAR_KEYS})
    assert suggest_gap_closure(done) == []
    low = rubric({k: [2, 2, 2, 2] for k in STAR_KEYS})
    assert suggest_gap_closure(low, vetoed=True) == []
    assert suggest_gap_closure(low, deduction=11) == []
    assert suggest_gap_closure(low) != []


def test_suggest_empty_when_criteria_cannot_cover_the_gap() -> None:
    # Criteria max out at 16 of a base of 20, so the learning star can never be lit.
    criteria = rubric({"learning": [4, 4, 4, 4], **{k: [5, 5, 5, 5] for k in STAR_KEYS[1:]}}, 5)
    short = [
        CriterionState(c.code, c.star, c.points, D(4)) if c.star == "learning" else c
        for c in criteria
    ]
    assert suggest_gap_closure(short) == []


def test_suggest_uses_bonus_and_deduction() -> None:
    criteria = rubric({k: [5, 5, 5, 2] for k in STAR_KEYS})  # 85, all lit
    assert suggest_gap_closure(criteria, bonus=5) == []
    plan = suggest_gap_closure(criteria, bonus=3, deduction=1)  # 87, needs 3
    assert sum(s.add_points for s in plan) == D(3)
    assert evaluate_org(apply(criteria, plan), bonus=3, deduction=1).five_star


def test_suggest_rejects_bad_criteria() -> None:
    with raises_naming("'X1'"):
        suggest_gap_closure([CriterionState("X1", "leadership", D(1), D(2))])
    with raises_naming("'L1'"):
        suggest_gap_closure([CriterionState("L1", "learning", D(3), D(2))])
    with raises_naming("'L1'"):
        suggest_gap_closure(
            [
                CriterionState("L1", "learning", D(1), D(2)),
                CriterionState("L1", "learning", D(1), D(2)),
            ]
        )


# --------------------------------------------------------------------------- auto_points

HOURS = AutoRule(
    unit="学时", label="党员人均学习培训学时", minimum=D(24), step=D(2), per_step=D("0.5")
)
RANGE = AutoRule(unit="%", label="比例", minimum=D(3), maximum=D(25), step=D(1), per_step=D(2))


@pytest.mark.parametrize(
    ("rule", "figure", "max_points", "expected"),
    [
        (HOURS, 24, 4, D(4)),
        (HOURS, 30, 4, D(4)),
        (HOURS, 23, 4, D("3.5")),
        (HOURS, 22, 4, D("3.5")),
        (HOURS, D("21.9"), 4, D(3)),
        (HOURS, 20, 4, D(3)),
        (HOURS, 10, 4, D("0.5")),
        (HOURS, 0, 4, D(0)),
        (HOURS, 23.5, 4, D("3.5")),
        (RANGE, 26, 2, D(0)),
        (RANGE, 2, 2, D(0)),
        (RANGE, 3, 2, D(2)),
        (RANGE, 25, 2, D(2)),
        (RANGE, "25.0", 2, D(2)),
    ],
)
def test_auto_points(rule: AutoRule, figure: object, max_points: object, expected: D) -> None:
    assert auto_points(rule, figure, max_points) == expected


def test_auto_points_maximum_only_and_unbounded() -> None:
    at_most = AutoRule(unit="次", label="违纪次数", maximum=D(0), per_step=D(1))
    assert auto_points(at_most, 0, 3) == D(3)
    assert auto_points(at_most, 2, 3) == D(1)
    assert auto_points(AutoRule(unit="人", label="任意"), 1000, 2) == D(2)


def test_auto_points_rejects_bad_figure_and_rule() -> None:
    with raises_naming("-1"):
        auto_points(HOURS, -1, 4)
    with raises_naming("'many'"):
        auto_points(HOURS, "many", 4)
    with pytest.raises(ValueError, match="step must be positive"):
        AutoRule(unit="学时", label="x", step=D(0))
    with pytest.raises(ValueError, match="minimum 5 exceeds maximum 3"):
        AutoRule(unit="学时", label="x", minimum=D(5), maximum=D(3))


def test_auto_rule_coerces_numbers() -> None:
    rule = AutoRule(unit="学时", label="x", minimum=24, step=2, per_step=0.5)
    assert rule.per_step == D("0.5")
    assert auto_points(rule, 23, 4) == D("3.5")


# --------------------------------------------------------------------------- advice (issue 10)

HOURS = scoring.AutoRule(unit="学时", label="人均学时", minimum=24, step=2, per_step=D("0.5"))


def test_figure_for_points_names_the_figure_to_reach() -> None:
    assert scoring.figure_for_points(HOURS, D("2.5"), D("2.5"), 20) == (D(24), "at_least")
    assert scoring.figure_for_points(HOURS, D(2), D("2.5"), 20) == (D(22), "at_least")
    assert scoring.auto_points(HOURS, 22, D("2.5")) == D(2)
    ceiling = scoring.AutoRule(unit="次", label="缺席次数", maximum=2, step=1, per_step=1)
    assert scoring.figure_for_points(ceiling, D(3), D(4), 5) == (D(3), "at_most")
    assert scoring.figure_for_points(HOURS, D(3), D("2.5")) is None


def test_advice_names_auto_scored_criteria_by_figure_and_uses_capped_bonus() -> None:
    """Every star at its base but L1 (auto, figure 20 of 24 → 1.5 of 2.5), a reviewer's deduction
    of 11: the plan raises the figure to 24 and declares the 加分项 the rest needs."""
    items = [
        scoring.ItemPoints("criterion", "learning", D("1.5"), None, "L1", D("2.5"), HOURS),
        scoring.ItemPoints("criterion", "learning", D("17.5"), None, "L2", D("17.5")),
        *(
            scoring.ItemPoints("criterion", key, D(20), None, f"{key}1", D(20))
            for key in STAR_KEYS[1:]
        ),
        scoring.ItemPoints("bonus", None, None, None, "B1", D(3)),
        scoring.ItemPoints("bonus", None, None, None, "B2", D(3)),
        scoring.ItemPoints("deduction", None, None, D(11), "D1", D(11)),
    ]
    advice = scoring.advise(items, "reviewed", figures={"L1": D(20)})
    assert advice.result.composite == D(88)
    assert advice.gap.reachable
    by_code = {s.code: s for s in advice.suggestions}
    assert by_code["L1"].add_points == 1
    assert by_code["L1"].figure == 24
    assert by_code["L1"].figure_bound == "at_least"
    assert sum(s.add_points for s in advice.suggestions if s.reason == "bonus") == 1
    # Without the 加分项 the same case is unreachable, and the self basis has no deduction.
    no_bonus = [i for i in items if i.kind != "bonus"]
    assert not scoring.advise(no_bonus, "reviewed").gap.reachable
    assert scoring.advise(items, "self").result.deduction == 0


@pytest.mark.parametrize(
    "raw", ["1e1000000", "-1e1000000", "1e16", "1e-16", "9" * 41, 10**30, 1e300, "1E+999999999"]
)
def test_numbers_outside_the_bounds_are_refused_before_any_arithmetic(raw: object) -> None:
    with pytest.raises(ValueError, match=r"number (out of range|too long)"):
        scoring.to_decimal(raw)


@pytest.mark.parametrize("raw", ["0E-1000000", "0e99", "-0"])
def test_any_zero_is_zero(raw: str) -> None:
    assert scoring.to_decimal(raw) == 0


@pytest.mark.parametrize("raw", ["1000000", "0.01", "999999999999999", "1e15", "17.5", 2.5])
def test_ordinary_numbers_pass(raw: object) -> None:
    assert scoring.to_decimal(raw) == D(str(raw))


# --------------------------------------------------------------------------- quota per region


def _regional_frame() -> pd.DataFrame:
    """Eight five-star 优秀 organisations in 市直 and four in 柯桥区, best first per region."""
    rows = [(i, "市直", 99_000 - i * 100) for i in range(1, 9)]
    rows += [(i, "柯桥区", 91_000 - i * 100) for i in range(11, 15)]
    return pd.DataFrame(
        {
            "five_star": [True] * len(rows),
            "vetoed": [False] * len(rows),
            "composite_milli": [m for _, _, m in rows],
            "region": [r for _, r, _ in rows],
        },
        index=pd.Index([i for i, _, _ in rows], name="org_id"),
    )


def test_the_quota_counted_city_wide_or_per_region() -> None:
    frame = _regional_frame()
    grades = {int(o): "优秀" for o in frame.index}
    city = scoring.select_excellence_in(frame, grades, mode=scoring.QuotaMode.CITY)
    # 25% of 12 = 3, all from 市直 (the best composites).
    assert (city.basis_count, city.quota, city.recommended) == (12, 3, (1, 2, 3))
    assert city == scoring.select_excellence(frame, grades)
    region = scoring.select_excellence_in(frame, grades, mode=scoring.QuotaMode.REGION)
    # 25% of 8 = 2 in 市直, 25% of 4 = 1 in 柯桥区.
    assert (region.basis_count, region.quota, region.recommended) == (12, 3, (1, 2, 11))
    assert region.eligible[0] == 1
    assert set(region.eligible) == set(frame.index)
    with pytest.raises(ValueError, match="mode"):
        scoring.select_excellence_in(frame, grades, mode="county")
