"""Shared, cached read models for the pages.

Only data that is the same for every viewer is cached (st.cache_data is shared by all
sessions of a process). Keys include the database change counter, polled at most every
couple of seconds, so a write in any server process shows up everywhere within seconds.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

import scoring
from db.services import cycles, excellence, readmodels, statistics
from db.services.common import Actor, change_counter

COUNTER_POLL_SECONDS = 2


@st.cache_data(ttl=COUNTER_POLL_SECONDS, show_spinner=False)
def data_version() -> int:
    """The database change counter, read at most every COUNTER_POLL_SECONDS per process."""
    return change_counter()


@st.cache_data(max_entries=64, show_spinner=False)
def _year_scores(year: int, basis: str, key: tuple) -> pd.DataFrame:
    return readmodels.load_year_scores(year, basis)


@st.cache_data(max_entries=4, show_spinner=False)
def _org_attributes(version: int) -> pd.DataFrame:
    return readmodels.load_org_attributes()


def _scores_key(year: int, version: int) -> tuple:
    """A final year's scores never change (freeze), so they are keyed by its cycle alone and
    survive writes to other years; every other year's follow the change counter."""
    for cycle in _cycles(version):
        if cycle.year == year and cycle.status == "final":
            return ("final", cycle.id, cycle.version)
    return ("live", version)


def _scores(year: int, basis: str, version: int) -> pd.DataFrame:
    return _year_scores(year, basis, _scores_key(year, version))


@st.cache_data(max_entries=32, show_spinner=False)
def _city_frame(year: int, basis: str, version: int) -> pd.DataFrame:
    return readmodels.with_org_attributes(_scores(year, basis, version), _org_attributes(version))


@st.cache_data(max_entries=8, show_spinner=False)
def _history(version: int) -> pd.DataFrame:
    attributes = _org_attributes(version)
    return readmodels.concat_years(
        [
            readmodels.with_org_attributes(_scores(year, "reviewed", version), attributes)
            for year in _years(version)
        ]
    )


@st.cache_data(max_entries=4, show_spinner=False)
def _years(version: int) -> list[int]:
    return readmodels.load_years()


def city_frame(actor: Actor | None, year: int, basis: str = "reviewed") -> pd.DataFrame:
    """The whole city's standing (city roles only)."""
    readmodels.authorize_city_view(actor)
    return _city_frame(year, basis, data_version())


def city_history(actor: Actor | None) -> pd.DataFrame:
    """Every organisation × every year, reviewed basis (city roles only)."""
    readmodels.authorize_city_view(actor)
    return _history(data_version())


@st.cache_data(max_entries=16, show_spinner=False)
def _year_scope(year: int, version: int) -> readmodels.YearScope:
    return readmodels.load_year_scope(year)


def year_scope(actor: Actor | None, year: int) -> readmodels.YearScope:
    """Whom the year's figures count and with which statuses (city roles only)."""
    readmodels.authorize_city_view(actor)
    return _year_scope(year, data_version())


def years() -> list[int]:
    return _years(data_version())


def org_standing(
    actor: Actor | None, org_id: int, year: int, basis: str = "reviewed"
) -> pd.Series | None:
    """One organisation's row of the city frame (its own branch user, or city roles)."""
    readmodels.authorize_org_view(actor, org_id)
    frame = _city_frame(year, basis, data_version())
    return frame.loc[org_id] if org_id in frame.index else None


# ----------------------------------------------------------------------------- leadership views
# Everything below is the same for every city-role viewer, so it is cached once per process and
# keyed by the change counter; the public wrappers check the viewer's role first.


@st.cache_data(max_entries=4, show_spinner=False)
def _cycles(version: int) -> list[cycles.CycleInfo]:
    return cycles.list_cycles()


def cycle_list() -> list[cycles.CycleInfo]:
    """Every evaluation year, oldest first (no personal data)."""
    return _cycles(data_version())


def current_year() -> int | None:
    """The open year (latest open), else the latest year; None without any year."""
    infos = cycle_list()
    if not infos:
        return None
    open_years = [c.year for c in infos if c.is_open]
    return (open_years or [infos[-1].year])[-1]


@st.cache_data(max_entries=16, show_spinner=False)
def _thresholds(year: int, version: int) -> scoring.Thresholds:
    info = next((c for c in _cycles(version) if c.year == year), None)
    return (
        scoring.DEFAULT_THRESHOLDS if info is None else cycles.rubric_of_cycle(info.id).thresholds
    )


def thresholds(year: int) -> scoring.Thresholds:
    """The year's thresholds from its rubric (five-star line, 85% ratio, bonus cap): every line
    a chart or page draws comes from here, never from a literal (no personal data)."""
    return _thresholds(year, data_version())


