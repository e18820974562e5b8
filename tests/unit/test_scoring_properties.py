"""Property tests: evaluate_frame agrees exactly with evaluate_org; gap plans reach five-star."""

from __future__ import annotations

from decimal import Decimal as D
from itertools import pairwise

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import (
    STAR_KEYS,
    AutoRule,
    CriterionState,
    ItemPoints,
    Thresholds,
    advise,
    auto_points,
    evaluate_basis,
    evaluate_frame,
    evaluate_org,
    figure_for_points,
    gap_to_five_star,
    is_half_step,
    lit_minimum_tenths,
    points_on_basis,
    suggest_gap_closure,
)

BASE_CHOICES = (20, 18, 13, 15)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def base_sets() -> st.SearchStrategy[dict[str, int]]:
    """Star bases among 20/18/13/15, weighted towards 20 so that a composite of 90 is possible."""
    weighted = st.sampled_from((20, 20, 20, *BASE_CHOICES))
    return st.fixed_dictionaries({k: weighted for k in STAR_KEYS})


@st.composite
def org_rows(draw: st.DrawFn, bases: dict[str, int], unit: D) -> dict[str, list[D]]:
    """Criterion points per star, multiples of ``unit``, whose totals stay within the base."""
    # Most orgs score near the top so that five-star and the 85% / 90 lines are exercised.
    floor_share = draw(st.sampled_from([0, D("0.75"), D("0.9")]))
    stars: dict[str, list[D]] = {}
    for key in STAR_KEYS:
        top = int(bases[key] / unit)
        low = int(top * floor_share)
        total = draw(st.integers(low, top))
        n_rows = draw(st.integers(0 if total == 0 else 1, 4))
        cuts = sorted(
            draw(
                st.lists(
                    st.integers(0, total), min_size=max(n_rows - 1, 0), max_size=max(n_rows - 1, 0)
                )
            )
        )
        bounds = [0, *cuts, total]
        stars[key] = [(hi - lo) * unit for lo, hi in pairwise(bounds)][:n_rows]
    return stars


@st.composite
def populations(draw: st.DrawFn) -> tuple[dict, dict, dict, str]:
    """Random bases, orgs with criterion rows and adjustments, and a points dtype to use."""
    bases = draw(base_sets())
    unit = draw(st.sampled_from([D("0.1"), D("0.5"), D("0.05")]))
    n_orgs = draw(st.integers(1, 8))
    orgs = {}
    adjustments = {}
    for org in range(n_orgs):
        orgs[org] = draw(org_rows(bases, unit))
        adjustments[org] = (
            draw(st.integers(0, 16)) * D("0.5"),
            draw(st.integers(0, 30)) * D("0.1"),
            draw(st.sampled_from([False] * 7 + [True])),
        )
    kind = draw(st.sampled_from(["float", "decimal", "categorical"]))
    return bases, orgs, adjustments, kind


