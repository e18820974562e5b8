"""The evaluation rubric (评价细则) of "五星示范 · 双优引领": loader, validator and dumper.

The rubric is a human-editable YAML file (``sample_data/rubric.yaml``)::

    title: ...
    version: 1
    thresholds:                 # optional, overrides scoring.DEFAULT_THRESHOLDS
      star_ratio: 0.85
      five_star_composite: 90
      excellence_ratio: 0.25
    stars:                      # all five, keys from scoring.STAR_KEYS
      - key: learning
        name: 学习星            # optional, must match scoring.STAR_NAMES
        base: 20
        tasks:
          - task_no: 2
            title: 用习近平新时代中国特色社会主义思想武装头脑
            criteria:
              - code: L2.3
                previous_code: L2.3      # optional, import only: the current criterion it continues
                title: ...
                standard: ...
                deduction_rule: ...
                max_points: 2.5
                evidence: ...
                check_method: ...
                evidence_required: true     # optional, default true
                auto: {unit: 学时, label: ..., minimum: 24, step: 2, per_step: 0.5}
    bonus:                      # 加分项
      cap: 5
      items: [{code, title, standard, award_rule, max_points, evidence, check_method}]
    deductions: [{code, title, standard, deduction_rule, max_points, evidence, check_method}]
    vetoes: [{code, title, standard, deduction_rule, evidence, check_method}]   # 一票否决
    ballot:                     # optional: 民主评议 by anonymous ballot (defaults below)
      scale: [优秀, 合格, 基本合格, 不合格]   # best first, 2-6 distinct labels
      passing: 合格             # this label and the better ones count as "合格 or better"
      minimum_ballots: 5        # a member's result is shown from this many ballots on
      rate_branch: true         # the ballot also rates the branch's work

Every validation error is a :class:`RubricError` whose message (in Chinese) names the 1-based line
of the offending YAML node. The module is pure: no streamlit, no database.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scoring import (
    DEFAULT_THRESHOLDS,
    FIGURE_SOURCES,
    STAR_KEYS,
    STAR_NAMES,
    Advice,
    AutoRule,
    ItemPoints,
    OrgResult,
    Thresholds,
    advise,
    evaluate_basis,
)
from texts import rubric as RT
from vanguard import VanguardRules

__all__ = [
    "CODE_PATTERN",
    "DEFAULT_BALLOT",
    "KINDS",
    "MAX_CRITERIA_PER_STAR",
    "MIN_CRITERIA_PER_STAR",
    "BallotRules",
    "Criterion",
    "Rubric",
    "RubricError",
    "StarDef",
    "ballot_dict",
    "ballot_from_json",
    "ballot_to_json",
    "default_rubric_path",
    "dump_rubric",
    "load_rubric",
    "parse_rubric",
    "rubric_from_records",
    "rubric_to_records",
]

KINDS: tuple[str, ...] = ("criterion", "bonus", "deduction", "veto")
CODE_PATTERN = re.compile(r"^[A-Z][0-9]+(\.[0-9]+)?$")
MIN_CRITERIA_PER_STAR = 4
MAX_CRITERIA_PER_STAR = 10

_KIND_NAMES = {"criterion": "细则", "bonus": "加分项", "deduction": "扣分项", "veto": "一票否决项"}
_ZERO = Decimal(0)
_ONE = Decimal(1)
_ROOT = Path(__file__).resolve().parent

_TAG_NULL = "tag:yaml.org,2002:null"
_TAG_BOOL = "tag:yaml.org,2002:bool"
_TAG_INT = "tag:yaml.org,2002:int"
_TAG_FLOAT = "tag:yaml.org,2002:float"
_TAG_STR = "tag:yaml.org,2002:str"
_TAG_MAP = "tag:yaml.org,2002:map"
_TAG_SEQ = "tag:yaml.org,2002:seq"

_CONSTRUCTOR = SafeConstructor()


# --------------------------------------------------------------------------- data model


class RubricError(ValueError):
    """An invalid rubric; ``str(error)`` is a Chinese message naming the offending line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.detail = message
        super().__init__(f"第 {line} 行：{message}" if line is not None else message)


@dataclass(frozen=True)
class Criterion:
    """One item of the rubric: a star criterion, a bonus, a deduction or a veto.

    ``star``/``task_no`` are None and ``task_title`` is "" for bonus, deduction and veto items;
    a veto has ``max_points`` 0. ``deduction_rule`` holds a bonus item's ``award_rule``.
    ``sort_order`` is the 0-based position in the rubric: stars in STAR_KEYS order, then bonus,
    deductions and vetoes, file order within each (the file position for a file written in that
    order, as the shipped one and every dump_rubric output are).
    """

    code: str
    kind: str
    star: str | None
    task_no: int | None
    task_title: str
    title: str
    standard: str
    deduction_rule: str
    max_points: Decimal
    evidence: str
    check_method: str
    evidence_required: bool
    auto: AutoRule | None
    sort_order: int


@dataclass(frozen=True)
class StarDef:
    key: str
    name: str
    base: Decimal


@dataclass(frozen=True)
class BallotRules:
    """民主评议: the rating scale of the anonymous ballot, best first, and when results show.

    A rating is stored as its position on the scale (0 = best). `passing` is the position of
    the lowest label that counts as "合格 or better"; `minimum_ballots` is the fewest ratings a
    member (or the branch) needs before any result of theirs is shown.
    """

    scale: tuple[str, ...] = ("优秀", "合格", "基本合格", "不合格")
    passing: int = 1
    minimum_ballots: int = 5
    rate_branch: bool = True

    def points(self, rating: int) -> int:
        """A rating as points for averages: the best label scores len(scale), the worst 1."""
        if not 0 <= rating < len(self.scale):
            raise ValueError(f"rating {rating} is not on a scale of {len(self.scale)}")
        return len(self.scale) - rating

    def passes(self, rating: int) -> bool:
        """Whether a rating is 合格 or better (the `passing` label or above it)."""
        return 0 <= rating <= self.passing