def five_star_lines(years: list[int]) -> dict[int, Decimal]:
    """year → the year's five-star composite line."""
    return {y: thresholds(y).five_star_composite for y in years}


@st.cache_data(max_entries=8, show_spinner=False)
def _criteria(year: int, version: int) -> pd.DataFrame:
    return statistics.load_criteria(year)


@st.cache_data(max_entries=16, show_spinner=False)
def _criterion_stats(year: int, basis: str, version: int) -> pd.DataFrame:
    scope = statistics.submitted(_city_frame(year, basis, version))
    totals = statistics.load_criterion_totals(year, basis)
    return statistics.criterion_stats(totals, _criteria(year, version), len(scope))


@st.cache_data(max_entries=16, show_spinner=False)
def _missed(year: int, basis: str, version: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = statistics.submitted(_city_frame(year, basis, version))
    unlit = statistics.load_criterion_totals(year, basis, unlit_only=True)
    return (
        statistics.missed_reasons(frame),
        statistics.missed_criteria(frame, unlit, _criteria(year, version)),
    )


@st.cache_data(max_entries=8, show_spinner=False)
def _chase(year: int, version: int) -> pd.DataFrame:
    frame = _city_frame(year, "reviewed", version)
    return statistics.chase_list(frame, statistics.load_progress(year))


@st.cache_data(max_entries=8, show_spinner=False)
def _gaps(year: int, version: int) -> pd.DataFrame:
    return statistics.score_gaps(
        _city_frame(year, "self", version), _city_frame(year, "reviewed", version)
    )


@st.cache_data(max_entries=4, show_spinner=False)
def _attainment(version: int, city_label: str) -> pd.DataFrame:
    return statistics.attainment_table(_history(version), city_label)


@st.cache_data(max_entries=4, show_spinner=False)
def _changes(version: int) -> pd.DataFrame:
    unfinished = [c.year for c in _cycles(version) if c.status in ("open", "closed")]
    return statistics.level_changes(_history(version), unfinished)


@st.cache_data(max_entries=64, show_spinner=False)
def _org_detail(year: int, org_id: int, version: int) -> statistics.OrgDetail:
    return statistics.load_org_detail(year, org_id)


@st.cache_data(max_entries=8, show_spinner=False)
def _excellence(year: int, version: int) -> excellence.ExcellenceView:
    return excellence.build_view(year, _city_frame(year, "reviewed", version))


def criterion_stats(actor: Actor | None, year: int, basis: str = "reviewed") -> pd.DataFrame:
    """Per-criterion average share of max points over handed-in organisations, weakest first."""
    readmodels.authorize_city_view(actor)
    return _criterion_stats(year, basis, data_version())


def missed(
    actor: Actor | None, year: int, basis: str = "reviewed"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reasons organisations miss five-star, criteria losing most points in unlit stars)."""
    readmodels.authorize_city_view(actor)
    return _missed(year, basis, data_version())


def chase_list(actor: Actor | None, year: int) -> pd.DataFrame:
    """Organisations that have not handed in, with last save and contacts (for 催报)."""
    readmodels.authorize_city_view(actor)
    return _chase(year, data_version())


def score_gaps(actor: Actor | None, year: int) -> pd.DataFrame:
    """Reviewed organisations' self composite minus reviewed composite, inflated first."""
    readmodels.authorize_city_view(actor)
    return _gaps(year, data_version())


def attainment_table(actor: Actor | None, city_label: str) -> pd.DataFrame:
    """Five-star share against the target per year, for the city and each region."""
    readmodels.authorize_city_view(actor)
    return _attainment(data_version(), city_label)


def level_changes(actor: Actor | None) -> pd.DataFrame:
    """Every organisation's level against its previous year (升星 / 降星 / 持平)."""
    readmodels.authorize_city_view(actor)
    return _changes(data_version())


def org_detail(actor: Actor | None, org_id: int, year: int) -> statistics.OrgDetail:
    """One organisation's rubric lines, points, notes and evidence list."""
    readmodels.authorize_org_view(actor, org_id)
    return _org_detail(year, org_id, data_version())


def excellence_view(actor: Actor | None, year: int) -> excellence.ExcellenceView:
    """The year's 双优 recommendation and confirmed list."""
    readmodels.authorize_city_view(actor)
    return _excellence(year, data_version())


def rubric_criteria(year: int) -> pd.DataFrame:
    """The year's rubric lines (public: the rubric is not personal)."""
    return _criteria(year, data_version())


def changed_here() -> None:
    """After a write in this session: read the change counter afresh on the next access, so the
    page that follows shows the write at once instead of after the counter's poll interval."""
    data_version.clear()
