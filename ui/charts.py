"""Altair charts of the leadership screens.

Every chart has a Chinese title and axis titles; vertical axes carry their title horizontally
above the axis (rotated Chinese is hard to read). Altair and Vega come with Streamlit, and the
fonts are the theme's system fonts, so nothing is loaded from outside the server.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import formatting
import scoring
from texts import common as C
from texts import leadership as T
from ui import data

# One meaning per colour on every chart and on the wall screen: green is 达标 (a target met, a
# star lit, five-star), red is 未达标 (below the target or the line, a reason for missing);
# quantities without a verdict are blue, gold or grey.
GREEN = "#2e8b57"
RED = "#c0392b"
MET_COLOR = GREEN
NOT_MET_COLOR = RED
GOLD = "#d4a017"
GREY = "#9aa0a6"
BLUE = "#2f6f9f"
INK = "#1f2430"


def progress_column(**kwargs: Any) -> Any:
    """A table's progress bar over a 0–1 share: blue, a quantity and not a verdict (red and
    green mean 未达标 / 达标); its figure is drawn whole (ui.phone.percent_as_points)."""
    return st.column_config.ProgressColumn(
        format="percent", min_value=0.0, max_value=1.0, color=BLUE, **kwargs
    )


LEVEL_ORDER = [C.LEVEL_NAMES[k] for k in (5, 4, 3, 2, 1, 0)]
LEVEL_KEYS = [str(k) for k in (5, 4, 3, 2, 1, 0)]
LEVEL_COLORS = [MET_COLOR, BLUE, "#6b9ac4", "#8fa9bf", "#b4c3d0", "#d5dbe1"]
# Every result a chart names (formatting.standing_key): the levels, then 已否决 and 未开始,
# never drawn as 未定星.
STANDING_KEYS = [*LEVEL_KEYS, formatting.VETOED, formatting.NOT_STARTED]
STANDING_ORDER = [C.STANDING_NAMES[k] for k in STANDING_KEYS]
STANDING_COLORS = [*LEVEL_COLORS, NOT_MET_COLOR, GREY]
STAR_ORDER = [scoring.STAR_NAMES[k] for k in scoring.STAR_KEYS]
# Lines that only tell regions apart: no red or green, which mean 未达标 and 达标.
REGION_COLORS = ["#2f6f9f", "#d4a017", "#7b5ea7", "#6b9ac4", "#8c6d46", "#5f6b7a", "#e67e22"]
BAR_STEP = 30  # pixels per bar of a horizontal bar chart: every category label fits


HEADROOM = 1.2  # counts written over bars: the tallest one's stays clear of the axis title


def _count_scale(tallest: float) -> alt.Scale:
    """A count axis reaching a fifth above the tallest bar: its figure, written over it, sat
    on the axis title ("组织数" over "70")."""
    top = 0.0 if pd.isna(tallest) else float(tallest)  # no bars at all: max() of nothing is NaN
    return alt.Scale(domain=[0, max(1, math.ceil(top * HEADROOM))], nice=True)


def _y_axis(title: str, fmt: str | None = None, **extra: object) -> alt.Axis:
    """A vertical axis whose title reads horizontally, above the axis."""
    kwargs: dict[str, Any] = {
        "title": title,
        "titleAngle": 0,
        "titleAlign": "left",
        "titleAnchor": "end",
        "titleBaseline": "bottom",
        "titleY": -8,
        "titleX": 0,
        "titleFontWeight": "normal",
    }
    if fmt:
        kwargs["format"] = fmt
    kwargs.update(extra)
    return alt.Axis(**kwargs)


def _x_axis(title: str, fmt: str | None = None, **extra: object) -> alt.Axis:
    kwargs: dict[str, Any] = {
        "title": title,
        "labelAngle": 0,
        "titleFontWeight": "normal",
    }
    if fmt:
        kwargs["format"] = fmt
    kwargs.update(extra)
    return alt.Axis(**kwargs)


# A category label longer than this goes on two lines: side by side on a phone, 待初审 and
# 已提交待审 ran together ("待初审已提交待审已审核" under seven bars at 390 px).
LABEL_LINE_CHARS = 3
TWO_LINES = (
    f"length(datum.label) > {LABEL_LINE_CHARS} ? ["
    "slice(datum.label, 0, ceil(length(datum.label) / 2)), "
    "slice(datum.label, ceil(length(datum.label) / 2))] : datum.label"
)


def _category_x(title: str) -> alt.Axis:
    """Category labels below the bars, a long one on two lines; every label is drawn
    (Streamlit's theme would hide those it thinks overlap)."""
    return _x_axis(title, labelOverlap=False, labelExpr=TWO_LINES)


YEARS_FLAT = (
    6  # more years than this: their labels slant, so that on a phone they never run together
)


def _year_x(years: int) -> alt.Axis:
    """The year axis: every year labelled, slanted when many would not fit side by side on a
    phone ("2018201920202021" at 390 px)."""
    if years <= YEARS_FLAT:
        return _category_x(T.AX_YEAR)
    return _x_axis(T.AX_YEAR, labelOverlap=False, labelAngle=-45, labelAlign="right")


def _category_y(title: str) -> alt.Axis:
    """Category labels on the left (bar charts with long names); title above, horizontal.

    Streamlit's theme drops labels it considers overlapping (10 bars showed 5 names); here
    every bar keeps its name, and `_bar_height` gives each bar room for one.
    """
    return _y_axis(title, labelLimit=320, titleX=-6, titleAlign="right", labelOverlap=False)


def _bar_height(n: int, height: int) -> int:
    """At least BAR_STEP pixels per horizontal bar, so no label is crowded out."""
    return max(height, BAR_STEP * n + 40)


def _finish(
    chart: alt.TopLevelMixin, title: str, height: int = 300, subtitle: str = ""
) -> alt.TopLevelMixin:
    params = (
        alt.TitleParams(title, anchor="start", subtitle=subtitle)
        if subtitle
        else alt.TitleParams(title, anchor="start")
    )
    return chart.properties(title=params, height=height)


# --------------------------------------------------------------------------- targets


def target_chart(attain: pd.DataFrame, city_label: str, height: int = 300) -> alt.TopLevelMixin:
    """The city's five-star share per year (bars) against that year's target (line)."""
    city = attain[attain["scope"] == city_label].copy()
    city["year_label"] = city["year"].astype(str)
    city["status"] = city["met"].map({True: T.MET, False: T.NOT_MET}).fillna(T.NO_TARGET)
    palette = {T.MET: MET_COLOR, T.NOT_MET: NOT_MET_COLOR, T.NO_TARGET: GREY}
    present = [s for s in palette if s in set(city["status"])]
    base = alt.Chart(city).encode(
        x=alt.X("year_label:O", axis=_year_x(city["year_label"].nunique()))
    )
    bars = base.mark_bar(size=36).encode(
        y=alt.Y("share:Q", axis=_y_axis(T.AX_SHARE, ".0%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color(
            "status:N",
            title=None,
            scale=alt.Scale(domain=present, range=[palette[s] for s in present]),
            legend=alt.Legend(orient="right"),
        ),
        tooltip=[
            alt.Tooltip("year_label:O", title=T.AX_YEAR),
            alt.Tooltip("share:Q", title=T.AX_SHARE, format=".1%"),
            alt.Tooltip("target:Q", title=T.AX_TARGET, format=".0%"),
            alt.Tooltip("five_star:Q", title=T.KPI_FIVE),
            alt.Tooltip("total:Q", title=T.AX_ORGS),
        ],
    )
    # Labels run upwards inside each bar from its foot: nine years side by side never collide
    # (horizontal labels ran together as "89.3%92.0%88.7%") and the target line stays clear.
    city["tall"] = city["share"] >= 0.3
    inside = (
        base.transform_filter("datum.tall")
        .mark_text(angle=270, align="left", baseline="middle", dx=6, fontSize=13, color="white")
        .encode(y=alt.datum(0), text=alt.Text("share:Q", format=".1%"))
    )
    above = (
        base.transform_filter("!datum.tall")
        .mark_text(angle=270, align="left", baseline="middle", dx=4, fontSize=13, color=INK)
        .encode(y="share:Q", text=alt.Text("share:Q", format=".1%"))
    )
    target = base.mark_line(
        color=INK, strokeDash=[6, 4], point=alt.OverlayMarkDef(color=INK)
    ).encode(y="target:Q", tooltip=[alt.Tooltip("target:Q", title=T.AX_TARGET, format=".0%")])
    last = city.dropna(subset=["target"]).tail(1)
    target_label = (
        alt.Chart(last)
        .mark_text(align="right", dy=-10, fontSize=12, color=INK)
        .transform_calculate(label=f"'{T.AX_TARGET} ' + format(datum.target, '.0%')")
        .encode(x="year_label:O", y="target:Q", text="label:N")
    )
    layers = [bars, inside, above, target]
    if not last.empty:
        layers.append(target_label)
    return _finish(alt.layer(*layers), T.CH_TARGET, height)


def region_target_chart(
    attain: pd.DataFrame, city_label: str, height: int = 300
) -> alt.TopLevelMixin:
    """Each region's five-star share per year, with the target as a dashed line."""
    regions = attain[attain["scope"] != city_label].copy()
    regions["year_label"] = regions["year"].astype(str)
    base = alt.Chart(regions).encode(
        x=alt.X("year_label:O", axis=_year_x(regions["year_label"].nunique()))
    )
    lines = base.mark_line(point=True).encode(
        y=alt.Y("share:Q", axis=_y_axis(T.AX_SHARE, ".0%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color(
            "scope:N",
            title=T.AX_REGION,
            scale=alt.Scale(range=REGION_COLORS),
            legend=alt.Legend(orient="right"),
        ),
        tooltip=[
            alt.Tooltip("scope:N", title=T.AX_REGION),
            alt.Tooltip("year_label:O", title=T.AX_YEAR),
            alt.Tooltip("share:Q", title=T.AX_SHARE, format=".1%"),
            alt.Tooltip("five_star:Q", title=T.KPI_FIVE),
            alt.Tooltip("total:Q", title=T.AX_ORGS),
        ],
    )
    target_rows = regions.drop_duplicates("year_label")
    target = (
        alt.Chart(target_rows)
        .mark_line(color=INK, strokeDash=[6, 4])
        .encode(x="year_label:O", y="target:Q")
    )
    return _finish(alt.layer(lines, target), T.CH_REGION_TARGET, height)


def region_share_bars(
    attain: pd.DataFrame, year: int, city_label: str, height: int = 300
) -> alt.TopLevelMixin:
    """One year's five-star share per region, horizontal bars with the target rule."""
    rows = attain[(attain["year"] == year) & (attain["scope"] != city_label)].copy()
    rows["status"] = rows["met"].map({True: T.MET, False: T.NOT_MET}).fillna(T.NO_TARGET)
    palette = {T.MET: MET_COLOR, T.NOT_MET: NOT_MET_COLOR, T.NO_TARGET: GREY}
    present = [s for s in palette if s in set(rows["status"])]
    # Highest share first; an explicit order, which a layered chart keeps ("-x" it did not).
    order = rows.sort_values(["share", "scope"], ascending=[False, True])["scope"].tolist()
    bars = (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            y=alt.Y("scope:N", sort=order, axis=_category_y(T.AX_REGION)),
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(domain=present, range=[palette[s] for s in present]),
                legend=alt.Legend(orient="bottom"),
            ),
            x=alt.X("share:Q", axis=_x_axis(T.AX_SHARE, ".0%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("scope:N", title=T.AX_REGION),
                alt.Tooltip("share:Q", title=T.AX_SHARE, format=".1%"),
                alt.Tooltip("five_star:Q", title=T.KPI_FIVE),
                alt.Tooltip("total:Q", title=T.AX_ORGS),
            ],
        )
    )
    text = bars.mark_text(align="left", dx=4, fontSize=14).encode(
        text=alt.Text("share:Q", format=".1%"), color=alt.value(INK)
    )
    layers = [bars, text]
    target = rows["target"].dropna()
    if not target.empty:
        line = pd.DataFrame({"target": [float(target.iloc[0])]})
        rule = alt.Chart(line).mark_rule(color=INK, strokeDash=[6, 4]).encode(x="target:Q")
        # The line says what it is, above the first bar.
        label = (
            alt.Chart(line)
            .mark_text(align="center", baseline="bottom", dy=-4, fontSize=12, color=INK)
            .transform_calculate(label=f"'{T.AX_TARGET} ' + format(datum.target, '.0%')")
            .encode(x="target:Q", y=alt.value(0), text="label:N")
        )
        layers += [rule, label]
    return _finish(alt.layer(*layers), T.SCREEN_REGIONS, _bar_height(len(rows), height))


# --------------------------------------------------------------------------- distributions


def level_chart(frame: pd.DataFrame, height: int = 260) -> alt.TopLevelMixin:
    """How many organisations are at each level, with 已否决 and 未开始 apart from 未定星."""
    keys = formatting.standing_keys(frame).value_counts()
    names = STANDING_ORDER
    data = pd.DataFrame({"level": names, "orgs": [int(keys.get(k, 0)) for k in STANDING_KEYS]})
    base = alt.Chart(data).encode(
        x=alt.X("level:N", sort=names, axis=_category_x(T.AX_LEVEL)),
        y=alt.Y("orgs:Q", axis=_y_axis(T.AX_ORGS, "d"), scale=_count_scale(data["orgs"].max())),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "level:N",
            scale=alt.Scale(domain=names, range=STANDING_COLORS),
            legend=None,
        ),
        tooltip=[alt.Tooltip("level:N", title=T.AX_LEVEL), alt.Tooltip("orgs:Q", title=T.AX_ORGS)],
    )
    text = base.mark_text(dy=-8).encode(text="orgs:Q")
    return _finish(alt.layer(bars, text), T.CH_LEVELS, height)


def _num(value: Decimal) -> str:
    """20 rather than 20.0, 92.5 as is."""
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


HISTOGRAM_STEP = 2  # points per bin of the composite histogram
HISTOGRAM_EXTENT = (0, 106)  # a composite can pass 100 by its 加分


def composite_histogram(frame: pd.DataFrame, line: Decimal, height: int = 260) -> alt.TopLevelMixin:
    """Composite scores in bins of 2 points, with the year's five-star line (its rubric's)."""
    data = pd.DataFrame({"composite": frame["composite"].astype(float)})
    edges = np.arange(HISTOGRAM_EXTENT[0], HISTOGRAM_EXTENT[1] + HISTOGRAM_STEP, HISTOGRAM_STEP)
    tallest_bin = int(np.histogram(data["composite"], bins=edges)[0].max(initial=0))
    bars = (
        alt.Chart(data)
        .mark_bar(color=BLUE)
        .encode(
            x=alt.X(
                "composite:Q",
                bin=alt.Bin(step=HISTOGRAM_STEP, extent=list(HISTOGRAM_EXTENT)),
                axis=_x_axis(T.AX_COMPOSITE),
            ),
            y=alt.Y("count():Q", axis=_y_axis(T.AX_ORGS, "d"), scale=_count_scale(tallest_bin)),
            tooltip=[
                alt.Tooltip(
                    "composite:Q",
                    bin=alt.Bin(step=HISTOGRAM_STEP, extent=list(HISTOGRAM_EXTENT)),
                    title=T.AX_COMPOSITE,
                ),
                alt.Tooltip("count():Q", title=T.AX_ORGS),
            ],
        )
    )
    counts = bars.mark_text(dy=-6, fontSize=11, color=INK).encode(
        text=alt.Text("count():Q"), color=alt.value(INK)
    )
    rule_data = pd.DataFrame({"x": [float(line)], "label": [T.LINE_FIVE.format(line=_num(line))]})
    rule = alt.Chart(rule_data).mark_rule(color=MET_COLOR, strokeWidth=2).encode(x="x:Q")
    label = (
        alt.Chart(rule_data)
        .mark_text(color=MET_COLOR, align="right", dx=-4, dy=-6, baseline="top")
        .encode(x="x:Q", y=alt.value(0), text="label:N")
    )
    return _finish(alt.layer(bars, counts, rule, label), T.CH_HISTOGRAM, height)


def star_heatmap(shares: pd.DataFrame, line: Decimal, height: int = 300) -> alt.TopLevelMixin:
    """Region × star: the share of organisations with the star lit; the hue changes at `line`
    (the year's star ratio from its rubric, 85% by the document)."""
    heat_line = float(line)
    data = shares.assign(star_name=shares["star"].map(scoring.STAR_NAMES))
    base = alt.Chart(data).encode(
        x=alt.X(
            "star_name:N",
            sort=STAR_ORDER,
            axis=_x_axis(T.AX_STAR, orient="top", labelOverlap=False),
        ),
        y=alt.Y("region:N", axis=_category_y(T.AX_REGION)),
    )
    # The whole 0–100% range (a clamped scale made 14% look like 50%), with a hue change at
    # the line: red shades below it (未达标), green at or above it (达标).
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "share:Q",
            title=T.AX_LIT_SHARE,
            scale=alt.Scale(
                domain=[0, heat_line - 0.0001, heat_line, 1],
                range=["#a93226", "#f5d0cb", "#c8e6d2", "#1e7b4c"],
                clamp=True,
            ),
            legend=alt.Legend(format=".0%", values=[0, 0.5, heat_line, 1], gradientLength=200),
        ),
        tooltip=[
            alt.Tooltip("region:N", title=T.AX_REGION),
            alt.Tooltip("star_name:N", title=T.AX_STAR),
            alt.Tooltip("share:Q", title=T.AX_LIT_SHARE, format=".1%"),
            alt.Tooltip("lit:Q", title=T.LIT_MARK + C.LIT),
            alt.Tooltip("total:Q", title=T.AX_ORGS),
        ],
    )
    text = base.mark_text(fontSize=13).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition(
            "datum.share < 0.3 || datum.share > 0.95", alt.value("white"), alt.value(INK)
        ),
    )
    note = T.HEAT_LINE_NOTE.format(line=f"{heat_line:.0%}")
    return _finish(alt.layer(rect, text), T.CH_HEAT, height, subtitle=note)


