"""Shared read models: the whole city's evaluated standing for a year.

A year's frame is two parts: its scores (evaluated by `scoring`, one row per organisation the
year counts, from assessment_total) and the organisations' current names and places. A final
year's scores never change, so ui/data.py caches that part per year and only joins fresh names.

The loaders take the acting user and check `Action.READ_STANDINGS`: the standings are the
input every results view is cut from (a branch's own rank too). What a user is then shown is
checked by the view: `authorize_results_view` for the city's tables, `authorize_org_view` for
one organisation. ui/data.py caches the loaders across sessions keyed by the change counter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, func, inspect, select
from sqlmodel import col

import scoring
from db.engine import read_session
from db.models import (
    SUBMITTED_STATUSES,
    Assessment,
    AssessmentStatus,
    AssessmentTotal,
    Criterion,
    CriterionKind,
    Cycle,
    CycleStatus,
    Organisation,
    OrgType,
    PublishedResult,
)
from db.services.common import Actor, require, require_org
from db.services.cycles import rubric_of_cycle
from db.services.published import RATED
from db.services.totals import BASES, SUM_COLUMNS
from permissions import Action, ScopeKind

# department_id is the organisation's department today (what a department's scope compares);
# the other attributes of a published year are as published_result froze them.
FROZEN_ATTRIBUTES = ["code", "name", "org_type", "region", "department", "member_count"]
ATTRIBUTE_COLUMNS = ["org_id", *FROZEN_ATTRIBUTES, "department_id"]
PART_COLUMNS = ["org_id", "assessment_id", "status"]
ORG_COLUMNS = [*ATTRIBUTE_COLUMNS, *PART_COLUMNS[1:]]
TAIL_COLUMNS = ["scored", "criteria_total", "region_rank", "year"]


def authorize_results_view(actor: Actor | None) -> Actor:
    """Rankings and statistics of the actor's scope (the permission table's VIEW_RESULTS)."""
    return require(actor, Action.VIEW_RESULTS)


def scope_name(actor: Actor) -> str | None:
    """The name of the actor's scope: its region, its department's name, None for the city."""
    scope = actor.scope
    if scope.kind is ScopeKind.REGION:
        return scope.region
    if scope.kind is ScopeKind.DEPARTMENT:
        with read_session() as session:
            name = session.execute(
                select(col(Organisation.name)).where(col(Organisation.id) == scope.department_id)
            ).scalar_one_or_none()
        return name or str(scope.department_id)
    return None


def in_scope(actor: Actor, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of an organisation frame (indexed by org_id, with region and department_id)
    that lie in the actor's scope, by permissions.Scope.condition: the rule that refuses an
    out-of-scope id also cuts every list. Ranks computed before the cut stay the city's.

    department_id (today's department, which a department's scope compares) is dropped from
    what is returned: a published year shows only what it was published with."""
    condition = actor.scope.condition(
        frame["region"], frame["department_id"], pd.Series(frame.index, index=frame.index)
    )
    cut = frame if condition is None else frame[condition.to_numpy(dtype=bool)]
    return cut.drop(columns=["department_id"])


def authorize_org_view(actor: Actor | None, org_id: int) -> Actor:
    """One organisation's standing and detail (its own branch user, or the results roles)."""
    return require_org(actor, Action.VIEW_ORG, org_id)


def cycle_of_year(session: Any, year: int) -> Any:
    """(id, status) of the year's cycle, or None."""
    return session.execute(
        select(col(Cycle.id), col(Cycle.status)).where(col(Cycle.year) == year)
    ).first()


def taking_part(cycle_status: str) -> list[ColumnElement[bool]]:
    """Which organisations a year counts (SQL conditions on Organisation and Assessment).

    Open and closed years count the active evaluated organisations (the open year also those
    without an assessment yet: the query joins outer then). A published year counts the set it
    was published with (`Assessment.counted`, set by publish_year), whatever has happened to
    the organisations since, so adding or dissolving a branch never rewrites published results.
    """
    evaluated = [col(Organisation.org_type) != OrgType.DEPARTMENT]
    if cycle_status in (CycleStatus.OPEN, CycleStatus.CLOSED):
        return [*evaluated, col(Organisation.active).is_(True)]
    return [*evaluated, col(Assessment.counted).is_(True)]


