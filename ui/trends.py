"""Year-over-year tables for the 历年趋势 page (built from the cached history)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import formatting
from db.services import attainment, readmodels
from texts import common as C
from texts import leadership as T
from ui.phone import LIST_LIMIT, table_or_list

# Composite scores with one decimal, as everywhere (97.5 and 98.0, not 97.5 and 98).
SCORE_CONFIG = {
    T.COL_COMPOSITE: st.column_config.NumberColumn(format="%.1f"),
    T.COL_PREV_COMPOSITE: st.column_config.NumberColumn(format="%.1f"),
}


def city_table(history: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Per year: organisations, five-star count and share, target, average composite, 升/降星."""
    rows = []
    for year, frame in history.groupby("year", sort=True):
        att = attainment.attainment(frame, int(year))
        moved = changes[changes["year"] == year]
        rows.append(
            {
                T.YEAR: str(year),
                T.COL_ORG_COUNT: att.total,
                T.COL_FIVE_COUNT: att.five_star,
                T.COL_SHARE: att.share,
                T.COL_TARGET: att.target,
                T.COL_MET: "—" if att.met is None else (T.YES if att.met else T.NO),
                T.COL_AVG_COMPOSITE: float(frame["composite"].mean()),
                T.COL_UP: int((moved["change"] == "up").sum()),
                T.COL_DOWN: int((moved["change"] == "down").sum()),
            }
        )
    return pd.DataFrame(rows)


def city_years(table: pd.DataFrame) -> None:
    """city_table's rows as a table, and on a phone one entry per year (shares and the
    average written as the table formats them)."""
    table_or_list(
        table,
        "tr-city",
        T.YEAR,
        placeholder="—",
        column_config={
            T.COL_SHARE: st.column_config.NumberColumn(format="percent"),
            T.COL_TARGET: st.column_config.NumberColumn(format="percent"),
            T.COL_AVG_COMPOSITE: st.column_config.NumberColumn(format="%.1f"),
        },
    )


def organisations(table: pd.DataFrame, name: str) -> None:
    """change_rows' or not_five_rows' organisations as a table, and on a phone one entry per
    organisation (the first LIST_LIMIT; composites with one decimal)."""
    table_or_list(
        table,
        name,
        T.COL_NAME,
        phone_columns=[c for c in table.columns if c != T.COL_CODE],
        limit=LIST_LIMIT,
        placeholder="—",
        column_config=SCORE_CONFIG,
    )


def change_rows(changes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Organisations that went up or down a level in `year`, biggest moves first."""
    moved = changes[(changes["year"] == year) & (changes["change"] != "same")].copy()
    moved["delta"] = moved["level"] - moved["prev_level"]
    moved = moved.sort_values(["delta", "name"], ascending=[False, True])
    names = {"up": T.CHANGE_UP, "down": T.CHANGE_DOWN}
    return pd.DataFrame(
        {
            T.COL_NAME: moved["name"],
            T.COL_REGION: moved["region"],
            T.COL_CHANGE: moved["change"].map(names),
            T.COL_PREV_LEVEL: moved["prev_standing"].map(C.STANDING_NAMES),
            T.COL_LEVEL: moved["standing"].map(C.STANDING_NAMES),
            T.COL_PREV_COMPOSITE: moved["prev_composite"],
            T.COL_COMPOSITE: moved["composite"],
        }
    )


def not_five_rows(history: pd.DataFrame, year: int) -> pd.DataFrame:
    """Organisations not five-star in `year` and the year before."""
    rows = attainment.not_five_star_twice(history, year)
    return pd.DataFrame(
        {
            T.COL_CODE: rows["code"],
            T.COL_NAME: rows["name"],
            T.COL_REGION: rows["region"],
            T.COL_DEPARTMENT: rows["department"],
            T.COL_PREV_LEVEL: rows["prev_standing"].map(C.STANDING_NAMES),
            T.COL_PREV_COMPOSITE: rows["prev_composite"],
            T.COL_LEVEL: rows["standing"].map(C.STANDING_NAMES),
            T.COL_COMPOSITE: rows["composite"],
        }
    )


def org_rows(history: pd.DataFrame, org_id: int) -> pd.DataFrame:
    """One organisation's years, oldest first (raw columns, for the chart and the table)."""
    rows = history.loc[[org_id]] if org_id in history.index else history.iloc[0:0]
    return rows.sort_values("year")


def org_table(rows: pd.DataFrame) -> pd.DataFrame:
    levels = rows["level"].astype("int64")
    ranks = readmodels.shown_ranks(rows)
    diff = levels.diff()
    change = diff.map(
        lambda d: (
            ""
            if pd.isna(d)
            else (T.CHANGE_UP if d > 0 else T.CHANGE_DOWN if d < 0 else T.CHANGE_SAME)
        )
    )
    return pd.DataFrame(
        {
            T.YEAR: rows["year"].astype(str),
            T.COL_COMPOSITE: rows["composite"],
            T.COL_STARS: rows["star_count"],
            T.COL_LEVEL: formatting.standing_keys(rows).map(C.STANDING_NAMES),
            T.COL_CHANGE: change,
            # no rank for a year the organisation had not handed in (readmodels.ranked)
            T.COL_RANK: ranks["rank"],
            T.COL_REGION_RANK: ranks["region_rank"],
            T.COL_STATUS: rows["status"].map(C.STATUS_NAMES),
        }
    )


def org_years(table: pd.DataFrame) -> None:
    """org_table's rows as a table, and on a phone one entry per year."""
    table_or_list(
        table,
        "tr-org",
        T.YEAR,
        placeholder="—",
        column_config={T.COL_COMPOSITE: st.column_config.NumberColumn(format="%.1f")},
    )