def build_frames(orgs: dict, adjustments: dict, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [
        (org, star, p)
        for org, stars in orgs.items()
        for star, points in stars.items()
        for p in points
    ]
    if kind == "decimal":
        scores = pd.DataFrame(rows, columns=["org_id", "star", "points"]).astype({"points": object})
    else:
        # float(str(...)) mimics what a database or form hands over for 15.3.
        scores = pd.DataFrame(
            [(o, s, float(str(p))) for o, s, p in rows], columns=["org_id", "star", "points"]
        )
        if kind == "categorical":
            scores["star"] = pd.Categorical(scores["star"], categories=list(STAR_KEYS))
    adj = pd.DataFrame(
        [(org, float(b), float(d), v) for org, (b, d, v) in adjustments.items()],
        columns=["org_id", "bonus", "deduction", "vetoed"],
    )
    return scores, adj


@SETTINGS
@given(populations())
def test_evaluate_frame_matches_evaluate_org(population: tuple) -> None:
    bases, orgs, adjustments, kind = population
    scores, adj = build_frames(orgs, adjustments, kind)
    frame = evaluate_frame(scores, bases, adj)

    assert sorted(frame.index) == sorted(orgs)
    for org, stars in orgs.items():
        bonus, deduction, vetoed = adjustments[org]
        totals = {k: sum(stars[k], D(0)) for k in STAR_KEYS}
        expected = evaluate_org(totals, bases, bonus=bonus, deduction=deduction, vetoed=vetoed)
        row = frame.loc[org]
        for key in STAR_KEYS:
            assert row[key] == float(expected.star_scores[key])
            assert bool(row[f"lit_{key}"]) == (key in expected.lit_stars)
        assert D(int(row["composite_milli"])) / 1000 == expected.composite
        assert row["composite"] == float(expected.composite)
        assert row["bonus"] == float(expected.bonus)
        assert row["star_count"] == expected.star_count
        assert bool(row["five_star"]) == expected.five_star
        assert bool(row["vetoed"]) == expected.vetoed
        assert row["level"] == expected.level

    milli = frame["composite_milli"]
    for org in frame.index:
        assert frame.loc[org, "rank"] == 1 + int((milli > milli.loc[org]).sum())
    assert list(frame["rank"]) == sorted(frame["rank"])


@st.composite
def rubrics(draw: st.DrawFn) -> tuple[list[CriterionState], dict[str, int], D, D, bool]:
    """Criteria whose maxima add up to each star's base, with current points in 0.5 or 0.1 steps."""
    bases = draw(st.one_of(st.just(dict.fromkeys(STAR_KEYS, 20)), base_sets()))
    unit = draw(st.sampled_from([D("0.5"), D("0.1")]))
    # Skew towards high scores so many orgs sit just below the lines; a floor of 85% per
    # criterion lights every star and leaves only the composite line to close.
    floor_share = draw(st.sampled_from([D(2) / 3, D("0.85")]))
    criteria = []
    for key in STAR_KEYS:
        halves_left = bases[key] * 2
        n = draw(st.integers(1, 4))
        for i in range(n):
            halves = halves_left if i == n - 1 else draw(st.integers(0, halves_left))
            halves_left -= halves
            max_points = halves * D("0.5")
            units = int(max_points / unit)
            points = draw(st.integers(int(units * floor_share), units)) * unit
            criteria.append(CriterionState(f"{key}-{i}", key, points, max_points))
    bonus = draw(st.integers(0, 14)) * D("0.5")
    deduction = draw(st.integers(0, 6)) * D("0.5")
    vetoed = draw(st.sampled_from([False] * 9 + [True]))
    return criteria, bases, bonus, deduction, vetoed


@SETTINGS
@given(rubrics())
def test_suggest_gap_closure_reaches_five_star(case: tuple) -> None:
    criteria, bases, bonus, deduction, vetoed = case
    totals = {k: sum((c.points for c in criteria if c.star == k), D(0)) for k in STAR_KEYS}
    gap = gap_to_five_star(totals, bases, bonus=bonus, deduction=deduction, vetoed=vetoed)
    plan = suggest_gap_closure(criteria, bases, bonus=bonus, deduction=deduction, vetoed=vetoed)

    if gap.five_star or not gap.reachable:
        assert plan == []
        return
    assert plan, "a reachable gap must produce a plan"
    by_code = {c.code: c for c in criteria}
    assert len({s.code for s in plan}) == len(plan)
    after = dict(totals)
    for s in plan:
        c = by_code[s.code]
        assert s.star == c.star
        assert s.reason in ("star", "composite")
        assert 0 < s.add_points <= c.max_points - c.points
        if is_half_step(c.points) and is_half_step(c.max_points):
            assert is_half_step(s.add_points)
        after[s.star] += s.add_points
    result = evaluate_org(after, bases, bonus=bonus, deduction=deduction, vetoed=vetoed)
    assert result.five_star
    # Near-minimal: overshoot comes only from rounding up to 0.5 once per unlit star and once
    # for the composite line.
    unlit = sum(1 for v in gap.star_missing.values() if v > 0)
    total = sum((s.add_points for s in plan), D(0))
    assert gap.min_extra_points <= total < gap.min_extra_points + D("0.5") * (unlit + 1)


@SETTINGS
@given(
    base_tenths=st.integers(min_value=10, max_value=400),
    ratio=st.sampled_from([D("0.85"), D("0.8"), D("0.9"), D("0.875")]),
    total_tenths=st.integers(min_value=0, max_value=400),
)
def test_lit_minimum_in_tenths_agrees_with_evaluate_frame(
    base_tenths: int, ratio: D, total_tenths: int
) -> None:
    """The database filter (total >= minimum tenths) lights exactly the stars scoring lights."""
    base = D(base_tenths) / 10
    total = min(total_tenths, base_tenths)
    thresholds = Thresholds(star_ratio=ratio)
    bases = {key: base for key in STAR_KEYS}
    minimum = lit_minimum_tenths(bases, thresholds)
    scores = pd.DataFrame(
        {"org_id": [1] * 5, "star": list(STAR_KEYS), "points": [D(total) / 10] * 5}
    )
    frame = evaluate_frame(scores, bases, thresholds=thresholds)
    for key in STAR_KEYS:
        assert bool(frame.loc[1, f"lit_{key}"]) == (total >= minimum[key])


# --------------------------------------------------------------------------- result on a basis


@st.composite
def org_items(draw: st.DrawFn) -> tuple[list[ItemPoints], dict[str, int]]:
    """An organisation's rubric items with the branch's points and some reviewer figures."""
    bases = draw(base_sets())
    items: list[ItemPoints] = []
    half = st.integers(0, 10).map(lambda n: n * D("0.5"))
    maybe = st.one_of(st.none(), half)
    for key in STAR_KEYS:
        halves_left = bases[key] * 2
        n = draw(st.integers(1, 4))
        for i in range(n):
            halves = halves_left if i == n - 1 else draw(st.integers(0, halves_left))
            halves_left -= halves
            top = halves * D("0.5")
            own = draw(st.one_of(st.none(), st.integers(0, halves).map(lambda h: h * D("0.5"))))
            figure = draw(st.one_of(st.none(), st.integers(0, halves).map(lambda h: h * D("0.5"))))
            items.append(ItemPoints("criterion", key, own, figure, f"{key}-{i}", top))
    for i in range(draw(st.integers(0, 3))):
        items.append(ItemPoints("bonus", None, draw(maybe), draw(maybe), f"B{i}", D(5)))
    for i in range(draw(st.integers(0, 3))):
        items.append(ItemPoints("deduction", None, None, draw(maybe), f"D{i}", D(5)))
    if draw(st.integers(0, 9)) == 0:
        items.append(ItemPoints("veto", None, None, D(1), "V1", D(0)))
    return items, bases


@SETTINGS
@given(org_items(), st.sampled_from(["self", "reviewed"]))
def test_evaluate_basis_follows_the_stated_rule(case: tuple, basis: str) -> None:
    """Self: the branch's own points only; reviewed: the reviewer's figure where given, the
    branch's elsewhere, plus the reviewer's deductions and vetoes. evaluate_frame agrees."""
    items, bases = case
    result = evaluate_basis(items, basis, bases)

    def used(item: ItemPoints) -> D:
        if basis == "self":
            return item.self_points or D(0)
        value = item.reviewed_points if item.reviewed_points is not None else item.self_points
        return value or D(0)

    stars = {k: sum((used(i) for i in items if i.star == k), D(0)) for k in STAR_KEYS}
    bonus = sum((used(i) for i in items if i.kind == "bonus"), D(0))
    deduction = sum((used(i) for i in items if i.kind == "deduction"), D(0))
    vetoed = any(used(i) > 0 for i in items if i.kind == "veto")
    assert result == evaluate_org(stars, bases, bonus=bonus, deduction=deduction, vetoed=vetoed)
    if basis == "self":
        assert result.deduction == 0
        assert not result.vetoed
    scores = pd.DataFrame(
        {"org_id": [1] * 5, "star": list(STAR_KEYS), "points": [stars[k] for k in STAR_KEYS]}
    )
    adjustments = pd.DataFrame(
        {"org_id": [1], "bonus": [bonus], "deduction": [deduction], "vetoed": [vetoed]}
    )
    row = evaluate_frame(scores, bases, adjustments).loc[1]
    assert D(int(row["composite_milli"])) / 1000 == result.composite
    assert int(row["level"]) == result.level


@SETTINGS
@given(org_items(), st.sampled_from(["self", "reviewed"]))
def test_advice_says_unreachable_only_when_full_marks_and_the_bonus_cap_stay_below(
    case: tuple, basis: str
) -> None:
    """Whenever the advice gives up, every criterion at its maximum plus every 加分项 at its
    maximum (capped) minus the deductions stays below the line; otherwise its plan, applied,
    makes the organisation five-star."""
    items, bases = case
    thresholds = Thresholds()
    advice = advise(items, basis, bases, thresholds=thresholds)
    if advice.gap.five_star:
        assert advice.suggestions == ()
        return
    best_bonus = min(
        thresholds.bonus_cap, sum((D(str(i.max_points)) for i in items if i.kind == "bonus"), D(0))
    )
    best_bonus = max(best_bonus, advice.result.bonus)
    best = sum(D(b) for b in bases.values()) + best_bonus - advice.result.deduction
    if not advice.gap.reachable:
        assert advice.result.vetoed or best < thresholds.five_star_composite
        assert advice.suggestions == ()
        return
    assert best >= thresholds.five_star_composite
    assert advice.suggestions
    added = {s.code: s.add_points for s in advice.suggestions}
    for s in advice.suggestions:
        item = next(i for i in items if i.code == s.code)
        assert (s.reason == "bonus") == (item.kind == "bonus")
    # The plan applied: every item at its points on the basis plus what the plan adds.
    after = []
    for i in items:
        value = points_on_basis(i.self_points, i.reviewed_points, basis)
        if i.code in added:
            value = (value or D(0)) + added[i.code]
        after.append(ItemPoints(i.kind, i.star, value, None, i.code, i.max_points))
    assert evaluate_basis(after, "self", bases).five_star


@SETTINGS
@given(
    minimum=st.integers(1, 60),
    step=st.sampled_from([D(1), D(2), D(4), D(10)]),
    per_step=st.sampled_from([D("0.5"), D(1)]),
    max_halves=st.integers(1, 10),
    target_halves=st.integers(1, 10),
)
def test_figure_for_points_earns_the_points_and_no_less_figure_does(
    minimum: int, step: D, per_step: D, max_halves: int, target_halves: int
) -> None:
    """The figure the advice names earns at least the points it promises, and one step less
    does not (so it is the figure to reach, not just some figure)."""
    rule = AutoRule(unit="学时", label="人均学时", minimum=minimum, step=step, per_step=per_step)
    full = max_halves * D("0.5")
    target = min(target_halves * D("0.5"), full)
    reach = figure_for_points(rule, target, full)
    assert reach is not None
    assert reach[1] == "at_least"
    figure = reach[0]
    assert auto_points(rule, figure, full) >= target
    if figure - step >= 0:
        assert auto_points(rule, figure - step, full) < target
