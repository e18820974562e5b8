"""Five-star rules for agency party organisations (五星示范 · 双优引领).

Source: 中共绍兴市委《关于在全市机关党组织中开展"五星示范、双优引领"创建活动的实施意见》,
section 一（二）. The rules implemented here:

* Five stars — 学习星 (learning), 规范星 (standard), 服务星 (service), 民主星 (democracy),
  创新星 (innovation) — are each scored out of a base (20 points by default; a rubric may set
  other bases such as 18, 13 or 15).
* A star is lit when its score reaches 85% of its base (inclusive: 17 of 20, 15.3 of 18).
* Composite = sum of star scores + bonus (capped at 5) − deduction.
* An organisation is five-star when all five stars are lit, the composite is at least 90 and it is
  not vetoed (一票否决). Otherwise its level is the number of lit stars, at most 4; a vetoed
  organisation is level 0.
* Targets: 70% of organisations five-star in 2018, 80% in 2019, 90% from 2020 on.
* 双优 (excellence): about 25% of five-star organisations graded 优秀 are recommended.

Everything is exact: scalar rules use ``Decimal`` (floats go through ``str()`` so 15.3 is 15.3 and
89.99 < 90), and the vectorised :func:`evaluate_frame` works in integer thousandths.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, Generic, TypeVar

import numpy as np
import pandas as pd

from texts.common import STAR_DISPLAY_NAMES

Number = int | float | Decimal | str

STAR_KEYS: tuple[str, ...] = ("learning", "standard", "service", "democracy", "innovation")
STAR_NAMES: dict[str, str] = STAR_DISPLAY_NAMES  # the wording lives in texts/common.py
DEFAULT_STAR_BASE = Decimal(20)
STAR_RATIO = Decimal("0.85")
FIVE_STAR_COMPOSITE = Decimal(90)
BONUS_CAP = Decimal(5)
EXCELLENCE_RATIO = Decimal("0.25")
TARGET_PERCENT: dict[int, int] = {2018: 70, 2019: 80, 2020: 90}
EXCELLENT_GRADE = "优秀"

_N_STARS = len(STAR_KEYS)
_STAR_INDEX = {key: i for i, key in enumerate(STAR_KEYS)}
_MILLI = Decimal(1000)
_ZERO = Decimal(0)
# Per-value bound on thousandths: keeps float64 bincount sums exact (below 2**53) for any total
# that can pass the star-base check, and keeps the int64 conversion from overflowing.
_MAX_MILLI = 2**50
# Bounds on any number read from outside, checked before any arithmetic: "1e1000000" is a valid
# Decimal whose doubling, rounding or printing takes minutes (or overflows the context).
# Scores, figures and counts here are far inside them.
MAX_NUMBER_TEXT = 40  # characters of a number given as text
MAX_MAGNITUDE_DIGITS = 15  # |x| < 10**16
MIN_FRACTION_DIGITS = -15  # non-zero |x| >= 10**-15


# --------------------------------------------------------------------------- numbers


def _show(value: Any) -> str:
    """Value for error messages: 42 rather than np.int64(42), -0.5 rather than Decimal('-0.5')."""
    if isinstance(value, np.generic):
        value = value.item()
    return str(value) if isinstance(value, Decimal) else repr(value)


def to_decimal(value: object) -> Decimal:
    """Convert a number exactly to Decimal (floats via ``str()``); raise ValueError otherwise.

    Bounded before anything else is done with it (MAX_NUMBER_TEXT, MAX_MAGNITUDE_DIGITS,
    MIN_FRACTION_DIGITS): an absurd input is refused at once instead of burning a CPU.
    """
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"not a number (boolean): {_show(value)}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, numbers.Integral):
        if abs(int(value)).bit_length() > 64:
            raise ValueError(f"number out of range: {_show(value)[:MAX_NUMBER_TEXT]}")
        result = Decimal(int(value))
    elif isinstance(value, numbers.Real | str):
        text = str(value).strip()
        if len(text) > MAX_NUMBER_TEXT:
            raise ValueError(f"number too long: {text[:MAX_NUMBER_TEXT]}…")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a number: {_show(value)}") from None
    else:
        raise ValueError(f"not a number: {_show(value)}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {_show(value)}")
    if result.is_zero():
        return _ZERO  # 0E-1000000 is zero too
    if not MIN_FRACTION_DIGITS <= result.adjusted() <= MAX_MAGNITUDE_DIGITS:
        raise ValueError(f"number out of range: {_show(value)}")
    return result


def quantize_half(value: Number) -> Decimal:
    """Round up to the next multiple of 0.5 (values already on a half step are unchanged)."""
    d = to_decimal(value)
    return (d * 2).to_integral_value(rounding=ROUND_CEILING) / 2


def is_half_step(value: Number) -> bool:
    """Return True when the value is a multiple of 0.5."""
    d = to_decimal(value) * 2
    return d == d.to_integral_value()


def _non_negative(value: Any, what: str) -> Decimal:
    d = to_decimal(value)
    if d < 0:
        raise ValueError(f"{what} must not be negative: {_show(value)}")
    return d


# --------------------------------------------------------------------------- thresholds


@dataclass(frozen=True)
class Thresholds:
    """Rule thresholds; a rubric may override any of them (values are coerced to Decimal)."""

    star_ratio: Decimal = STAR_RATIO
    five_star_composite: Decimal = FIVE_STAR_COMPOSITE
    bonus_cap: Decimal = BONUS_CAP
    excellence_ratio: Decimal = EXCELLENCE_RATIO

    def __post_init__(self) -> None:
        # Rubrics come from YAML/DB, so accept floats/strings but store exact Decimals.
        for name in ("star_ratio", "five_star_composite", "bonus_cap", "excellence_ratio"):
            object.__setattr__(self, name, to_decimal(getattr(self, name)))
        if self.star_ratio <= 0:
            raise ValueError(f"star_ratio must be positive: {self.star_ratio}")
        if self.bonus_cap < 0:
            raise ValueError(f"bonus_cap must not be negative: {self.bonus_cap}")
        if not 0 <= self.excellence_ratio <= 1:
            raise ValueError(f"excellence_ratio must be within [0, 1]: {self.excellence_ratio}")


DEFAULT_THRESHOLDS = Thresholds()


def star_threshold(base: Number, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Decimal:
    """Points a star needs to be lit: ``base * star_ratio``, exact."""
    d = to_decimal(base)
    if d <= 0:
        raise ValueError(f"star base must be positive: {_show(base)}")
    return d * thresholds.star_ratio


def _resolve_bases(star_bases: Mapping[str, Any] | None) -> dict[str, Decimal]:
    """Validated bases for all five stars; stars not given default to 20."""
    bases = dict.fromkeys(STAR_KEYS, DEFAULT_STAR_BASE)
    for key, value in (star_bases or {}).items():
        if key not in _STAR_INDEX:
            raise ValueError(f"unknown star in bases: {key!r}")
        d = to_decimal(value)
        if d <= 0:
            raise ValueError(f"base for star {key!r} must be positive: {_show(value)}")
        bases[key] = d
    return bases


# --------------------------------------------------------------------------- one organisation


@dataclass(frozen=True)
class OrgResult:
    """Evaluation of one organisation."""

    star_scores: dict[str, Decimal]
    star_bases: dict[str, Decimal]
    lit_stars: frozenset[str]
    star_count: int
    bonus: Decimal
    deduction: Decimal
    vetoed: bool
    composite: Decimal
    five_star: bool
    level: int


def _resolve_scores(
    star_scores: Mapping[str, Any], bases: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    for key in star_scores:
        if key not in _STAR_INDEX:
            raise ValueError(f"unknown star: {key!r}")
    scores: dict[str, Decimal] = {}
    for key in STAR_KEYS:
        if key not in star_scores:
            raise ValueError(f"missing score for star {key!r}")
        value = star_scores[key]
        d = to_decimal(value)
        if d < 0:
            raise ValueError(f"score for star {key!r} must not be negative: {_show(value)}")
        if d > bases[key]:
            raise ValueError(
                f"score for star {key!r} ({_show(value)}) exceeds its base {bases[key]}"
            )
        scores[key] = d
    return scores


def _level(five_star: bool, vetoed: bool, star_count: int) -> int:
    if five_star:
        return 5
    if vetoed:
        return 0
    return min(star_count, 4)


def evaluate_org(
    star_scores: Mapping[str, Number],
    star_bases: Mapping[str, Number] | None = None,
    *,
    bonus: Number = 0,
    deduction: Number = 0,
    vetoed: bool = False,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> OrgResult:
    """Evaluate one organisation's five star scores exactly."""
    bases = _resolve_bases(star_bases)
    scores = _resolve_scores(star_scores, bases)
    bonus_d = min(_non_negative(bonus, "bonus"), thresholds.bonus_cap)
    deduction_d = _non_negative(deduction, "deduction")
    if not isinstance(vetoed, bool | np.bool_):
        raise ValueError(f"vetoed must be a boolean: {_show(vetoed)}")
    vetoed = bool(vetoed)
    lit = frozenset(k for k in STAR_KEYS if scores[k] >= bases[k] * thresholds.star_ratio)
    composite = sum(scores.values(), _ZERO) + bonus_d - deduction_d
    five_star = len(lit) == _N_STARS and composite >= thresholds.five_star_composite and not vetoed
    return OrgResult(
        star_scores=scores,
        star_bases=bases,
        lit_stars=lit,
        star_count=len(lit),
        bonus=bonus_d,
        deduction=deduction_d,
        vetoed=vetoed,
        composite=composite,
        five_star=five_star,
        level=_level(five_star, vetoed, len(lit)),
    )


