"""Leadership read models: criterion statistics, reasons stars are missed, completion, gaps.

Loaders (`load_*`) query the database and check the acting user against the permission table;
ui/data.py caches them across sessions keyed by the change counter. The other functions are
pure: they derive tables from the city frame (readmodels.load_city_frame) and never
re-implement a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import case, func, or_, select
from sqlmodel import col

import formatting
import scoring
from db.engine import read_session
from db.models import (
    REVIEWED_STATUSES,
    SUBMITTED_STATUSES,
    Assessment,
    AssessmentStatus,
    AssessmentTotal,
    Criterion,
    CriterionKind,
    Cycle,
    Evidence,
    Organisation,
    Role,
    ScoreEntry,
    User,
)
from db.services.common import Actor, require, require_org, scope_conditions
from db.services.cycles import from_tenths, rubric_of_cycle
from db.services.readmodels import columns_frame, cycle_of_year, taking_part
from db.services.totals import points_column
from permissions import Action
from rubric import Rubric

# The one definition of "submitted" (db/models.py): every count and scope below uses it.
SUBMITTED = SUBMITTED_STATUSES
REVIEWED = REVIEWED_STATUSES
COMPLETION_ORDER = (
    "not_started",
    "in_progress",
    "returned",
    "first_review",
    "submitted",
    "reviewed",
    "published",
)
ENTRY_COLUMNS = ["org_id", "code", "self_tenths", "reviewed_tenths"]
CRITERION_COLUMNS = ["code", "kind", "star", "task_no", "title", "max_tenths", "sort_order"]


# --------------------------------------------------------------------------- loaders


def _cycle_id(year: int) -> int | None:
    with read_session() as session:
        return session.execute(
            select(col(Cycle.id)).where(col(Cycle.year) == year)
        ).scalar_one_or_none()


def load_criteria(actor: Actor | None, year: int) -> pd.DataFrame:
    """The year's rubric lines (every kind) in rubric order; empty when the year is unknown."""
    require(actor, Action.VIEW_YEARS)
    cycle_id = _cycle_id(year)
    if cycle_id is None:
        return pd.DataFrame(columns=CRITERION_COLUMNS)
    rubric = rubric_of_cycle(actor, cycle_id)
    rows = [
        (c.code, c.kind, c.star, c.task_no, c.title, int(c.max_points * 10), c.sort_order)
        for c in rubric.criteria
    ]
    return pd.DataFrame(rows, columns=CRITERION_COLUMNS)


def load_entries(actor: Actor | None, year: int) -> pd.DataFrame:
    """Every score entry of the year in the actor's scope: org_id, criterion code, self and
    reviewed tenths."""
    actor = require(actor, Action.VIEW_RESULTS)
    cycle_id = _cycle_id(year)
    if cycle_id is None:
        return pd.DataFrame(columns=ENTRY_COLUMNS)
    with read_session() as session:
        rows = (
            session.connection()
            .execute(
                select(
                    col(Assessment.org_id),
                    col(Criterion.code),
                    col(ScoreEntry.self_tenths),
                    col(ScoreEntry.reviewed_tenths),
                )
                .select_from(ScoreEntry)
                .join(Assessment, col(Assessment.id) == ScoreEntry.assessment_id)
                .join(Criterion, col(Criterion.id) == ScoreEntry.criterion_id)
                .join(Organisation, col(Organisation.id) == Assessment.org_id)
                .where(col(Assessment.cycle_id) == cycle_id, *scope_conditions(actor))
            )
            .all()
        )
    frame = columns_frame(rows, ENTRY_COLUMNS)
    for column in ("self_tenths", "reviewed_tenths"):
        frame[column] = frame[column].astype("Int64")
    return frame


TOTAL_COLUMNS = ["code", "points", "full"]