# --------------------------------------------------------------------------- problems


def weakest_chart(stats: pd.DataFrame, n: int = 10, height: int = 320) -> alt.TopLevelMixin:
    """The n criteria with the lowest average share of max points."""
    data = stats.head(n).reset_index()
    data["label"] = data["code"] + " " + data["title"]
    data["star_name"] = data["star"].map(scoring.STAR_NAMES)
    bars = (
        alt.Chart(data)
        .mark_bar(color=GOLD)
        .encode(
            y=alt.Y("label:N", sort=None, axis=_category_y(T.AX_CRITERION)),
            x=alt.X(
                "avg_share:Q", axis=_x_axis(T.AX_AVG_SHARE, ".0%"), scale=alt.Scale(domain=[0, 1])
            ),
            tooltip=[
                alt.Tooltip("label:N", title=T.AX_CRITERION),
                alt.Tooltip("star_name:N", title=T.AX_STAR),
                alt.Tooltip("avg_share:Q", title=T.AX_AVG_SHARE, format=".1%"),
                alt.Tooltip("full_share:Q", title=T.COL_FULL_SHARE, format=".1%"),
            ],
        )
    )
    text = bars.mark_text(align="left", dx=3).encode(
        text=alt.Text("avg_share:Q", format=".0%"), color=alt.value(INK)
    )
    return _finish(alt.layer(bars, text), T.CH_WEAKEST, _bar_height(len(data), height))


