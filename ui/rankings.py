"""The live rankings: the display table, filters, and one organisation's detail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

import formatting
import scoring
from db.services import evidence as evidence_service
from db.services import exports, readmodels, statistics
from db.services.common import Actor
from db.services.cycles import rubric_of_cycle
from documents.xlsx import XLSX_MIME
from formatting import china_time
from texts import common as C
from texts import leadership as T
from ui import data
from ui.charts import BLUE
from ui.evidence_link import evidence_link
from ui.phone import PROGRESS_POINTS_FORMAT, list_lines, phone_part, wide_part
from ui.text import plain

TABLE_KEY = "rk_table"
ORDER_KEY = "rk_order"
DETAIL_KEY = "rk_detail"


@dataclass(frozen=True)
class Filters:
    """What the viewer narrowed the table to; empty means no restriction."""

    regions: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    org_types: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()  # formatting.standing_key: "5"…"0", "vetoed", "not_started"
    statuses: tuple[str, ...] = ()
    query: str = ""


def apply_filters(frame: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Rows of the city frame that pass every filter (name or code contains the query)."""
    mask = np.ones(len(frame), dtype=bool)
    for column, values in (
        ("region", f.regions),
        ("department", f.departments),
        ("org_type", f.org_types),
        ("status", f.statuses),
    ):
        if values:
            mask &= frame[column].isin(list(values)).to_numpy()
    if f.levels:
        mask &= formatting.standing_keys(frame).isin(list(f.levels)).to_numpy()
    query = f.query.strip()
    if query:
        mask &= (
            frame["name"].str.contains(query, regex=False, case=False).to_numpy()
            | frame["code"].str.contains(query, regex=False, case=False).to_numpy()
        )
    # No filter, no copy: the first load shows the cached frame as it is.
    return frame if mask.all() else frame[mask]


def _star_text(scores: pd.Series, lit: pd.Series) -> np.ndarray:
    marks = np.where(lit.to_numpy(dtype=bool), T.LIT_MARK, T.UNLIT_MARK)
    return np.asarray(marks + " " + scores.map("{:.1f}".format).to_numpy(dtype=object))