# --------------------------------------------------------------------------- result on a basis

BASES: tuple[str, ...] = ("self", "reviewed")
ITEM_KINDS: tuple[str, ...] = ("criterion", "bonus", "deduction", "veto")


@dataclass(frozen=True)
class ItemPoints:
    """One rubric item of an organisation's year: what the branch entered and the reviewer's figure.

    ``kind`` is criterion / bonus / deduction / veto; ``star`` is set for criteria. ``None`` means
    "not given". The branch never enters deductions and vetoes, so their self points are None.
    """

    kind: str
    star: str | None
    self_points: Number | None
    reviewed_points: Number | None = None
    code: str = ""
    max_points: Number | None = None
    auto: AutoRule | None = None


def check_basis(basis: str) -> str:
    """The basis name, or ValueError for an unknown one."""
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}; expected one of {BASES}")
    return basis


def points_on_basis(
    self_points: Number | None, reviewed_points: Number | None, basis: str
) -> Number | None:
    """One item's points on a basis: "self" the branch's own, "reviewed" the reviewer's figure
    where given and the branch's elsewhere (see :func:`evaluate_basis`)."""
    if check_basis(basis) == "self":
        return self_points
    return self_points if reviewed_points is None else reviewed_points


def points_on_basis_series(
    self_points: pd.Series, reviewed_points: pd.Series, basis: str
) -> pd.Series:
    """:func:`points_on_basis` over columns (NA = not given)."""
    if check_basis(basis) == "self":
        return self_points
    return reviewed_points.fillna(self_points)