def load_criterion_totals(
    actor: Actor | None, year: int, basis: str = "reviewed", *, unlit_only: bool = False
) -> pd.DataFrame:
    """Per star criterion over the handed-in organisations: points summed (tenths) and how many
    organisations have full marks. With unlit_only, an organisation counts for a criterion only
    while the star of that criterion is unlit on this basis.

    Summed by the database: at province scale the year's entries are millions of rows.
    Only the organisations of the actor's scope count.
    """
    actor = require(actor, Action.VIEW_RESULTS)
    with read_session() as session:
        cycle = cycle_of_year(session, year)
    if cycle is None:
        return pd.DataFrame(columns=TOTAL_COLUMNS).set_index("code")
    cycle_id = cycle.id
    points = points_column(basis)
    query = (
        select(
            col(Criterion.code),
            func.coalesce(func.sum(points), 0),
            func.sum(case((points >= Criterion.max_tenths, 1), else_=0)),
        )
        .select_from(ScoreEntry)
        .join(Assessment, col(Assessment.id) == ScoreEntry.assessment_id)
        .join(Criterion, col(Criterion.id) == ScoreEntry.criterion_id)
        .join(Organisation, col(Organisation.id) == Assessment.org_id)
        .where(
            col(Assessment.cycle_id) == cycle_id,
            col(Assessment.status).in_(SUBMITTED),
            col(Criterion.kind) == CriterionKind.CRITERION,
            *taking_part(cycle.status),
            *scope_conditions(actor),
        )
        .group_by(col(Criterion.code))
    )
    if unlit_only:
        rubric = rubric_of_cycle(actor, cycle_id)
        minimum = scoring.lit_minimum_tenths(rubric.bases, rubric.thresholds)
        query = query.join(
            AssessmentTotal,
            (col(AssessmentTotal.assessment_id) == Assessment.id)
            & (col(AssessmentTotal.basis) == basis),
        ).where(
            or_(
                *(
                    (col(Criterion.star) == key) & (getattr(AssessmentTotal, f"{key}_tenths") < low)
                    for key, low in minimum.items()
                )
            )
        )
    with read_session() as session:
        rows = session.connection().execute(query).all()
    frame = columns_frame(rows, TOTAL_COLUMNS).set_index("code")
    return frame.astype("int64")


def load_progress(actor: Actor | None, year: int) -> pd.DataFrame:
    """Per organisation of the actor's scope: last save, submission time and its branch
    contacts (for 催报)."""
    actor = require(actor, Action.VIEW_RESULTS)
    cycle_id = _cycle_id(year)
    columns = ["org_id", "updated_at", "submitted_at", "contact"]
    if cycle_id is None:
        return pd.DataFrame(columns=columns).set_index("org_id")
    with read_session() as session:
        rows = session.execute(
            select(col(Assessment.org_id), col(Assessment.updated_at), col(Assessment.submitted_at))
            .join(Organisation, col(Organisation.id) == Assessment.org_id)
            .where(col(Assessment.cycle_id) == cycle_id, *scope_conditions(actor))
        ).all()
        users = session.execute(
            select(col(User.org_id), col(User.display_name), col(User.username))
            .join(Organisation, col(Organisation.id) == User.org_id)
            .where(
                col(User.role) == Role.BRANCH,
                col(User.active).is_(True),
                col(User.org_id).is_not(None),
                *scope_conditions(actor),
            )
            .order_by(col(User.username))
        ).all()
    frame = pd.DataFrame(rows, columns=columns[:3]).set_index("org_id")
    contacts: dict[int, list[str]] = {}
    for org_id, display, username in users:
        contacts.setdefault(int(org_id), []).append(display or username)
    frame["contact"] = pd.Series({k: "、".join(v) for k, v in contacts.items()}, dtype="str")
    return frame


@dataclass(frozen=True)
class OrgDetail:
    """One organisation's year: every rubric line with its points, and its evidence files."""

    org_id: int
    year: int
    assessment_id: int | None
    status: str
    return_comment: str
    lines: pd.DataFrame
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)


LINE_COLUMNS = [
    "code",
    "kind",
    "star",
    "title",
    "max",
    "self",
    "reviewed",
    "figure",
    "note",
    "comment",
    "evidence",
]
EVIDENCE_COLUMNS = ["id", "code", "filename", "content_type", "size", "uploaded_at"]


def load_org_detail(actor: Actor | None, year: int, org_id: int) -> OrgDetail:
    """Per-criterion self and reviewed points, notes and the evidence list (no file bytes)."""
    require_org(actor, Action.VIEW_ORG, org_id)
    criteria = load_criteria(actor, year)
    cycle_id = _cycle_id(year)
    empty_evidence = pd.DataFrame(columns=EVIDENCE_COLUMNS)
    with read_session() as session:
        assessment = None
        if cycle_id is not None:
            assessment = session.execute(
                select(
                    col(Assessment.id), col(Assessment.status), col(Assessment.return_comment)
                ).where(col(Assessment.org_id) == org_id, col(Assessment.cycle_id) == cycle_id)
            ).first()
        entries: dict[str, tuple[Any, ...]] = {}
        evidence = empty_evidence
        if assessment is not None:
            for row in session.execute(
                select(
                    col(Criterion.code),
                    col(ScoreEntry.self_tenths),
                    col(ScoreEntry.reviewed_tenths),
                    col(ScoreEntry.figure),
                    col(ScoreEntry.note),
                    col(ScoreEntry.reviewer_comment),
                )
                .join(Criterion, col(Criterion.id) == ScoreEntry.criterion_id)
                .where(col(ScoreEntry.assessment_id) == assessment[0])
            ).all():
                entries[row[0]] = tuple(row[1:])
            files = session.execute(
                select(
                    col(Evidence.id),
                    col(Criterion.code),
                    col(Evidence.filename),
                    col(Evidence.content_type),
                    col(Evidence.size),
                    col(Evidence.uploaded_at),
                )
                .join(Criterion, col(Criterion.id) == Evidence.criterion_id)
                .where(col(Evidence.assessment_id) == assessment[0])
                .order_by(col(Criterion.sort_order), col(Evidence.id))
            ).all()
            evidence = pd.DataFrame(files, columns=EVIDENCE_COLUMNS)
    counts = evidence["code"].value_counts() if not evidence.empty else pd.Series(dtype="int64")
    lines = []
    for c in criteria.itertuples(index=False):
        self_t, reviewed_t, figure, note, comment = entries.get(c.code, (None,) * 5)
        lines.append(
            (
                c.code,
                c.kind,
                c.star,
                c.title,
                float(from_tenths(int(c.max_tenths)) or 0),
                None if self_t is None else self_t / 10,
                None if reviewed_t is None else reviewed_t / 10,
                figure or "",
                note or "",
                comment or "",
                int(counts.get(c.code, 0)),
            )
        )
    return OrgDetail(
        org_id=org_id,
        year=year,
        assessment_id=None if assessment is None else int(assessment[0]),
        status=AssessmentStatus.DRAFT if assessment is None else str(assessment[1]),
        return_comment="" if assessment is None else str(assessment[2] or ""),
        lines=pd.DataFrame(lines, columns=LINE_COLUMNS),
        evidence=evidence,
    )