def ranking_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The display table of a city frame (same order, same rank), headers in Chinese."""
    table = pd.DataFrame(index=frame.index)
    # Only what has been handed in has a rank (readmodels.ranked); the others show none.
    ranks = readmodels.shown_ranks(frame[["rank", "region_rank", "status"]])
    table[T.COL_RANK] = ranks["rank"]
    table[T.COL_NAME] = frame["name"]
    for key in scoring.STAR_KEYS:
        table[scoring.STAR_NAMES[key]] = _star_text(frame[key], frame[f"lit_{key}"])
    table[T.COL_COMPOSITE] = frame["composite"].astype(float)
    table[T.COL_LEVEL] = formatting.standing_keys(frame).map(C.STANDING_NAMES)
    table[T.COL_STATUS] = frame["status"].map(C.STATUS_NAMES).fillna(frame["status"])
    total = frame["criteria_total"].where(frame["criteria_total"] > 0, 1)
    # In percentage points, whole as every progress bar's figure (ui.phone.PROGRESS_POINTS_FORMAT).
    table[T.COL_PROGRESS] = (frame["scored"] / total * 100).astype(float)
    table[T.COL_REGION] = frame["region"]
    table[T.COL_REGION_RANK] = ranks["region_rank"]
    # Department and type are filters, not columns: the name already says both (e.g.
    # 中共市财政局第三党支部), and every column costs transfer and decoding on 2,000 rows.
    return table


@st.cache_data(max_entries=16, show_spinner=False)
def _table(
    year: int,
    basis: str,
    version: int,
    scope: data.ScopeKey,  # noqa: ARG001 - cache key only: the rows' scope
    _actor: Actor,
) -> pd.DataFrame:
    # Built once per data version and scope, shared by every session of the process.
    return ranking_table(data.scoped_frame(_actor, year, basis, version))


def cached_table(actor: Actor, year: int, basis: str, rows: pd.Index | None = None) -> pd.DataFrame:
    """ranking_table of the cached frame of the viewer's scope (Action.VIEW_RESULTS), cut to
    `rows` (organisation ids in ranking order) unless they are all of them."""
    viewer = readmodels.authorize_results_view(actor)
    table = _table(year, basis, data.data_version(), data.scope_key(viewer), viewer)
    if rows is None or (len(rows) == len(table) and rows.equals(table.index)):
        return table
    return table.loc[rows]


# Widths in pixels: at 1,400 px every column fits beside the menu (地区 and 地区排名 were out
# of sight to the right, behind a horizontal scroll). Four-character headers need 62 px.
WIDE_HEADER = 62
PROGRESS_WIDTH = 76  # the bar beside "100%"
COLUMN_CONFIG = {
    T.COL_RANK: st.column_config.NumberColumn(
        T.COL_RANK, format="%d", width=WIDE_HEADER, pinned=True
    ),
    T.COL_NAME: st.column_config.TextColumn(T.COL_NAME, width=210, pinned=True),
    T.COL_COMPOSITE: st.column_config.NumberColumn(
        T.COL_COMPOSITE, format="%.1f", width=WIDE_HEADER
    ),
    T.COL_LEVEL: st.column_config.TextColumn(T.COL_LEVEL, width=50),
    T.COL_STATUS: st.column_config.TextColumn(T.COL_STATUS, width=50),
    # A quantity, not a verdict: blue, as on the charts (red and green mean 未达标 / 达标).
    T.COL_PROGRESS: st.column_config.ProgressColumn(
        T.COL_PROGRESS,
        format=PROGRESS_POINTS_FORMAT,
        min_value=0.0,
        max_value=100.0,
        width=PROGRESS_WIDTH,
        color=BLUE,
    ),
    T.COL_REGION: st.column_config.TextColumn(T.COL_REGION, width=50),
    T.COL_REGION_RANK: st.column_config.NumberColumn(
        T.COL_REGION_RANK, format="%d", width=WIDE_HEADER
    ),
    **{
        name: st.column_config.TextColumn(name, width=54, help=T.STAR_LIT_HELP)
        for name in scoring.STAR_NAMES.values()
    },
}


def remember_selection() -> None:
    """Table row picked: map its position to the organisation shown there at the time."""
    state = st.session_state.get(TABLE_KEY)
    order = st.session_state.get(ORDER_KEY) or []
    rows = state.selection.rows if state is not None else []
    if rows and rows[0] < len(order):
        st.session_state[DETAIL_KEY] = int(order[rows[0]])


def show_table(table: pd.DataFrame, height: int = 560) -> None:
    """The ranking table; a picked row opens that organisation's detail below."""
    st.session_state[ORDER_KEY] = [int(i) for i in table.index]
    st.dataframe(
        table.reset_index(drop=True),  # a range index costs nothing on the wire
        hide_index=True,
        column_config=COLUMN_CONFIG,
        # Few rows: no empty grid below them; many: a scrolling grid of fixed height.
        height="auto" if len(table) <= 15 else height,
        key=TABLE_KEY,
        on_select=remember_selection,
        selection_mode="single-row",
        row_height=34,
        placeholder="—",
    )


PHONE_PAGE = 30  # entries of the phone list at first and per 显示更多
PHONE_SHOWN_KEY = "rk_phone_shown"


def phone_records(table: pd.DataFrame) -> list[dict[str, object]]:
    """The display table's rows as a phone list's entries: the name, both ranks, composite,
    the five stars as ★/☆ in star order, level and status (empty cells are left out).

    Plain Python over the few rows listed (pandas' row-wise apply cost more than the table)."""
    star_columns = [table[name].tolist() for name in scoring.STAR_NAMES.values()]
    marks = ["".join(str(cell)[:1] for cell in cells) for cells in zip(*star_columns, strict=True)]
    return [
        {
            T.COL_NAME: name,
            T.COL_RANK: rank,
            T.COL_REGION_RANK: region_rank,
            T.COL_COMPOSITE: f"{composite:.1f}",
            T.PHONE_STARS: stars,
            T.COL_LEVEL: level,
            T.COL_STATUS: status,
        }
        for name, rank, region_rank, composite, stars, level, status in zip(
            table[T.COL_NAME].tolist(),
            table[T.COL_RANK].tolist(),
            table[T.COL_REGION_RANK].tolist(),
            table[T.COL_COMPOSITE].tolist(),
            marks,
            table[T.COL_LEVEL].tolist(),
            table[T.COL_STATUS].tolist(),
            strict=True,
        )
    ]


