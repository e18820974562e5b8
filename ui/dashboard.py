"""Panels of the 总览 page and the 大屏: each reads the shared caches in ui/data.py."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import formatting
import scoring
from db.services import attainment, exports, readmodels, statistics
from db.services.common import Actor
from documents.xlsx import XLSX_MIME
from formatting import china_time
from texts import common as C
from texts import leadership as T
from ui import charts, data
from ui import reminders as reminder_ui
from ui.phone import LIST_LIMIT, table_or_list, two_up

TAB_KEY = "db:tab"


def _pct(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.0%}"


def scope_words(actor: Actor) -> str:
    """What the viewer's whole is called in a sentence: 全市, its region or its department."""
    return data.scope_label(actor, T.CITY_SCOPE)


def scoped_title(actor: Actor, title: str) -> str:
    """A results page's title naming the viewer's scope ("柯桥区 · 总览"); the city's plain."""
    label = data.scope_label(actor, T.CITY_SCOPE)
    return title if label == T.CITY_SCOPE else T.SCOPED_TITLE.format(scope=label, title=title)


def scope_note(actor: Actor, year: int) -> str:
    """Which organisations and statuses the year's figures include, in one sentence."""
    scope = data.year_scope(actor, year)
    if scope.published:
        note = T.SCOPE_PUBLISHED.format(year=year, rated=scope.rated)
        if scope.not_rated:
            note += T.SCOPE_NOT_RATED.format(n=scope.not_rated)
        return note
    parts = "、".join(
        T.SCOPE_STATUS.format(status=C.STATUS_NAMES[s], n=scope.by_status[s])
        for s in C.STATUS_NAMES
        if scope.by_status.get(s)
    )
    return T.SCOPE_OPEN.format(year=year, total=scope.counted, parts=parts)


def kpis(actor: Actor, year: int, frame: pd.DataFrame) -> None:
    """Five-star share against the target, five-star count, how many still needed, submitted."""
    att = attainment.attainment(frame, year)
    submitted = len(statistics.submitted(frame))
    cols = two_up("kpis").columns(5)
    delta = T.KPI_SHARE_DELTA.format(target=_pct(att.target)) if att.target else T.NO_TARGET
    cols[0].metric(
        T.KPI_SHARE,
        f"{att.share:.1%}",
        delta=delta,
        delta_color="off" if not att.met else "normal",
        delta_arrow="off",
    )
    cols[1].metric(T.KPI_FIVE, T.KPI_FIVE_VALUE.format(five=att.five_star, total=att.total))
    cols[2].metric(T.KPI_NEEDED, T.KPI_MET if att.met else T.KPI_NEEDED_VALUE.format(n=att.needed))
    cols[3].metric(
        T.KPI_SUBMITTED,
        T.KPI_SUBMITTED_VALUE.format(n=submitted, total=len(frame)),
        help=T.KPI_SUBMITTED_HELP,
    )
    avg = float(frame["composite"].mean()) if len(frame) else 0.0
    cols[4].metric(T.KPI_AVG, f"{avg:.1f}")
    st.caption(scope_note(actor, year))


def target_note() -> str:
    """The five-star targets as scoring defines them (scoring.TARGET_PERCENT), in words."""
    years = sorted(scoring.TARGET_PERCENT)
    items = [
        (T.TARGET_ITEM_LAST if y == years[-1] else T.TARGET_ITEM).format(
            year=y, pct=scoring.TARGET_PERCENT[y]
        )
        for y in years
    ]
    return T.SECTION_TARGET_NOTE.format(targets="，".join(items))


def target_panel(actor: Actor, height: int = 300) -> pd.DataFrame:
    """Five-star share per year against the target, for the viewer's scope and per region."""
    label = data.scope_label(actor, T.CITY_SCOPE)
    attain = data.attainment_table(actor, label)
    if attain.empty:
        st.info(T.NO_DATA)
        return attain
    left, right = st.columns(2)
    charts.show(
        left,
        ("target", height),
        lambda: charts.target_chart(attain, label, height),
        scope=data.scope_key(actor),
    )
    if (attain["scope"] != label).any():
        charts.show(
            right,
            ("region_target", height),
            lambda: charts.region_target_chart(attain, label, height),
            scope=data.scope_key(actor),
        )
    return attain


def target_table(attain: pd.DataFrame) -> None:
    """The numbers behind the target chart (the rows of the viewer's whole scope, which
    attainment_table lists first in each year)."""
    city = attain.groupby("year", sort=True).head(1)
    table = pd.DataFrame(
        {
            T.YEAR: city["year"].astype(str),
            T.COL_ORG_COUNT: city["total"],
            T.COL_FIVE_COUNT: city["five_star"],
            T.COL_SHARE: city["share"],
            T.COL_TARGET: city["target"],
            T.COL_MET: city["met"].map({True: T.YES, False: T.NO}).fillna("—"),
            T.COL_NEEDED: city["needed"],
        }
    )
    table_or_list(
        table,
        "db-target",
        T.YEAR,
        placeholder="—",
        column_config={
            T.COL_SHARE: st.column_config.NumberColumn(format="percent"),
            T.COL_TARGET: st.column_config.NumberColumn(format="percent"),
        },
    )


