"""The `vanguard:` block of a rubric file (先锋指数): reading, validating and writing it.

The rules themselves and their arithmetic are in vanguard.py; this module turns the YAML block
into `vanguard.VanguardRules` with the rubric file's checks and Chinese messages (line numbers
included), and back into the YAML-shaped dict that dump_rubric writes and the database keeps
(`cycle.vanguard_rules`, as JSON).

    vanguard:
      title: 党员先锋指数
      items:
        - code: P1
          kind: base          # base 基础分 / add 加分 / minus 扣分 / zero 清零
          title: 政治素质
          standard: …
          max_points: 20
          declare: true       # 个人申报：党员本人可申报（默认 false）
      add_cap: 10             # 加分上限
      minus_cap: 20           # 扣分上限（省略：扣分全计，指数最低为 0）
      peer:                   # 党员互评（来自匿名评议票；省略或 max_points 为 0：不设互评）
        title: 党员互评
        max_points: 20
      grades:                 # 等次，从高到低；最后一个的最低分为 0
        - {grade: 优秀, min_score: 90}
        - {grade: 合格, min_score: 70}
        - {grade: 基本合格, min_score: 60}
        - {grade: 不合格, min_score: 0}
      passing_grade: 合格     # “合格及以上”从这一等次算起
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from decimal import Decimal
from typing import Any

from yaml.nodes import Node

import rubric as R
from texts import rubric as RT
from vanguard import GradeBand, ItemKind, VanguardItem, VanguardRules

_KEYS = ("title", "items", "add_cap", "minus_cap", "peer", "grades", "passing_grade")
_ITEM_KEYS = ("code", "kind", "title", "standard", "max_points", "declare")
_PEER_KEYS = ("title", "max_points")
_BAND_KEYS = ("grade", "min_score")
GRADE_LENGTH = 8
DEFAULT_TITLE = "党员先锋指数"


def _name(key: str) -> str:
    return RT.FIELD.format(name=RT.VANGUARD_FIELD_NAMES.get(key, key), key=key)


def _cap(m: R._Map, key: str) -> Decimal | None:
    if R._is_null(m.get(key)):
        return None
    value = R._number(m[key], _name(key))
    if value < 0:
        raise R._fail(RT.ERR_VANGUARD_CAP.format(what=_name(key), value=R._fmt(value)), m[key])
    return value


def _item(node: Node, codes: MutableMapping[str, Node]) -> VanguardItem:
    head = R._Map(node, RT.VANGUARD_ITEM_WHAT.format(code=""), _ITEM_KEYS, ("code", "kind"))
    code = R._text(head["code"], _name("code"))
    what = RT.VANGUARD_ITEM_WHAT.format(code=code)
    if not R.CODE_PATTERN.match(code):
        raise R._fail(RT.ERR_VANGUARD_CODE.format(code=code), head["code"])
    if code in codes:
        raise R._fail(RT.ERR_VANGUARD_CODE_TWICE.format(code=code), head["code"])
    codes[code] = head["code"]
    kind_text = R._text(head["kind"], _name("kind"))
    try:
        kind = ItemKind(kind_text)
    except ValueError:
        allowed = "、".join(f"{k}（{v}）" for k, v in RT.VANGUARD_KIND_NAMES.items())
        raise R._fail(
            RT.ERR_VANGUARD_KIND.format(code=code, kind=kind_text, allowed=allowed), head["kind"]
        ) from None
    head.require(("title",), what)
    title = R._text(head["title"], f"{what}的{_name('title')}")
    standard = R._text(head.get("standard"), f"{what}的{_name('standard')}", required=False)
    if kind is ItemKind.ZERO:
        if "max_points" in head:
            raise R._fail(RT.ERR_VANGUARD_ZERO_POINTS.format(code=code), head["max_points"])
        max_points = Decimal(0)
    else:
        head.require(("max_points",), what)
        max_points = R._points(head["max_points"], f"{what}的{R._field('max_points')}")
    declare = False
    if "declare" in head:
        declare = R._boolean(head["declare"], f"{what}的{_name('declare')}")
    return VanguardItem(code, kind, title, standard, max_points, declare)


def _bands(node: Node, high: Decimal) -> tuple[GradeBand, ...]:
    items = R._sequence(node, _name("grades"))
    if len(items) < 2:
        raise R._fail(RT.ERR_VANGUARD_BANDS_FEW, node)
    bands: list[GradeBand] = []
    for item in items:
        m = R._Map(item, RT.VANGUARD_BAND_WHAT, _BAND_KEYS, _BAND_KEYS)
        grade = R._text(m["grade"], _name("grade"))
        if len(grade) > GRADE_LENGTH:
            raise R._fail(RT.ERR_VANGUARD_BAND_LONG.format(grade=grade, n=GRADE_LENGTH), m["grade"])
        if any(b.grade == grade for b in bands):
            raise R._fail(RT.ERR_VANGUARD_BAND_TWICE.format(grade=grade), m["grade"])
        minimum = R._number(m["min_score"], _name("min_score"))
        if bands and minimum >= bands[-1].minimum:
            raise R._fail(
                RT.ERR_VANGUARD_BAND_ORDER.format(grade=grade, value=R._fmt(minimum)),
                m["min_score"],
            )
        if not bands and minimum > high:
            raise R._fail(
                RT.ERR_VANGUARD_BAND_HIGH.format(
                    grade=grade, value=R._fmt(minimum), high=R._fmt(high)
                ),
                m["min_score"],
            )
        bands.append(GradeBand(grade, minimum))
    if bands[-1].minimum != 0:
        raise R._fail(
            RT.ERR_VANGUARD_BAND_LAST.format(
                grade=bands[-1].grade, value=R._fmt(bands[-1].minimum)
            ),
            items[-1],
        )
    return tuple(bands)


def parse_vanguard(node: Node | None, codes: MutableMapping[str, Node]) -> VanguardRules | None:
    """The block as rules (None when the file has none); `codes` holds the codes already used
    by the rubric's criteria, so a 先锋指数 code never repeats one."""
    if R._is_null(node):
        return None
    m = R._Map(node, RT.VANGUARD_WHAT, _KEYS, ("items", "grades"))
    title = R._text(m.get("title"), _name("title"), required=False) or DEFAULT_TITLE
    items = tuple(_item(n, codes) for n in R._sequence(m["items"], _name("items")))
    if not any(i.kind is ItemKind.BASE for i in items):
        raise R._fail(RT.ERR_VANGUARD_NO_BASE, m["items"])
    add_cap = _cap(m, "add_cap")
    if add_cap is None:
        add_cap = sum((i.max_points for i in items if i.kind is ItemKind.ADD), Decimal(0))
    minus_cap = _cap(m, "minus_cap")
    peer_title, peer_max = RT.VANGUARD_FIELD_NAMES["peer"], Decimal(0)
    if not R._is_null(m.get("peer")):
        p = R._Map(m["peer"], RT.VANGUARD_PEER_WHAT, _PEER_KEYS, ("max_points",))
        peer_title = R._text(p.get("title"), _name("title"), required=False) or peer_title
        peer_max = R._points(p["max_points"], f"{RT.VANGUARD_PEER_WHAT}的{R._field('max_points')}")
    base_max = sum((i.max_points for i in items if i.kind is ItemKind.BASE), Decimal(0))
    bands = _bands(m["grades"], base_max + peer_max + add_cap)
    grades = [b.grade for b in bands]
    passing = grades[-2]
    if not R._is_null(m.get("passing_grade")):
        passing = R._text(m["passing_grade"], _name("passing_grade"))
        if passing not in grades:
            raise R._fail(
                RT.ERR_VANGUARD_PASSING.format(grade=passing, allowed="、".join(grades)),
                m["passing_grade"],
            )
    return VanguardRules(title, items, add_cap, minus_cap, peer_title, peer_max, bands, passing)