@dataclass(frozen=True)
class YearScope:
    """Whom a year's figures count and with which statuses (the caption of every screen)."""

    year: int
    published: bool  # the frozen set of a published year, else today's active organisations
    by_status: dict[str, int]  # assessment status → organisations the year counts

    @property
    def counted(self) -> int:
        return sum(self.by_status.values())

    @property
    def rated(self) -> int:
        """The organisations in the year's figures: a published year's rated ones, else all."""
        return self.by_status.get(RATED, 0) if self.published else self.counted

    @property
    def not_rated(self) -> int:
        """Counted by a published year but 不参加评定 (published unfinished)."""
        return self.counted - self.rated


def load_year_scope(actor: Actor | None, year: int) -> YearScope:
    """Who the year counts in the actor's scope and how: the statuses behind its figures
    (see load_year_scores)."""
    actor = require(actor, Action.READ_STANDINGS)
    with read_session() as session:
        cycle = cycle_of_year(session, year)
        counts = status_counts(session, year)
    if cycle is not None and actor.scope.kind is not ScopeKind.CITY:
        counted = load_org_table(actor, year)
        if is_published(cycle.status):
            counts = {str(k): int(v) for k, v in counted["status"].value_counts().items()}
        else:
            with read_session() as session:
                part = _taking_part_in(session, cycle.id, cycle.status)
            part = part[part.index.isin(counted.index)]
            counts = {str(k): int(v) for k, v in part["status"].value_counts().items()}
    return YearScope(
        year=year, published=cycle is not None and is_published(cycle.status), by_status=counts
    )


def columns_frame(rows: Sequence[Any], columns: Sequence[str]) -> pd.DataFrame:
    """A frame built column by column: pandas inspects each Row object when given a row list,
    which costs more than the query itself at 50,000 organisations."""
    data = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    return pd.DataFrame(dict(zip(columns, data, strict=True)), columns=list(columns))


def load_org_attributes(actor: Actor | None) -> pd.DataFrame:
    """Every evaluated organisation's current code, name, type, region, department, members
    (the whole city: the input of the shared caches; what is shown is cut by `in_scope`)."""
    require(actor, Action.READ_STANDINGS)
    dept = inspect(Organisation).local_table.alias("dept")
    with read_session() as session:
        rows = (
            session.connection()
            .execute(
                select(
                    col(Organisation.id),
                    col(Organisation.code),
                    col(Organisation.name),
                    col(Organisation.org_type),
                    col(Organisation.region),
                    dept.c.name,
                    col(Organisation.member_count),
                    col(Organisation.department_id),
                )
                .join(dept, dept.c.id == Organisation.department_id, isouter=True)
                .where(col(Organisation.org_type) != OrgType.DEPARTMENT)
            )
            .all()
        )
    return columns_frame(rows, ATTRIBUTE_COLUMNS).set_index("org_id")


def _taking_part_in(session: Any, cycle_id: int, status: str) -> pd.DataFrame:
    """org_id → assessment_id, status for the organisations the year counts."""
    rows = (
        session.connection()
        .execute(
            select(
                col(Organisation.id),
                col(Assessment.id),
                func.coalesce(col(Assessment.status), AssessmentStatus.DRAFT.value),
            )
            .select_from(Organisation)
            .join(
                Assessment,
                (col(Assessment.org_id) == Organisation.id)
                & (col(Assessment.cycle_id) == cycle_id),
                isouter=status == CycleStatus.OPEN,
            )
            .where(*taking_part(status))
        )
        .all()
    )
    return columns_frame(rows, PART_COLUMNS).set_index("org_id")


def status_counts(session: Any, year: int) -> dict[str, int]:
    """How many organisations the year counts are in each assessment status (in `session`, so
    a writer can check them inside its transaction); an organisation of the open year that has
    not started counts as "draft"."""
    cycle = cycle_of_year(session, year)
    if cycle is None:
        return {}
    part = _taking_part_in(session, cycle.id, cycle.status)
    return {str(k): int(v) for k, v in part["status"].value_counts().items()}


def ranked(status: str) -> bool:
    """Whether an organisation's rank is shown: only once it has handed in (SUBMITTED_STATUSES);
    a draft or returned assessment's points are not a result yet."""
    return status in SUBMITTED_STATUSES