def _show_more() -> None:
    st.session_state[PHONE_SHOWN_KEY] = (
        st.session_state.get(PHONE_SHOWN_KEY, PHONE_PAGE) + PHONE_PAGE
    )


def show_list(table: pd.DataFrame) -> None:
    """The ranking as a list for a phone: the first PHONE_PAGE entries, 显示更多 for the next."""
    limit = int(st.session_state.get(PHONE_SHOWN_KEY, PHONE_PAGE))
    st.markdown("\n".join(list_lines(phone_records(table.head(limit)), T.COL_NAME)))
    rest = len(table) - limit
    if rest > 0:
        st.caption(T.PHONE_MORE.format(n=rest))
        st.button(T.PHONE_SHOW_MORE, key="rk_phone_more", on_click=_show_more)


def show_table_or_list(table: pd.DataFrame) -> None:
    """The table on a wide screen, the list on a phone (ui.phone's parts: CSS shows one)."""
    with wide_part("rankings"):
        show_table(table)
    with phone_part("rankings"):
        show_list(table)


# The filters' widget keys.
REGIONS_KEY, DEPARTMENTS_KEY, QUERY_KEY = "rk_regions", "rk_departments", "rk_query"
TYPES_KEY, LEVELS_KEY, STATUSES_KEY = "rk_types", "rk_levels", "rk_statuses"


def chosen_filters() -> Filters:
    """The filters as the viewer last set them, read from the widgets' state before the widgets
    are drawn (the page sends its table first); all empty on a first visit."""
    state = st.session_state

    def chosen(key: str) -> tuple[str, ...]:
        return tuple(state.get(key) or ())

    return Filters(
        chosen(REGIONS_KEY),
        chosen(DEPARTMENTS_KEY),
        chosen(TYPES_KEY),
        chosen(LEVELS_KEY),
        chosen(STATUSES_KEY),
        str(state.get(QUERY_KEY) or ""),
    )


def filter_widgets(frame: pd.DataFrame) -> Filters:
    """The filters in two rows of three: region, department, name search; type, level, status;
    their values as drawn (a box whose options changed is emptied, unlike `chosen_filters`).

    Six boxes in one row left each about 140 px at 1,400 px: a chosen "越城区" read "越 ×" and
    "五星级" a red sliver. A third of the width keeps every chosen value readable.
    """
    top = st.columns(3)
    regions = top[0].multiselect(
        T.FILTER_REGION,
        sorted(frame["region"].dropna().unique()),
        key=REGIONS_KEY,
        placeholder=T.ALL,
    )
    departments = top[1].multiselect(
        T.FILTER_DEPARTMENT,
        sorted(frame["department"].dropna().unique()),
        key=DEPARTMENTS_KEY,
        placeholder=T.ALL,
    )
    query = top[2].text_input(T.SEARCH, key=QUERY_KEY, placeholder=T.SEARCH_PLACEHOLDER)
    row = st.columns(3)
    types = row[0].multiselect(
        T.FILTER_TYPE,
        [t for t in C.ORG_TYPE_NAMES if t != "department"],
        format_func=C.ORG_TYPE_NAMES.__getitem__,
        key=TYPES_KEY,
        placeholder=T.ALL,
    )
    levels = row[1].multiselect(
        T.FILTER_LEVEL,
        list(C.STANDING_NAMES),
        format_func=C.STANDING_NAMES.__getitem__,
        key=LEVELS_KEY,
        placeholder=T.ALL,
    )
    statuses = row[2].multiselect(
        T.FILTER_STATUS,
        list(C.STATUS_NAMES),
        format_func=C.STATUS_NAMES.__getitem__,
        key=STATUSES_KEY,
        placeholder=T.ALL,
    )
    return Filters(
        tuple(regions), tuple(departments), tuple(types), tuple(levels), tuple(statuses), query
    )