DEFAULT_BALLOT = BallotRules()
BALLOT_SCALE_SIZES = (2, 6)  # fewest and most labels on a scale
BALLOT_LABEL_LENGTH = 8
BALLOT_MINIMUM_RANGE = (1, 100)


@dataclass(frozen=True)
class Rubric:
    title: str
    version: int
    stars: tuple[StarDef, ...]
    criteria: tuple[Criterion, ...]
    thresholds: Thresholds
    # (code, previous code) for items whose file names the criterion they continue
    # (previous_code / 原编号): an import instruction that keeps their scores, never stored.
    previous: tuple[tuple[str, str], ...] = ()
    # 先锋指数: the `vanguard:` block (rubric_vanguard.py), None when the file has none.
    vanguard: VanguardRules | None = None
    ballot: BallotRules = DEFAULT_BALLOT

    @property
    def previous_codes(self) -> dict[str, str]:
        """New code → the code of the current criterion it continues (explicitly mapped)."""
        return dict(self.previous)

    def by_star(self, star: str) -> tuple[Criterion, ...]:
        """The criteria (kind "criterion") of one star, in file order."""
        if star not in STAR_KEYS:
            raise KeyError(star)
        return tuple(c for c in self.criteria if c.kind == "criterion" and c.star == star)

    def items(self, kind: str) -> tuple[Criterion, ...]:
        """All items of one kind ("criterion", "bonus", "deduction", "veto"), in file order."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
        return tuple(c for c in self.criteria if c.kind == kind)

    @property
    def bases(self) -> dict[str, Decimal]:
        """Base score (基本分) per star key, in STAR_KEYS order."""
        return {s.key: s.base for s in self.stars}

    def criterion(self, code: str) -> Criterion:
        """The item with this code; KeyError if unknown."""
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    def points(
        self, points: Mapping[str, tuple[Decimal | None, Decimal | None]]
    ) -> list[ItemPoints]:
        """scoring.ItemPoints per item from code → (branch's points, reviewer's figure); items
        not in ``points`` are not given."""
        return [
            ItemPoints(
                c.kind, c.star, *points.get(c.code, (None, None)), c.code, c.max_points, c.auto
            )
            for c in self.criteria
        ]

    def result(
        self, points: Mapping[str, tuple[Decimal | None, Decimal | None]], basis: str
    ) -> OrgResult:
        """scoring.evaluate_basis on this rubric (see :meth:`points`)."""
        return evaluate_basis(self.points(points), basis, self.bases, thresholds=self.thresholds)

    def advice(
        self,
        points: Mapping[str, tuple[Decimal | None, Decimal | None]],
        basis: str,
        figures: Mapping[str, Decimal | None] | None = None,
    ) -> Advice:
        """scoring.advise on this rubric (see :meth:`points`)."""
        return advise(
            self.points(points), basis, self.bases, thresholds=self.thresholds, figures=figures
        )


# --------------------------------------------------------------------------- helpers


def _fmt(d: Decimal) -> str:
    """A Decimal as people write it: 20, 19.5, 0.85."""
    return format(_canon(d), "f")


def _canon(d: Decimal) -> Decimal:
    """Canonical form of a finite Decimal (20.0 -> 20, 0.50 -> 0.5)."""
    if d == d.to_integral_value():
        return Decimal(int(d))
    return d.normalize()


def _is_half_step(d: Decimal) -> bool:
    twice = d * 2
    return twice == twice.to_integral_value()


def _line(node: Node | None) -> int | None:
    mark = getattr(node, "start_mark", None)
    return None if mark is None else mark.line + 1


def _fail(message: str, node: Node | None) -> RubricError:
    return RubricError(message, _line(node))


def _field(key: str) -> str:
    """A key as people read it: 佐证材料（evidence）."""
    name = RT.FIELD_NAMES.get(key) or RT.VANGUARD_FIELD_NAMES.get(key)
    return RT.FIELD.format(name=name, key=key) if name else f"“{key}”"


def _close_key(key: str, allowed: Sequence[str]) -> str | None:
    """The allowed key meant by a misspelt English key or by its Chinese name."""
    for candidate in allowed:
        if RT.FIELD_NAMES.get(candidate) == key.strip():
            return candidate
    hint = difflib.get_close_matches(key, allowed, n=1)
    return hint[0] if hint else None


class _Map:
    """A YAML mapping node checked for unknown, duplicated and missing keys."""

    def __init__(
        self,
        node: Node | None,
        what: str,
        allowed: Sequence[str],
        required: Sequence[str],
    ) -> None:
        if not isinstance(node, MappingNode):
            raise _fail(f"{what}应为“键: 值”形式的映射", node)
        self.node = node
        self.what = what
        self.values: dict[str, Node] = {}
        self.keys: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _TAG_NULL:
                raise _fail(f"{what}中的键应为文字", key_node)
            key = str(key_node.value)
            if key in self.values:
                first = _line(self.keys[key])
                where = f"（首次出现在第 {first} 行）" if first is not None else ""
                raise _fail(f"{what}中的键“{key}”重复{where}", key_node)
            if key not in allowed:
                hint = _close_key(key, allowed)
                suggestion = RT.ERR_UNKNOWN_HINT.format(field=_field(hint)) if hint else ""
                allowed_text = "、".join(_field(k) for k in allowed)
                raise _fail(
                    RT.ERR_UNKNOWN.format(
                        what=what, key=key, hint=suggestion, allowed=allowed_text
                    ),
                    key_node,
                )
            self.values[key] = _anchor_to_key(value_node, key_node)
            self.keys[key] = key_node
        self.require(required, what)

    def require(self, keys: Sequence[str], what: str) -> None:
        for key in keys:
            if key not in self.values:
                raise _fail(RT.ERR_MISSING.format(what=what, field=_field(key)), self.node)

    def get(self, key: str) -> Node | None:
        return self.values.get(key)

    def __getitem__(self, key: str) -> Node:
        return self.values[key]

    def __contains__(self, key: str) -> bool:
        return key in self.values


def _anchor_to_key(value: Node, key: Node) -> Node:
    """Report a block collection or an empty value on its key's line, where people look."""
    if key.start_mark is None or value.start_mark is None:
        return value
    if value.start_mark.line == key.start_mark.line:
        return value
    if isinstance(value, MappingNode | SequenceNode) or _is_null(value):
        value.start_mark = key.start_mark
    return value


