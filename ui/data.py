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
from db.models import CycleStatus
from db.services import (
    attainment,
    comparison,
    cycles,
    department,
    excellence,
    readmodels,
    statistics,
)
from db.services.common import Actor, NotFound, change_counter

COUNTER_POLL_SECONDS = 2


@st.cache_data(ttl=COUNTER_POLL_SECONDS, show_spinner=False)
def data_version() -> int:
    """The database change counter, read at most every COUNTER_POLL_SECONDS per process."""
    return change_counter()


# The cached functions below are shared by every session, so their keys never include the
# viewer. They take the viewer as `_actor` (left out of the key by st.cache_data) only to hand
# it to the service loader on a miss; every public wrapper checks the viewer's permission first.
# The city-wide inputs (_year_scores, _org_attributes, _city_frame, _history) are never shown
# as they are: what a viewer sees is cut to its scope (readmodels.in_scope) by a function keyed
# by the scope (`ScopeKey`), never by the user, so one scope's rows never reach another's.

ScopeKey = tuple[str | None, int | None]


def scope_key(actor: Actor) -> ScopeKey:
    """The cache key of the actor's scope: (region, department id), both None for the city."""
    return (actor.scope.region, actor.scope.department_id)


@st.cache_data(max_entries=64, show_spinner=False)
def _year_scores(year: int, basis: str, key: tuple[object, ...], _actor: Actor) -> pd.DataFrame:
    return readmodels.load_year_scores(_actor, year, basis)


@st.cache_data(max_entries=4, show_spinner=False)
def _org_attributes(version: int, _actor: Actor) -> pd.DataFrame:
    return readmodels.load_org_attributes(_actor)


def _scores_key(year: int, version: int, actor: Actor) -> tuple[object, ...]:
    """A final year's scores never change (freeze), so they are keyed by its cycle alone and
    survive writes to other years; every other year's follow the change counter."""
    for cycle in _cycles(version, actor):
        if cycle.year == year and cycle.status == CycleStatus.FINAL:
            return ("final", cycle.id, cycle.version)
    return ("live", version)


def _scores(year: int, basis: str, version: int, actor: Actor) -> pd.DataFrame:
    return _year_scores(year, basis, _scores_key(year, version, actor), actor)


@st.cache_data(max_entries=32, show_spinner=False)
def _city_frame(year: int, basis: str, version: int, _actor: Actor) -> pd.DataFrame:
    return readmodels.with_org_attributes(
        _scores(year, basis, version, _actor), _org_attributes(version, _actor)
    )


@st.cache_data(max_entries=8, show_spinner=False)
def _history(version: int, _actor: Actor) -> pd.DataFrame:
    attributes = _org_attributes(version, _actor)
    return readmodels.concat_years(
        [
            readmodels.with_org_attributes(_scores(year, "reviewed", version, _actor), attributes)
            for year in _years(version, _actor)
        ]
    )


@st.cache_data(max_entries=4, show_spinner=False)
def _years(version: int, _actor: Actor) -> list[int]:
    return readmodels.load_years(_actor)


@st.cache_data(max_entries=32, show_spinner=False)
def _scoped_frame(
    year: int, basis: str, version: int, scope: ScopeKey, _actor: Actor
) -> pd.DataFrame:
    return readmodels.in_scope(_actor, _city_frame(year, basis, version, _actor))


@st.cache_data(max_entries=8, show_spinner=False)
def _scoped_history(version: int, scope: ScopeKey, _actor: Actor) -> pd.DataFrame:
    return readmodels.in_scope(_actor, _history(version, _actor))


def scoped_frame(actor: Actor, year: int, basis: str, version: int) -> pd.DataFrame:
    """The cached year frame cut to the actor's scope (city ranks and region ranks kept)."""
    return _scoped_frame(year, basis, version, scope_key(actor), actor)


def city_frame(actor: Actor | None, year: int, basis: str = "reviewed") -> pd.DataFrame:
    """The standing of the organisations in the viewer's scope (Action.VIEW_RESULTS)."""
    viewer = readmodels.authorize_results_view(actor)
    return scoped_frame(viewer, year, basis, data_version())