# --------------------------------------------------------------------------- pure derivations


def basis_points(entries: pd.DataFrame, basis: str) -> pd.Series:
    """Tenths per entry on a basis (scoring.points_on_basis_series)."""
    return scoring.points_on_basis_series(entries["self_tenths"], entries["reviewed_tenths"], basis)


def submitted(frame: pd.DataFrame) -> pd.DataFrame:
    """The organisations counted as submitted (SUBMITTED_STATUSES): the scope of every
    "已提交" figure and of the statistics over handed-in scores."""
    return frame[frame["status"].isin(SUBMITTED)]


def criterion_stats(totals: pd.DataFrame, criteria: pd.DataFrame, n_orgs: int) -> pd.DataFrame:
    """Per star criterion over `n_orgs` handed-in organisations: average share of max points,
    share at full marks (totals from load_criterion_totals).

    An organisation that left a criterion blank counts as 0 points for it.
    """
    crit = criteria[criteria["kind"] == CriterionKind.CRITERION].set_index("code")
    result = crit[["star", "title", "max_tenths", "sort_order"]].copy()
    if n_orgs == 0 or crit.empty:
        result["avg_share"] = pd.Series(dtype="float64")
        result["full_share"] = pd.Series(dtype="float64")
        result["avg_points"] = pd.Series(dtype="float64")
        return result
    total = totals["points"].reindex(crit.index, fill_value=0)
    full = totals["full"].reindex(crit.index, fill_value=0)
    maxes = crit["max_tenths"].astype("int64")
    result["avg_points"] = total / n_orgs / 10
    result["avg_share"] = total / (maxes * n_orgs)
    result["full_share"] = full / n_orgs
    return result.sort_values(["avg_share", "sort_order"])


def missed_reasons(frame: pd.DataFrame) -> pd.DataFrame:
    """Why organisations are not five-star: each unlit star, a composite under the line, a veto.

    One organisation can have several reasons; counts are over non-five-star organisations.
    """
    missed = frame[~frame["five_star"].astype(bool)]
    rows = []
    for key in scoring.STAR_KEYS:
        rows.append(("star:" + key, int((~missed[f"lit_{key}"].astype(bool)).sum())))
    all_lit = missed["star_count"] == len(scoring.STAR_KEYS)
    rows.append(("composite", int((all_lit & ~missed["vetoed"].astype(bool)).sum())))
    rows.append(("veto", int(missed["vetoed"].astype(bool).sum())))
    result = pd.DataFrame(rows, columns=["reason", "orgs"])
    return result.sort_values("orgs", ascending=False, kind="stable").reset_index(drop=True)


def missed_criteria(
    frame: pd.DataFrame, unlit_totals: pd.DataFrame, criteria: pd.DataFrame
) -> pd.DataFrame:
    """Points lost per criterion by organisations whose star (of that criterion) is unlit.

    `frame` is the handed-in part of the city frame, `unlit_totals` the matching
    load_criterion_totals(..., unlit_only=True): an unlit organisation loses max − points on
    each criterion of that star (all of it where it left the criterion blank).
    """
    columns = ["code", "star", "title", "lost", "orgs"]
    crit = criteria[criteria["kind"] == CriterionKind.CRITERION][
        ["code", "star", "title", "max_tenths"]
    ]
    if frame.empty or crit.empty:
        return pd.DataFrame(columns=columns)
    unlit = {key: int((~frame[f"lit_{key}"].astype(bool)).sum()) for key in scoring.STAR_KEYS}
    result = crit.copy()
    n_unlit = result["star"].map(unlit).fillna(0).astype("int64")
    got = unlit_totals.reindex(result["code"], fill_value=0)
    result["lost"] = n_unlit * result["max_tenths"].astype("int64") - got["points"].to_numpy()
    result["orgs"] = n_unlit - got["full"].to_numpy()
    result = result[result["lost"] > 0].copy()
    result["lost"] = result["lost"] / 10
    return result.sort_values(["lost", "code"], ascending=[False, True]).reset_index(drop=True)[
        columns
    ]