def missed_chart(reasons: pd.DataFrame, height: int = 260) -> alt.TopLevelMixin:
    """How many non-five-star organisations miss for each reason."""
    data = reasons.assign(label=reasons["reason"].map(reason_label))
    bars = (
        alt.Chart(data)
        .mark_bar(color=NOT_MET_COLOR)
        .encode(
            y=alt.Y("label:N", sort="-x", axis=_category_y(T.AX_REASON)),
            x=alt.X("orgs:Q", axis=_x_axis(T.AX_ORGS, "d")),
            tooltip=[
                alt.Tooltip("label:N", title=T.AX_REASON),
                alt.Tooltip("orgs:Q", title=T.AX_ORGS),
            ],
        )
    )
    text = bars.mark_text(align="left", dx=3).encode(text="orgs:Q", color=alt.value(INK))
    return _finish(alt.layer(bars, text), T.CH_MISSED, _bar_height(len(data), height))


def reason_label(reason: str) -> str:
    """Chinese label of a statistics.missed_reasons code."""
    if reason.startswith("star:"):
        return T.MISSED_STAR.format(star=scoring.STAR_NAMES[reason.removeprefix("star:")])
    return T.MISSED_COMPOSITE if reason == "composite" else T.MISSED_VETO


def completion_chart(counts: pd.DataFrame, height: int = 240) -> alt.TopLevelMixin:
    """Organisations per completion state of the current year."""
    order = [T.COMPLETION_NAMES[s] for s in counts["state"]]
    data = counts.assign(label=order)
    colors = [GREY, GOLD, "#e67e22", BLUE, "#5aa27c", MET_COLOR]
    base = alt.Chart(data).encode(
        x=alt.X("label:N", sort=order, axis=_category_x(T.AX_STATUS)),
        y=alt.Y("orgs:Q", axis=_y_axis(T.AX_ORGS, "d"), scale=_count_scale(data["orgs"].max())),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("label:N", scale=alt.Scale(domain=order, range=colors), legend=None),
        tooltip=[alt.Tooltip("label:N", title=T.AX_STATUS), alt.Tooltip("orgs:Q", title=T.AX_ORGS)],
    )
    text = base.mark_text(dy=-8).encode(text="orgs:Q")
    return _finish(alt.layer(bars, text), T.CH_COMPLETION, height)


