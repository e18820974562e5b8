"""双优 (党建优 + 业绩优): 业绩 grades, the recommended list and the leadership's final list.

The recommendation is always scoring.select_excellence on the year's reviewed city frame and
the 业绩 grades: five-star, not vetoed, graded 优秀, the top ~25% of the five-star count, ties at
the cut all included and flagged. The leadership (leader or admin) confirms the final list;
every difference from the recommendation (a recommended organisation left out, or one not
recommended taken in) needs a recorded reason. The confirmed list is kept per year as
ExcellenceDecision rows, with Cycle.excellence_confirmed_at; Cycle.version guards confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import delete, update
from sqlmodel import col, select

import scoring
from db.engine import read_session, write_session
from db.models import (
    AWAITING_REVIEW_STATUSES,
    REVIEWED_STATUSES,
    Cycle,
    ExcellenceDecision,
    utcnow,
)
from db.services import freeze, readmodels
from db.services.common import (
    Actor,
    InvalidInput,
    NotFound,
    StaleVersion,
    audit,
    bump_change_counter,
    require,
)
from db.services.cycles import rubric_of_cycle
from db.services.grades import load_city_grades
from permissions import Action
from texts import common as C
from texts import leadership as T

REASON_MAX = 1000
CANDIDATE_COLUMNS = [
    "code",
    "name",
    "region",
    "department",
    "status",
    "composite",
    "composite_milli",
    "rank",
    "region_rank",
    "five_star",
    "vetoed",
    "grade",
    "eligible",
    "recommended",
    "tied",
    "selected",
    "reason",
]


@dataclass(frozen=True)
class ReviewProgress:
    """Where the year's review stands: the figures a 双优 confirmation rests on."""

    drafts: int  # not started or still a draft
    returned: int  # sent back to the branch
    unreviewed: int  # handed in, waiting at the 初审 or the 复核
    reviewed: int  # reviewed or published

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> ReviewProgress:
        return cls(
            drafts=counts.get("draft", 0),
            returned=counts.get("returned", 0),
            unreviewed=sum(counts.get(s, 0) for s in AWAITING_REVIEW_STATUSES),
            reviewed=counts.get("reviewed", 0) + counts.get("published", 0),
        )

    @property
    def finished(self) -> bool:
        """Every handed-in assessment is reviewed (the same gate as publishing the year)."""
        return self.unreviewed == 0 and self.reviewed > 0

    @property
    def not_handed_in(self) -> int:
        return self.drafts + self.returned


def review_progress(actor: Actor | None, year: int) -> ReviewProgress:
    """The year's review progress over the organisations the year counts."""
    require(actor, Action.VIEW_RESULTS)
    with read_session() as session:
        return ReviewProgress.of(readmodels.status_counts(session, year))


def ensure_review_finished(progress: ReviewProgress, year: int) -> None:
    """The final 双优 list is confirmed only once every handed-in assessment is reviewed."""
    if progress.reviewed == 0:
        raise InvalidInput(T.ERR_NO_REVIEWED.format(year=year))
    if not progress.finished:
        raise InvalidInput(T.ERR_REVIEW_NOT_FINISHED.format(year=year, n=progress.unreviewed))


@dataclass(frozen=True)
class ExcellenceView:
    """A year's 双优 state: the rule's recommendation and the confirmed list, if any."""

    year: int
    cycle_id: int
    cycle_version: int
    frozen: bool
    ratio: Decimal
    quota_mode: str  # scoring.QuotaMode: counted over the city or per region
    basis_count: int
    quota: int
    eligible: tuple[int, ...]
    recommended: tuple[int, ...]
    tie_at_cut: bool
    tied: tuple[int, ...]
    confirmed_at: datetime | None
    final: tuple[int, ...]
    changed_since: bool
    candidates: pd.DataFrame
    progress: ReviewProgress

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


# --------------------------------------------------------------------------- reads


def _cycle_row(year: int) -> tuple[Cycle, bool]:
    """The year's cycle and whether its results are already final."""
    with read_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == year)).first()
        if cycle is None:
            raise NotFound(T.ERR_YEAR.format(year=year))
        return cycle, freeze.cycle_frozen(session, cycle)


def _decisions(cycle_id: int) -> list[ExcellenceDecision]:
    with read_session() as session:
        return list(
            session.exec(
                select(ExcellenceDecision).where(ExcellenceDecision.cycle_id == cycle_id)
            ).all()
        )