def city_history(actor: Actor | None) -> pd.DataFrame:
    """Every organisation in the viewer's scope × every year, reviewed basis."""
    viewer = readmodels.authorize_results_view(actor)
    return _scoped_history(data_version(), scope_key(viewer), viewer)


@st.cache_data(max_entries=16, show_spinner=False)
def _year_scope(year: int, version: int, scope: ScopeKey, _actor: Actor) -> readmodels.YearScope:
    return readmodels.load_year_scope(_actor, year)


def year_scope(actor: Actor | None, year: int) -> readmodels.YearScope:
    """Whom the year's figures count in the viewer's scope and with which statuses."""
    viewer = readmodels.authorize_results_view(actor)
    return _year_scope(year, data_version(), scope_key(viewer), viewer)


def years(actor: Actor) -> list[int]:
    """Every evaluation year, oldest first."""
    return _years(data_version(), actor)


def org_standing(
    actor: Actor | None, org_id: int, year: int, basis: str = "reviewed"
) -> pd.Series | None:
    """One organisation's row of the city frame (Action.VIEW_ORG: its own branch user, or the
    results roles)."""
    viewer = readmodels.authorize_org_view(actor, org_id)
    frame = _city_frame(year, basis, data_version(), viewer)
    return frame.loc[org_id] if org_id in frame.index else None


def ranked_in_city(
    actor: Actor | None, org_id: int, year: int, basis: str = "reviewed"
) -> pd.DataFrame:
    """The cached whole-city frame, for counting one organisation's ranks against the city and
    its region (Action.VIEW_ORG on `org_id`): only that row and the counts may be shown."""
    viewer = readmodels.authorize_org_view(actor, org_id)
    return _city_frame(year, basis, data_version(), viewer)


# ----------------------------------------------------------------------------- leadership views
# Everything below is the same for every viewer allowed to see it, so it is cached once per
# process and keyed by the change counter; the public wrappers check the viewer's permission.


@st.cache_data(max_entries=4, show_spinner=False)
def _cycles(version: int, _actor: Actor) -> list[cycles.CycleInfo]:
    return cycles.list_cycles(_actor)


def cycle_list(actor: Actor) -> list[cycles.CycleInfo]:
    """Every evaluation year, oldest first (no personal data)."""
    return _cycles(data_version(), actor)


def current_year(actor: Actor) -> int | None:
    """The open year (latest open), else the latest year; None without any year."""
    infos = cycle_list(actor)
    if not infos:
        return None
    open_years = [c.year for c in infos if c.is_open]
    return (open_years or [infos[-1].year])[-1]


@st.cache_data(max_entries=16, show_spinner=False)
def _thresholds(year: int, version: int, _actor: Actor) -> scoring.Thresholds:
    info = next((c for c in _cycles(version, _actor) if c.year == year), None)
    if info is None:
        return scoring.DEFAULT_THRESHOLDS
    return cycles.rubric_of_cycle(_actor, info.id).thresholds


def thresholds(actor: Actor, year: int) -> scoring.Thresholds:
    """The year's thresholds from its rubric (five-star line, 85% ratio, bonus cap): every line
    a chart or page draws comes from here, never from a literal (no personal data)."""
    return _thresholds(year, data_version(), actor)


def five_star_lines(actor: Actor, years: list[int]) -> dict[int, Decimal]:
    """year → the year's five-star composite line."""
    return {y: thresholds(actor, y).five_star_composite for y in years}


@st.cache_data(max_entries=8, show_spinner=False)
def _criteria(year: int, version: int, _actor: Actor) -> pd.DataFrame:
    return statistics.load_criteria(_actor, year)


@st.cache_data(max_entries=16, show_spinner=False)
def _criterion_stats(
    year: int, basis: str, version: int, scope: ScopeKey, _actor: Actor
) -> pd.DataFrame:
    handed_in = statistics.submitted(scoped_frame(_actor, year, basis, version))
    totals = statistics.load_criterion_totals(_actor, year, basis)
    return statistics.criterion_stats(totals, _criteria(year, version, _actor), len(handed_in))