def gaps_chart(gaps: pd.DataFrame, n: int = 10, height: int = 300) -> alt.TopLevelMixin:
    """The organisations whose self composite exceeds the reviewed one the most."""
    data = gaps[gaps["gap"] > 0].head(n).reset_index()
    bars = (
        alt.Chart(data)
        .mark_bar(color="#e67e22")
        .encode(
            y=alt.Y("name:N", sort="-x", axis=_category_y(T.AX_ORG)),
            x=alt.X("gap:Q", axis=_x_axis(T.AX_GAP)),
            tooltip=[
                alt.Tooltip("name:N", title=T.AX_ORG),
                alt.Tooltip("self:Q", title=T.COL_SELF, format=".1f"),
                alt.Tooltip("reviewed:Q", title=T.COL_REVIEWED, format=".1f"),
                alt.Tooltip("gap:Q", title=T.COL_GAP, format=".1f"),
            ],
        )
    )
    text = bars.mark_text(align="left", dx=3).encode(
        text=alt.Text("gap:Q", format=".1f"), color=alt.value(INK)
    )
    return _finish(alt.layer(bars, text), T.CH_GAPS, _bar_height(len(data), height))


# --------------------------------------------------------------------------- trends


def org_trend_chart(
    rows: pd.DataFrame, lines: Mapping[int, Decimal], height: int = 280
) -> alt.TopLevelMixin:
    """One organisation's composite per year with its level, and each year's five-star line
    (`lines`: year → line, from that year's rubric)."""
    data = rows.assign(
        year_label=rows["year"].astype(str),
        level_name=formatting.standing_keys(rows).map(C.STANDING_NAMES),
        line=rows["year"].map(lambda y: float(lines[int(y)])),
    )
    base = alt.Chart(data).encode(
        x=alt.X("year_label:O", axis=_year_x(data["year_label"].nunique()))
    )
    points = base.mark_line(point=alt.OverlayMarkDef(size=80), color=BLUE).encode(
        y=alt.Y("composite:Q", axis=_y_axis(T.AX_COMPOSITE), scale=alt.Scale(domain=[0, 106])),
        tooltip=[
            alt.Tooltip("year_label:O", title=T.AX_YEAR),
            alt.Tooltip("composite:Q", title=T.AX_COMPOSITE, format=".1f"),
            alt.Tooltip("level_name:N", title=T.AX_LEVEL),
        ],
    )
    labels = base.mark_text(dy=-14, fontSize=13).encode(y="composite:Q", text="level_name:N")
    rule = base.mark_line(color=MET_COLOR, strokeDash=[6, 4]).encode(
        y="line:Q", tooltip=[alt.Tooltip("line:Q", title=T.AX_FIVE_LINE)]
    )
    return _finish(alt.layer(rule, points, labels), T.CH_ORG_TREND, height)


