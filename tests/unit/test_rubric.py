"""The evaluation rubric: the shipped 评价细则 and the validating loader."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import scoring
from rubric import (
    KINDS,
    Criterion,
    Rubric,
    RubricError,
    default_rubric_path,
    dump_rubric,
    load_rubric,
    parse_rubric,
    rubric_from_records,
    rubric_to_records,
)
from scoring import DEFAULT_THRESHOLDS, STAR_KEYS, STAR_NAMES, Thresholds, auto_points

D = Decimal

# The document's tasks per star (section 二) and their short titles.
TASKS = {
    "learning": {
        1: "把党的政治建设摆在首位",
        2: "用习近平新时代中国特色社会主义思想武装头脑",
        3: "认真做好新形势下的思想政治工作",
    },
    "standard": {
        4: "切实加强基层党组织建设",
        5: "加强和规范党内政治生活",
        6: "规范党员的日常教育管理",
        7: "加强党务干部队伍建设",
    },
    "service": {
        8: "全面提升党员干部能力本领",
        9: "实现机关党建和业务工作深度融合",
        10: "大兴调查研究之风",
        11: "做好凝心聚力工作",
    },
    "democracy": {
        12: "健全和完善机关党内监督",
        13: "驰而不息改作风正作风",
        14: "加强机关党的纪律建设和反腐败斗争",
    },
    "innovation": {
        15: "深入开展新时代机关党建研究",
        16: "加大党建工作创新力度",
        17: "全面推进智慧党建",
    },
}
PREFIX = {"learning": "L", "standard": "S", "service": "V", "democracy": "D", "innovation": "I"}


@pytest.fixture(scope="module")
def shipped() -> Rubric:
    return load_rubric(default_rubric_path())


def _text(c: Criterion) -> str:
    return " ".join((c.title, c.standard, c.deduction_rule, c.task_title))


# --------------------------------------------------------------------------- the shipped rubric


def test_shipped_rubric_loads(shipped: Rubric) -> None:
    assert default_rubric_path() == Path(__file__).resolve().parents[2] / "sample_data/rubric.yaml"
    assert shipped.title
    assert shipped.version >= 1
    assert [s.key for s in shipped.stars] == list(STAR_KEYS)
    assert [s.name for s in shipped.stars] == [STAR_NAMES[k] for k in STAR_KEYS]
    assert shipped.thresholds == DEFAULT_THRESHOLDS


def test_each_star_base_20_and_total_100(shipped: Rubric) -> None:
    assert shipped.bases == dict.fromkeys(STAR_KEYS, D(20))
    assert sum(shipped.bases.values()) == 100
    for key in STAR_KEYS:
        assert sum(c.max_points for c in shipped.by_star(key)) == D(20), key


def test_criteria_per_star_and_codes(shipped: Rubric) -> None:
    counts = {key: len(shipped.by_star(key)) for key in STAR_KEYS}
    assert all(4 <= n <= 10 for n in counts.values()), counts
    assert 40 <= sum(counts.values()) <= 50
    codes = [c.code for c in shipped.criteria]
    assert len(codes) == len(set(codes))
    assert [c.sort_order for c in shipped.criteria] == list(range(len(codes)))
    for c in shipped.items("criterion"):
        assert c.max_points > 0
        assert (c.max_points * 2) % 1 == 0
        assert c.code.startswith(f"{PREFIX[c.star]}{c.task_no}."), c.code
        assert TASKS[c.star][c.task_no] == c.task_title, c.code
        for text in (c.title, c.standard, c.deduction_rule, c.evidence, c.check_method):
            assert text.strip(), c.code
    for key in STAR_KEYS:
        assert {c.task_no for c in shipped.by_star(key)} == set(TASKS[key]), key


def test_bonus_deductions_vetoes(shipped: Rubric) -> None:
    bonus = shipped.items("bonus")
    assert shipped.thresholds.bonus_cap == D(5)
    assert bonus
    assert all(re.fullmatch(r"B\d+", c.code) for c in bonus)
    assert all(c.evidence and c.evidence_required and c.max_points > 0 for c in bonus)
    deductions = shipped.items("deduction")
    assert deductions
    assert all(re.fullmatch(r"D\d+", c.code) for c in deductions)
    assert all(c.max_points > 0 for c in deductions)
    vetoes = shipped.items("veto")
    assert vetoes
    assert all(re.fullmatch(r"V\d+", c.code) for c in vetoes)
    assert all(c.max_points == 0 for c in vetoes)
    for c in (*bonus, *deductions, *vetoes):
        assert c.star is None
        assert c.task_no is None
        assert c.task_title == ""
        assert c.auto is None
    joined = " ".join(_text(c) for c in (*bonus, *deductions, *vetoes))
    for phrase in ("市级以上", "推广", "品牌", "通报批评", "未按期整改", "弄虚作假"):
        assert phrase in joined, phrase
    veto_text = " ".join(_text(c) for c in vetoes)
    for phrase in ("严重违纪违法", "党纪政务处分", "意识形态", "重大安全责任事故", "群体性事件"):
        assert phrase in veto_text, phrase


# Every quantitative requirement of the document, and the other named duties.
REQUIRED_PHRASES = [
    "24学时",
    "40学时",
    "每半年至少研判1次",
    "谈心谈话每年至少1次",
    "3人以上25人以内",
    "按期换届",
    "三会一课",
    "主题党日",
    "组织生活会",
    "民主评议党员",
    "先锋指数",
    "在职党员每年2次、离退休党员每年1次",
    "2%",
    "廉政专题学习",
    "警示教育",
    "七一",
    "先锋岗",
    "先锋标兵",
    "五有",
    "2020年底前",
    "三个最佳",
    "最佳服务举措、最佳制度创新、最佳项目推进",
    "智慧党建",
    "网上党建平台",
    "上党课",
    "周一夜学",
    "意识形态工作责任制",
    "两优一先",
    "党费",
    "结对挂联",
    "志愿服务",
    "党外干部",
    "群团",
    "党务公开",
    "八项规定",
    "四风",
    "作风建设民主评议",
    "四种形态",
    "党建研究",
    "阵地",
    "每年至少2次研究机关党建工作",
    "先锋支部",
    "六必谈",
    "最多跑一次",
    "清廉绍兴",
]


@pytest.mark.parametrize("phrase", REQUIRED_PHRASES)
def test_requirement_present(shipped: Rubric, phrase: str) -> None:
    assert any(phrase in _text(c) for c in shipped.items("criterion")), phrase


EXPECTED_AUTO = {
    # code: (unit, minimum, maximum)
    "L2.3": ("学时", D(24), None),
    "L2.4": ("学时", D(40), None),
    "L3.2": ("次", D(2), None),
    "L3.3": ("%", D(100), None),
    "S4.2": ("人", D(3), D(25)),
    "S6.2": ("%", D(100), None),
    "S7.1": ("%", D(2), None),
    "D12.3": ("%", D(90), None),
    "D12.4": ("%", D(90), None),
    "D14.2": ("次", D(1), None),
    "D14.3": ("次", D(1), None),
}


def test_auto_rules(shipped: Rubric) -> None:
    auto = {c.code: c.auto for c in shipped.criteria if c.auto is not None}
    assert set(auto) == set(EXPECTED_AUTO)
    for code, (unit, minimum, maximum) in EXPECTED_AUTO.items():
        rule = auto[code]
        assert (rule.unit, rule.minimum, rule.maximum) == (unit, minimum, maximum), code
        assert rule.label


AUTO_CASES = [
    ("L2.3", "24", "2.5"),
    ("L2.3", "30", "2.5"),
    ("L2.3", "23.5", "2"),
    ("L2.3", "22", "2"),
    ("L2.3", "21.9", "1.5"),
    ("L2.3", "16", "0.5"),
    ("L2.3", "14", "0"),
    ("L2.3", "0", "0"),
    ("L2.4", "40", "2"),
    ("L2.4", "39", "1.5"),
    ("L2.4", "36", "1.5"),
    ("L2.4", "35", "1"),
    ("L2.4", "24", "0"),
    ("L3.2", "2", "2"),
    ("L3.2", "4", "2"),
    ("L3.2", "1", "1"),
    ("L3.2", "0", "0"),
    ("L3.3", "100", "2"),
    ("L3.3", "99", "1.5"),
    ("L3.3", "90", "1.5"),
    ("L3.3", "89.9", "1"),
    ("L3.3", "60", "0"),
    ("S4.2", "3", "1.5"),
    ("S4.2", "25", "1.5"),
    ("S4.2", "12", "1.5"),
    ("S4.2", "2", "1"),
    ("S4.2", "26", "1"),
    ("S4.2", "28", "0"),
    ("S4.2", "0", "0"),
    ("S6.2", "100", "2"),
    ("S6.2", "95", "1.5"),
    ("S6.2", "90", "1.5"),
    ("S6.2", "80", "1"),
    ("S6.2", "50", "0"),
    ("S7.1", "2", "1.5"),
    ("S7.1", "3.5", "1.5"),
    ("S7.1", "1.9", "1"),
    ("S7.1", "1.5", "1"),
    ("S7.1", "1.4", "0.5"),
    ("S7.1", "0.5", "0"),
    ("D12.3", "100", "1"),
    ("D12.3", "90", "1"),
    ("D12.3", "89.99", "0.5"),
    ("D12.3", "80", "0.5"),
    ("D12.3", "79.99", "0"),
    ("D12.3", "0", "0"),
    ("D12.4", "90", "1"),
    ("D12.4", "89.99", "0.5"),
    ("D12.4", "80", "0.5"),
    ("D12.4", "79.99", "0"),
    ("D14.2", "1", "2"),
    ("D14.2", "3", "2"),
    ("D14.2", "0", "0"),
    ("D14.3", "1", "2"),
    ("D14.3", "0", "0"),
]


@pytest.mark.parametrize(("code", "figure", "expected"), AUTO_CASES)
def test_auto_points_at_boundaries(shipped: Rubric, code: str, figure: str, expected: str) -> None:
    c = shipped.criterion(code)
    assert c.auto is not None
    assert auto_points(c.auto, D(figure), c.max_points) == D(expected)


def test_rubric_accessors(shipped: Rubric) -> None:
    assert shipped.criterion("L2.3").title == "党员年度学习教育培训学时"
    with pytest.raises(KeyError):
        shipped.criterion("X9")
    with pytest.raises(KeyError):
        shipped.by_star("学习星")
    with pytest.raises(ValueError, match="unknown kind 'criteria'"):
        shipped.items("criteria")
    assert sum(len(shipped.items(k)) for k in KINDS) == len(shipped.criteria)
    assert all(c.kind == "criterion" for c in shipped.by_star("learning"))


# --------------------------------------------------------------------------- round trips


def test_dump_parse_round_trip(shipped: Rubric) -> None:
    text = dump_rubric(shipped)
    assert parse_rubric(text) == shipped
    assert dump_rubric(parse_rubric(text)) == text


def test_round_trip_keeps_custom_thresholds_and_bases() -> None:
    text = (
        make_yaml(base={"learning": "18"}, points={"learning": "4.5"})
        .replace("star_ratio: 0.85", "star_ratio: 0.8")
        .replace("cap: 5", "cap: 3.5")
    )
    r = parse_rubric(text)
    assert r.bases["learning"] == D(18)
    assert r.thresholds == Thresholds(D("0.8"), D(90), D("3.5"), D("0.25"))
    assert parse_rubric(dump_rubric(r)) == r
    records = rubric_to_records(r)
    assert rubric_from_records(r.title, r.version, r.thresholds, r.bases, records) == r


def test_numbers_are_exact() -> None:
    r = parse_rubric(make_yaml().replace("star_ratio: 0.85", "star_ratio: 0.1"))
    assert r.thresholds.star_ratio == D("0.1")
    assert isinstance(r.criterion("L1.1").max_points, Decimal)


def test_records_round_trip(shipped: Rubric) -> None:
    records = rubric_to_records(shipped)
    assert len(records) == len(shipped.criteria)
    first = records[shipped.criterion("L2.3").sort_order]
    assert first["auto_minimum"] == D(24)
    assert first["auto_unit"] == "学时"
    assert first["auto_maximum"] is None
    assert isinstance(first["max_points"], Decimal)
    veto = records[-1]
    assert veto["kind"] == "veto"
    assert veto["auto_unit"] is None
    assert veto["max_points"] == 0
    rebuilt = rubric_from_records(
        shipped.title,
        shipped.version,
        shipped.thresholds,
        shipped.bases,
        list(reversed(records)),
        vanguard=shipped.vanguard,
    )
    assert rebuilt == shipped


def test_records_from_a_database() -> None:
    """Values as a database returns them: floats, 0/1 booleans, strings for Decimals."""
    r = parse_rubric(make_yaml())
    records = rubric_to_records(r)
    for record in records:
        record["max_points"] = float(record["max_points"])
        record["evidence_required"] = int(record["evidence_required"])
        for name in ("auto_minimum", "auto_step", "auto_per_step"):
            if record[name] is not None:
                record[name] = str(record[name])
    assert rubric_from_records(r.title, r.version, r.thresholds, r.bases, records) == r


def test_records_errors_have_no_line() -> None:
    r = parse_rubric(make_yaml())
    records = rubric_to_records(r)
    records[0]["max_points"] = D("0.3")
    with pytest.raises(RubricError, match=r"0\.5 的整数倍") as info:
        rubric_from_records(r.title, r.version, r.thresholds, r.bases, records)
    assert info.value.line is None
    records = rubric_to_records(r)
    records[0]["kind"] = "bogus"
    with pytest.raises(RubricError, match="类型"):
        rubric_from_records(r.title, r.version, r.thresholds, r.bases, records)


# --------------------------------------------------------------------------- loading


def test_load_rubric_sources(tmp_path: Path) -> None:
    text = make_yaml()
    expected = parse_rubric(text)
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_rubric(path) == expected
    assert load_rubric(str(path)) == expected
    assert load_rubric(text) == expected
    with pytest.raises(FileNotFoundError):
        load_rubric(tmp_path / "missing.yaml")
    with pytest.raises(FileNotFoundError):
        load_rubric(str(tmp_path / "missing.yml"))


# --------------------------------------------------------------------------- validation


def make_yaml(
    counts: dict[str, int] | None = None,
    base: dict[str, str] | None = None,
    points: dict[str, str] | None = None,
) -> str:
    """A small valid rubric; every line that tests aim at is unique (trailing comments)."""
    counts = counts or {}
    base = base or {}
    points = points or {}
    lines = [
        "title: 测试细则",
        "version: 1",
        "thresholds:",
        "  star_ratio: 0.85",
        "  five_star_composite: 90",
        "  excellence_ratio: 0.25",
        "stars:",
    ]
    for i, key in enumerate(STAR_KEYS, start=1):
        lines += [
            f"  - key: {key}",
            f"    name: {STAR_NAMES[key]}",
            f"    base: {base.get(key, '20')}  # {key}",
            f"    tasks:  # {key}",
            f"      - task_no: {i}",
            f"        title: 任务{i}",
            "        criteria:",
        ]
        for j in range(1, counts.get(key, 4) + 1):
            code = f"{PREFIX[key]}{i}.{j}"
            lines += [
                f"          - code: {code}",
                f"            title: 细则{code}",
                f"            standard: 标准{code}",
                f"            deduction_rule: 扣分办法{code}",
                f"            max_points: {points.get(key, '5')}  # {code}",
                f"            evidence: 台账{code}",
                f"            check_method: 查阅台账{code}",
            ]
            if code == "L1.1":
                lines += [
                    "            evidence_required: true",
                    "            auto:  # L1.1",
                    "              unit: 学时",
                    "              label: 人均学时",
                    "              minimum: 24",
                    "              step: 2",
                    "              per_step: 0.5",
                ]
    lines += [
        "bonus:",
        "  cap: 5",
        "  items:",
        "    - code: B1",
        "      title: 市级以上表彰",
        "      award_rule: 市级加1分",
        "      max_points: 2  # B1",
        "      evidence: 表彰文件",
        "deductions:",
        "  - code: D1",
        "    title: 被通报批评",
        "    deduction_rule: 每次扣1分",
        "    max_points: 2  # D1",
        "vetoes:",
        "  - code: V1",
        "    title: 严重违纪违法",
        "    standard: 受到党纪政务处分",
    ]
    return "\n".join(lines) + "\n"


def line_of(text: str, marker: str, nth: int = 1) -> int:
    """1-based line of the nth line containing marker."""
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if marker in line]
    return hits[nth - 1]


def test_template_is_valid() -> None:
    r = parse_rubric(make_yaml())
    assert [len(r.by_star(k)) for k in STAR_KEYS] == [4] * 5
    assert r.criterion("L1.1").auto == scoring.AutoRule(
        unit="学时", label="人均学时", minimum=D(24), step=D(2), per_step=D("0.5")
    )
    assert r.criterion("B1").deduction_rule == "市级加1分"
    assert r.criterion("V1").max_points == 0
    assert [c.code for c in r.criteria][-3:] == ["B1", "D1", "V1"]


def test_bases_need_not_be_20() -> None:
    r = parse_rubric(make_yaml(base={"innovation": "12"}, points={"innovation": "3"}))
    assert r.bases["innovation"] == D(12)


def test_stars_out_of_order_keep_canonical_order() -> None:
    text = make_yaml()
    block = re.search(r"  - key: learning\n.*?(?=  - key: )", text, flags=re.S)
    assert block is not None
    moved = text.replace(block.group(0), "").replace("bonus:", block.group(0) + "bonus:", 1)
    assert moved.index("key: learning") > moved.index("key: innovation")
    r = parse_rubric(moved)
    assert r == parse_rubric(text)
    assert [s.key for s in r.stars] == list(STAR_KEYS)
    assert r.criteria[0].code == "L1.1"


def test_shipped_file_is_plain_yaml() -> None:
    """Other tools read it too: every key a string (no YAML 1.1 `no:` → False surprises)."""

    def keys(node: object) -> list[object]:
        if isinstance(node, dict):
            return [*node, *(k for v in node.values() for k in keys(v))]
        if isinstance(node, list):
            return [k for v in node for k in keys(v)]
        return []

    data = yaml.safe_load(default_rubric_path().read_text(encoding="utf-8"))
    assert all(isinstance(k, str) for k in keys(data))


def _drop_star(text: str, key: str) -> str:
    return re.sub(rf"  - key: {key}\n.*?(?=  - key: |bonus:)", "", text, flags=re.S)


def _drop_line(text: str, marker: str) -> str:
    return "\n".join(line for line in text.splitlines() if marker not in line) + "\n"


# (id, mutate(text) -> text, marker of the offending line (nth occurrence), message fragment)
MUTATIONS = [
    (
        "unknown-star",
        lambda t: t.replace("key: service", "key: servise"),
        ("key: servise", 1),
        "未知的星级“servise”",
    ),
    (
        "duplicate-star",
        lambda t: _drop_star(t, "standard").replace("key: service", "key: learning"),
        ("key: learning", 2),
        "重复",
    ),
    (
        "missing-star",
        lambda t: _drop_star(t, "innovation"),
        ("stars:", 1),
        "缺少星级：创新星",
    ),
    (
        "star-name-mismatch",
        lambda t: t.replace("name: 服务星", "name: 民主星"),
        ("name: 民主星", 1),
        "名称应为“服务星”",
    ),
    ("base-zero", lambda t: t.replace("base: 20  # service", "base: 0"), ("base: 0", 1), "基本分"),
    (
        "base-not-half-step",
        lambda t: t.replace("base: 20  # service", "base: 20.2"),
        ("base: 20.2", 1),
        "0.5 的正整数倍",
    ),
    (
        "star-sum",
        lambda t: t.replace("max_points: 5  # L1.2", "max_points: 4.5"),
        ("base: 20  # learning", 1),
        "学习星的细则合计 19.5 分，应等于基本分 20 分",
    ),
    (
        "too-few-criteria",
        lambda _t: make_yaml(counts={"democracy": 3}),
        ("tasks:  # democracy", 1),
        "民主星有 3 条细则，应为 4～10 条",
    ),
    (
        "too-many-criteria",
        lambda _t: make_yaml(counts={"democracy": 11}),
        ("tasks:  # democracy", 1),
        "民主星有 11 条细则",
    ),
    (
        "duplicate-code",
        lambda t: t.replace("code: S2.3", "code: L1.2"),
        ("code: L1.2", 2),
        "编号“L1.2”重复（首次出现在第",
    ),
    (
        "duplicate-code-across-kinds",
        lambda t: t.replace("code: D1", "code: B1"),
        ("code: B1", 2),
        "编号“B1”重复",
    ),
    (
        "bad-code",
        lambda t: t.replace("code: V3.2", "code: v3-2"),
        ("code: v3-2", 1),
        "格式不正确",
    ),
    (
        "max-points-zero",
        lambda t: t.replace("max_points: 5  # I5.4", "max_points: 0"),
        ("max_points: 0", 1),
        "应为正数",
    ),
    (
        "max-points-negative",
        lambda t: t.replace("max_points: 2  # D1", "max_points: -2"),
        ("max_points: -2", 1),
        "应为正数",
    ),
    (
        "max-points-not-half-step",
        lambda t: t.replace("max_points: 5  # I5.4", "max_points: 4.75"),
        ("max_points: 4.75", 1),
        "0.5 的整数倍",
    ),
    (
        "max-points-not-a-number",
        lambda t: t.replace("max_points: 5  # I5.4", "max_points: 五分"),
        ("max_points: 五分", 1),
        "应为数字",
    ),
    (
        "veto-with-points",
        lambda t: t + "    max_points: 1\n",
        ("max_points: 1", 1),
        "未知的键“max_points”",
    ),
    (
        "empty-standard",
        lambda t: t.replace("standard: 标准S2.2", "standard:  # 空"),
        ("standard:  # 空", 1),
        "细则 S2.2 的评价标准（standard）不能为空",
    ),
    (
        "blank-title",
        lambda t: t.replace("title: 细则S2.2", "title: '  '"),
        ("title: '  '", 1),
        "不能为空",
    ),
    (
        "missing-check-method",
        lambda t: _drop_line(t, "check_method: 查阅台账V3.1"),
        ("code: V3.1", 1),
        "缺少考核方式（check_method）",
    ),
    (
        "bonus-missing-evidence",
        lambda t: _drop_line(t, "evidence: 表彰文件"),
        ("code: B1", 1),
        "缺少佐证材料（evidence）",
    ),
    (
        "bonus-evidence-not-required",
        lambda t: t.replace(
            "evidence: 表彰文件", "evidence: 表彰文件\n      evidence_required: no"
        ),
        ("evidence_required: no", 1),
        "必须提供佐证材料",
    ),
    (
        "evidence-required-not-bool",
        lambda t: t.replace("evidence_required: true", "evidence_required: 是"),
        ("evidence_required: 是", 1),
        "true 或 false",
    ),
    (
        "auto-missing-unit",
        lambda t: _drop_line(t, "unit: 学时"),
        ("auto:  # L1.1", 1),
        "缺少单位（unit）",
    ),
    (
        "auto-empty-label",
        lambda t: t.replace("label: 人均学时", "label: ''"),
        ("label: ''", 1),
        "不能为空",
    ),
    (
        "auto-no-bounds",
        lambda t: _drop_line(t, "minimum: 24"),
        ("auto:  # L1.1", 1),
        "至少要设下限（minimum）或上限（maximum）之一",
    ),
    (
        "auto-min-above-max",
        lambda t: t.replace("minimum: 24", "minimum: 24\n              maximum: 20"),
        ("minimum: 24", 1),
        "下限 24 大于上限 20",
    ),
    (
        "auto-step-zero",
        lambda t: t.replace("step: 2", "step: 0"),
        ("step: 0", 1),
        "步长（step）应大于 0",
    ),
    (
        "auto-per-step-zero",
        lambda t: t.replace("per_step: 0.5", "per_step: 0"),
        ("per_step: 0", 1),
        "每步扣分（per_step）应为 0.5 的正整数倍",
    ),
    (
        "auto-per-step-not-half-step",
        lambda t: t.replace("per_step: 0.5", "per_step: 0.3"),
        ("per_step: 0.3", 1),
        "0.5 的正整数倍，而不是 0.3",
    ),
    (
        "auto-unknown-key",
        lambda t: t.replace("step: 2", "stepp: 2"),
        ("stepp: 2", 1),
        "是否应为步长（step）",
    ),
    ("bonus-cap-negative", lambda t: t.replace("cap: 5", "cap: -1"), ("cap: -1", 1), "加分上限"),
    (
        "bonus-cap-conflict",
        lambda t: t.replace("  excellence_ratio: 0.25", "  excellence_ratio: 0.25\n  bonus_cap: 4"),
        ("cap: 5", 1),
        "加分上限前后不一致",
    ),
    (
        "star-ratio-zero",
        lambda t: t.replace("star_ratio: 0.85", "star_ratio: 0"),
        ("star_ratio: 0", 1),
        "star_ratio",
    ),
    (
        "star-ratio-above-one",
        lambda t: t.replace("star_ratio: 0.85", "star_ratio: 1.2"),
        ("star_ratio: 1.2", 1),
        "不超过 1",
    ),
    (
        "composite-zero",
        lambda t: t.replace("five_star_composite: 90", "five_star_composite: 0"),
        ("five_star_composite: 0", 1),
        "five_star_composite",
    ),
    (
        "composite-above-bases",
        lambda t: t.replace("five_star_composite: 90", "five_star_composite: 100.5"),
        ("five_star_composite: 100.5", 1),
        "不超过各星基本分之和 100",
    ),
    (
        "composite-above-default-bases",
        lambda _t: _drop_line(
            make_yaml(base=dict.fromkeys(STAR_KEYS, "16"), points=dict.fromkeys(STAR_KEYS, "4")),
            "five_star_composite",
        ),
        ("thresholds:", 1),
        "不超过各星基本分之和 80，而不是 90",
    ),
    (
        "composite-above-default-bases-no-thresholds",
        lambda _t: re.sub(
            r"thresholds:\n(  .*\n)+",
            "",
            make_yaml(base=dict.fromkeys(STAR_KEYS, "16"), points=dict.fromkeys(STAR_KEYS, "4")),
        ),
        ("stars:", 1),
        "不超过各星基本分之和 80，而不是 90",
    ),
    (
        "excellence-ratio-zero",
        lambda t: t.replace("excellence_ratio: 0.25", "excellence_ratio: 0"),
        ("excellence_ratio: 0", 1),
        "excellence_ratio",
    ),
    (
        "excellence-ratio-above-one",
        lambda t: t.replace("excellence_ratio: 0.25", "excellence_ratio: 25"),
        ("excellence_ratio: 25", 1),
        "不超过 1",
    ),
    (
        "unknown-top-key",
        lambda t: t.replace("title: 测试细则", "title: 测试细则\nversoin: 2"),
        ("versoin: 2", 1),
        "未知的键“versoin”，是否应为版本号（version）",
    ),
    (
        "unknown-criterion-key",
        lambda t: t.replace("evidence: 台账S2.1", "evidense: 台账S2.1"),
        ("evidense: 台账S2.1", 1),
        "是否应为佐证材料（evidence）",
    ),
    (
        "duplicate-key",
        lambda t: t.replace("title: 细则S2.1", "title: 细则S2.1\n            title: 又一个"),
        ("title: 又一个", 1),
        "键“title”重复",
    ),
    (
        "missing-title",
        lambda t: t.replace("title: 测试细则\n", ""),
        ("version: 1", 1),
        "缺少名称（title）",
    ),
    (
        "version-not-integer",
        lambda t: t.replace("version: 1", "version: 1.5"),
        ("version: 1.5", 1),
        "应为整数",
    ),
    (
        "version-zero",
        lambda t: t.replace("version: 1", "version: 0"),
        ("version: 0", 1),
        "版本号",
    ),
    (
        "duplicate-task",
        lambda t: t.replace("task_no: 3", "task_no: 2"),
        ("task_no: 2", 2),
        "任务序号 2 重复",
    ),
    (
        "criteria-not-a-list",
        lambda t: t[: t.index("vetoes:")] + "vetoes: 无\n",
        ("vetoes: 无", 1),
        "应为列表",
    ),
    (
        "criterion-not-a-mapping",
        lambda t: t.replace(
            "          - code: D4.4\n", "          - D4.4\n          - code: D4.4\n"
        ),
        ("- D4.4", 1),
        "映射",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "marker", "fragment"),
    [pytest.param(m, k, f, id=i) for i, m, k, f in MUTATIONS],
)
def test_validation_error(
    mutate: Callable[[str], str], marker: tuple[str, int], fragment: str
) -> None:
    text = mutate(make_yaml())
    with pytest.raises(RubricError) as info:
        parse_rubric(text)
    error = info.value
    expected_line = line_of(text, *marker)
    assert error.line == expected_line, (str(error), text)
    assert str(error).startswith(f"第 {expected_line} 行：")
    assert fragment in str(error)
    assert isinstance(error, ValueError)


def test_yaml_syntax_error_names_its_line() -> None:
    text = make_yaml().replace("        title: 任务3", "        title: 任务: 3")
    with pytest.raises(RubricError, match="YAML 格式错误") as info:
        parse_rubric(text)
    assert info.value.line == line_of(text, "title: 任务: 3")
    assert str(info.value).startswith(f"第 {info.value.line} 行：")


def test_yaml_syntax_error_unclosed_quote() -> None:
    text = make_yaml().replace("title: 细则L1.3", 'title: "细则L1.3')
    with pytest.raises(RubricError, match="YAML 格式错误") as info:
        parse_rubric(text)
    assert info.value.line is not None
    assert info.value.line >= line_of(text, '"细则L1.3')


@pytest.mark.parametrize("text", ["", "# 只有注释\n", "- 列表\n", "就是一句话"])
def test_not_a_rubric(text: str) -> None:
    with pytest.raises(RubricError):
        parse_rubric(text)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("        title: 任务3", "        title：任务3", "title"),
        ("          - code: D4.4", "          - code：D4.4", "code"),
        ("        title: 任务3", "        title ： 任务3", "title"),
    ],
)
def test_a_full_width_colon_is_named_on_its_line(old: str, new: str, key: str) -> None:
    """Before: PyYAML read the line as text and failed lines later in English."""
    text = make_yaml().replace(old, new, 1)
    with pytest.raises(RubricError) as info:
        parse_rubric(text)
    assert info.value.line == line_of(text, new.strip())
    assert "全角冒号" in str(info.value)
    assert f"“{key}: ”" in str(info.value)


def test_tab_indentation_is_named_on_its_line() -> None:
    text = make_yaml().replace("        title: 任务3", "\ttitle: 任务3", 1)
    with pytest.raises(RubricError) as info:
        parse_rubric(text)
    assert info.value.line == line_of(text, "\ttitle: 任务3")
    assert "制表符" in str(info.value)


def test_yaml_problems_are_told_in_chinese() -> None:
    text = make_yaml().replace("        title: 任务3", "        title: 任务: 3")
    with pytest.raises(RubricError) as info:
        parse_rubric(text)
    message = str(info.value)
    assert "mapping values" not in message
    assert "半角冒号" in message


def test_field_names_are_chinese_with_the_key_to_type() -> None:
    text = make_yaml().replace("evidence:", "佐证材料:", 1)
    with pytest.raises(RubricError) as info:
        parse_rubric(text)
    assert "是否应为佐证材料（evidence）" in str(info.value)


def test_previous_code_maps_an_item_and_is_not_part_of_the_rubric() -> None:
    base = parse_rubric(make_yaml())
    text = make_yaml().replace(
        "- code: L1.1\n", "- code: L1.1\n            previous_code: L1.2\n", 1
    )
    mapped = parse_rubric(text)
    assert mapped.previous_codes == {"L1.1": "L1.2"}
    assert mapped.criteria == base.criteria
    twice = text.replace("- code: L1.3\n", "- code: L1.3\n            previous_code: L1.2\n", 1)
    with pytest.raises(RubricError, match=r"原编号“L1\.2”被多条细则引用") as info:
        parse_rubric(twice)
    assert info.value.line is not None


def test_a_full_width_colon_in_text_is_content() -> None:
    text = make_yaml().replace("        title: 任务3", "        title: |\n          PPT：任务3", 1)
    assert parse_rubric(text)


# --------------------------------------------------------------------------- 民主评议 ballot


def test_ballot_block_defaults_and_shipped(shipped: Rubric) -> None:
    from rubric import DEFAULT_BALLOT, BallotRules

    assert parse_rubric(make_yaml()).ballot == DEFAULT_BALLOT
    assert shipped.ballot == BallotRules(("优秀", "合格", "基本合格", "不合格"), 1, 5, True)
    rules = shipped.ballot
    assert [rules.points(i) for i in range(4)] == [4, 3, 2, 1]
    assert [rules.passes(i) for i in range(4)] == [True, True, False, False]
    with pytest.raises(ValueError, match="rating 4 is not on a scale of 4"):
        rules.points(4)


def test_ballot_block_round_trips_and_sets_every_field() -> None:
    text = make_yaml() + (
        "ballot:\n"
        "  scale: [好, 较好, 一般]\n"
        "  passing: 较好\n"
        "  minimum_ballots: 7\n"
        "  rate_branch: false\n"
    )
    r = parse_rubric(text)
    assert (r.ballot.scale, r.ballot.passing, r.ballot.minimum_ballots) == (
        ("好", "较好", "一般"),
        1,
        7,
    )
    assert r.ballot.rate_branch is False
    assert parse_rubric(dump_rubric(r)) == r


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("  scale: [优秀]  # bad", "评价等次（scale）应有 2～6 个，而不是 1 个"),
        ("  scale: [优秀, 合格, 优秀]  # bad", "评价等次“优秀”重复"),
        ("  scale: [非常非常非常非常优秀, 合格]  # bad", "评价等次“非常非常非常非常优秀”太长"),
        ("  passing: 良好  # bad", "合格线（passing）“良好”不是评价等次之一"),
        ("  minimum_ballots: 0  # bad", "最少票数（minimum_ballots）应为 1～100 的整数，而不是 0"),
        ("  minimum_ballots: 2.5  # bad", "最少票数（minimum_ballots）应为整数"),
        ("  rate_branch: 是  # bad", "评议支部工作（rate_branch）应为 true 或 false"),
        ("  minimum: 5  # bad", "民主评议投票（ballot）中有未知的键“minimum”"),
    ],
)
def test_ballot_block_errors_are_chinese_on_their_line(block: str, message: str) -> None:
    text = make_yaml() + "ballot:\n" + block + "\n"
    with pytest.raises(RubricError) as caught:
        parse_rubric(text)
    assert message in str(caught.value)
    assert caught.value.line == line_of(text, "# bad")


def test_a_years_ballot_block_is_stored_and_read_back_validated() -> None:
    """What cycle.ballot_rules keeps: the block as JSON, read back through the same checks
    and Chinese messages as the file's block; an empty text is no rule (never a default)."""
    from rubric import ballot_from_json, ballot_to_json

    rules = parse_rubric(
        make_yaml() + "ballot:\n  scale: [好, 较好, 一般]\n  passing: 一般\n  minimum_ballots: 3\n"
    ).ballot
    stored = ballot_to_json(rules)
    assert "好" in stored  # readable in the database, not escaped
    assert ballot_from_json(stored) == rules
    with pytest.raises(RubricError, match="本年度的评价细则没有保存民主评议投票（ballot）规则"):
        ballot_from_json("")
    for broken, message in (
        ('{"scale": ["优秀"]}', "评价等次（scale）应有 2～6 个，而不是 1 个"),
        ('{"minimum_ballots": 101}', "最少票数（minimum_ballots）应为 1～100 的整数，而不是 101"),
        ('{"passing": "良好"}', "合格线（passing）“良好”不是评价等次之一"),
        ('{"minimum": 5}', "民主评议投票（ballot）中有未知的键“minimum”"),
    ):
        with pytest.raises(RubricError, match=message):
            ballot_from_json(broken)


def test_the_rubric_read_back_from_records_keeps_its_ballot_block() -> None:
    from rubric import rubric_from_records, rubric_to_records

    r = parse_rubric(make_yaml() + "ballot:\n  minimum_ballots: 9\n  rate_branch: false\n")
    again = rubric_from_records(
        r.title, r.version, r.thresholds, r.bases, rubric_to_records(r), ballot=r.ballot
    )
    assert again.ballot == r.ballot
    assert again.ballot.minimum_ballots == 9


def test_the_democracy_criteria_take_their_figures_from_the_members(shipped: Rubric) -> None:
    """The shipped 民主星 names the ballot's participation and the share rated 合格 or better;
    规范星 S6.2 the share evaluated. Each figure is the system's, never typed."""
    sources = {c.code: c.auto.source for c in shipped.criteria if c.auto and c.auto.source}
    assert sources == {
        "S6.2": "vanguard_evaluated",
        "D12.3": "ballot_participation",
        "D12.4": "vanguard_passing",
    }
    for code in ("D12.3", "D12.4"):
        assert shipped.criterion(code).star == "democracy"
        assert not shipped.criterion(code).evidence_required