def comparison_rows(table: pd.DataFrame) -> pd.DataFrame:
    """compare_regions' table with Chinese headers (a missing figure stays empty)."""

    def counts(column: str) -> pd.Series:
        return table[column].astype("Int64")

    return pd.DataFrame(
        {
            T.COL_REGION: table["region"],
            T.COL_ORG_COUNT: table["total"],
            T.COL_SUBMITTED: table["submitted"],
            T.COL_COMPLETION: table["completion"].astype(float),
            T.COL_FIVE_COUNT: table["five_star"],
            T.COL_SHARE: table["share"].astype(float),
            T.COL_TARGET: table["target"].astype(float),
            T.COL_MET: table["met"].map({True: T.YES, False: T.NO}).fillna("—"),
            T.COL_NEEDED: table["needed"],
            T.COL_REVIEWED_COUNT: table["reviewed"],
            T.COL_INFLATION: table["inflation"].astype(float),
            T.CHANGE_UP: counts("up"),
            T.CHANGE_DOWN: counts("down"),
            T.CHANGE_SAME: counts("same"),
        }
    )


def comparison_panel(actor: Actor, year: int) -> None:
    """The regions side by side, for a viewer whose scope holds more than one region (the
    city's leadership); nothing for a region's or department's account."""
    table = data.region_comparison(actor, year, T.CITY_SCOPE)
    if int((~table["is_total"].astype(bool)).sum()) < 2:
        return
    st.subheader(T.SECTION_COMPARISON)
    note = T.SECTION_COMPARISON_NOTE
    prev = table["prev_year"].dropna()
    note += (
        T.COMPARISON_CHANGES_NOTE.format(prev=int(prev.iloc[0]))
        if len(prev)
        else T.COMPARISON_NO_PREVIOUS.format(year=year)
    )
    st.caption(note)
    percent = st.column_config.NumberColumn(format="percent")
    rows = comparison_rows(table)
    table_or_list(
        rows,
        "db-comparison",
        T.COL_REGION,
        placeholder="—",
        column_config={
            T.COL_COMPLETION: percent,
            T.COL_SHARE: percent,
            T.COL_TARGET: percent,
            T.COL_INFLATION: st.column_config.NumberColumn(format="%.2f"),
        },
    )


def distribution_panel(actor: Actor, year: int, frame: pd.DataFrame, height: int = 260) -> None:
    """Level distribution and the composite histogram with the five-star line."""
    left, right = st.columns(2)
    charts.show(
        left,
        ("levels", year, height),
        lambda: charts.level_chart(frame, height),
        scope=data.scope_key(actor),
    )
    charts.show(
        right,
        ("histogram", year, height),
        lambda: charts.composite_histogram(
            frame, data.thresholds(actor, year).five_star_composite, height
        ),
        scope=data.scope_key(actor),
    )


def heat_panel(actor: Actor, year: int, frame: pd.DataFrame, height: int = 300) -> None:
    """Region × star: how often each star is lit."""
    shares = attainment.region_star_share(frame)
    line = data.thresholds(actor, year).star_ratio
    charts.show(
        st.container(),
        ("heat", year, height),
        lambda: charts.star_heatmap(shares, line, height),
        scope=data.scope_key(actor),
    )


def problems_panel(actor: Actor, year: int, frame: pd.DataFrame, basis: str = "reviewed") -> None:
    """Weakest criteria city-wide, reasons stars are missed, criteria losing most points."""
    scope = statistics.submitted(frame)
    st.caption(T.SECTION_PROBLEMS_NOTE.format(n=len(scope)))
    if scope.empty:
        st.info(T.NO_DATA)
        return
    stats = data.criterion_stats(actor, year, basis)
    reasons, lost = data.missed(actor, year, basis)
    left, right = st.columns(2)
    charts.show(
        left,
        ("weakest", year, basis),
        lambda: charts.weakest_chart(stats),
        scope=data.scope_key(actor),
    )
    charts.show(
        right,
        ("missed", year, basis),
        lambda: charts.missed_chart(reasons),
        scope=data.scope_key(actor),
    )
    if not lost.empty:
        st.markdown(f"**{T.SECTION_MISSED_CRITERIA}**")
        worst = pd.DataFrame(
            {
                T.COL_CRIT_CODE: lost["code"],
                T.COL_CRIT_STAR: lost["star"].map(scoring.STAR_NAMES),
                T.COL_CRIT_TITLE: lost["title"],
                T.COL_LOST: lost["lost"],
                T.COL_LOST_ORGS: lost["orgs"],
            }
        ).head(10)
        table_or_list(
            worst,
            "db-lost",
            T.COL_CRIT_CODE,
            placeholder="—",
            column_config={T.COL_LOST: st.column_config.NumberColumn(format="%.1f")},
        )