@st.cache_data(max_entries=16, show_spinner=False)
def _missed(
    year: int, basis: str, version: int, scope: ScopeKey, _actor: Actor
) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = statistics.submitted(scoped_frame(_actor, year, basis, version))
    unlit = statistics.load_criterion_totals(_actor, year, basis, unlit_only=True)
    return (
        statistics.missed_reasons(frame),
        statistics.missed_criteria(frame, unlit, _criteria(year, version, _actor)),
    )


@st.cache_data(max_entries=8, show_spinner=False)
def _chase(year: int, version: int, scope: ScopeKey, _actor: Actor) -> pd.DataFrame:
    frame = scoped_frame(_actor, year, "reviewed", version)
    return statistics.chase_list(frame, statistics.load_progress(_actor, year))


@st.cache_data(max_entries=8, show_spinner=False)
def _gaps(year: int, version: int, scope: ScopeKey, _actor: Actor) -> pd.DataFrame:
    return statistics.score_gaps(
        scoped_frame(_actor, year, "self", version),
        scoped_frame(_actor, year, "reviewed", version),
    )


@st.cache_data(max_entries=8, show_spinner=False)
def _attainment(version: int, label: str, scope: ScopeKey, _actor: Actor) -> pd.DataFrame:
    # A region's or department's viewer sees its own total only: the regions are the city's.
    return attainment.attainment_table(
        _scoped_history(version, scope, _actor), label, regions=scope == (None, None)
    )


@st.cache_data(max_entries=64, show_spinner=False)
def _scope_name(version: int, scope: ScopeKey, _actor: Actor) -> str | None:
    return readmodels.scope_name(_actor)


def scope_label(actor: Actor, city_label: str) -> str:
    """What the viewer's whole is called: `city_label` (全市), its region or its department."""
    if actor.scope.region is None and actor.scope.department_id is None:
        return city_label
    name = _scope_name(data_version(), scope_key(actor), actor)
    return city_label if name is None else name


@st.cache_data(max_entries=8, show_spinner=False)
def _changes(version: int, scope: ScopeKey, _actor: Actor) -> pd.DataFrame:
    unfinished = [
        c.year
        for c in _cycles(version, _actor)
        if c.status in (CycleStatus.OPEN, CycleStatus.CLOSED)
    ]
    return attainment.level_changes(_scoped_history(version, scope, _actor), unfinished)


@st.cache_data(max_entries=64, show_spinner=False)
def _org_detail(year: int, org_id: int, version: int, _actor: Actor) -> statistics.OrgDetail:
    return statistics.load_org_detail(_actor, year, org_id)


@st.cache_data(max_entries=8, show_spinner=False)
def _excellence(
    year: int, version: int, scope: ScopeKey, _actor: Actor
) -> excellence.ExcellenceView:
    # The recommendation is the city's (its quota counts the whole city); build_view cuts it.
    return excellence.build_view(_actor, year, _city_frame(year, "reviewed", version, _actor))


def criterion_stats(actor: Actor | None, year: int, basis: str = "reviewed") -> pd.DataFrame:
    """Per-criterion average share of max points over handed-in organisations, weakest first."""
    viewer = readmodels.authorize_results_view(actor)
    return _criterion_stats(year, basis, data_version(), scope_key(viewer), viewer)


def missed(
    actor: Actor | None, year: int, basis: str = "reviewed"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reasons organisations miss five-star, criteria losing most points in unlit stars)."""
    viewer = readmodels.authorize_results_view(actor)
    return _missed(year, basis, data_version(), scope_key(viewer), viewer)


def chase_list(actor: Actor | None, year: int) -> pd.DataFrame:
    """Organisations that have not handed in, with last save and contacts (for 催报)."""
    viewer = readmodels.authorize_results_view(actor)
    return _chase(year, data_version(), scope_key(viewer), viewer)


def score_gaps(actor: Actor | None, year: int) -> pd.DataFrame:
    """Reviewed organisations' self composite minus reviewed composite, inflated first."""
    viewer = readmodels.authorize_results_view(actor)
    return _gaps(year, data_version(), scope_key(viewer), viewer)