def completion_state(frame: pd.DataFrame) -> pd.Series:
    """not_started / in_progress / returned / submitted / reviewed / published per organisation."""
    status = frame["status"].astype("str")
    state = status.where(status != AssessmentStatus.DRAFT, "in_progress")
    state = state.mask((status == AssessmentStatus.DRAFT) & (frame["scored"] == 0), "not_started")
    return state


def completion_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """How many organisations are in each completion state, in a fixed order."""
    counts = completion_state(frame).value_counts()
    return pd.DataFrame(
        {"state": list(COMPLETION_ORDER), "orgs": [int(counts.get(s, 0)) for s in COMPLETION_ORDER]}
    )


def chase_list(frame: pd.DataFrame, progress: pd.DataFrame) -> pd.DataFrame:
    """Organisations that have not handed in yet (not started, in progress, returned)."""
    state = completion_state(frame)
    pending = frame[state.isin(("not_started", "in_progress", "returned"))].copy()
    pending["state"] = state.loc[pending.index]
    pending = pending.join(progress, how="left")
    pending["progress"] = pending["scored"] / pending["criteria_total"].where(
        pending["criteria_total"] > 0, 1
    )
    return pending.sort_values(["progress", "region", "code"])


def score_gaps(self_frame: pd.DataFrame, reviewed_frame: pd.DataFrame) -> pd.DataFrame:
    """Reviewed organisations: self composite minus reviewed composite, inflated first."""
    done = reviewed_frame[reviewed_frame["status"].isin(REVIEWED)]
    if done.empty:
        return pd.DataFrame(
            columns=[
                "name",
                "region",
                "department",
                "self",
                "reviewed",
                "gap",
                "self_level",
                "reviewed_level",
                "self_standing",
                "reviewed_standing",
            ]
        )
    mine = self_frame.reindex(done.index)
    result = pd.DataFrame(
        {
            "name": done["name"],
            "region": done["region"],
            "department": done["department"],
            "self": mine["composite"],
            "reviewed": done["composite"],
            "gap": (mine["composite_milli"] - done["composite_milli"]) / 1000,
            "self_level": mine["level"],
            "reviewed_level": done["level"],
            # the results as shown (formatting.standing_key): 已否决 apart from 未定星
            "self_standing": formatting.standing_keys(mine),
            "reviewed_standing": formatting.standing_keys(done),
        }
    )
    return result.sort_values(["gap", "name"], ascending=[False, True])


def gap_of(
    row: pd.Series,
    bases: dict[str, Decimal],
    thresholds: scoring.Thresholds = scoring.DEFAULT_THRESHOLDS,
) -> scoring.Gap:
    """scoring.gap_to_five_star for one row of the city frame."""
    return scoring.gap_to_five_star(
        {k: scoring.to_decimal(row[k]) for k in scoring.STAR_KEYS},
        bases,
        bonus=scoring.to_decimal(row["bonus"]),
        deduction=scoring.to_decimal(row["deduction"]),
        vetoed=bool(row["vetoed"]),
        thresholds=thresholds,
    )


def _decimal_or_none(value: object) -> Decimal | None:
    return None if value is None or pd.isna(value) else scoring.to_decimal(value)


def org_advice(detail: OrgDetail, rubric: Rubric, basis: str) -> scoring.Advice:
    """scoring.advise for one organisation's detail lines (result, gap and plan on a basis)."""
    points = {
        line.code: (_decimal_or_none(line.self), _decimal_or_none(line.reviewed))
        for line in detail.lines.itertuples()
    }
    figures = {
        line.code: scoring.to_decimal(line.figure)
        for line in detail.lines.itertuples()
        if line.figure
    }
    return rubric.advice(points, basis, figures)


__all__ = [
    "COMPLETION_ORDER",
    "SUBMITTED",
    "OrgDetail",
    "basis_points",
    "chase_list",
    "completion_counts",
    "completion_state",
    "criterion_stats",
    "gap_of",
    "load_criteria",
    "load_criterion_totals",
    "load_entries",
    "load_org_detail",
    "load_progress",
    "missed_criteria",
    "missed_reasons",
    "org_advice",
    "score_gaps",
    "submitted",
]