def _is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _TAG_NULL)


def _text(node: Node | None, what: str, *, required: bool = True) -> str:
    if _is_null(node):
        value = ""
    elif isinstance(node, ScalarNode):
        value = str(node.value).strip()
    else:
        raise _fail(f"{what}应为文字", node)
    if required and not value:
        raise _fail(f"{what}不能为空", node)
    return value


def _number(node: Node | None, what: str) -> Decimal:
    if _is_null(node):
        raise _fail(f"{what}不能为空", node)
    if not isinstance(node, ScalarNode) or node.tag == _TAG_BOOL:
        raise _fail(f"{what}应为数字", node)
    try:
        if node.tag == _TAG_INT:
            value = Decimal(_CONSTRUCTOR.construct_yaml_int(node))
        elif node.tag == _TAG_FLOAT:
            value = Decimal(str(_CONSTRUCTOR.construct_yaml_float(node)))
        else:
            value = Decimal(str(node.value).strip())
    except (InvalidOperation, ValueError):
        raise _fail(f"{what}应为数字，而不是“{node.value}”", node) from None
    if not value.is_finite():
        raise _fail(f"{what}应为有限的数字", node)
    return _canon(value)


def _integer(node: Node | None, what: str) -> int:
    value = _number(node, what)
    if value != value.to_integral_value():
        raise _fail(f"{what}应为整数", node)
    return int(value)


def _boolean(node: Node | None, what: str) -> bool:
    if not isinstance(node, ScalarNode) or node.tag != _TAG_BOOL:
        raise _fail(f"{what}应为 true 或 false", node)
    return bool(_CONSTRUCTOR.construct_yaml_bool(node))


def _sequence(node: Node | None, what: str, *, allow_empty: bool = True) -> list[Node]:
    if _is_null(node):
        items: list[Node] = []
    elif isinstance(node, SequenceNode):
        items = list(node.value)
    else:
        raise _fail(f"{what}应为列表（每项以“- ”开头）", node)
    if not allow_empty and not items:
        raise _fail(f"{what}不能为空", node)
    return items


def _points(node: Node | None, what: str) -> Decimal:
    value = _number(node, what)
    if value <= 0:
        raise _fail(f"{what}应为正数，而不是 {_fmt(value)}", node)
    if not _is_half_step(value):
        raise _fail(f"{what}应为 0.5 的整数倍，而不是 {_fmt(value)}", node)
    return value


# --------------------------------------------------------------------------- building

_CRITERION_KEYS = (
    "code",
    "previous_code",
    "title",
    "standard",
    "deduction_rule",
    "max_points",
    "evidence",
    "check_method",
    "evidence_required",
    "auto",
)
_CRITERION_REQUIRED = (
    "code",
    "title",
    "standard",
    "deduction_rule",
    "max_points",
    "evidence",
    "check_method",
)
_BONUS_KEYS = (
    "code",
    "previous_code",
    "title",
    "standard",
    "award_rule",
    "deduction_rule",
    "max_points",
    "evidence",
    "check_method",
    "evidence_required",
)
_DEDUCTION_KEYS = (
    "code",
    "previous_code",
    "title",
    "standard",
    "deduction_rule",
    "max_points",
    "evidence",
    "check_method",
    "evidence_required",
)
_VETO_KEYS = (
    "code",
    "previous_code",
    "title",
    "standard",
    "deduction_rule",
    "evidence",
    "check_method",
    "evidence_required",
)
_AUTO_KEYS = ("unit", "label", "minimum", "maximum", "step", "per_step", "source")
_THRESHOLD_KEYS = ("star_ratio", "five_star_composite", "bonus_cap", "excellence_ratio")
_TOP_KEYS = (
    "title",
    "version",
    "thresholds",
    "stars",
    "bonus",
    "deductions",
    "vetoes",
    "vanguard",
    "ballot",
)
_BALLOT_KEYS = ("scale", "passing", "minimum_ballots", "rate_branch")


@dataclass
class _Pending:
    """A parsed item waiting for its canonical sort_order."""

    rank: tuple[int, int]
    item: dict[str, Any]