def attainment_table(actor: Actor | None, label: str) -> pd.DataFrame:
    """Five-star share against the target per year for the viewer's scope (its rows labelled
    `label`, see scope_label) and, for a city-wide viewer, each region."""
    viewer = readmodels.authorize_results_view(actor)
    return _attainment(data_version(), label, scope_key(viewer), viewer)


def level_changes(actor: Actor | None) -> pd.DataFrame:
    """Every organisation's level against its previous year (升星 / 降星 / 持平)."""
    viewer = readmodels.authorize_results_view(actor)
    return _changes(data_version(), scope_key(viewer), viewer)


@st.cache_data(max_entries=8, show_spinner=False)
def _comparison(
    year: int, version: int, scope: ScopeKey, total_label: str, _actor: Actor
) -> pd.DataFrame:
    infos = _cycles(version, _actor)
    prev = comparison.previous_published(infos, year)
    return comparison.compare_regions(
        scoped_frame(_actor, year, "reviewed", version),
        scoped_frame(_actor, year, "self", version),
        year,
        previous=None if prev is None else scoped_frame(_actor, prev, "reviewed", version),
        unfinished=comparison.is_unfinished(infos, year),
        total_label=total_label,
    )


def region_comparison(actor: Actor | None, year: int, total_label: str) -> pd.DataFrame:
    """The regions of the viewer's scope side by side (comparison.compare_regions): five-star
    share against the target, completion, inflation, 升星/降星; the last row is the total."""
    viewer = readmodels.authorize_results_view(actor)
    return _comparison(year, data_version(), scope_key(viewer), total_label, viewer)


@st.cache_data(max_entries=8, show_spinner=False)
def _departments(version: int, scope: ScopeKey, _actor: Actor) -> list[department.Department]:
    return department.departments(_actor)


def departments(actor: Actor | None) -> list[department.Department]:
    """The departments in the viewer's scope, by code."""
    viewer = readmodels.authorize_results_view(actor)
    return _departments(data_version(), scope_key(viewer), viewer)


@st.cache_data(max_entries=32, show_spinner=False)
def _department_view(
    year: int, dept: department.Department, version: int, scope: ScopeKey, _actor: Actor
) -> department.DepartmentView:
    info = next((c for c in _cycles(version, _actor) if c.year == year), None)
    if info is None:
        raise NotFound()
    rubric = cycles.rubric_of_cycle(_actor, info.id)
    return department.assemble(
        dept,
        year,
        _city_frame(year, "reviewed", version, _actor),
        scoped_frame(_actor, year, "reviewed", version).index,
        statistics.load_progress(_actor, year),
        dict(rubric.bases),
        rubric.thresholds,
    )


def department_view(
    actor: Actor | None, year: int, department_id: int
) -> department.DepartmentView:
    """A department's organisations in `year`: progress, stars, gap, who has not started
    (the department must lie in the viewer's scope; a refusal is logged)."""
    dept = department.department_of(actor, department_id)
    assert actor is not None  # department_of refused anyone else
    return _department_view(year, dept, data_version(), scope_key(actor), actor)


def org_detail(actor: Actor | None, org_id: int, year: int) -> statistics.OrgDetail:
    """One organisation's rubric lines, points, notes and evidence list."""
    viewer = readmodels.authorize_org_view(actor, org_id)
    return _org_detail(year, org_id, data_version(), viewer)


def excellence_view(actor: Actor | None, year: int) -> excellence.ExcellenceView:
    """The year's 双优 recommendation and confirmed list."""
    viewer = readmodels.authorize_results_view(actor)
    return _excellence(year, data_version(), scope_key(viewer), viewer)


def rubric_criteria(actor: Actor, year: int) -> pd.DataFrame:
    """The year's rubric lines (every user: the rubric is not personal)."""
    return _criteria(year, data_version(), actor)


def changed_here() -> None:
    """After a write in this session: read the change counter afresh on the next access, so the
    page that follows shows the write at once instead of after the counter's poll interval."""
    data_version.clear()