def evaluate_basis(
    items: Iterable[ItemPoints],
    basis: str,
    star_bases: Mapping[str, Number] | None = None,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> OrgResult:
    """The organisation's result for a year on a basis — the one definition of that rule.

    * basis "self" is what the branch itself entered: its own points on every criterion and
      加分项; the branch enters no deductions or vetoes, so none count on this basis.
    * basis "reviewed" is the reviewer's figure where given and the branch's elsewhere, plus the
      deductions and vetoes the reviewer added.

    Then: each star sums its criteria (never above its base), bonus sums the 加分项 and is capped
    at ``bonus_cap``, deductions are summed, any veto item above 0 vetoes, and
    :func:`evaluate_org` gives stars, composite, five-star and level. Items not given count 0.
    The database's per-basis sums (db/services/totals.py) and :func:`evaluate_frame` are the
    vectorised form of this rule and are held equal to it by tests.
    """
    check_basis(basis)
    bases = _resolve_bases(star_bases)
    stars = dict.fromkeys(STAR_KEYS, _ZERO)
    bonus = deduction = _ZERO
    vetoed = False
    for item in items:
        raw = points_on_basis(item.self_points, item.reviewed_points, basis)
        if raw is None:
            continue
        points = to_decimal(raw)
        if item.kind == "criterion":
            if item.star not in _STAR_INDEX:
                raise ValueError(f"criterion with unknown star {item.star!r}")
            stars[item.star] += points
        elif item.kind == "bonus":
            bonus += points
        elif item.kind == "deduction":
            deduction += points
        elif item.kind == "veto":
            vetoed = vetoed or points > 0
        else:
            raise ValueError(f"unknown item kind {item.kind!r}")
    # Criteria maxima add up to the base (rubric.py checks it); this guards stored points a
    # later rubric change left above a lowered maximum.
    stars = {k: min(v, bases[k]) for k, v in stars.items()}
    return evaluate_org(
        stars, bases, bonus=bonus, deduction=deduction, vetoed=vetoed, thresholds=thresholds
    )


# --------------------------------------------------------------------------- many organisations


def _result_columns() -> list[str]:
    return [
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


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s): {', '.join(missing)}")


def _decimal_to_milli(d: Decimal, what: str) -> int:
    m = d * _MILLI
    if m != m.to_integral_value():
        raise ValueError(f"{what} has more than 3 decimal places: {d}")
    return int(m)


def _unique_to_milli(value: Any, what: str) -> float:
    # Floats get the same nearest-thousandth rounding as a float column; the rest must be exact.
    if isinstance(value, float | np.floating) and math.isfinite(value):
        return float(np.rint(float(value) * 1000.0))
    return float(_decimal_to_milli(to_decimal(value), what))


def _to_milli(values: pd.Series, what: str) -> np.ndarray:
    """Exact integer thousandths as float64 (bincount weights); raise on NaN/non-numeric."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise ValueError(f"{what} must be numeric, got booleans")
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype):
        arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{what} is not a finite number at row {i}: {_show(arr[i])}")
        # rint(x*1000) recovers decimal inputs such as 15.3 exactly (15300).
        milli = np.rint(arr * 1000.0)
    else:
        # Decimal/object/str: convert each distinct value exactly, then broadcast by code.
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if (codes < 0).any():
            i = int(np.flatnonzero(codes < 0)[0])
            raise ValueError(f"{what} is missing (NaN/None) at row {i}")
        table = np.array([_unique_to_milli(u, what) for u in uniques], dtype=np.float64)
        milli = table[codes] if len(codes) else np.empty(0, dtype=np.float64)
    if milli.size and (milli.max() > _MAX_MILLI or milli.min() < -_MAX_MILLI):
        raise ValueError(f"{what} out of range: {max(milli.max(), -milli.min()) / 1000}")
    return np.asarray(milli, dtype=np.float64)


def _arrow_star_codes(star: pd.Series) -> np.ndarray | None:
    """Codes via Arrow's index_in for Arrow-backed strings (faster than hashing); else None."""
    dtype = star.dtype
    arrow_str = isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
    if not arrow_str and not isinstance(dtype, pd.ArrowDtype):
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return None
    data = star.array.__arrow_array__()
    if not (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return None
    codes = pc.index_in(data, value_set=pa.array(STAR_KEYS, type=data.type))
    # Unknown and null stars become -1 and are reported by the caller.
    return np.asarray(pc.fill_null(codes, -1).to_numpy(), dtype=np.int64)


def _star_codes(star: pd.Series) -> np.ndarray:
    """Map the star column to codes 0..4; raise naming the first unknown value."""
    arrow_codes = _arrow_star_codes(star)
    if arrow_codes is not None:
        codes = arrow_codes
    elif isinstance(star.dtype, pd.CategoricalDtype):
        cats = star.cat.categories
        # Extra trailing -1 so that code -1 (NaN) maps to -1 too.
        lut = np.array([_STAR_INDEX.get(c, -1) for c in cats] + [-1], dtype=np.int64)
        codes = lut[star.cat.codes.to_numpy()]
    else:
        raw, uniques = pd.factorize(star, use_na_sentinel=True)
        lut = np.array([_STAR_INDEX.get(u, -1) for u in uniques] + [-1], dtype=np.int64)
        codes = lut[raw]
    if codes.size and codes.min() < 0:
        i = int(np.flatnonzero(codes < 0)[0])
        value = star.iloc[i]
        if pd.isna(value):
            raise ValueError(f"missing star (NaN/None) at row {i}")
        raise ValueError(f"unknown star {_show(value)} at row {i}; expected one of {STAR_KEYS}")
    return codes


def _sort_order(values: pd.Index) -> np.ndarray:
    """Argsort of org ids; mixed types fall back to numbers first, then text."""
    try:
        return np.asarray(values.argsort(), dtype=np.int64)
    except TypeError:
        keys = [_org_key(v) for v in values]
        return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)


def _competition_rank(composite_milli: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest; ties share a rank and the next rank is skipped (1-2-2-4)."""
    ascending = np.sort(composite_milli)
    greater = len(ascending) - np.searchsorted(ascending, composite_milli, side="right")
    return (greater + 1).astype(np.int64)


def rank_within(composite_milli: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """The one ranking rule: rank 1 for the highest composite, ties share a rank and the next
    is skipped (1-2-2-4), counted over the whole series (the city: 全市排名) or within each
    group (the region: 地区排名). `composite_milli` is integer thousandths (evaluate_frame's
    column), so equal results always tie."""
    values = np.asarray(composite_milli.to_numpy(), dtype=np.int64)
    ranks = np.empty(len(values), dtype=np.int64)
    if groups is None:
        ranks[:] = _competition_rank(values)
    else:
        codes, _uniques = pd.factorize(groups.reindex(composite_milli.index), use_na_sentinel=False)
        for code in np.unique(codes):
            where = np.flatnonzero(codes == code)
            ranks[where] = _competition_rank(values[where])
    return pd.Series(ranks, index=composite_milli.index, name="rank")


def _bool_array(values: pd.Series, what: str) -> np.ndarray:
    """Booleans (or 0/1); anything else, including NaN, raises rather than being truthy."""
    if pd.api.types.is_bool_dtype(values.dtype) and not values.isna().any():
        return np.asarray(values.to_numpy(dtype=bool))
    for i, v in enumerate(values):
        if not (isinstance(v, bool | np.bool_) or (isinstance(v, numbers.Real) and v in (0, 1))):
            raise ValueError(f"{what} must be boolean, got {_show(v)} at row {i}")
    return np.asarray(values.to_numpy(dtype=bool))


def _adjustment_arrays(
    adjustments: pd.DataFrame, orgs: pd.Index
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """Align adjustments to the org index (appending new orgs); sum bonus/deduction, any veto."""
    _require_columns(adjustments, ["org_id"], "adjustments")
    adj_org = adjustments["org_id"]
    if adj_org.isna().any():
        raise ValueError("adjustments has a missing org_id")
    codes = orgs.get_indexer(adj_org)
    new = codes < 0
    if new.any():
        extra = pd.Index(pd.unique(adj_org[new]))
        orgs = orgs.append(extra) if len(orgs) else extra
        codes = orgs.get_indexer(adj_org)
    n = len(orgs)

    def summed(column: str) -> np.ndarray:
        if column not in adjustments.columns:
            return np.zeros(n, dtype=np.int64)
        milli = _to_milli(adjustments[column], f"adjustments.{column}")
        if milli.size and milli.min() < 0:
            i = int(np.flatnonzero(milli < 0)[0])
            raise ValueError(
                f"{column} must not be negative: {milli[i] / 1000} "
                f"(org_id={_show(adjustments['org_id'].iloc[i])})"
            )
        return np.rint(np.bincount(codes, weights=milli, minlength=n)).astype(np.int64)

    if "vetoed" in adjustments.columns:
        veto = _bool_array(adjustments["vetoed"], "adjustments.vetoed")
        vetoed = np.bincount(codes, weights=veto.astype(np.float64), minlength=n) > 0
    else:
        vetoed = np.zeros(n, dtype=bool)
    return orgs, summed("bonus"), summed("deduction"), vetoed


def _lit_ceil_milli(base_d: Mapping[str, Decimal], thresholds: Thresholds) -> np.ndarray:
    """Per star, the smallest total in integer thousandths that lights it."""
    return np.array(
        [
            int((base_d[k] * thresholds.star_ratio * _MILLI).to_integral_value(ROUND_CEILING))
            for k in STAR_KEYS
        ],
        dtype=np.int64,
    )


def lit_minimum_tenths(
    bases: Mapping[str, Number] | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> dict[str, int]:
    """Per star, the smallest total in integer tenths that lights it (for database filters).

    A star total of t tenths is lit exactly when t >= this value: the same rule as
    evaluate_frame, stated in the unit the database stores.
    """
    ceil_milli = _lit_ceil_milli(_resolve_bases(bases), thresholds)
    return {key: -(-int(milli) // 100) for key, milli in zip(STAR_KEYS, ceil_milli, strict=True)}


def evaluate_frame(
    scores: pd.DataFrame,
    bases: Mapping[str, Number] | None = None,
    adjustments: pd.DataFrame | None = None,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> pd.DataFrame:
    """Evaluate many organisations at once from long-format criterion points (vectorised).

    ``scores`` has columns org_id, star, points (summed per org and star). ``adjustments`` may
    have org_id, bonus, deduction, vetoed (several rows per org are summed / OR-ed). Returns one
    row per org indexed by org_id, sorted by rank then org_id. Exact: all comparisons use
    integer thousandths (``composite_milli``).
    """
    _require_columns(scores, ["org_id", "star", "points"], "scores")
    base_d = _resolve_bases(bases)
    # Integer thresholds: for integer x, x >= t  <=>  x >= ceil(t);  x <= b  <=>  x <= floor(b).
    base_floor = np.array(
        [int((base_d[k] * _MILLI).to_integral_value(ROUND_FLOOR)) for k in STAR_KEYS],
        dtype=np.int64,
    )
    lit_ceil = _lit_ceil_milli(base_d, thresholds)
    composite_ceil = int((thresholds.five_star_composite * _MILLI).to_integral_value(ROUND_CEILING))
    cap_milli = _decimal_to_milli(thresholds.bonus_cap, "bonus_cap")

    org_codes, org_uniques = pd.factorize(scores["org_id"], use_na_sentinel=True)
    if org_codes.size and org_codes.min() < 0:
        i = int(np.flatnonzero(org_codes < 0)[0])
        raise ValueError(f"scores has a missing org_id at row {i}")
    star_codes = _star_codes(scores["star"])
    points = _to_milli(scores["points"], "points")
    if points.size and points.min() < 0:
        i = int(np.flatnonzero(points < 0)[0])
        raise ValueError(
            f"points must not be negative: {_show(scores['points'].iloc[i])} "
            f"(org_id={_show(scores['org_id'].iloc[i])}, star={_show(scores['star'].iloc[i])})"
        )

    orgs = pd.Index(org_uniques)
    n_scored = len(orgs)
    if adjustments is not None:
        orgs, bonus, deduction, vetoed = _adjustment_arrays(adjustments, orgs)
    n = len(orgs)
    if adjustments is None:
        bonus = np.zeros(n, dtype=np.int64)
        deduction = np.zeros(n, dtype=np.int64)
        vetoed = np.zeros(n, dtype=bool)

    flat = org_codes * _N_STARS
    flat += star_codes  # in place: saves a 4.5M-element temporary on large inputs
    sums = np.bincount(flat, weights=points, minlength=n_scored * _N_STARS)
    star_milli = np.zeros((n, _N_STARS), dtype=np.int64)
    star_milli[:n_scored] = np.rint(sums).astype(np.int64).reshape(n_scored, _N_STARS)

    over = star_milli > base_floor
    if over.any():
        o, s = np.argwhere(over)[0]
        raise ValueError(
            f"star {STAR_KEYS[s]!r} total {star_milli[o, s] / 1000} exceeds its base "
            f"{base_d[STAR_KEYS[s]]} (org_id={_show(orgs[o])})"
        )

    lit = star_milli >= lit_ceil
    star_count = lit.sum(axis=1).astype(np.int64)
    bonus_capped = np.minimum(bonus, cap_milli)
    composite_milli = star_milli.sum(axis=1) + bonus_capped - deduction
    five_star = lit.all(axis=1) & (composite_milli >= composite_ceil) & ~vetoed
    level = np.where(five_star, 5, np.where(vetoed, 0, np.minimum(star_count, 4))).astype(np.int64)
    rank = _competition_rank(composite_milli)

    org_pos = np.empty(n, dtype=np.int64)
    org_pos[_sort_order(orgs)] = np.arange(n, dtype=np.int64)
    order = np.lexsort((org_pos, rank))

    data: dict[str, np.ndarray] = {}
    for s, key in enumerate(STAR_KEYS):
        data[key] = star_milli[order, s] / 1000.0
    data["composite"] = composite_milli[order] / 1000.0
    data["composite_milli"] = composite_milli[order].astype(np.int64)
    data["bonus"] = bonus_capped[order] / 1000.0
    data["deduction"] = deduction[order] / 1000.0
    data["vetoed"] = vetoed[order]
    data["star_count"] = star_count[order]
    for s, key in enumerate(STAR_KEYS):
        data[f"lit_{key}"] = lit[order, s]
    data["five_star"] = five_star[order]
    data["level"] = level[order]
    data["rank"] = rank[order]
    index = orgs.take(order).rename("org_id")
    result = pd.DataFrame(data, index=index, columns=_result_columns())
    return result


# --------------------------------------------------------------------------- targets


def target_percent(year: int) -> int | None:
    """Five-star target in percent: 70 (2018), 80 (2019), 90 (2020 on); None before 2018."""
    if year < min(TARGET_PERCENT):
        return None
    return TARGET_PERCENT.get(year, TARGET_PERCENT[max(TARGET_PERCENT)])


def target_rate(year: int) -> float | None:
    """Five-star target as a fraction (0.7 / 0.8 / 0.9); None before 2018."""
    pct = target_percent(year)
    return None if pct is None else pct / 100


def meets_target(five_star_count: int, total: int, year: int) -> bool | None:
    """Exact check ``five_star_count / total >= target``; None when no target or no orgs."""
    pct = target_percent(year)
    if pct is None or total == 0:
        return None
    if five_star_count < 0 or total < 0 or five_star_count > total:
        raise ValueError(f"invalid counts: {five_star_count} five-star of {total}")
    return five_star_count * 100 >= pct * total


@dataclass(frozen=True)
class Attainment:
    """Share of five-star organisations against the year's target."""

    year: int
    total: int
    five_star: int
    share: float
    target: float | None
    met: bool | None


def target_attainment(frame: pd.DataFrame, year: int) -> Attainment:
    """Attainment of the year's five-star target for an :func:`evaluate_frame` result."""
    _require_columns(frame, ["five_star"], "frame")
    total = len(frame)
    count = int(frame["five_star"].sum())
    return Attainment(
        year=year,
        total=total,
        five_star=count,
        share=count / total if total else 0.0,
        target=target_rate(year),
        met=meets_target(count, total, year),
    )


# --------------------------------------------------------------------------- excellence (双优)


OrgKey = TypeVar("OrgKey", bound=Hashable)


@dataclass(frozen=True)
class ExcellenceResult(Generic[OrgKey]):
    """Recommendation of excellent (双优) organisations, named by the keys of their grades."""

    basis_count: int
    quota: int
    eligible: tuple[OrgKey, ...]
    recommended: tuple[OrgKey, ...]
    tie_at_cut: bool
    tied: tuple[OrgKey, ...] = field(default=())


def _org_key(org: Hashable) -> tuple[int, numbers.Real | int, str]:
    # Numbers sort numerically, everything else by text, so mixed ids never fail to compare.
    if isinstance(org, numbers.Real) and not isinstance(org, bool):
        return (0, org, "")
    return (1, 0, str(org))


def select_excellence(
    frame: pd.DataFrame,
    grades: Mapping[OrgKey, str],
    *,
    ratio: Decimal = EXCELLENCE_RATIO,
    basis: str = "five_star",
) -> ExcellenceResult[OrgKey]:
    """Pick the 双优 recommendations: the top ``round_half_up(ratio * basis)`` eligible orgs.

    Eligible: five-star, not vetoed, graded 优秀. Orgs tied with the last one at the cut are all
    recommended and flagged. `grades` is keyed by the frame's org ids (its `org_id` column, else
    its index), so the result names organisations by those keys.
    """
    if basis not in ("five_star", "all"):
        raise ValueError(f"basis must be 'five_star' or 'all': {basis!r}")
    ratio_d = to_decimal(ratio)
    if not 0 <= ratio_d <= 1:
        raise ValueError(f"ratio must be within [0, 1]: {_show(ratio)}")
    _require_columns(frame, ["five_star", "vetoed", "composite_milli"], "frame")
    org_ids: list[OrgKey] = (
        frame["org_id"].tolist() if "org_id" in frame.columns else frame.index.tolist()
    )
    five = frame["five_star"].to_numpy(dtype=bool)
    vetoed = frame["vetoed"].to_numpy(dtype=bool)
    milli = frame["composite_milli"].to_numpy(dtype=np.int64)

    basis_count = int(five.sum()) if basis == "five_star" else len(frame)
    quota = int((ratio_d * basis_count).to_integral_value(rounding=ROUND_HALF_UP))
    candidates = [
        (int(milli[i]), org)
        for i, org in enumerate(org_ids)
        if five[i] and not vetoed[i] and grades.get(org) == EXCELLENT_GRADE
    ]
    candidates.sort(key=lambda c: (-c[0], _org_key(c[1])))
    eligible = tuple(org for _, org in candidates)

    if len(candidates) <= quota:
        return ExcellenceResult(basis_count, quota, eligible, eligible, False, ())
    if quota == 0:
        return ExcellenceResult(basis_count, quota, eligible, (), False, ())
    cut = candidates[quota - 1][0]
    recommended = tuple(org for m, org in candidates if m >= cut)
    tie_at_cut = candidates[quota][0] == cut
    tied = tuple(org for m, org in candidates if m == cut) if tie_at_cut else ()
    return ExcellenceResult(basis_count, quota, eligible, recommended, tie_at_cut, tied)


class QuotaMode(StrEnum):
    """Over what the 双优 quota (about 25% of the five-star organisations) is counted."""

    CITY = "city"  # the whole city's five-star organisations
    REGION = "region"  # each region's own (市直 and every 区县 separately)


def select_excellence_in(
    frame: pd.DataFrame,
    grades: Mapping[OrgKey, str],
    *,
    ratio: Decimal = EXCELLENCE_RATIO,
    mode: str = QuotaMode.CITY,
    group_column: str = "region",
) -> ExcellenceResult[OrgKey]:
    """The 双优 rule of a year: `select_excellence` over the whole frame (mode "city"), or on
    each region's rows with its own quota (mode "region"), the recommendations joined.

    In region mode the basis count and the quota are the sums of the regions', the eligible
    and recommended organisations are ordered by composite (best first), and a tie at any
    region's cut is flagged.
    """
    if mode == QuotaMode.CITY:
        return select_excellence(frame, grades, ratio=ratio)
    if mode != QuotaMode.REGION:
        raise ValueError(f"mode must be 'city' or 'region': {mode!r}")
    _require_columns(frame, [group_column, "composite_milli"], "frame")
    results = [
        select_excellence(part, grades, ratio=ratio)
        for _, part in frame.groupby(group_column, sort=True, observed=True)
    ]
    if "org_id" in frame.columns:
        milli = dict(zip(frame["org_id"], frame["composite_milli"], strict=True))
    else:
        milli = dict(zip(frame.index, frame["composite_milli"], strict=True))

    def ordered(orgs: list[OrgKey]) -> tuple[OrgKey, ...]:
        return tuple(sorted(orgs, key=lambda o: (-int(milli[o]), _org_key(o))))

    return ExcellenceResult(
        basis_count=sum(r.basis_count for r in results),
        quota=sum(r.quota for r in results),
        eligible=ordered([o for r in results for o in r.eligible]),
        recommended=ordered([o for r in results for o in r.recommended]),
        tie_at_cut=any(r.tie_at_cut for r in results),
        tied=ordered([o for r in results for o in r.tied]),
    )


# --------------------------------------------------------------------------- gap to five-star


@dataclass(frozen=True)
class Gap:
    """What an organisation lacks to become five-star."""

    star_missing: dict[str, Decimal]
    composite_missing: Decimal
    min_extra_points: Decimal
    reachable: bool
    five_star: bool


def gap_to_five_star(
    star_scores: Mapping[str, Number],
    star_bases: Mapping[str, Number] | None = None,
    *,
    bonus: Number = 0,
    deduction: Number = 0,
    vetoed: bool = False,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    max_bonus: Number | None = None,
) -> Gap:
    """Points missing per star and on the composite, and whether five-star is reachable at all.

    ``max_bonus`` is the most the 加分项 could add up to (their maxima, before the cap); by
    default only the current bonus is counted. Reachable means: not vetoed and every star at
    its base plus the bonus the items and the cap allow, minus the deductions, meets the line.
    """
    r = evaluate_org(
        star_scores,
        star_bases,
        bonus=bonus,
        deduction=deduction,
        vetoed=vetoed,
        thresholds=thresholds,
    )
    missing = {
        k: max(_ZERO, r.star_bases[k] * thresholds.star_ratio - r.star_scores[k]) for k in STAR_KEYS
    }
    composite_missing = max(_ZERO, thresholds.five_star_composite - r.composite)
    best_bonus = r.bonus
    if max_bonus is not None:
        best_bonus = max(
            best_bonus, min(_non_negative(max_bonus, "max_bonus"), thresholds.bonus_cap)
        )
    best_composite = sum(r.star_bases.values(), _ZERO) + best_bonus - r.deduction
    reachable = (
        not r.vetoed
        and thresholds.star_ratio <= 1
        and best_composite >= thresholds.five_star_composite
    )
    return Gap(
        star_missing=missing,
        composite_missing=composite_missing,
        min_extra_points=max(sum(missing.values(), _ZERO), composite_missing),
        reachable=reachable,
        five_star=r.five_star,
    )


def gap_of_result(result: OrgResult, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Gap:
    """:func:`gap_to_five_star` of an evaluated result (what a page shows as "还差")."""
    return gap_to_five_star(
        result.star_scores,
        result.star_bases,
        bonus=result.bonus,
        deduction=result.deduction,
        vetoed=result.vetoed,
        thresholds=thresholds,
    )


@dataclass(frozen=True)
class CriterionState:
    """Current points of one rubric criterion."""

    code: str
    star: str
    points: Decimal
    max_points: Decimal


@dataclass(frozen=True)
class Suggestion:
    """Points to add to one criterion or 加分项; reason is "star", "composite" or "bonus".

    For an auto-scored criterion ``figure`` is the figure that earns the added points and
    ``figure_bound`` says whether it is a floor ("at_least") or a ceiling ("at_most").
    """

    code: str
    star: str
    add_points: Decimal
    reason: str
    figure: Decimal | None = None
    figure_bound: str | None = None


def suggest_gap_closure(
    criteria: Sequence[CriterionState],
    star_bases: Mapping[str, Number] | None = None,
    *,
    bonus: Number = 0,
    deduction: Number = 0,
    vetoed: bool = False,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    bonus_items: Sequence[CriterionState] = (),
) -> list[Suggestion]:
    """Greedy plan to reach five-star with the least extra points and fewest criteria touched.

    Unlit stars first (their criteria with the most headroom first), then any headroom for the
    composite line, then the 加分项 in ``bonus_items`` (their ``star`` is ignored) as far as the
    bonus cap still leaves room over ``bonus``. Additions are multiples of 0.5 (the last one
    rounded up within headroom). One suggestion per item; a criterion used for a star and then
    for the composite keeps reason "star". Empty when already five-star, vetoed, or nothing can
    close the gap.
    """
    codes: list[str] = []
    stars: list[str] = []
    headroom: list[Decimal] = []
    star_scores = dict.fromkeys(STAR_KEYS, _ZERO)
    seen: set[str] = set()
    for c in criteria:
        if c.star not in _STAR_INDEX:
            raise ValueError(f"unknown star {c.star!r} for criterion {c.code!r}")
        if c.code in seen:
            raise ValueError(f"duplicate criterion code: {c.code!r}")
        seen.add(c.code)
        points = _non_negative(c.points, f"points of criterion {c.code!r}")
        max_points = _non_negative(c.max_points, f"max_points of criterion {c.code!r}")
        if points > max_points:
            raise ValueError(
                f"points of criterion {c.code!r} ({_show(c.points)}) "
                f"exceed its maximum {_show(c.max_points)}"
            )
        codes.append(c.code)
        stars.append(c.star)
        headroom.append(max_points - points)
        star_scores[c.star] += points

    bonus_d = _non_negative(bonus, "bonus")
    bonus_room: list[Decimal] = []
    for b in bonus_items:
        if b.code in seen:
            raise ValueError(f"duplicate criterion code: {b.code!r}")
        seen.add(b.code)
        b_points = _non_negative(b.points, f"points of item {b.code!r}")
        b_max = _non_negative(b.max_points, f"max_points of item {b.code!r}")
        bonus_room.append(max(_ZERO, b_max - b_points))
    gap = gap_to_five_star(
        star_scores,
        star_bases,
        bonus=bonus_d,
        deduction=deduction,
        vetoed=vetoed,
        thresholds=thresholds,
        max_bonus=bonus_d + sum(bonus_room, _ZERO),
    )
    if gap.five_star or not gap.reachable:
        return []
    bases = _resolve_bases(star_bases)
    # A star can never exceed its base even if its criteria maxima add up to more.
    room = {k: bases[k] - star_scores[k] for k in STAR_KEYS}
    added: dict[int, Decimal] = {}
    reasons: dict[int, str] = {}

    def take(candidates: list[int], need: Decimal, reason: str) -> Decimal:
        for i in sorted(candidates, key=lambda j: -headroom[j]):  # stable: rubric order on ties
            if need <= 0:
                break
            avail = min(headroom[i], room[stars[i]])
            if avail <= 0:
                continue
            add = avail if need >= avail else min(quantize_half(need), avail)
            headroom[i] -= add
            room[stars[i]] -= add
            added[i] = added.get(i, _ZERO) + add
            reasons.setdefault(i, reason)
            need -= add
        return need

    for key in STAR_KEYS:
        if gap.star_missing[key] > 0:
            own = [i for i in range(len(codes)) if stars[i] == key]
            if take(own, gap.star_missing[key], "star") > 0:
                return []
    composite_need = gap.composite_missing - sum(added.values(), _ZERO)
    if composite_need > 0:
        composite_need = take(list(range(len(codes))), composite_need, "composite")
    plan = [Suggestion(codes[i], stars[i], added[i], reasons[i]) for i in added]
    cap_room = max(_ZERO, thresholds.bonus_cap - min(bonus_d, thresholds.bonus_cap))
    order = sorted(range(len(bonus_items)), key=lambda j: -bonus_room[j])
    for j in order:
        if composite_need <= 0:
            break
        avail = min(bonus_room[j], cap_room)
        if avail <= 0:
            continue
        add = avail if composite_need >= avail else min(quantize_half(composite_need), avail)
        cap_room -= add
        composite_need -= add
        plan.append(Suggestion(bonus_items[j].code, "", add, "bonus"))
    return [] if composite_need > 0 else plan


# --------------------------------------------------------------------------- auto-scored criteria


# Units of things counted one by one (研判次数, 党员人数): their figures are whole numbers.
COUNT_UNITS = frozenset({"次", "人", "名", "个", "项", "篇", "件", "场", "期", "家", "户"})


# Figures the system computes from the members' data (db/services/member_figures.py), in %:
# 先锋指数 evaluated person-times / expected, members rated 合格 or better / evaluated, ballot
# codes used / issued, over the year's rounds.
FIGURE_SOURCES = ("vanguard_evaluated", "vanguard_passing", "ballot_participation")


@dataclass(frozen=True)
class AutoRule:
    """Criterion scored from an entered figure: full points inside [minimum, maximum]."""

    unit: str
    label: str
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    step: Decimal = Decimal(1)
    per_step: Decimal = Decimal(1)
    # Member data the figure comes from (one of FIGURE_SOURCES), or None: the branch enters it.
    source: str | None = None

    def __post_init__(self) -> None:
        for name in ("minimum", "maximum", "step", "per_step"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, to_decimal(value))
        if self.step <= 0:
            raise ValueError(f"step must be positive: {self.step}")
        if self.per_step < 0:
            raise ValueError(f"per_step must not be negative: {self.per_step}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum} exceeds maximum {self.maximum}")

    @property
    def whole(self) -> bool:
        """Whether the figure counts things (次, 人, …) and so must be a whole number."""
        return self.unit.strip() in COUNT_UNITS


def auto_points(rule: AutoRule, figure: Number, max_points: Number) -> Decimal:
    """Points for an entered figure: each started ``step`` outside the range costs ``per_step``."""
    x = _non_negative(figure, f"figure for {rule.label!r}")
    full = _non_negative(max_points, "max_points")
    if rule.minimum is not None and x < rule.minimum:
        shortfall = rule.minimum - x
    elif rule.maximum is not None and x > rule.maximum:
        shortfall = x - rule.maximum
    else:
        return full
    # divmod is exact, unlike a rounded quotient fed to ceil.
    whole, rest = divmod(shortfall, rule.step)
    steps = int(whole) + (1 if rest else 0)
    return max(_ZERO, full - steps * rule.per_step)


def figure_for_points(
    rule: AutoRule, points: Number, max_points: Number, current: Number | None = None
) -> tuple[Decimal, str] | None:
    """The figure that earns at least ``points`` under an auto rule, as (figure, bound).

    bound "at_least" (reach the figure) or "at_most" (stay at or under it): the side of the
    range the current figure is on (the minimum's side when there is no figure yet). None when
    no figure earns the points, or when every figure earns full points anyway.
    """
    target = to_decimal(points)
    full = _non_negative(max_points, "max_points")
    if target > full or rule.per_step == 0:
        return None
    # At most k started steps outside the range keep full - k * per_step >= target.
    k = int((full - target) // rule.per_step)
    cur = None if current is None else to_decimal(current)
    above = rule.maximum is not None and (
        rule.minimum is None or (cur is not None and cur > rule.maximum)
    )
    if above:
        assert rule.maximum is not None
        return rule.maximum + k * rule.step, "at_most"
    if rule.minimum is None:
        return None
    return max(_ZERO, rule.minimum - k * rule.step), "at_least"


@dataclass(frozen=True)
class Advice:
    """An organisation's result on a basis, its gap to five-star and the plan closing it."""

    basis: str
    result: OrgResult
    gap: Gap
    suggestions: tuple[Suggestion, ...]


def advise(
    items: Sequence[ItemPoints],
    basis: str,
    star_bases: Mapping[str, Number] | None = None,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    figures: Mapping[str, Number | None] | None = None,
) -> Advice:
    """:func:`evaluate_basis`, :func:`gap_to_five_star` counting what the 加分项 can still add
    under the cap, and :func:`suggest_gap_closure` over criteria and 加分项; an auto-scored
    criterion's suggestion names the figure to reach (``figures``: code → current figure).
    Items need ``code`` and ``max_points``.
    """
    result = evaluate_basis(items, basis, star_bases, thresholds=thresholds)
    criteria: list[CriterionState] = []
    bonus_items: list[CriterionState] = []
    bonus = _ZERO
    autos: dict[str, tuple[AutoRule, Decimal, Decimal]] = {}
    for item in items:
        raw = points_on_basis(item.self_points, item.reviewed_points, basis)
        points = _ZERO if raw is None else to_decimal(raw)
        max_points = _non_negative(item.max_points or 0, f"max_points of {item.code!r}")
        if item.kind == "criterion":
            points = min(points, max_points)
            criteria.append(CriterionState(item.code, item.star or "", points, max_points))
            if item.auto is not None:
                autos[item.code] = (item.auto, points, max_points)
        elif item.kind == "bonus":
            bonus += points
            bonus_items.append(CriterionState(item.code, "", min(points, max_points), max_points))
    kwargs: dict[str, Any] = {
        "bonus": bonus,
        "deduction": result.deduction,
        "vetoed": result.vetoed,
        "thresholds": thresholds,
    }
    max_bonus = bonus + sum((b.max_points - b.points for b in bonus_items), _ZERO)
    gap = gap_to_five_star(result.star_scores, star_bases, max_bonus=max_bonus, **kwargs)
    plan = suggest_gap_closure(criteria, star_bases, bonus_items=bonus_items, **kwargs)
    named = []
    for s in plan:
        if s.code in autos:
            rule, points, max_points = autos[s.code]
            current = (figures or {}).get(s.code)
            reach = figure_for_points(rule, points + s.add_points, max_points, current)
            if reach is not None:
                s = Suggestion(s.code, s.star, s.add_points, s.reason, *reach)
        named.append(s)
    return Advice(basis, result, gap, tuple(named))
