"""A department's own organisations, for its 机关党委 and whoever's scope holds the department:
each branch's progress (status), stars, gap to five-star, and who has not started.

Which organisations belong to a department is permissions.Scope's rule (the department's
scope), cut further by the viewer's own scope; ranks stay the city's and the region's. The
figures come from the rules that define them: the standing from scoring.evaluate_frame (the
year's frame, reviewed basis), the completion state from statistics.completion_state, the
gap from scoring.gap_to_five_star (statistics.gap_of), "has handed in" from readmodels.ranked.

`assemble` is pure (frames in, view out) so ui/data.py can build it from its cached frames;
`department_view` is the same view loaded for the acting user.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from sqlmodel import col, select

import formatting
import scoring
from db.engine import read_session
from db.models import Organisation, OrgType
from db.services import readmodels, statistics
from db.services.common import (
    Actor,
    record_target,
    require,
    require_missing,
    scope_conditions,
)
from db.services.cycles import cycle_by_year, rubric_of_cycle
from permissions import Action, Scope

BRANCH_COLUMNS = [
    "code",
    "name",
    "org_type",
    "region",
    "state",
    "status",
    "progress",
    "scored",
    "criteria_total",
    "star_count",
    "lit",
    "standing",
    "composite",
    "five_star",
    "gap",
    "rank",
    "region_rank",
    "updated_at",
    "contact",
]


@dataclass(frozen=True)
class Department:
    """A department (an Organisation of type department) as its overview names it."""

    id: int
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class DepartmentView:
    """A department's organisations in one year, in the order of BRANCH_COLUMNS' table."""

    department: Department
    year: int
    branches: pd.DataFrame  # indexed by org_id, BRANCH_COLUMNS
    counts: pd.DataFrame  # statistics.completion_counts: state, orgs

    @property
    def not_started(self) -> pd.DataFrame:
        """The organisations that have not entered a single score yet (a draft at 0)."""
        return self.branches[self.branches["state"] == "not_started"]

    @property
    def handed_in(self) -> int:
        """How many have handed in (SUBMITTED_STATUSES, via statistics.submitted)."""
        return len(statistics.submitted(self.branches))


def _department(org: Organisation) -> Department:
    return Department(int(org.id or 0), org.code, org.name, org.region)


def departments(actor: Actor | None) -> list[Department]:
    """The departments in the actor's scope, by code (a department's account: its own)."""
    actor = require(actor, Action.VIEW_RESULTS)
    with read_session() as session:
        rows = session.exec(
            select(Organisation)
            .where(Organisation.org_type == OrgType.DEPARTMENT, *scope_conditions(actor))
            .order_by(col(Organisation.code))
        ).all()
    return [_department(o) for o in rows]


def department_of(actor: Actor | None, department_id: int) -> Department:
    """The department `department_id`, if it lies in the actor's scope (a refusal is logged);
    NotFound for an id that is no department."""
    with read_session() as session:
        org = session.get(Organisation, department_id)
        target = record_target(session, department_id, "organisation", department_id)
    if org is None or org.org_type != OrgType.DEPARTMENT:
        require_missing(actor, Action.VIEW_RESULTS, "organisation", department_id)
    require(actor, Action.VIEW_RESULTS, target)
    assert org is not None  # require_missing raised otherwise
    return _department(org)


def _gap(row: pd.Series, bases: dict[str, Decimal], thresholds: scoring.Thresholds) -> object:
    """Points still missing to five-star (0 when five-star, None when a veto rules it out)."""
    gap = statistics.gap_of(row, bases, thresholds)
    if gap.five_star:
        return 0.0
    return float(gap.min_extra_points) if gap.reachable else None


def assemble(
    department: Department,
    year: int,
    whole: pd.DataFrame,
    shown: pd.Index,
    progress: pd.DataFrame,
    bases: dict[str, Decimal],
    thresholds: scoring.Thresholds,
) -> DepartmentView:
    """The view from the year's whole-city reviewed frame (with department_id), the ids the
    viewer's scope shows, and the progress table (statistics.load_progress)."""
    inside = Scope(department_id=department.id).condition(
        whole["region"], whole["department_id"], pd.Series(whole.index, index=whole.index)
    )
    rows = whole[inside.to_numpy(dtype=bool) & whole.index.isin(shown)]
    state = statistics.completion_state(rows)
    order = pd.Series(
        [statistics.COMPLETION_ORDER.index(s) for s in state], index=rows.index, dtype="int64"
    )
    handed_in = rows["status"].astype(str).map(readmodels.ranked)
    lit = rows[[f"lit_{k}" for k in scoring.STAR_KEYS]].to_numpy(dtype=bool)
    table = pd.DataFrame(
        {
            "code": rows["code"],
            "name": rows["name"],
            "org_type": rows["org_type"],
            "region": rows["region"],
            "state": state,
            "status": rows["status"],
            "progress": rows["scored"]
            / rows["criteria_total"].where(rows["criteria_total"] > 0, 1),
            "scored": rows["scored"],
            "criteria_total": rows["criteria_total"],
            "star_count": rows["star_count"],
            "lit": [
                "".join(
                    scoring.STAR_NAMES[k][0] if on else "·"
                    for k, on in zip(scoring.STAR_KEYS, marks, strict=True)
                )
                for marks in lit
            ],
            "standing": formatting.standing_keys(rows),
            "composite": rows["composite"],
            "five_star": rows["five_star"],
            "gap": [_gap(row, bases, thresholds) for _, row in rows.iterrows()],
            # a rank only once handed in (readmodels.ranked), the city's and the region's
            "rank": rows["rank"].where(handed_in).astype("Int64"),
            "region_rank": rows["region_rank"].where(handed_in).astype("Int64"),
            "updated_at": progress["updated_at"].reindex(rows.index),
            "contact": progress["contact"].reindex(rows.index),
        },
        index=rows.index,
        columns=BRANCH_COLUMNS,
    )
    table = table.assign(_order=order).sort_values(["_order", "code"]).drop(columns="_order")
    return DepartmentView(department, year, table, statistics.completion_counts(rows))


def department_view(actor: Actor | None, year: int, department_id: int) -> DepartmentView:
    """A department's organisations in `year` as the actor may see them (Action.VIEW_RESULTS
    on the department)."""
    department = department_of(actor, department_id)
    assert actor is not None  # department_of refused anyone else
    cycle = cycle_by_year(actor, year)
    rubric = rubric_of_cycle(actor, cycle.id)
    whole = readmodels.load_whole_city_frame(actor, year, "reviewed")
    return assemble(
        department,
        year,
        whole,
        readmodels.in_scope(actor, whole).index,
        statistics.load_progress(actor, year),
        dict(rubric.bases),
        rubric.thresholds,
    )


__all__ = [
    "BRANCH_COLUMNS",
    "Department",
    "DepartmentView",
    "assemble",
    "department_of",
    "department_view",
    "departments",
]