def vanguard_dict(rules: VanguardRules) -> dict[str, Any]:
    """The YAML-shaped block (Decimals kept), as dump_rubric writes it."""
    items: list[dict[str, Any]] = []
    for i in rules.items:
        d: dict[str, Any] = {"code": i.code, "kind": str(i.kind), "title": i.title}
        if i.standard:
            d["standard"] = i.standard
        if i.kind is not ItemKind.ZERO:
            d["max_points"] = i.max_points
        if i.declare:
            d["declare"] = True
        items.append(d)
    block: dict[str, Any] = {"title": rules.title, "items": items, "add_cap": rules.add_cap}
    if rules.minus_cap is not None:
        block["minus_cap"] = rules.minus_cap
    if rules.peer_max:
        block["peer"] = {"title": rules.peer_title, "max_points": rules.peer_max}
    block["grades"] = [{"grade": b.grade, "min_score": b.minimum} for b in rules.bands]
    block["passing_grade"] = rules.passing_grade
    return block


def rules_to_json(rules: VanguardRules) -> str:
    """The block as JSON text (numbers as exact strings), what the database keeps."""
    return json.dumps(vanguard_dict(rules), ensure_ascii=False, default=str)


def stored_rules(rules: VanguardRules | None) -> str:
    """What `cycle.vanguard_rules` keeps for a rubric's block ("" for none)."""
    return "" if rules is None else rules_to_json(rules)


def rules_from_json(text: str) -> VanguardRules | None:
    """Rules stored by rules_to_json, validated again (None for an empty text)."""
    if not text:
        return None
    data: Mapping[str, Any] = json.loads(text)
    return parse_vanguard(R._to_node(data), {})