class _Builder:
    def __init__(self) -> None:
        self.codes: dict[str, Node] = {}
        self.task_nos: dict[int, Node] = {}
        self.pending: list[_Pending] = []
        self.previous: dict[str, tuple[str, Node]] = {}  # previous code → (new code, node)

    # ---- items

    def _code(self, node: Node, what: str) -> str:
        code = _text(node, f"{what}编号")
        if not CODE_PATTERN.match(code):
            raise _fail(f"编号“{code}”格式不正确，应为大写字母加数字，如 L2 或 L2.3", node)
        if code in self.codes:
            first = _line(self.codes[code])
            where = f"（首次出现在第 {first} 行）" if first is not None else ""
            raise _fail(f"编号“{code}”重复{where}", node)
        self.codes[code] = node
        return code

    def _previous(self, node: Node, code: str, what: str) -> None:
        previous = _text(node, f"{what}的{_field('previous_code')}")
        if not CODE_PATTERN.match(previous):
            raise _fail(f"编号“{previous}”格式不正确，应为大写字母加数字，如 L2 或 L2.3", node)
        if previous in self.previous:
            first = _line(self.previous[previous][1])
            raise _fail(RT.ERR_PREVIOUS_CODE_TWICE.format(code=previous, first=first), node)
        self.previous[previous] = (code, node)

    def _auto(self, node: Node, code: str) -> AutoRule:
        what = f"细则 {code} 的自动计分规则"
        m = _Map(node, what, _AUTO_KEYS, ("unit", "label"))
        unit = _text(m["unit"], f"{what}的单位（unit）")
        label = _text(m["label"], f"{what}的填报项名称（label）")
        minimum = None if _is_null(m.get("minimum")) else _number(m["minimum"], f"{what}的下限")
        maximum = None if _is_null(m.get("maximum")) else _number(m["maximum"], f"{what}的上限")
        if minimum is None and maximum is None:
            raise _fail(f"{what}至少要设下限（minimum）或上限（maximum）之一", node)
        if minimum is not None and maximum is not None and minimum > maximum:
            raise _fail(f"{what}的下限 {_fmt(minimum)} 大于上限 {_fmt(maximum)}", m.get("minimum"))
        step = _ONE
        if "step" in m:
            step = _number(m["step"], f"{what}的步长（step）")
            if step <= 0:
                raise _fail(f"{what}的步长（step）应大于 0", m["step"])
        per_step = _ONE
        if "per_step" in m:
            per_step = _number(m["per_step"], f"{what}的每步扣分（per_step）")
            if per_step <= 0 or not _is_half_step(per_step):
                raise _fail(
                    f"{what}的每步扣分（per_step）应为 0.5 的正整数倍，而不是 {_fmt(per_step)}",
                    m["per_step"],
                )
        source = None
        if not _is_null(m.get("source")):
            source = _text(m["source"], f"{what}的{_field('source')}")
            if source not in FIGURE_SOURCES:
                allowed = "、".join(f"{k}（{v}）" for k, v in RT.FIGURE_SOURCE_NAMES.items())
                raise _fail(RT.ERR_FIGURE_SOURCE.format(value=source, allowed=allowed), m["source"])
        rule = AutoRule(
            unit=unit,
            label=label,
            minimum=minimum,
            maximum=maximum,
            step=step,
            per_step=per_step,
            source=source,
        )
        if rule.whole:
            for key, value in (("minimum", minimum), ("maximum", maximum), ("step", step)):
                if value is not None and value != value.to_integral_value():
                    raise _fail(
                        f"{what}按“{unit}”计数，{_field(key)}应为整数，而不是 {_fmt(value)}",
                        m.get(key) or node,
                    )
        return rule

    def item(
        self,
        node: Node,
        kind: str,
        *,
        star: str | None = None,
        task_no: int | None = None,
        task_title: str = "",
        rank: tuple[int, int],
    ) -> Decimal:
        """Parse one item; returns its max_points."""
        kind_name = _KIND_NAMES[kind]
        allowed, required = {
            "criterion": (_CRITERION_KEYS, _CRITERION_REQUIRED),
            "bonus": (_BONUS_KEYS, ("code", "title", "max_points", "evidence")),
            "deduction": (_DEDUCTION_KEYS, ("code", "title", "max_points")),
            "veto": (_VETO_KEYS, ("code", "title")),
        }[kind]
        m = _Map(node, kind_name, allowed, ("code",))
        code = self._code(m["code"], kind_name)
        what = f"{kind_name} {code} "
        if not _is_null(m.get("previous_code")):
            self._previous(m["previous_code"], code, what)
        m.require(required, what)
        title = _text(m["title"], f"{what}的名称（title）")
        full_text = kind == "criterion"
        standard = _text(m.get("standard"), f"{what}的评价标准（standard）", required=full_text)
        if kind == "bonus":
            if "award_rule" in m and "deduction_rule" in m:
                raise _fail(
                    f"{what}只能写{_field('award_rule')}或{_field('deduction_rule')}之一",
                    m.keys["award_rule"],
                )
            rule_node = m.get("award_rule") if "award_rule" in m else m.get("deduction_rule")
            rule = _text(rule_node, f"{what}的加分办法（award_rule）", required=False)
        else:
            rule = _text(
                m.get("deduction_rule"), f"{what}的{_field('deduction_rule')}", required=full_text
            )
        evidence = _text(
            m.get("evidence"),
            f"{what}的佐证材料（evidence）",
            required=kind in ("criterion", "bonus"),
        )
        check_method = _text(
            m.get("check_method"), f"{what}的考核方式（check_method）", required=full_text
        )
        evidence_required = True
        if "evidence_required" in m:
            evidence_required = _boolean(
                m["evidence_required"], f"{what}的是否需佐证（evidence_required）"
            )
            if kind == "bonus" and not evidence_required:
                raise _fail(
                    f"加分项 {code} 必须提供佐证材料，{_field('evidence_required')}不能为 false",
                    m["evidence_required"],
                )
        if kind == "veto":
            max_points = _ZERO
        else:
            max_points = _points(m["max_points"], f"{what}的分值（max_points）")
        auto = self._auto(m["auto"], code) if not _is_null(m.get("auto")) else None
        self.pending.append(
            _Pending(
                rank=rank,
                item={
                    "code": code,
                    "kind": kind,
                    "star": star,
                    "task_no": task_no,
                    "task_title": task_title,
                    "title": title,
                    "standard": standard,
                    "deduction_rule": rule,
                    "max_points": max_points,
                    "evidence": evidence,
                    "check_method": check_method,
                    "evidence_required": evidence_required,
                    "auto": auto,
                },
            )
        )
        return max_points

    # ---- stars

    def star(self, node: Node, seen: dict[str, Node]) -> StarDef:
        m = _Map(node, "星级", ("key", "name", "base", "tasks"), ("key", "base", "tasks"))
        key = _text(m["key"], f"星级的{_field('key')}")
        if key not in STAR_KEYS:
            known = "、".join(f"{k}（{STAR_NAMES[k]}）" for k in STAR_KEYS)
            raise _fail(f"未知的星级“{key}”，应为 {known} 之一", m["key"])
        name = STAR_NAMES[key]
        if key in seen:
            first = _line(seen[key])
            where = f"（首次出现在第 {first} 行）" if first is not None else ""
            raise _fail(f"星级“{name}”（{key}）重复{where}", m["key"])
        seen[key] = m["key"]
        if "name" in m:
            given = _text(m["name"], f"{name}的名称")
            if given != name:
                raise _fail(f"星级 {key} 的名称应为“{name}”，而不是“{given}”", m["name"])
        base = _number(m["base"], f"{name}的基本分")
        if base <= 0 or not _is_half_step(base):
            raise _fail(f"{name}的基本分应为 0.5 的正整数倍，而不是 {_fmt(base)}", m["base"])
        tasks = _sequence(m["tasks"], f"{name}的任务（tasks）", allow_empty=False)
        star_rank = STAR_KEYS.index(key)
        total = _ZERO
        count = 0
        for task_node in tasks:
            t = _Map(
                task_node,
                f"{name}的任务",
                ("task_no", "title", "criteria"),
                ("task_no", "title", "criteria"),
            )
            task_no = _integer(t["task_no"], f"{name}的任务序号")
            if task_no <= 0:
                raise _fail(f"任务序号应为正整数，而不是 {task_no}", t["task_no"])
            if task_no in self.task_nos:
                first = _line(self.task_nos[task_no])
                where = f"（首次出现在第 {first} 行）" if first is not None else ""
                raise _fail(f"任务序号 {task_no} 重复{where}", t["task_no"])
            self.task_nos[task_no] = t["task_no"]
            task_title = _text(t["title"], f"任务 {task_no} 的标题")
            criteria = _sequence(
                t["criteria"], f"任务 {task_no} 的细则（criteria）", allow_empty=False
            )
            for criterion_node in criteria:
                total += self.item(
                    criterion_node,
                    "criterion",
                    star=key,
                    task_no=task_no,
                    task_title=task_title,
                    rank=(0, star_rank),
                )
                count += 1
        if not MIN_CRITERIA_PER_STAR <= count <= MAX_CRITERIA_PER_STAR:
            raise _fail(
                f"{name}有 {count} 条细则，"
                f"应为 {MIN_CRITERIA_PER_STAR}～{MAX_CRITERIA_PER_STAR} 条",
                m.keys["tasks"],
            )
        if total != base:
            raise _fail(
                f"{name}的细则合计 {_fmt(total)} 分，应等于基本分 {_fmt(base)} 分", m["base"]
            )
        return StarDef(key=key, name=name, base=base)


