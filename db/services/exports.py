"""Exports for the office: the year's Excel workbook, the 催报 list and a printable org report.

These check who may have the file and gather its data; the files themselves are built by
documents/ (city_workbook, org_report).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from db.models import utcnow
from db.services import attainment, comparison, excellence, readmodels, statistics
from db.services.common import Actor, NotFound, audit_now, invalid
from db.services.cycles import cycle_by_year, rubric_of_cycle
from documents import city_workbook
from documents import org_report as report_html
from texts import leadership as T


def _criteria_lines(
    frame: pd.DataFrame, entries: pd.DataFrame, criteria: pd.DataFrame
) -> pd.DataFrame:
    """One row per organisation and criterion in the 细则明细 sheet's order, with `used`."""
    crit = criteria.set_index("code")
    orgs = frame[["code", "name", "rank"]]
    merged = entries.merge(orgs, left_on="org_id", right_index=True, suffixes=("", "_org"))
    merged = merged.merge(
        crit[["kind", "star", "max_tenths", "sort_order"]], left_on="code", right_index=True
    )
    merged = merged.sort_values(["rank", "code_org", "sort_order"])
    return merged.assign(used=statistics.basis_points(merged, "reviewed"))


def export_workbook(actor: Actor | None, *, year: int) -> bytes:
    """The year's workbook, for the 机关工委 and the leadership (reviewed basis)."""
    actor = readmodels.authorize_results_view(actor)
    cycle = cycle_by_year(actor, year)
    rubric = rubric_of_cycle(actor, cycle.id)
    frame = readmodels.load_city_frame(actor, year, "reviewed")
    try:
        view: excellence.ExcellenceView | None = excellence.build_view(actor, year)
    except NotFound:
        view = None
    history = readmodels.load_history(actor)
    # A region's or department's workbook: one total row per year, named after its scope.
    scope = readmodels.scope_name(actor)
    criteria_lines = _criteria_lines(
        frame, statistics.load_entries(actor, year), statistics.load_criteria(actor, year)
    )
    content = city_workbook.city_workbook(
        # no rank for an organisation that has not handed in (readmodels.ranked)
        frame=readmodels.shown_ranks(frame),
        criteria_lines=criteria_lines,
        excellence=view,
        attainment=(
            attainment.attainment_table(history, scope or T.CITY_SCOPE, regions=scope is None)
            if not history.empty
            else None
        ),
        bases=rubric.bases,
        # the regions side by side: the city's workbook only (a scope is one region or less)
        comparison=(
            comparison.region_comparison(actor, year, T.CITY_SCOPE) if scope is None else None
        ),
    )
    audit_now(actor, "export_workbook", "year", year, {"orgs": len(frame)})
    return content


def chase_workbook(actor: Actor | None, *, year: int) -> bytes:
    """The 催报 list: organisations that have not handed in, with progress and contacts."""
    actor = readmodels.authorize_results_view(actor)
    frame = readmodels.load_city_frame(actor, year, "reviewed")
    return city_workbook.chase_workbook(
        statistics.chase_list(frame, statistics.load_progress(actor, year))
    )


@dataclass(frozen=True)
class OrgReport:
    """The printable report of one organisation: the fragment, the document and a file name."""

    body: str
    document: str
    filename: str


def org_report(
    actor: Actor | None,
    *,
    org_id: int,
    year: int,
    basis: str = "reviewed",
    frame_of: Callable[[int, str], pd.DataFrame] | None = None,
) -> OrgReport:
    """One organisation's one-page report: stars, composite, level, rank and gap to five-star.

    Its rank is counted against the whole city and its region, whatever the viewer's scope:
    only that organisation's row and the counts are read from the year's whole-city frame.
    `frame_of(year, basis)` may supply that frame already cached (defaults to a fresh load).
    """
    viewer = readmodels.authorize_org_view(actor, org_id)

    def fresh(y: int, b: str) -> pd.DataFrame:
        return readmodels.load_whole_city_frame(viewer, y, b)

    load = frame_of or fresh
    frame = load(year, basis)
    if org_id not in frame.index:
        counted = readmodels.load_org_table(viewer, year)
        if org_id in counted.index:
            # a published year rated only those it published: the rest have no rank or level
            message = T.R_NOT_RATED.format(name=counted.loc[org_id, "name"], year=year)
            raise invalid([message])
        raise NotFound()
    # no rank for an organisation that has not handed in (readmodels.ranked); the totals count
    # the organisations that hold one
    row = readmodels.shown_ranks(frame.loc[[org_id]]).iloc[0]
    cycle = cycle_by_year(viewer, year)
    rubric = rubric_of_cycle(viewer, cycle.id)
    detail = statistics.load_org_detail(viewer, year, org_id)
    plan = statistics.org_advice(detail, rubric, basis).suggestions
    titles = dict(zip(detail.lines["code"], detail.lines["title"], strict=True))
    suggestions = [(s.code, titles.get(s.code, ""), s.add_points) for s in plan]
    parts = []
    for y in readmodels.load_years(viewer):
        if y > year:
            continue
        past = frame if (y == year and basis == "reviewed") else load(y, "reviewed")
        if org_id in past.index:
            parts.append(readmodels.shown_ranks(past.loc[[org_id]]))
    history = pd.concat(parts) if parts else pd.DataFrame()
    region_total = readmodels.ranked_count(frame[frame["region"] == row["region"]])
    body = report_html.report_body(
        row=row,
        year=year,
        total=readmodels.ranked_count(frame),
        region_total=region_total,
        bases=rubric.bases,
        thresholds=rubric.thresholds,
        gap=statistics.gap_of(row, rubric.bases, rubric.thresholds),
        suggestions=suggestions,
        history=history,
        basis=basis,
        generated=utcnow(),
    )
    title = T.R_DOC_TITLE.format(year=year) + " · " + str(row["name"])
    return OrgReport(
        body,
        report_html.report_document(body, title),
        T.R_FILENAME.format(code=row["code"], year=year),
    )


__all__ = [
    "OrgReport",
    "chase_workbook",
    "export_workbook",
    "org_report",
]