def city_levels_chart(history: pd.DataFrame, scope: str, height: int = 280) -> alt.TopLevelMixin:
    """Level composition of the viewer's scope (named `scope`: 全市, a region …) per year."""
    data = history.assign(
        year_label=history["year"].astype(str),
        level_name=formatting.standing_keys(history).map(C.STANDING_NAMES),
    )
    counts = data.groupby(["year_label", "level_name"]).size().reset_index(name="orgs")
    counts["share"] = counts["orgs"] / counts.groupby("year_label")["orgs"].transform("sum")
    counts["rank"] = counts["level_name"].map({n: i for i, n in enumerate(STANDING_ORDER)})
    counts = counts.sort_values(["year_label", "rank"])
    start = counts.groupby("year_label")["share"].cumsum() - counts["share"]
    counts["mid"] = start + counts["share"] / 2
    bars = alt.Chart(counts).encode(
        x=alt.X("year_label:O", axis=_year_x(counts["year_label"].nunique())),
        y=alt.Y("orgs:Q", stack="normalize", axis=_y_axis(T.AX_ORGS_SHARE, ".0%")),
        order=alt.Order("rank:Q", sort="ascending"),
    )
    # Each segment carries its share where it is tall enough to hold the figure; the tooltip
    # and the table below the chart give every value.
    text = (
        alt.Chart(counts)
        .transform_filter("datum.share >= 0.06")
        .mark_text(fontSize=11, baseline="middle")
        .encode(
            x=alt.X("year_label:O"),
            y=alt.Y("mid:Q"),
            text=alt.Text("share:Q", format=".0%"),
            color=alt.condition(
                f"datum.level_name == '{LEVEL_ORDER[0]}'", alt.value("white"), alt.value(INK)
            ),
        )
    )
    return _finish(
        alt.layer(
            bars.mark_bar(size=40).encode(
                color=alt.Color(
                    "level_name:N",
                    title=T.AX_LEVEL,
                    scale=alt.Scale(domain=STANDING_ORDER, range=STANDING_COLORS),
                    sort=STANDING_ORDER,
                ),
                tooltip=[
                    alt.Tooltip("year_label:O", title=T.AX_YEAR),
                    alt.Tooltip("level_name:N", title=T.AX_LEVEL),
                    alt.Tooltip("orgs:Q", title=T.AX_ORGS),
                ],
            ),
            text,
        ),
        T.CH_CITY_TREND.format(scope=scope),
        height,
    )