def _thresholds(
    node: Node | None,
    bonus_cap: tuple[Decimal, Node] | None,
    bases_total: Decimal,
    fallback: Node,
) -> Thresholds:
    """Thresholds from the optional block (and bonus.cap); errors without a node use fallback."""
    values: dict[str, Decimal] = {}
    anchor = fallback if _is_null(node) else node
    nodes: dict[str, Node] = {}
    if not _is_null(node):
        m = _Map(node, "阈值（thresholds）", _THRESHOLD_KEYS, ())
        labels = {
            "star_ratio": "单星达标比例（star_ratio）",
            "five_star_composite": "五星级综合得分线（five_star_composite）",
            "bonus_cap": "加分上限（bonus_cap）",
            "excellence_ratio": "“双优”比例（excellence_ratio）",
        }
        for key in _THRESHOLD_KEYS:
            if key in m:
                values[key] = _number(m[key], labels[key])
                nodes[key] = m[key]
    if bonus_cap is not None:
        cap, cap_node = bonus_cap
        if "bonus_cap" in values and values["bonus_cap"] != cap:
            raise _fail(
                f"加分上限前后不一致：{_field('thresholds')}中为 {_fmt(values['bonus_cap'])}，"
                f"{_field('bonus')}中为 {_fmt(cap)}",
                cap_node,
            )
        values["bonus_cap"] = cap
        nodes["bonus_cap"] = cap_node
    result = {
        "star_ratio": values.get("star_ratio", DEFAULT_THRESHOLDS.star_ratio),
        "five_star_composite": values.get(
            "five_star_composite", DEFAULT_THRESHOLDS.five_star_composite
        ),
        "bonus_cap": values.get("bonus_cap", DEFAULT_THRESHOLDS.bonus_cap),
        "excellence_ratio": values.get("excellence_ratio", DEFAULT_THRESHOLDS.excellence_ratio),
    }
    if not _ZERO < result["star_ratio"] <= _ONE:
        raise _fail(
            f"单星达标比例（star_ratio）应大于 0 且不超过 1，而不是 {_fmt(result['star_ratio'])}",
            nodes.get("star_ratio", anchor),
        )
    composite = result["five_star_composite"]
    if not _ZERO < composite <= bases_total:
        raise _fail(
            f"五星级综合得分线（five_star_composite）应大于 0 且不超过各星基本分之和 "
            f"{_fmt(bases_total)}，而不是 {_fmt(composite)}",
            nodes.get("five_star_composite", anchor),
        )
    if result["bonus_cap"] < 0:
        raise _fail(
            f"加分上限应不小于 0，而不是 {_fmt(result['bonus_cap'])}",
            nodes.get("bonus_cap", anchor),
        )
    if not _ZERO < result["excellence_ratio"] <= _ONE:
        raise _fail(
            "“双优”比例（excellence_ratio）应大于 0 且不超过 1，"
            f"而不是 {_fmt(result['excellence_ratio'])}",
            nodes.get("excellence_ratio", anchor),
        )
    return Thresholds(**result)