def reviewed_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The organisations with a reviewed result (REVIEWED_STATUSES): the only ones 双优 counts,
    for its basis (the five-star count) as for its candidates."""
    return frame[frame["status"].isin(REVIEWED_STATUSES)]


def recommend(
    frame: pd.DataFrame,
    grades: Mapping[int, str],
    ratio: Decimal,
    mode: str = scoring.QuotaMode.CITY,
) -> scoring.ExcellenceResult[int]:
    """scoring.select_excellence_in on the reviewed part of a city frame (the year's quota
    mode: city-wide or per region): drafts, pending and returned self-scores never count."""
    return scoring.select_excellence_in(reviewed_only(frame), grades, ratio=ratio, mode=mode)


def build_view(actor: Actor | None, year: int, frame: pd.DataFrame | None = None) -> ExcellenceView:
    """The year's recommendation and confirmed list, the candidates of the actor's scope.

    The quota is counted as the year says (`Cycle.excellence_quota`: 25% of the city's
    five-star organisations, or of each region's), so the rule runs on the whole city's frame;
    only what is returned is cut to the actor's scope. `frame` may be
    the year's reviewed whole-city frame when the caller already has it (cached).
    """
    actor = require(actor, Action.VIEW_RESULTS)
    cycle, frozen = _cycle_row(year)
    assert cycle.id is not None
    ratio = rubric_of_cycle(actor, cycle.id).thresholds.excellence_ratio
    if frame is None:
        frame = readmodels.load_whole_city_frame(actor, year, "reviewed")
    grades = load_city_grades(actor, year)
    rated = reviewed_only(frame)
    result = recommend(frame, grades, ratio, cycle.excellence_quota)
    decisions = {d.org_id: d for d in _decisions(cycle.id)}
    confirmed_at = cycle.excellence_confirmed_at
    # The one 双优 list every page and file shows: confirmed and resting on a reviewed result.
    final = (
        tuple(sorted(o for o, d in decisions.items() if d.selected and o in rated.index))
        if confirmed_at
        else ()
    )
    stored_recommended = {o for o, d in decisions.items() if d.recommended}
    changed = confirmed_at is not None and stored_recommended != set(result.recommended)

    shown = set(readmodels.in_scope(actor, frame).index)

    def cut(orgs: Iterable[int]) -> tuple[int, ...]:
        return tuple(int(o) for o in orgs if o in shown)

    ids = set(frame.index[frame["five_star"].astype(bool)]) | set(decisions)
    ids &= shown
    cand = frame.loc[
        sorted(ids),
        [
            "code",
            "name",
            "region",
            "department",
            "status",
            "composite",
            "composite_milli",
            "rank",
            "region_rank",
            "five_star",
            "vetoed",
        ],
    ].copy()
    recommended = set(result.recommended)
    cand["grade"] = [grades.get(int(o), "") for o in cand.index]
    cand["eligible"] = [o in set(result.eligible) for o in cand.index]
    cand["recommended"] = [o in recommended for o in cand.index]
    cand["tied"] = [o in set(result.tied) for o in cand.index]
    if confirmed_at:
        cand["selected"] = [o in set(final) for o in cand.index]
    else:
        cand["selected"] = cand["recommended"]
    cand["reason"] = [decisions[o].reason if o in decisions else "" for o in cand.index]
    cand = cand.sort_values(
        ["recommended", "composite_milli", "code"], ascending=[False, False, True]
    )
    return ExcellenceView(
        year=year,
        cycle_id=cycle.id,
        cycle_version=cycle.version,
        frozen=frozen,
        ratio=ratio,
        quota_mode=cycle.excellence_quota,
        basis_count=result.basis_count,
        quota=result.quota,
        eligible=cut(result.eligible),
        recommended=cut(result.recommended),
        tie_at_cut=result.tie_at_cut,
        tied=cut(result.tied),
        confirmed_at=confirmed_at,
        final=cut(final),
        changed_since=changed,
        candidates=cand[CANDIDATE_COLUMNS],
        progress=review_progress(actor, year),
    )


def excellence_view(actor: Actor | None, *, year: int) -> ExcellenceView:
    """The 双优 state of a year, for the 机关工委 and the leadership."""
    return build_view(actor, year)


# --------------------------------------------------------------------------- 业绩 grades


# --------------------------------------------------------------------------- confirmation


def confirm_excellence(
    actor: Actor | None,
    *,
    year: int,
    selected: Iterable[int],
    reasons: Mapping[int, str],
    cycle_version: int,
) -> ExcellenceView:
    """Confirm the year's final 双优 list; each change from the recommendation needs a reason.

    Refused while any handed-in assessment of the year waits for review: the list rests on
    reviewed results. Organisations that have not handed in (drafts, returned) do not block it;
    the page names them before the leadership confirms.
    """
    actor = require(actor, Action.CONFIRM_EXCELLENCE)
    ensure_review_finished(review_progress(actor, year), year)
    chosen = {int(o) for o in selected}
    cleaned = {int(o): (r or "").strip() for o, r in reasons.items()}
    cycle, _frozen = _cycle_row(year)
    assert cycle.id is not None
    ratio = rubric_of_cycle(actor, cycle.id).thresholds.excellence_ratio
    frame = readmodels.load_whole_city_frame(actor, year, "reviewed")
    if frame.empty:
        raise InvalidInput(T.ERR_NO_DATA_YEAR.format(year=year))
    result = recommend(frame, load_city_grades(actor, year), ratio, cycle.excellence_quota)
    recommended = {int(o) for o in result.recommended}

    errors = []
    for org_id in sorted(chosen):
        if org_id not in frame.index:
            errors.append(T.ERR_ORG_NOT_EVALUATED.format(org=org_id))
        elif frame.at[org_id, "status"] not in REVIEWED_STATUSES:
            status = str(frame.at[org_id, "status"])
            errors.append(
                T.ERR_NOT_REVIEWED_EXCELLENCE.format(
                    name=frame.at[org_id, "name"], status=C.STATUS_NAMES.get(status, status)
                )
            )
        elif not bool(frame.at[org_id, "five_star"]) or bool(frame.at[org_id, "vetoed"]):
            errors.append(T.ERR_NOT_FIVE_STAR.format(name=frame.at[org_id, "name"]))
    for org_id, change in [(o, T.CHANGE_REMOVED) for o in sorted(recommended - chosen)] + [
        (o, T.CHANGE_ADDED) for o in sorted(chosen - recommended)
    ]:
        name = frame.at[org_id, "name"] if org_id in frame.index else str(org_id)
        if not cleaned.get(org_id):
            errors.append(T.ERR_REASON_REQUIRED.format(name=name, change=change))
    for org_id, reason in cleaned.items():
        if len(reason) > REASON_MAX:
            name = frame.at[org_id, "name"] if org_id in frame.index else str(org_id)
            errors.append(T.ERR_REASON_TOO_LONG.format(name=name, n=REASON_MAX))
    if errors:
        raise InvalidInput(T.ERR_CONFIRM_PROBLEMS.format(n=len(errors)), errors=errors)

    now = utcnow()
    with write_session() as session:
        freeze.ensure_cycle_editable(session, cycle.id)
        # Checked inside the transaction: a submission arriving meanwhile refuses it too.
        progress = ReviewProgress.of(readmodels.status_counts(session, year))
        ensure_review_finished(progress, year)
        before = sorted(
            session.exec(
                select(col(ExcellenceDecision.org_id)).where(
                    col(ExcellenceDecision.cycle_id) == cycle.id,
                    col(ExcellenceDecision.selected).is_(True),
                )
            ).all()
        )
        updated = session.exec(
            update(Cycle)
            .where(col(Cycle.id) == cycle.id, col(Cycle.version) == cycle_version)
            .values(excellence_confirmed_at=now, version=col(Cycle.version) + 1)
        )
        if updated.rowcount != 1:
            raise StaleVersion()
        session.exec(delete(ExcellenceDecision).where(col(ExcellenceDecision.cycle_id) == cycle.id))
        changes = {}
        for org_id in sorted(recommended | chosen):
            deviates = (org_id in recommended) != (org_id in chosen)
            reason = cleaned.get(org_id, "") if deviates else ""
            if deviates:
                changes[org_id] = reason
            session.add(
                ExcellenceDecision(
                    cycle_id=cycle.id,
                    org_id=org_id,
                    recommended=org_id in recommended,
                    selected=org_id in chosen,
                    reason=reason,
                    decided_at=now,
                    decided_by=actor.id,
                )
            )
        audit(
            session,
            actor,
            "confirm_excellence",
            "cycle",
            cycle.id,
            {
                "year": year,
                "quota": result.quota,
                "five_star": result.basis_count,
                "progress": {
                    "drafts": progress.drafts,
                    "returned": progress.returned,
                    "unreviewed": progress.unreviewed,
                    "reviewed": progress.reviewed,
                },
                "recommended": sorted(recommended),
                "before": before,
                "after": sorted(chosen),
                "changes": changes,
            },
        )
        bump_change_counter(session)
    return build_view(actor, year)


__all__ = [
    "ExcellenceView",
    "ReviewProgress",
    "build_view",
    "confirm_excellence",
    "ensure_review_finished",
    "excellence_view",
    "review_progress",
    "reviewed_only",
]