def shown_ranks(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with `rank` and `region_rank` left empty (<NA>) for every organisation that has
    not handed in (`ranked`): the ranks every table, sheet and printed report shows."""
    handed_in = frame["status"].astype(str).map(ranked).astype(bool)
    return frame.assign(
        rank=frame["rank"].astype("Int64").where(handed_in),
        region_rank=frame["region_rank"].astype("Int64").where(handed_in),
    )


def ranked_count(frame: pd.DataFrame) -> int:
    """How many organisations of the frame hold a rank (have handed in: `ranked`)."""
    return int(frame["status"].astype(str).map(ranked).astype(bool).sum())


# Above any composite in thousandths: the organisations that have handed in come first.
_HANDED_IN_OFFSET = 10**12


def _ranking_key(frame: pd.DataFrame) -> pd.Series:
    """What ranks are drawn from: having handed in (ranked), then the composite."""
    handed_in = frame["status"].astype(str).isin([str(s) for s in SUBMITTED_STATUSES])
    return frame["composite_milli"].astype("int64") + handed_in.astype("int64") * _HANDED_IN_OFFSET


def handed_in_first(frame: pd.DataFrame) -> pd.DataFrame:
    """The year's rows ranked so that only what has been handed in competes.

    An organisation still filling in (or sent back) keeps no rank on any screen (`ranked`),
    and its points must not push those that have handed in down either: ranks 1..k go to the
    k organisations that have handed in, by composite (ties share a rank), the rest follow.
    """
    key = _ranking_key(frame)
    frame = frame.copy()
    frame["rank"] = scoring.rank_within(key)
    return frame.sort_values("rank", kind="stable")


def load_org_table(actor: Actor | None, year: int) -> pd.DataFrame:
    """The organisations the year counts in the actor's scope, with department and this year's
    assessment status (a published year: every organisation it counted, rated or not, as at
    publication)."""
    actor = require(actor, Action.READ_STANDINGS)
    with read_session() as session:
        cycle = cycle_of_year(session, year)
        if cycle is None:
            return columns_frame([], ORG_COLUMNS).set_index("org_id")
        if is_published(cycle.status):
            frozen = PublishedResult
            rows = (
                session.connection()
                .execute(
                    select(
                        col(frozen.org_id),
                        *(getattr(frozen, a) for a in FROZEN_ATTRIBUTES),
                        col(Organisation.department_id),
                        col(frozen.assessment_id),
                        col(frozen.status),
                    )
                    .join(Organisation, col(Organisation.id) == frozen.org_id)
                    .where(col(frozen.cycle_id) == cycle.id)
                    # the order of publication: the join must not let PostgreSQL reorder
                    .order_by(col(frozen.assessment_id))
                )
                .all()
            )
            return in_scope(actor, columns_frame(rows, ORG_COLUMNS).set_index("org_id"))
        part = _taking_part_in(session, cycle.id, cycle.status)
    attributes = load_org_attributes(actor)
    return in_scope(actor, attributes.join(part, how="inner")[ORG_COLUMNS[1:]])


def is_published(cycle_status: str) -> bool:
    """A published (or final) year reads its frozen set (db/services/published.py)."""
    return cycle_status in ("published", "final")


def _published_rows(
    session: Any, cycle_id: int, basis: str, regions: Sequence[str] | None = None
) -> list[Any]:
    """The rated organisations of a published year (or of `regions`' own publications):
    org_id, sums, scored, assessment_id, status and the attributes they had at publication."""
    frozen = PublishedResult
    if basis == "reviewed":
        sums = [getattr(frozen, column) for column in (*SUM_COLUMNS, "scored")]
        query = select(col(frozen.org_id), *sums)
    else:
        # The self basis was not frozen: nothing writes it once the year is published.
        live = AssessmentTotal
        sums = [func.coalesce(getattr(live, column), 0) for column in (*SUM_COLUMNS, "scored")]
        query = select(col(frozen.org_id), *sums).join(
            live,
            (col(live.assessment_id) == frozen.assessment_id) & (col(live.basis) == basis),
            isouter=True,
        )
    query = query.add_columns(
        col(frozen.assessment_id),
        col(frozen.status),
        *(getattr(frozen, a) for a in FROZEN_ATTRIBUTES),
    ).where(col(frozen.cycle_id) == cycle_id, col(frozen.status) == RATED)
    if regions is not None:
        query = query.where(col(frozen.region).in_(list(regions)))
    return list(session.connection().execute(query).all())


FROZEN_COLUMNS = ["org_id", *SUM_COLUMNS, "scored", *PART_COLUMNS[1:], *FROZEN_ATTRIBUTES]


def load_region_publication(actor: Actor | None, year: int, region: str) -> pd.DataFrame:
    """A region's own published list as it was frozen (published_result rows of `region`),
    evaluated and ranked among themselves: the rank is the region's, and nothing another
    region does (edits, moves, its own republication) changes a figure of it. The rows are
    cut to the actor's scope (another region's list is empty for a region's account)."""
    actor = require(actor, Action.READ_STANDINGS)
    with read_session() as session:
        cycle = cycle_of_year(session, year)
        if cycle is None:
            return _empty_scores()
        n_criteria = session.execute(
            select(func.count()).where(
                col(Criterion.cycle_id) == cycle.id,
                col(Criterion.kind) == CriterionKind.CRITERION,
            )
        ).scalar_one()
        rows = _published_rows(session, cycle.id, "reviewed", [region])
    frozen = columns_frame(rows, FROZEN_COLUMNS).set_index("org_id")
    sums = [(org_id, *v) for org_id, *v in frozen[[*SUM_COLUMNS, "scored"]].itertuples(name=None)]
    frame = _evaluated(actor, cycle.id, year, int(n_criteria), sums, frozen)
    with read_session() as session:
        departments: dict[int, int | None] = {
            int(o): d
            for o, d in session.execute(
                select(col(Organisation.id), col(Organisation.department_id)).where(
                    col(Organisation.id).in_([int(o) for o in frame.index])
                )
            ).all()
        }
    frame["department_id"] = [departments.get(int(o)) for o in frame.index]
    return in_scope(actor, frame)


def load_year_scores(actor: Actor | None, year: int, basis: str = "reviewed") -> pd.DataFrame:
    """The scores part of a year's frame: evaluate_frame's columns plus assessment_id, status,
    scored, criteria_total and year, one row per organisation the year counts, by rank.

    The whole city, so that ranks are the city's: this is the input of the shared caches, and
    whoever shows it cuts it to the viewer's scope (`in_scope`, done by load_city_frame).

    The sums come from assessment_total, one row per organisation kept in step with the score
    entries by every write (db/services/totals.py), so this read never adds up entries.
    A published year is its frozen set (published_result): only the organisations it rated,
    ranked among themselves, with the names and places they had at publication (those
    columns come with the scores then, and with_org_attributes keeps them).
    """
    require(actor, Action.READ_STANDINGS)
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}")
    criterion = col(Criterion.kind) == CriterionKind.CRITERION
    frozen: pd.DataFrame | None = None
    part: pd.DataFrame | None = None
    with read_session() as session:
        cycle = cycle_of_year(session, year)
        if cycle is None:
            return _empty_scores()
        n_criteria = session.execute(
            select(func.count()).where(col(Criterion.cycle_id) == cycle.id, criterion)
        ).scalar_one()
        if is_published(cycle.status):
            rows: Sequence[Any] = _published_rows(session, cycle.id, basis)
            columns = [
                "org_id",
                *SUM_COLUMNS,
                "scored",
                *PART_COLUMNS[1:],
                *FROZEN_ATTRIBUTES,
            ]
            frozen = columns_frame(rows, columns).set_index("org_id")
            rows = [
                (org_id, *sums)
                for org_id, *sums in frozen[[*SUM_COLUMNS, "scored"]].itertuples(name=None)
            ]
        else:
            rows = (
                session.connection()
                .execute(
                    select(
                        col(AssessmentTotal.org_id),
                        *(getattr(AssessmentTotal, column) for column in SUM_COLUMNS),
                        col(AssessmentTotal.scored),
                    ).where(
                        col(AssessmentTotal.cycle_id) == cycle.id,
                        col(AssessmentTotal.basis) == basis,
                    )
                )
                .all()
            )
            part = _taking_part_in(session, cycle.id, cycle.status)
    return _evaluated(actor, cycle.id, year, int(n_criteria), rows, frozen, part)


def _evaluated(
    actor: Actor | None,
    cycle_id: int,
    year: int,
    n_criteria: int,
    rows: Sequence[Any],
    frozen: pd.DataFrame | None,
    part: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Evaluate sums rows (org_id, the sums, scored) of the organisations `part` (or the frozen
    rows) lists with the cycle's rubric: one row per organisation, by rank."""
    if part is None:
        assert frozen is not None
        part = frozen[PART_COLUMNS[1:]]
    rubric = rubric_of_cycle(actor, cycle_id)
    columns = ["org_id", *scoring.STAR_KEYS, "bonus", "deduction", "veto", "scored"]
    wide = columns_frame(rows, columns).set_index("org_id")
    wide = wide.reindex(part.index).fillna(0).astype("int64")
    n = len(wide)
    scores = pd.DataFrame(
        {
            "org_id": np.repeat(wide.index.to_numpy(), len(scoring.STAR_KEYS)),
            "star": pd.Categorical.from_codes(
                np.tile(np.arange(len(scoring.STAR_KEYS)), n), categories=scoring.STAR_KEYS
            ),
            "points": wide[list(scoring.STAR_KEYS)].to_numpy().ravel() / 10,
        }
    )
    adjustments = pd.DataFrame(
        {
            "org_id": wide.index.to_numpy(),
            "bonus": wide["bonus"].to_numpy() / 10,
            "deduction": wide["deduction"].to_numpy() / 10,
            "vetoed": wide["veto"].to_numpy() > 0,
        }
    )
    frame = scoring.evaluate_frame(scores, rubric.bases, adjustments, thresholds=rubric.thresholds)
    frame = handed_in_first(frame.join(part, how="inner"))
    frame["scored"] = wide["scored"].reindex(frame.index).fillna(0).astype("int64")
    frame["criteria_total"] = int(n_criteria)
    frame["year"] = year
    if frozen is not None:
        for column in FROZEN_ATTRIBUTES:
            frame[column] = frozen[column].reindex(frame.index)
    return frame


def with_org_attributes(scores: pd.DataFrame, attributes: pd.DataFrame) -> pd.DataFrame:
    """A year's frame: its scores with the organisations' current names and places, and the
    rank within each region."""
    if "code" in scores.columns:
        # A published year brings the attributes it was published with (published_result).
        frame = scores.copy()
        frame["member_count"] = frame["member_count"].astype("int64")
        frame["department_id"] = attributes["department_id"].reindex(frame.index)
    else:
        frame = scores.join(attributes, how="inner")
    frame["region_rank"] = scoring.rank_within(_ranking_key(frame), frame["region"])
    evaluated = [
        c
        for c in scores.columns
        if c not in (*PART_COLUMNS, *TAIL_COLUMNS) and c not in FROZEN_ATTRIBUTES
    ]
    return frame[[*evaluated, *ORG_COLUMNS[1:], *TAIL_COLUMNS]]


def load_city_frame(actor: Actor | None, year: int, basis: str = "reviewed") -> pd.DataFrame:
    """Organisations × (star scores, composite, stars, level, rank, region_rank, status…), the
    rows in the actor's scope (ranks are the city's and the region's).

    basis "reviewed" takes the reviewer's points where present and the branch's own elsewhere.
    """
    frame = load_whole_city_frame(actor, year, basis)
    assert actor is not None  # load_year_scores refused anyone else
    return in_scope(actor, frame)


def load_whole_city_frame(actor: Actor | None, year: int, basis: str = "reviewed") -> pd.DataFrame:
    """load_city_frame before the cut to the actor's scope: for the rules counted over the
    whole city (the 双优 quota). Never shown as it is: its caller cuts what it returns."""
    return with_org_attributes(load_year_scores(actor, year, basis), load_org_attributes(actor))


def _empty_scores() -> pd.DataFrame:
    empty = scoring.evaluate_frame(pd.DataFrame({"org_id": [], "star": [], "points": []}))
    for column in [*PART_COLUMNS[1:], "scored", "criteria_total", "year"]:
        empty[column] = pd.Series(dtype="object")
    return empty


def _empty() -> pd.DataFrame:
    no_attributes = columns_frame([], ATTRIBUTE_COLUMNS).set_index("org_id")
    return with_org_attributes(_empty_scores(), no_attributes)


def load_years(actor: Actor | None) -> list[int]:
    """Every evaluation year, oldest first."""
    require(actor, Action.VIEW_YEARS)
    with read_session() as session:
        return list(session.execute(select(col(Cycle.year)).order_by(col(Cycle.year))).scalars())


def load_history(actor: Actor | None) -> pd.DataFrame:
    """One row per (year, organisation) in the actor's scope over every year, reviewed basis."""
    attributes = load_org_attributes(actor)
    assert actor is not None  # load_org_attributes refused anyone else
    return in_scope(
        actor,
        concat_years(
            [
                with_org_attributes(load_year_scores(actor, y, "reviewed"), attributes)
                for y in load_years(actor)
            ]
        ),
    )


def concat_years(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Years' frames stacked into one history (empty years left out)."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return _empty()
    return pd.concat(frames)


__all__ = [
    "BASES",
    "YearScope",
    "authorize_org_view",
    "authorize_results_view",
    "columns_frame",
    "concat_years",
    "cycle_of_year",
    "in_scope",
    "load_city_frame",
    "load_history",
    "load_org_attributes",
    "load_org_table",
    "load_whole_city_frame",
    "load_year_scope",
    "load_year_scores",
    "load_years",
    "ranked",
    "ranked_count",
    "scope_name",
    "shown_ranks",
    "status_counts",
    "taking_part",
    "with_org_attributes",
]
