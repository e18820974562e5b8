"""Scopes cut every list: a region's or department's account sees exactly its organisations
(with the city's ranks), the shared caches never hand one scope's rows to another, and files
and figures count the scope only. The refusals of single ids are the permission table's."""

from __future__ import annotations

import dataclasses
import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from db.engine import read_session
from db.models import Organisation
from db.services import excellence, exports, readmodels, review, statistics
from db.services.common import Actor
from permissions import CITY_SCOPE, Scope, ScopeKind, Target
from tests.utils import actor
from ui import data, rankings
from ui import review as review_ui

YEAR = 2026


def _as(username: str, *, region: str | None = None, department: int | None = None) -> Actor:
    return dataclasses.replace(actor(username), scope_region=region, scope_department_id=department)


def _orgs() -> dict[int, tuple[str, int | None]]:
    """Every organisation: id → (region, department id)."""
    with read_session() as session:
        rows = session.exec(select(Organisation)).all()
    return {int(o.id or 0): (o.region, o.department_id) for o in rows}


def _expected(orgs: dict[int, tuple[str, int | None]], scope: Scope, ids: object) -> set[int]:
    """The ids among `ids` that lie in `scope`, by the organisation table."""
    return {int(o) for o in ids if scope.covers(Target(int(o), orgs[int(o)][0], orgs[int(o)][1]))}


def test_scope_kinds_and_the_rule_on_plain_values() -> None:
    assert CITY_SCOPE.kind is ScopeKind.CITY
    assert Scope(region="柯桥区").kind is ScopeKind.REGION
    assert Scope(department_id=7).kind is ScopeKind.DEPARTMENT
    assert Scope(region="柯桥区").covers(Target(1, "柯桥区", 7))
    assert not Scope(region="柯桥区").covers(Target(1, "越城区", 7))
    assert Scope(department_id=7).covers(Target(1, "越城区", 7))
    assert Scope(department_id=7).covers(Target(7, "越城区", None)), "the department itself"
    assert not Scope(department_id=7).covers(Target(8, "越城区", 9))
    # a record of no known organisation lies in the city's scope only (fail closed)
    assert CITY_SCOPE.covers(Target(None, kind="assessment", id=5))
    assert not Scope(region="柯桥区").covers(Target(None, kind="assessment", id=5))


def test_frames_lists_and_caches_are_cut_to_the_scope(city: str) -> None:
    orgs = _orgs()
    whole = data.city_frame(actor("leader"), YEAR)
    region = str(whole["region"].value_counts().index[0])
    department = int(next(d for _, d in orgs.values() if d is not None))
    viewers = [
        _as("leader", region=region),
        _as("leader", department=department),
        _as("leader", region="不存在的地区"),
        actor("leader"),
    ]
    # twice round: the second round is served from the shared caches
    for _ in range(2):
        for viewer in viewers:
            frame = data.city_frame(viewer, YEAR)
            assert set(frame.index) == _expected(orgs, viewer.scope, whole.index)
            # the city's ranks, not re-ranked within the scope
            assert frame["rank"].equals(whole.loc[frame.index, "rank"])
            assert frame["region_rank"].equals(whole.loc[frame.index, "region_rank"])
            assert frame.equals(readmodels.load_city_frame(viewer, YEAR).loc[frame.index])
            table = rankings.cached_table(viewer, YEAR, "reviewed")
            assert len(table) == len(frame)
            history = data.city_history(viewer)
            assert set(history.index) == _expected(orgs, viewer.scope, history.index)
            chase = data.chase_list(viewer, YEAR)
            assert set(chase.index) <= set(frame.index)
            progress = statistics.load_progress(viewer, YEAR)
            assert set(progress.index) == _expected(orgs, viewer.scope, progress.index)
            entries = statistics.load_entries(viewer, YEAR)
            assert set(entries["org_id"]) <= set(frame.index)
            counted = data.year_scope(viewer, YEAR).counted
            assert counted == len(readmodels.load_org_table(viewer, YEAR))
            ex = data.excellence_view(viewer, YEAR)
            assert set(ex.candidates.index) <= set(frame.index)
            assert set(ex.recommended) <= set(frame.index)
    assert len(data.city_frame(_as("leader", region="不存在的地区"), YEAR)) == 0
    assert 0 < len(data.city_frame(viewers[0], YEAR)) < len(whole)


def test_the_review_queue_holds_the_scope_only(city: str) -> None:
    orgs = _orgs()
    full = review.review_queue(actor("reviewer"), year=YEAR)
    region = str(full["region"].iloc[0])
    scoped = _as("reviewer", region=region)
    for _ in range(2):
        for who in (scoped, actor("reviewer")):
            queue = review_ui.queue(who, YEAR)
            assert set(queue["org_id"]) == _expected(orgs, who.scope, full["org_id"])
    assert set(review_ui.queue(scoped, YEAR)["region"]) == {region}


def test_the_workbook_and_figures_count_the_scope(city: str) -> None:
    whole = readmodels.load_city_frame(actor("leader"), YEAR)
    region = str(whole["region"].value_counts().index[0])
    viewer = _as("leader", region=region)
    book = load_workbook(io.BytesIO(exports.export_workbook(viewer, year=YEAR)), read_only=True)
    ranking = list(book.worksheets[0].iter_rows(values_only=True))
    in_region = int((whole["region"] == region).sum())
    assert len(ranking) - 1 == in_region
    targets = list(book.worksheets[-1].iter_rows(values_only=True))[1:]
    assert {row[1] for row in targets} == {region}, "one total row per year, named by the scope"
    attain = data.attainment_table(viewer, data.scope_label(viewer, "全市"))
    assert set(attain["scope"]) == {region}
    assert set(data.attainment_table(actor("leader"), "全市")["scope"]) > {"全市"}
    # the 双优 quota stays the city's whatever the viewer's scope
    city_view = excellence.build_view(actor("leader"), YEAR)
    scoped_view = excellence.build_view(viewer, YEAR)
    assert (scoped_view.quota, scoped_view.basis_count) == (
        city_view.quota,
        city_view.basis_count,
    )
    assert set(scoped_view.recommended) == set(city_view.recommended) & set(
        whole.index[whole["region"] == region]
    )


def test_an_org_report_ranks_against_the_city(city: str) -> None:
    whole = readmodels.load_city_frame(actor("leader"), YEAR)
    org_id = int(whole.index[0])
    region = str(whole.loc[org_id, "region"])
    city_report = exports.org_report(actor("leader"), org_id=org_id, year=YEAR)
    scoped_report = exports.org_report(_as("leader", region=region), org_id=org_id, year=YEAR)
    assert scoped_report.body == city_report.body


@pytest.mark.parametrize("kind", ["region", "department"])
def test_a_scope_outside_names_nothing(city: str, kind: str) -> None:
    """An account of a scope without organisations sees empty lists, not the city's."""
    viewer = (
        _as("leader", region="不存在的地区")
        if kind == "region"
        else _as("leader", department=10_000_000)
    )
    assert readmodels.load_city_frame(viewer, YEAR).empty
    assert statistics.load_progress(viewer, YEAR).empty
    assert statistics.load_criterion_totals(viewer, YEAR).empty
    assert review.review_queue(_as("reviewer", region="不存在的地区"), year=YEAR).empty
