"""What a branch still needs: completion before submission, the gap to five-star, past results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import col, select

import scoring
from db.engine import read_session
from db.models import Assessment, Cycle, Organisation
from db.services.assessment import AssessmentView, build_view, load_rows
from db.services.common import (
    Actor,
)
from db.services.readmodels import authorize_org_view
from formatting import decimal_text
from rubric import Criterion
from texts import assessment as T

_ZERO = Decimal(0)


@dataclass(frozen=True)
class MissingItem:
    code: str
    star: str | None
    kind: str  # "score" | "evidence" | "bonus_evidence"
    message: str


@dataclass(frozen=True)
class Completion:
    criteria_total: int
    scored: int
    evidence_needed: int
    evidence_attached: int
    per_star: dict[str, tuple[int, int, int, int]]  # scored, total, evidence, needed
    missing: tuple[MissingItem, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class AdviceItem:
    code: str
    star: str
    title: str
    points: Decimal
    max_points: Decimal
    scored: bool
    add_points: Decimal
    reason: str


@dataclass(frozen=True)
class GapAdvice:
    gap: scoring.Gap
    result: scoring.OrgResult
    items: tuple[AdviceItem, ...]
    per_star: dict[str, tuple[AdviceItem, ...]] = field(default_factory=dict)

    @property
    def total_add(self) -> Decimal:
        return sum((i.add_points for i in self.items), _ZERO)


@dataclass(frozen=True)
class YearResult:
    year: int
    status: str
    cycle_status: str
    basis: str  # "reviewed" | "self"
    result: scoring.OrgResult
    scored: int
    criteria_total: int


# --------------------------------------------------------------------------- completion


def completion(view: AssessmentView) -> Completion:
    """What is scored and evidenced, and every item still missing before submission."""
    per_star: dict[str, tuple[int, int, int, int]] = {}
    missing: list[MissingItem] = []
    for star in scoring.STAR_KEYS:
        star_name = scoring.STAR_NAMES[star]
        scored = evidenced = needed = 0
        entries = view.star_entries(star)
        for e in entries:
            c = e.criterion
            if e.scored:
                scored += 1
            else:
                missing.append(
                    MissingItem(
                        c.code,
                        star,
                        "score",
                        T.MISSING_SCORE.format(star=star_name, code=c.code, title=c.title),
                    )
                )
            if c.evidence_required:
                needed += 1
                if e.evidence:
                    evidenced += 1
                else:
                    missing.append(
                        MissingItem(
                            c.code,
                            star,
                            "evidence",
                            T.MISSING_EVIDENCE.format(star=star_name, code=c.code, title=c.title),
                        )
                    )
        per_star[star] = (scored, len(entries), evidenced, needed)
    for e in view.bonus_entries():
        if e.self_points and not e.evidence:
            missing.append(
                MissingItem(
                    e.code,
                    None,
                    "bonus_evidence",
                    T.MISSING_BONUS_EVIDENCE.format(
                        code=e.code, title=e.criterion.title, points=decimal_text(e.self_points)
                    ),
                )
            )
    return Completion(
        criteria_total=sum(v[1] for v in per_star.values()),
        scored=sum(v[0] for v in per_star.values()),
        evidence_needed=sum(v[3] for v in per_star.values()),
        evidence_attached=sum(v[2] for v in per_star.values()),
        per_star=per_star,
        missing=tuple(missing),
    )


# --------------------------------------------------------------------------- gap to five-star


def gap_advice(
    view: AssessmentView, overrides: Mapping[str, Decimal | None] | None = None
) -> GapAdvice:
    """The gap to five-star and the criteria that close it with the fewest points.

    `overrides` (code → points) lets a page ask about values it has not saved yet.
    """
    overrides = overrides or {}
    states: list[scoring.CriterionState] = []
    info: dict[str, tuple[Criterion, Decimal, bool]] = {}
    for star in scoring.STAR_KEYS:
        for e in view.star_entries(star):
            points = overrides.get(e.code, e.self_points)
            scored = points is not None
            value = points if points is not None else _ZERO
            states.append(scoring.CriterionState(e.code, star, value, e.criterion.max_points))
            info[e.code] = (e.criterion, value, scored)
    result = view.self_result
    if overrides:
        stars = dict.fromkeys(scoring.STAR_KEYS, _ZERO)
        for s in states:
            stars[s.star] += s.points
        result = scoring.evaluate_org(
            stars,
            view.rubric.bases,
            bonus=result.bonus,
            deduction=result.deduction,
            vetoed=result.vetoed,
            thresholds=view.rubric.thresholds,
        )
    kwargs = {
        "bonus": result.bonus,
        "deduction": result.deduction,
        "vetoed": result.vetoed,
        "thresholds": view.rubric.thresholds,
    }
    gap = scoring.gap_to_five_star(result.star_scores, view.rubric.bases, **kwargs)
    plan = scoring.suggest_gap_closure(states, view.rubric.bases, **kwargs)
    items = tuple(
        AdviceItem(
            code=s.code,
            star=s.star,
            title=info[s.code][0].title,
            points=info[s.code][1],
            max_points=info[s.code][0].max_points,
            scored=info[s.code][2],
            add_points=s.add_points,
            reason=s.reason,
        )
        for s in plan
    )
    per_star = {k: tuple(i for i in items if i.star == k) for k in scoring.STAR_KEYS}
    return GapAdvice(gap=gap, result=result, items=items, per_star=per_star)


# --------------------------------------------------------------------------- history


def past_results(actor: Actor | None, *, org_id: int) -> list[YearResult]:
    """The organisation's result in every year (reviewed points where present), oldest first."""
    authorize_org_view(actor, org_id)
    with read_session() as session:
        rows = session.exec(
            select(Assessment, Cycle, Organisation)
            .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
            .join(Organisation, col(Organisation.id) == Assessment.org_id)
            .where(Assessment.org_id == org_id)
            .order_by(col(Cycle.year))
        ).all()
        loaded = [load_rows(session, (a, c, o)) for a, c, o in rows]
    views = [build_view(item) for item in loaded]
    results = []
    for v in views:
        basis = "reviewed" if v.reviewed_result is not None else "self"
        done = completion(v)
        results.append(
            YearResult(
                year=v.year,
                status=v.status,
                cycle_status=v.cycle.status,
                basis=basis,
                result=v.reviewed_result or v.self_result,
                scored=done.scored,
                criteria_total=done.criteria_total,
            )
        )
    return results


__all__ = [
    "AdviceItem",
    "Completion",
    "GapAdvice",
    "MissingItem",
    "YearResult",
    "completion",
    "gap_advice",
    "past_results",
]
