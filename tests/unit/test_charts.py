"""Leadership chart specs: every bar keeps its label, one colour meaning, a 0–100% heat map."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd

from texts import leadership as T
from ui import charts


def _spec(chart) -> dict:
    return chart.to_dict()


def _walk(spec: object):
    if isinstance(spec, dict):
        yield spec
        for value in spec.values():
            yield from _walk(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _walk(value)


def _attainment() -> pd.DataFrame:
    rows = []
    for year, share, target in [(2018, 0.733, 0.7), (2019, 0.787, 0.8), (2020, 0.893, 0.9)]:
        rows.append((year, T.CITY_SCOPE, 150, int(share * 150), share, target, share >= target, 0))
        rows.append((year, "越城区", 20, 10, 0.5, target, False, 8))
        rows.append((year, "柯桥区", 20, 19, 0.95, target, True, 0))
    columns = ["year", "scope", "total", "five_star", "share", "target", "met", "needed"]
    return pd.DataFrame(rows, columns=columns)


def test_horizontal_bar_charts_keep_every_category_label() -> None:
    stats = pd.DataFrame(
        {
            "code": [f"L{i}.1" for i in range(10)],
            "title": [f"细则{i}" for i in range(10)],
            "star": ["learning"] * 10,
            "avg_share": [0.5 + i / 100 for i in range(10)],
            "full_share": [0.2] * 10,
        }
    )
    reasons = pd.DataFrame(
        {"reason": [f"star:{k}" for k in charts.scoring.STAR_KEYS] + ["composite", "veto"]}
    ).assign(orgs=[3, 3, 3, 2, 2, 2, 0])
    for chart, n in ((charts.weakest_chart(stats), 10), (charts.missed_chart(reasons), 7)):
        spec = _spec(chart)
        axes = [d["axis"] for d in _walk(spec) if isinstance(d.get("axis"), dict)]
        assert any(a.get("labelOverlap") is False for a in axes)
        assert spec["height"] >= charts.BAR_STEP * n
        # A value label on every bar (a text layer over the same rows).
        marks = [layer["mark"]["type"] for layer in spec["layer"]]
        assert marks == ["bar", "text"]


def test_target_chart_labels_run_upwards_and_colours_mean_met() -> None:
    spec = _spec(charts.target_chart(_attainment(), T.CITY_SCOPE))
    texts = [d for d in _walk(spec) if d.get("type") == "text" and "angle" in d]
    assert texts
    assert all(t["angle"] == 270 for t in texts)
    scales = [d["scale"] for d in _walk(spec) if isinstance(d.get("scale"), dict)]
    colours = next(s for s in scales if "range" in s and T.MET in s.get("domain", []))
    meaning = dict(zip(colours["domain"], colours["range"], strict=True))
    assert meaning[T.MET] == charts.MET_COLOR
    assert meaning[T.NOT_MET] == charts.NOT_MET_COLOR


def test_wall_screen_region_bars_are_red_only_when_below_the_target() -> None:
    attain = _attainment()
    spec = _spec(charts.region_share_bars(attain, 2020, T.CITY_SCOPE))
    data = json.dumps(spec, ensure_ascii=False)
    scale = next(
        d["scale"]
        for d in _walk(spec)
        if isinstance(d.get("scale"), dict) and T.NOT_MET in d["scale"].get("domain", [])
    )
    meaning = dict(zip(scale["domain"], scale["range"], strict=True))
    assert meaning == {T.MET: charts.MET_COLOR, T.NOT_MET: charts.NOT_MET_COLOR}
    assert '"status": "达标"' in data
    assert '"status": "未达标"' in data
    # Each bar's figure with one decimal, as the tables and the year chart beside it ("52.2%").
    labels = [d for d in _walk(spec) if d.get("field") == "share" and "format" in d]
    assert {d["format"] for d in labels if "title" not in d} == {".1%"}


def test_heat_map_scale_spans_0_to_100_percent_with_the_85_line() -> None:
    shares = pd.DataFrame(
        {
            "region": ["诸暨市", "越城区"],
            "star": ["learning", "learning"],
            "share": [0.14, 0.9],
            "lit": [1, 9],
            "total": [7, 10],
        }
    )
    spec = _spec(charts.star_heatmap(shares, Decimal("0.85")))
    scale = next(
        d["scale"]
        for d in _walk(spec)
        if isinstance(d.get("scale"), dict) and "range" in d["scale"]
    )
    assert scale["domain"][0] == 0
    assert scale["domain"][-1] == 1
    assert 0.85 in scale["domain"]
    legend = next(d["legend"] for d in _walk(spec) if isinstance(d.get("legend"), dict))
    assert 0.85 in legend["values"]
    assert "85%" in spec["title"]["subtitle"]
    # A rubric with another star ratio moves the line.
    other = _spec(charts.star_heatmap(shares, Decimal("0.8")))
    assert "80%" in other["title"]["subtitle"]


def test_screen_readers_hear_the_chinese_title_not_vega_english() -> None:
    chart = charts.big(charts.target_chart(_attainment(), T.CITY_SCOPE))
    spec = charts.accessible(chart.to_dict())
    assert spec["description"] == f"图表：{T.CH_TARGET}"
    config = spec["config"]
    assert config["aria"] is False
    assert all(config[part]["aria"] is False for part in ("mark", "axis", "legend", "title"))
    assert config["title"]["fontSize"] == 24  # the wall screen's own title config is kept
    titles = [s["title"] for s in _walk(spec) if isinstance(s.get("title"), dict)]
    assert titles
    assert all(t["aria"] is False for t in titles if "text" in t)
    assert charts.accessible({"mark": "bar"})["description"] == T.CHART_WORD


def test_streamlit_label_patterns_turn_names_into_chinese() -> None:
    """The chrome script's patterns (JavaScript regular expressions, same syntax here)."""
    import re

    from texts.chrome import STREAMLIT_PATTERNS

    def chinese(label: str) -> str:
        for pattern, to in STREAMLIT_PATTERNS:
            if re.search(pattern, label):
                return re.sub(pattern, to.replace("$1", r"\1"), label)
        return label

    assert chinese("Help for 自评得分（0–2）") == "“自评得分（0–2）”的说明"
    assert chinese("cloud_done icon") == "图标"
    assert chinese("Remove 已提交") == "移除“已提交”"
    assert chinese("year, 起始日期") == "起始日期：年"
    assert chinese("学习星") == "学习星"