def _ballot(node: Node | None) -> BallotRules:
    """The optional 民主评议 block (defaults: DEFAULT_BALLOT)."""
    if _is_null(node):
        return DEFAULT_BALLOT
    m = _Map(node, RT.BALLOT_WHAT, _BALLOT_KEYS, ())
    scale = DEFAULT_BALLOT.scale
    if "scale" in m:
        items = _sequence(m["scale"], RT.FIELD.format(name=RT.FIELD_NAMES["scale"], key="scale"))
        scale = tuple(_text(i, RT.BALLOT_LABEL) for i in items)
        low, high = BALLOT_SCALE_SIZES
        if not low <= len(scale) <= high:
            raise _fail(
                RT.ERR_BALLOT_SCALE_SIZE.format(low=low, high=high, n=len(scale)), m["scale"]
            )
        for label, item in zip(scale, items, strict=True):
            if len(label) > BALLOT_LABEL_LENGTH:
                raise _fail(
                    RT.ERR_BALLOT_LABEL_LONG.format(label=label, n=BALLOT_LABEL_LENGTH), item
                )
            if scale.count(label) > 1:
                raise _fail(RT.ERR_BALLOT_LABEL_TWICE.format(label=label), item)
    passing = min(DEFAULT_BALLOT.passing, len(scale) - 1)
    if "passing" in m:
        label = _text(m["passing"], RT.FIELD.format(name=RT.FIELD_NAMES["passing"], key="passing"))
        if label not in scale:
            raise _fail(
                RT.ERR_BALLOT_PASSING.format(label=label, scale="、".join(scale)), m["passing"]
            )
        passing = scale.index(label)
    minimum = DEFAULT_BALLOT.minimum_ballots
    if "minimum_ballots" in m:
        what = RT.FIELD.format(name=RT.FIELD_NAMES["minimum_ballots"], key="minimum_ballots")
        minimum = _integer(m["minimum_ballots"], what)
        low, high = BALLOT_MINIMUM_RANGE
        if not low <= minimum <= high:
            raise _fail(
                RT.ERR_BALLOT_MINIMUM.format(low=low, high=high, n=minimum), m["minimum_ballots"]
            )
    rate_branch = DEFAULT_BALLOT.rate_branch
    if "rate_branch" in m:
        what = RT.FIELD.format(name=RT.FIELD_NAMES["rate_branch"], key="rate_branch")
        rate_branch = _boolean(m["rate_branch"], what)
    return BallotRules(scale, passing, minimum, rate_branch)


def _build(root: Node | None) -> Rubric:
    if _is_null(root):
        raise RubricError("细则文件为空")
    top = _Map(root, "细则文件", _TOP_KEYS, ("title", "version", "stars"))
    title = _text(top["title"], "细则标题（title）")
    version = _integer(top["version"], "版本号（version）")
    if version < 1:
        raise _fail(f"版本号（version）应为正整数，而不是 {version}", top["version"])

    builder = _Builder()
    seen: dict[str, Node] = {}
    star_defs: dict[str, StarDef] = {}
    for star_node in _sequence(top["stars"], "星级（stars）", allow_empty=False):
        star = builder.star(star_node, seen)
        star_defs[star.key] = star
    missing = [k for k in STAR_KEYS if k not in star_defs]
    if missing:
        names = "、".join(f"{STAR_NAMES[k]}（{k}）" for k in missing)
        raise _fail(f"缺少星级：{names}；五颗星都必须设置", top.keys["stars"])

    bonus_cap: tuple[Decimal, Node] | None = None
    if not _is_null(top.get("bonus")):
        b = _Map(top["bonus"], "加分项（bonus）", ("cap", "items"), ())
        if "cap" in b:
            cap = _number(b["cap"], "加分上限（cap）")
            if cap < 0:
                raise _fail(f"加分上限（cap）应不小于 0，而不是 {_fmt(cap)}", b["cap"])
            bonus_cap = (cap, b["cap"])
        for item_node in _sequence(b.get("items"), "加分项列表（items）"):
            builder.item(item_node, "bonus", rank=(1, 0))
    for item_node in _sequence(top.get("deductions"), "扣分项（deductions）"):
        builder.item(item_node, "deduction", rank=(2, 0))
    for item_node in _sequence(top.get("vetoes"), "一票否决项（vetoes）"):
        builder.item(item_node, "veto", rank=(3, 0))

    bases_total = sum((s.base for s in star_defs.values()), _ZERO)
    thresholds = _thresholds(top.get("thresholds"), bonus_cap, bases_total, top.keys["stars"])

    # Stable sort: stars in STAR_KEYS order, then bonus, deductions, vetoes; file order within.
    from rubric_vanguard import parse_vanguard  # it builds on this module's readers

    vanguard = parse_vanguard(top.get("vanguard"), dict(builder.codes))
    ordered = sorted(builder.pending, key=lambda p: p.rank)
    criteria = tuple(Criterion(**p.item, sort_order=i) for i, p in enumerate(ordered))
    return Rubric(
        title=title,
        version=version,
        stars=tuple(star_defs[k] for k in STAR_KEYS),
        criteria=criteria,
        thresholds=thresholds,
        previous=tuple((code, previous) for previous, (code, _) in builder.previous.items()),
        vanguard=vanguard,
        ballot=_ballot(top.get("ballot")),
    )


# --------------------------------------------------------------------------- public API


# A key followed by a full-width colon at the start of a line ("title：…", "- code：L1.1"):
# YAML reads the whole line as text and complains lines later, so it is named first.
_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_]+)\s*：")
_TAB_INDENT = re.compile(r"^ *\t")