def year_label(year: int, open_years: Iterable[int]) -> str:
    return f"{year}" + (T.CURRENT_MARK if year in set(open_years) else "")


def year_and_basis(actor: Actor, key: str, *, with_basis: bool = True) -> tuple[int, str]:
    """Year picker (current year first shown) and the reviewed/self switch."""
    infos = data.cycle_list(actor)
    if not infos:
        st.info(T.NO_YEARS)
        st.stop()
    years = [c.year for c in infos][::-1]
    open_years = [c.year for c in infos if c.is_open]
    current = data.current_year(actor)
    cols = st.columns([1, 2, 3])
    year = cols[0].selectbox(
        T.YEAR,
        years,
        index=years.index(current) if current in years else 0,
        format_func=lambda y: year_label(y, open_years),
        key=f"{key}_year",
    )
    basis = "reviewed"
    if with_basis:
        basis = (
            cols[1].segmented_control(
                T.BASIS,
                list(T.BASIS_OPTIONS),
                format_func=T.BASIS_OPTIONS.__getitem__,
                default="reviewed",
                key=f"{key}_basis",
                help=T.BASIS_HELP,
                required=True,
            )
            or "reviewed"
        )
    return int(year), basis


def cycle_id_of(actor: Actor, year: int) -> int | None:
    for info in data.cycle_list(actor):
        if info.year == year:
            return info.id
    return None


def gap_text(actor: Actor, row: pd.Series, year: int) -> str:
    """How far the organisation is from five-star, in words (scoring.gap_to_five_star)."""
    cycle_id = cycle_id_of(actor, year)
    rubric = rubric_of_cycle(actor, cycle_id) if cycle_id is not None else None
    bases = rubric.bases if rubric else None
    thresholds = rubric.thresholds if rubric else scoring.DEFAULT_THRESHOLDS
    gap = statistics.gap_of(row, bases or {}, thresholds)
    if gap.five_star:
        return T.DETAIL_GAP_DONE
    if bool(row["vetoed"]):
        return T.DETAIL_GAP_VETO
    parts = [
        T.DETAIL_GAP_STAR.format(star=scoring.STAR_NAMES[k], points=_num(v))
        for k, v in gap.star_missing.items()
        if v > 0
    ]
    if gap.composite_missing > 0:
        parts.append(T.DETAIL_GAP_COMPOSITE.format(points=_num(gap.composite_missing)))
    return T.DETAIL_GAP.format(points=_num(gap.min_extra_points), parts="；".join(parts))


def _num(value: object) -> str:
    return formatting.decimal_text(scoring.to_decimal(value))


def detail_lines_table(detail: statistics.OrgDetail) -> pd.DataFrame:
    """Rubric lines of one organisation with Chinese headers."""
    lines = detail.lines
    star = lines["star"].map(lambda s: scoring.STAR_NAMES.get(s, "") if s else "")
    return pd.DataFrame(
        {
            T.COL_CRIT_CODE: lines["code"],
            T.COL_CRIT_KIND: lines["kind"].map(C.KIND_NAMES),
            T.COL_CRIT_STAR: star,
            T.COL_CRIT_TITLE: lines["title"],
            T.COL_CRIT_MAX: lines["max"],
            T.COL_CRIT_SELF: lines["self"],
            T.COL_CRIT_REVIEWED: lines["reviewed"],
            T.COL_CRIT_FIGURE: lines["figure"],
            T.COL_CRIT_NOTE: lines["note"],
            T.COL_CRIT_COMMENT: lines["comment"],
            T.COL_CRIT_EVIDENCE: lines["evidence"],
        }
    )