def changes_chart(changes: pd.DataFrame, height: int = 260) -> alt.TopLevelMixin:
    """How many organisations went up or down a level, per year."""
    names = {"up": T.CHANGE_UP, "down": T.CHANGE_DOWN}
    moved = changes[changes["change"].isin(names)]
    counts = moved.groupby(["year", "change"]).size().reset_index(name="orgs")
    counts["year_label"] = counts["year"].astype(str)
    counts["label"] = counts["change"].map(names)
    domain = [T.CHANGE_UP, T.CHANGE_DOWN]
    base = alt.Chart(counts).encode(
        x=alt.X("year_label:O", axis=_year_x(counts["year_label"].nunique())),
        xOffset=alt.XOffset("label:N", sort=domain),
        y=alt.Y("orgs:Q", axis=_y_axis(T.AX_ORGS, "d"), scale=_count_scale(counts["orgs"].max())),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "label:N",
            title=T.AX_CHANGE,
            scale=alt.Scale(domain=domain, range=[MET_COLOR, NOT_MET_COLOR]),
        ),
        tooltip=[
            alt.Tooltip("year_label:O", title=T.AX_YEAR),
            alt.Tooltip("label:N", title=T.AX_CHANGE),
            alt.Tooltip("orgs:Q", title=T.AX_ORGS),
        ],
    )
    text = base.mark_text(dy=-7, fontSize=11, color=INK).encode(text="orgs:Q")
    return _finish(alt.layer(bars, text), T.CH_CHANGES, height)