def _check_typing(text: str) -> None:
    """Full-width colons after keys and tab indentation, on their own line (before YAML)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        if _TAB_INDENT.match(line):
            raise RubricError(RT.ERR_TAB, number)
        key = _FULLWIDTH_KEY.match(line)
        # only the file's own keys: a line of text that happens to start "PPT：" is content
        if key and key.group(1) in RT.FIELD_NAMES:
            raise RubricError(RT.ERR_FULLWIDTH_COLON.format(key=key.group(1)), number)


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    for words in (exc.problem, exc.context):
        if words:
            for known, chinese in RT.YAML_PROBLEMS.items():
                if known in words:
                    return chinese
    return RT.ERR_YAML_UNKNOWN


def parse_rubric(text: str) -> Rubric:
    """Parse and validate rubric YAML text; raise RubricError (Chinese, with line) if invalid."""
    _check_typing(text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        raise RubricError(RT.ERR_YAML.format(problem=_yaml_problem(exc)), line) from exc
    except yaml.YAMLError as exc:
        raise RubricError(RT.ERR_YAML.format(problem=RT.ERR_YAML_UNKNOWN)) from exc
    return _build(root)


def load_rubric(source: str | Path) -> Rubric:
    """Load a rubric from a file (a Path, or a str path ending .yaml/.yml) or from YAML text."""
    path: Path | None = None
    if isinstance(source, Path):
        path = source
    elif (
        "\n" not in source
        and ": " not in source
        and source.strip().lower().endswith((".yaml", ".yml"))
    ):
        path = Path(source.strip())
    if path is None:
        return parse_rubric(str(source))
    if not path.is_file():
        raise FileNotFoundError(f"找不到细则文件：{path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RubricError(f"细则文件 {path} 不是 UTF-8 编码的文本") from exc
    return parse_rubric(text)


def default_rubric_path() -> Path:
    """The shipped rubric, sample_data/rubric.yaml."""
    return _ROOT / "sample_data" / "rubric.yaml"


# --------------------------------------------------------------------------- dumping


def _item_dict(c: Criterion) -> dict[str, Any]:
    d: dict[str, Any] = {"code": c.code, "title": c.title, "standard": c.standard}
    d["award_rule" if c.kind == "bonus" else "deduction_rule"] = c.deduction_rule
    if c.kind != "veto":
        d["max_points"] = c.max_points
    d["evidence"] = c.evidence
    d["check_method"] = c.check_method
    d["evidence_required"] = c.evidence_required
    if c.auto is not None:
        auto: dict[str, Any] = {"unit": c.auto.unit, "label": c.auto.label}
        if c.auto.minimum is not None:
            auto["minimum"] = c.auto.minimum
        if c.auto.maximum is not None:
            auto["maximum"] = c.auto.maximum
        auto["step"] = c.auto.step
        auto["per_step"] = c.auto.per_step
        if c.auto.source is not None:
            auto["source"] = c.auto.source
        d["auto"] = auto
    return d


def _rubric_dict(rubric: Rubric) -> dict[str, Any]:
    """The YAML-shaped structure; criteria grouped by star, then by task (first appearance)."""
    stars: list[dict[str, Any]] = []
    for star in rubric.stars:
        tasks: dict[tuple[int | None, str], list[dict[str, Any]]] = {}
        for c in rubric.by_star(star.key):
            tasks.setdefault((c.task_no, c.task_title), []).append(_item_dict(c))
        stars.append(
            {
                "key": star.key,
                "name": star.name,
                "base": star.base,
                "tasks": [
                    {"task_no": no, "title": task_title, "criteria": crits}
                    for (no, task_title), crits in tasks.items()
                ],
            }
        )
    thresholds = rubric.thresholds
    from rubric_vanguard import vanguard_dict

    vanguard = {} if rubric.vanguard is None else {"vanguard": vanguard_dict(rubric.vanguard)}
    return {
        "title": rubric.title,
        "version": rubric.version,
        "thresholds": {
            "star_ratio": thresholds.star_ratio,
            "five_star_composite": thresholds.five_star_composite,
            "excellence_ratio": thresholds.excellence_ratio,
        },
        "stars": stars,
        "bonus": {
            "cap": thresholds.bonus_cap,
            "items": [_item_dict(c) for c in rubric.items("bonus")],
        },
        "deductions": [_item_dict(c) for c in rubric.items("deduction")],
        "vetoes": [_item_dict(c) for c in rubric.items("veto")],
        **vanguard,
        "ballot": ballot_dict(rubric.ballot),
    }


def ballot_dict(rules: BallotRules) -> dict[str, Any]:
    """The `ballot:` block as the file writes it (and the database keeps it, as JSON)."""
    return {
        "scale": list(rules.scale),
        "passing": rules.scale[rules.passing],
        "minimum_ballots": rules.minimum_ballots,
        "rate_branch": rules.rate_branch,
    }


def ballot_to_json(rules: BallotRules) -> str:
    """What `cycle.ballot_rules` keeps of a rubric's `ballot:` block."""
    return json.dumps(ballot_dict(rules), ensure_ascii=False)


def ballot_from_json(text: str) -> BallotRules:
    """Rules stored by ballot_to_json, validated again like the file's block (RubricError in
    Chinese). An empty text is a year stored without the block: RubricError too, never a
    default."""
    if not text:
        raise RubricError(RT.ERR_BALLOT_NOT_STORED)
    return _ballot(_to_node(json.loads(text)))


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> ScalarNode:
    value = _canon(value)
    if value == value.to_integral_value():
        return dumper.represent_scalar(_TAG_INT, str(int(value)))
    return dumper.represent_scalar(_TAG_FLOAT, format(value, "f"))


def _represent_str(dumper: yaml.SafeDumper, value: str) -> ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_TAG_STR, value, style=style)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(str, _represent_str)


def dump_rubric(rubric: Rubric) -> str:
    """The rubric as YAML text; ``parse_rubric(dump_rubric(r)) == r``."""
    return yaml.dump(
        _rubric_dict(rubric),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        indent=2,
    )