def deadline_note(actor: Actor, year: int, today: date | None = None) -> None:
    """The year's submission deadline and how many days are left (for 催报)."""
    info = next((c for c in data.cycle_list(actor) if c.year == year), None)
    if info is None or info.deadline is None or not info.is_open:
        return
    days = (info.deadline - (today or date.today())).days
    when = info.deadline.isoformat()
    if days > 0:
        st.caption(T.DEADLINE_LEFT.format(date=when, days=days))
    elif days == 0:
        st.warning(T.DEADLINE_TODAY.format(date=when))
    else:
        st.warning(T.DEADLINE_PASSED.format(date=when, days=-days))


def completion_panel(
    actor: Actor, year: int, frame: pd.DataFrame, *, with_list: bool = True
) -> None:
    """Completion of the year, and the list of organisations to chase (催报)."""
    counts = statistics.completion_counts(frame)
    deadline_note(actor, year)
    left, right = st.columns([2, 3])
    charts.show(
        left,
        ("completion", year),
        lambda: charts.completion_chart(counts),
        scope=data.scope_key(actor),
    )
    if not with_list:
        pending = counts[counts["state"].isin(("not_started", "in_progress", "returned"))]
        right.metric(T.SECTION_CHASE, int(pending["orgs"].sum()))
        return
    pending = data.chase_list(actor, year)
    with right:
        st.markdown(f"**{T.SECTION_CHASE}**")
        if pending.empty:
            st.success(T.SECTION_CHASE_NONE)
            return
        chase = pd.DataFrame(
            {
                T.COL_NAME: pending["name"],
                T.COL_STATUS: pending["state"].map(T.COMPLETION_NAMES),
                T.COL_PROGRESS: pending["progress"],
                T.COL_REGION: pending["region"],
                T.COL_DEPARTMENT: pending["department"],
                T.COL_CONTACT: pending["contact"].fillna(""),
                T.COL_UPDATED: pending["updated_at"].map(china_time),
            }
        )
        table_or_list(
            chase,
            "db-chase",
            T.COL_NAME,
            phone_columns=(T.COL_STATUS, T.COL_PROGRESS, T.COL_CONTACT),
            limit=LIST_LIMIT,
            placeholder="—",
            height=300,
            column_config={
                T.COL_PROGRESS: charts.progress_column(),
            },
        )
        st.download_button(
            T.SECTION_CHASE_DOWNLOAD,
            data=lambda: exports.chase_workbook(actor, year=year),
            file_name=T.X_CHASE_FILENAME.format(year=year),
            mime=XLSX_MIME,
            on_click="ignore",
            icon=":material/download:",
            key="db_chase_download",
        )
        reminder_ui.chase_form(actor, year, pending)


def gaps_panel(actor: Actor, year: int) -> None:
    """Self vs reviewed: who inflated the self-assessment the most."""
    gaps = data.score_gaps(actor, year)
    st.caption(T.SECTION_GAPS_NOTE)
    if gaps.empty:
        st.info(T.SECTION_GAPS_NONE)
        return
    down = int((gaps["reviewed_level"] < gaps["self_level"]).sum())
    st.markdown(T.GAPS_SUMMARY.format(n=len(gaps), avg=f"{gaps['gap'].mean():.1f}", down=down))
    left, right = st.columns([3, 2])
    if (gaps["gap"] > 0).any():
        charts.show(
            left, ("gaps", year), lambda: charts.gaps_chart(gaps), scope=data.scope_key(actor)
        )
    widest = pd.DataFrame(
        {
            T.COL_NAME: gaps["name"],
            T.COL_GAP: gaps["gap"],
            T.COL_SELF: gaps["self"],
            T.COL_REVIEWED: gaps["reviewed"],
            T.COL_SELF_LEVEL: gaps["self_standing"].map(C.STANDING_NAMES),
            T.COL_REVIEWED_LEVEL: gaps["reviewed_standing"].map(C.STANDING_NAMES),
        }
    ).head(20)
    with right:
        table_or_list(
            widest,
            "db-gaps",
            T.COL_NAME,
            placeholder="—",
            column_config={
                T.COL_SELF: st.column_config.NumberColumn(format="%.1f"),
                T.COL_REVIEWED: st.column_config.NumberColumn(format="%.1f"),
                T.COL_GAP: st.column_config.NumberColumn(format="%.1f"),
            },
        )


def top_table(frame: pd.DataFrame, n: int = 15) -> None:
    """The first n organisations as a plain table (large type on the wall screen via CSS)."""
    top = frame.head(n)
    # no rank for an organisation that has not handed in (readmodels.ranked)
    ranks = readmodels.shown_ranks(top)
    st.table(
        pd.DataFrame(
            {
                T.COL_RANK: ranks["rank"].astype(str).replace("<NA>", T.NO_RANK),
                T.COL_REGION_RANK: ranks["region_rank"].astype(str).replace("<NA>", T.NO_RANK),
                T.COL_NAME: top["name"],
                T.COL_REGION: top["region"],
                T.COL_COMPOSITE: top["composite"].map("{:.1f}".format),
                T.COL_LEVEL: formatting.standing_keys(top).map(C.STANDING_NAMES),
            }
        ).set_index(T.COL_RANK)
    )
