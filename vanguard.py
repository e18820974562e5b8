"""先锋指数: who takes part in which half-year round, and a member's index from its parts.

Pure and exact (Decimal; no Streamlit, no database). In-service members (在职) are evaluated
twice a year, retired members (离退休) once, in the second half
("推行在职党员每年2次、离退休党员每年1次的先锋指数评价管理").

A year's rubric defines the index (`VanguardRules`, the `vanguard:` block of the rubric file,
read by rubric_vanguard.py): base items (基础分) and the peer part (党员互评, from the anonymous
ballot) make the base; add items (加分) count up to their cap, minus items (扣分) up to theirs;
a 清零 item that applies sets the index to zero. The grade is the first band (best first) whose
minimum the index reaches.

Which figure of an item counts is `counted_points`: the branch's (支部考评) where given, the
member's own declaration (个人申报) where the rubric allows one and the branch gave none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from db.models import MemberService

HALVES = (1, 2)
ZERO = Decimal(0)
CENT = Decimal("0.01")


def takes_part(service: str, half: int) -> bool:
    """Whether a member of `service` (MemberService) is evaluated in a round of `half`."""
    if half not in HALVES:
        raise ValueError(f"half must be 1 or 2, not {half!r}")
    if service == MemberService.IN_SERVICE:
        return True
    if service == MemberService.RETIRED:
        return half == 2
    raise ValueError(f"unknown member service {service!r}")


def services_in_half(half: int) -> tuple[MemberService, ...]:
    """The member services taking part in a round of `half` (for SQL `IN`)."""
    return tuple(s for s in MemberService if takes_part(s, half))


class ItemKind(StrEnum):
    BASE = "base"  # 基础分
    ADD = "add"  # 加分
    MINUS = "minus"  # 扣分
    ZERO = "zero"  # 清零


@dataclass(frozen=True)
class VanguardItem:
    """One line of the index. A 清零 item has no points (max_points 0): it applies or not."""

    code: str
    kind: ItemKind
    title: str
    standard: str
    max_points: Decimal
    declare: bool  # the member may declare it (个人申报)


@dataclass(frozen=True)
class GradeBand:
    grade: str
    minimum: Decimal


@dataclass(frozen=True)
class VanguardRules:
    """A year's 先锋指数 as its rubric defines it (validated by rubric_vanguard)."""

    title: str
    items: tuple[VanguardItem, ...]
    add_cap: Decimal
    minus_cap: Decimal | None  # None: minus items count in full (the index stops at 0)
    peer_title: str
    peer_max: Decimal  # 0: no peer part
    bands: tuple[GradeBand, ...]  # best first; the last has minimum 0
    passing_grade: str  # the lowest grade that counts as 合格 or better

    def of_kind(self, kind: ItemKind) -> tuple[VanguardItem, ...]:
        return tuple(i for i in self.items if i.kind == kind)

    @property
    def base_max(self) -> Decimal:
        return sum((i.max_points for i in self.of_kind(ItemKind.BASE)), ZERO)

    @property
    def codes(self) -> dict[str, VanguardItem]:
        return {i.code: i for i in self.items}

    @property
    def grades(self) -> tuple[str, ...]:
        return tuple(b.grade for b in self.bands)

    def passes(self, grade: str | None) -> bool:
        """Whether `grade` is the passing grade or better."""
        if grade is None or grade not in self.grades:
            return False
        return self.grades.index(grade) <= self.grades.index(self.passing_grade)


@dataclass(frozen=True)
class VanguardScore:
    """A member's index in a round, part by part."""

    base: Decimal
    peer: Decimal
    peer_counted: bool  # False: no ballot result, the peer part follows the base items' rate
    add: Decimal  # after the cap
    minus: Decimal  # after the cap
    zeroed: bool
    total: Decimal
    grade: str


def counted_points(
    rules: VanguardRules,
    declared: Mapping[str, Decimal | None],
    assessed: Mapping[str, Decimal | None],
) -> dict[str, Decimal]:
    """Item code → the figure that counts: the branch's where given, else the member's
    declaration where the item allows one; items with neither are absent (count 0)."""
    counted: dict[str, Decimal] = {}
    for item in rules.items:
        value = assessed.get(item.code)
        if value is None and item.declare:
            value = declared.get(item.code)
        if value is not None:
            counted[item.code] = value
    return counted


def peer_points(rules: VanguardRules, average: Decimal, scale_size: int) -> Decimal:
    """The peer part from a ballot average on the scale's points (best = scale_size, worst 1):
    the worst average gives 0, the best the peer part's maximum, linear between (to 0.01)."""
    if scale_size < 2:
        raise ValueError("a rating scale has at least two labels")
    low, high = Decimal(1), Decimal(scale_size)
    if not low <= average <= high:
        raise ValueError(f"average {average} is not on a scale of {scale_size}")
    return (rules.peer_max * (average - low) / (high - low)).quantize(CENT, ROUND_HALF_UP)


def grade_of(rules: VanguardRules, total: Decimal) -> str:
    """The first band (best first) whose minimum `total` reaches."""
    for band in rules.bands:
        if total >= band.minimum:
            return band.grade
    return rules.bands[-1].grade


def score(
    rules: VanguardRules,
    points: Mapping[str, Decimal],
    *,
    peer_average: Decimal | None = None,
    scale_size: int = 4,
) -> VanguardScore:
    """The index from the counted figures (`counted_points`) and the ballot's peer average.

    `peer_average` is None when no ballot result exists (no ballot held, or fewer ballots than
    the minimum): the peer part is then the base items' rate applied to its maximum, so a small
    branch is neither helped nor hurt by having no ballot. Any 清零 item with a figure > 0 sets
    the index to zero.
    """

    def total_of(kind: ItemKind) -> Decimal:
        return sum((points.get(i.code, ZERO) for i in rules.of_kind(kind)), ZERO)

    base = total_of(ItemKind.BASE)
    if rules.peer_max == ZERO:
        peer, counted = ZERO, True
    elif peer_average is not None:
        peer, counted = peer_points(rules, peer_average, scale_size), True
    else:
        rate = base / rules.base_max if rules.base_max else ZERO
        peer, counted = (rules.peer_max * rate).quantize(CENT, ROUND_HALF_UP), False
    add = min(total_of(ItemKind.ADD), rules.add_cap)
    minus = total_of(ItemKind.MINUS)
    if rules.minus_cap is not None:
        minus = min(minus, rules.minus_cap)
    zeroed = any(points.get(i.code, ZERO) > ZERO for i in rules.of_kind(ItemKind.ZERO))
    total = ZERO if zeroed else max(ZERO, base + peer + add - minus)
    return VanguardScore(base, peer, counted, add, minus, zeroed, total, grade_of(rules, total))