def big(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Larger type for the wall screen, and the height of its container (set by the screen's
    CSS to what the display has left), so the panels fill a wall display of any size."""
    sized: alt.TopLevelMixin = (
        chart.properties(height="container")
        .configure_axis(labelFontSize=16, titleFontSize=18)
        .configure_title(fontSize=24)
        .configure_legend(labelFontSize=16, titleFontSize=16)
        .configure_text(fontSize=18)
    )
    return sized


def _title_text(spec: Mapping[str, object]) -> str:
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list):
        title = "".join(str(t) for t in title)
    return str(title) if title else ""


def _silent_titles(spec: dict[str, Any]) -> dict[str, Any]:
    """Titles (of the chart and of its layers or panels) hidden from screen readers: Vega reads
    them as "Title text '…'" and ignores the title config's aria flag."""
    spec = dict(spec)
    title = spec.get("title")
    if isinstance(title, Mapping):
        spec["title"] = {**title, "aria": False}
    elif title:
        spec["title"] = {"text": title, "aria": False}
    for part in ("layer", "hconcat", "vconcat", "concat"):
        if isinstance(spec.get(part), list):
            spec[part] = [_silent_titles(s) if isinstance(s, dict) else s for s in spec[part]]
    if isinstance(spec.get("spec"), dict):
        spec["spec"] = _silent_titles(spec["spec"])
    return spec


def accessible(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with what a screen reader says in Chinese.

    Left alone, Vega reads out "Vega visualization", "X-axis titled … for a discrete scale with 9
    values" and every bar as "year_label: 2018; share: 73%": English and internal field names.
    Here the chart is described by its Chinese title (its figures are in the table beside or
    below it), and the axes, legends and marks are hidden from the accessibility tree. The
    chart's role word ("visualization") is put into Chinese by web/chrome.py.
    """
    title = _title_text(spec)
    spec = _silent_titles(spec)
    spec["description"] = T.CHART_DESCRIPTION.format(title=title) if title else T.CHART_WORD
    config = dict(spec.get("config") or {})
    config["aria"] = False
    for part in ("mark", "axis", "legend", "title"):
        config[part] = {**(config.get(part) or {}), "aria": False}
    spec["config"] = config
    return spec


@st.cache_data(max_entries=256, show_spinner=False)
def _spec(
    key: tuple[object, ...],  # noqa: ARG001 - cache key only: names the chart and its inputs
    version: int,  # noqa: ARG001 - cache key only: the data version
    _build: Callable[[], alt.TopLevelMixin],
) -> dict[str, Any]:
    # Building and validating an Altair spec costs ~0.1 s per chart: done once per data version
    # and shared by every session (keyed by `key`, which names the chart and its inputs).
    with alt.data_transformers.disable_max_rows():
        return accessible(_build().to_dict())


def show(
    container: DeltaGenerator,
    key: tuple[object, ...],
    build: Callable[[], alt.TopLevelMixin],
    *,
    scope: data.ScopeKey,
) -> None:
    """Draw a chart from the shared spec cache; `key` must name everything the chart shows
    and `scope` is the viewer's (data.scope_key): one scope's chart never reaches another."""
    spec = _spec((*key, scope), data.data_version(), build)
    container.vega_lite_chart(spec=spec, theme="streamlit")