# --------------------------------------------------------------------------- records


_RECORD_FIELDS = (
    "code",
    "kind",
    "star",
    "task_no",
    "task_title",
    "title",
    "standard",
    "deduction_rule",
    "max_points",
    "evidence",
    "check_method",
    "evidence_required",
    "sort_order",
)
_AUTO_FIELDS = ("unit", "label", "minimum", "maximum", "step", "per_step", "source")
# Every key of a flat record (rubric_to_records), in order: what a rubric change compares.
RECORD_KEYS = _RECORD_FIELDS + tuple(f"auto_{name}" for name in _AUTO_FIELDS)


def rubric_to_records(rubric: Rubric) -> list[dict[str, Any]]:
    """One flat dict per item (auto flattened to auto_*; Decimals kept), in file order."""
    records: list[dict[str, Any]] = []
    for c in rubric.criteria:
        record: dict[str, Any] = {name: getattr(c, name) for name in _RECORD_FIELDS}
        for name in _AUTO_FIELDS:
            record[f"auto_{name}"] = None if c.auto is None else getattr(c.auto, name)
        records.append(record)
    return records


def _to_node(value: Any) -> Node:
    """A YAML node without marks (errors then carry no line) for a plain Python structure."""
    if isinstance(value, Mapping):
        pairs = [(ScalarNode(_TAG_STR, str(k)), _to_node(v)) for k, v in value.items()]
        return MappingNode(_TAG_MAP, pairs)
    if isinstance(value, list | tuple):
        return SequenceNode(_TAG_SEQ, [_to_node(v) for v in value])
    if value is None:
        return ScalarNode(_TAG_NULL, "")
    if isinstance(value, bool):
        return ScalarNode(_TAG_BOOL, "true" if value else "false")
    if isinstance(value, int):
        return ScalarNode(_TAG_INT, str(value))
    if isinstance(value, float):
        # Exact per the project rule: floats go through str().
        return ScalarNode(_TAG_STR, str(value))
    # Decimals stay exact: _number parses str-tagged scalars with Decimal(text).
    return ScalarNode(_TAG_STR, str(value))


def _record_item(record: Mapping[str, Any]) -> dict[str, Any]:
    kind = record.get("kind")
    d: dict[str, Any] = {
        "code": record.get("code"),
        "title": record.get("title"),
        "standard": record.get("standard"),
        "award_rule" if kind == "bonus" else "deduction_rule": record.get("deduction_rule"),
    }
    if kind != "veto":
        d["max_points"] = record.get("max_points")
    d["evidence"] = record.get("evidence")
    d["check_method"] = record.get("check_method")
    required = record.get("evidence_required", True)
    if isinstance(required, int) and not isinstance(required, bool) and required in (0, 1):
        required = bool(required)  # SQL backends without a boolean type
    d["evidence_required"] = required
    if kind == "criterion" and any(record.get(f"auto_{n}") is not None for n in _AUTO_FIELDS):
        d["auto"] = {
            n: record.get(f"auto_{n}") for n in _AUTO_FIELDS if record.get(f"auto_{n}") is not None
        }
    return d


def rubric_from_records(
    title: str,
    version: int,
    thresholds: Thresholds,
    bases: Mapping[str, Decimal],
    records: Sequence[Mapping[str, Any]],
    vanguard: VanguardRules | None = None,
    ballot: BallotRules = DEFAULT_BALLOT,
) -> Rubric:
    """Rebuild (and re-validate) a rubric from rubric_to_records output, e.g. read from the DB.

    `vanguard` and `ballot` are the 先锋指数 and 民主评议 blocks to keep (the records hold only
    the criteria).
    Records are taken in ``sort_order`` (ties and missing values keep their position); errors
    are RubricError without a line number.
    """
    ordered = [
        r
        for _, _, r in sorted(
            (i if r.get("sort_order") is None else int(r["sort_order"]), i, r)
            for i, r in enumerate(records)
        )
    ]
    unknown_bases = [k for k in bases if k not in STAR_KEYS]
    if unknown_bases:
        raise RubricError(f"未知的星级“{unknown_bases[0]}”")
    stars: dict[str, dict[tuple[Any, Any], list[dict[str, Any]]]] = {k: {} for k in STAR_KEYS}
    sections: dict[str, list[dict[str, Any]]] = {"bonus": [], "deduction": [], "veto": []}
    for r in ordered:
        kind = r.get("kind")
        if kind == "criterion":
            star = r.get("star")
            if star not in stars:
                raise RubricError(f"细则 {r.get('code')} 的星级“{star}”未知")
            key = (r.get("task_no"), r.get("task_title"))
            stars[star].setdefault(key, []).append(_record_item(r))
        elif kind in sections:
            sections[kind].append(_record_item(r))
        else:
            raise RubricError(f"条目 {r.get('code')} 的类型“{kind}”未知，应为 {'、'.join(KINDS)}")
    data = {
        "title": title,
        "version": version,
        "thresholds": {
            "star_ratio": thresholds.star_ratio,
            "five_star_composite": thresholds.five_star_composite,
            "excellence_ratio": thresholds.excellence_ratio,
        },
        "stars": [
            {
                "key": key,
                "base": bases.get(key),
                "tasks": [
                    {"task_no": no, "title": task_title, "criteria": crits}
                    for (no, task_title), crits in stars[key].items()
                ],
            }
            for key in STAR_KEYS
        ],
        "bonus": {"cap": thresholds.bonus_cap, "items": sections["bonus"]},
        "deductions": sections["deduction"],
        "vetoes": sections["veto"],
    }
    if vanguard is not None:
        from rubric_vanguard import vanguard_dict

        data["vanguard"] = vanguard_dict(vanguard)
    data["ballot"] = ballot_dict(ballot)
    return _build(_to_node(data))