def test_long_category_labels_below_bars_go_on_two_lines() -> None:
    counts = pd.DataFrame(
        {"state": list(T.COMPLETION_NAMES), "orgs": range(len(T.COMPLETION_NAMES))}
    )
    assert any(len(name) > charts.LABEL_LINE_CHARS for name in T.COMPLETION_NAMES.values())
    spec = _spec(charts.completion_chart(counts))
    x_axes = [d["x"]["axis"] for d in _walk(spec) if isinstance(d.get("x"), dict)]
    assert x_axes
    assert all(a["labelExpr"] == charts.TWO_LINES and a["labelOverlap"] is False for a in x_axes)


def test_count_axes_leave_room_above_the_tallest_bar_for_its_figure() -> None:
    counts = pd.DataFrame({"state": list(T.COMPLETION_NAMES), "orgs": [70, 2, 2, 7, 12, 24, 33]})
    frame = pd.DataFrame({"composite": [95.0] * 42 + [10.0] * 5})
    for chart, tallest in (
        (charts.completion_chart(counts), 70),
        (charts.composite_histogram(frame, Decimal(90)), 42),
    ):
        scales = [
            d["y"]["scale"]
            for d in _walk(_spec(chart))
            if isinstance(d.get("y"), dict) and "scale" in d["y"]
        ]
        assert scales
        assert all(s["domain"][1] >= tallest * charts.HEADROOM for s in scales)


def test_a_count_chart_without_bars_still_draws() -> None:
    """A region where no organisation changed level: no bars, an axis from 0."""
    changes = pd.DataFrame({"year": [2025, 2026], "change": ["same", "same"]})
    scales = [
        d["y"]["scale"]
        for d in _walk(_spec(charts.changes_chart(changes)))
        if isinstance(d.get("y"), dict) and "scale" in d["y"]
    ]
    assert scales
    assert all(s["domain"][0] == 0 and s["domain"][1] >= 1 for s in scales)