def show_detail(actor: Actor, row: pd.Series, year: int) -> None:
    """One organisation: summary, gap to five-star, per-criterion points, evidence files."""
    org_id = int(row.name)
    detail = data.org_detail(actor, org_id, year)
    st.subheader(T.DETAIL_TITLE.format(name=plain(str(row["name"])), year=year))
    st.markdown(
        T.DETAIL_SUMMARY.format(
            composite=f"{row['composite']:.1f}",
            level=C.STANDING_NAMES[
                formatting.standing_key(row["level"], row["vetoed"], row["status"], row["scored"])
            ],
            rank=T.DETAIL_RANK.format(rank=int(row["rank"]), region_rank=int(row["region_rank"]))
            if readmodels.ranked(str(row["status"]))
            else T.DETAIL_NOT_RANKED,
            status=C.STATUS_NAMES.get(str(row["status"]), str(row["status"])),
        )
    )
    st.markdown(gap_text(actor, row, year))
    if detail.return_comment and detail.status == "returned":
        st.warning(T.DETAIL_RETURN_COMMENT.format(comment=plain(detail.return_comment)))
    st.markdown(f"**{T.DETAIL_CRITERIA}**")
    st.dataframe(
        detail_lines_table(detail),
        hide_index=True,
        column_config={
            T.COL_CRIT_MAX: st.column_config.NumberColumn(format="%.1f", width="small"),
            T.COL_CRIT_SELF: st.column_config.NumberColumn(format="%.1f", width="small"),
            T.COL_CRIT_REVIEWED: st.column_config.NumberColumn(format="%.1f", width="small"),
            T.COL_CRIT_TITLE: st.column_config.TextColumn(width="medium"),
            T.COL_CRIT_NOTE: st.column_config.TextColumn(width="large"),
        },
        key=f"rk_lines_{org_id}",
        placeholder="—",
    )
    st.markdown(f"**{T.DETAIL_EVIDENCE}**")
    if detail.evidence.empty:
        st.caption(T.DETAIL_NO_EVIDENCE)
        return
    for ev in detail.evidence.itertuples(index=False):
        cols = st.columns([1, 4, 1.2, 2, 1.2])
        # st.text: file names are user-written and must not be read as markdown.
        cols[0].text(ev.code)
        cols[1].text(ev.filename)
        cols[2].text(evidence_service.human_size(int(ev.size)))
        cols[3].text(china_time(ev.uploaded_at))
        evidence_link(cols[4], T.DETAIL_DOWNLOAD, int(ev.id))


def export_button(actor: Actor, year: int, key: str) -> None:
    """Download the year's Excel workbook (built only when clicked)."""
    st.download_button(
        T.EXPORT_BUTTON,
        data=lambda: exports.export_workbook(actor, year=year),
        file_name=T.X_FILENAME.format(year=year),
        mime=XLSX_MIME,
        key=key,
        help=T.EXPORT_HELP,
        on_click="ignore",
        icon=":material/download:",
    )


PICK_LIMIT = 100  # names in the detail picker: 2,000 cost the browser more than the table


def detail_picker(frame: pd.DataFrame, shown: pd.DataFrame) -> int | None:
    """Searchable picker of the organisation whose detail is shown (a table pick sets it).

    It lists the first PICK_LIMIT rows shown, in ranking order; the name search above narrows
    the table and this list together (a list of every name of a 2,000-organisation city was
    the slowest part of the page to draw)."""
    listed = shown.head(PICK_LIMIT)
    # Labels are built in one vectorised step.
    labels: dict[int | None, str] = {None: T.DETAIL_NONE}
    labels.update(
        zip(
            listed.index.astype("int64"), listed["name"] + "（" + listed["code"] + "）", strict=True
        )
    )
    chosen = st.session_state.get(DETAIL_KEY)
    if chosen is not None and chosen not in frame.index:
        st.session_state[DETAIL_KEY] = None
    elif chosen is not None and chosen not in labels:
        labels[int(chosen)] = f"{frame.at[chosen, 'name']}（{frame.at[chosen, 'code']}）"
    picked = st.selectbox(
        T.DETAIL_PICK,
        list(labels),
        format_func=labels.__getitem__,
        key=DETAIL_KEY,
        help=T.DETAIL_PICK_HELP,
    )
    if len(shown) > PICK_LIMIT:
        st.caption(T.DETAIL_PICK_MORE.format(n=PICK_LIMIT))
    return None if picked is None else int(picked)
