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
from texts import assessment as T

_ZERO = Decimal(0)


@dataclass(frozen=True)
class MissingItem:
    code: str
    star: str | None
    kind: str  # "score" | "evidence" | "score_evidence" | "bonus_evidence"
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
    reason: str  # "star" | "composite" | "bonus"
    figure: Decimal | None = None  # auto-scored: the figure that earns the added points
    figure_bound: str | None = None  # "at_least" | "at_most"
    unit: str = ""
    label: str = ""


@dataclass(frozen=True)
class GapAdvice:
    gap: scoring.Gap
    result: scoring.OrgResult
    items: tuple[AdviceItem, ...]
    per_star: dict[str, tuple[AdviceItem, ...]] = field(default_factory=dict)
    basis: str = "self"
    bonus_items: tuple[AdviceItem, ...] = ()

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
            scored += e.scored
            lacks_evidence = c.evidence_required and not e.evidence
            if c.evidence_required:
                needed += 1
                evidenced += not lacks_evidence
            if e.scored and not lacks_evidence:
                continue
            # One line per criterion, saying everything it still lacks.
            kind, template = (
                ("score_evidence", T.MISSING_BOTH)
                if not e.scored and lacks_evidence
                else ("score", T.MISSING_SCORE)
                if not e.scored
                else ("evidence", T.MISSING_EVIDENCE)
            )
            message = template.format(star=star_name, code=c.code, title=c.title)
            missing.append(MissingItem(c.code, star, kind, message))
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


def counting_basis(view: AssessmentView) -> str:
    """The basis the year will judge the organisation on: "reviewed" once a reviewer has given
    any figure (the two are equal before), else "self"."""
    return "reviewed" if view.reviewed_result is not None else "self"


def live_points(
    view: AssessmentView, overrides: Mapping[str, Decimal | None] | None = None
) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """code → (branch's points, reviewer's figure), with a page's unsaved points applied.

    Saving a changed entry drops the reviewer's earlier figure (`_write_entries`), so an
    unsaved change counts without it here too.
    """
    points = {code: (e.self_points, e.reviewed_points) for code, e in view.entries.items()}
    for code, value in (overrides or {}).items():
        if code in points and value != points[code][0]:
            points[code] = (value, None)
    return points


def live_result(
    view: AssessmentView, overrides: Mapping[str, Decimal | None] | None, basis: str
) -> scoring.OrgResult:
    """The result on a basis with a page's unsaved points applied (scoring.evaluate_basis)."""
    return view.rubric.result(live_points(view, overrides), basis)


def gap_advice(
    view: AssessmentView,
    overrides: Mapping[str, Decimal | None] | None = None,
    basis: str | None = None,
) -> GapAdvice:
    """The gap to five-star and the items that close it with the fewest points (scoring.advise).

    `overrides` (code → points) lets a page ask about values it has not saved yet; `basis`
    defaults to the one the year will count (`counting_basis`), so a reviewer's deductions count.
    """
    basis = basis or counting_basis(view)
    figures = {code: e.figure for code, e in view.entries.items() if e.figure is not None}
    advice = view.rubric.advice(live_points(view, overrides), basis, figures)
    points = live_points(view, overrides)
    items = []
    for s in advice.suggestions:
        e = view.entries[s.code]
        own, figure = points[s.code]
        value = own if basis == "self" or figure is None else figure
        auto = e.criterion.auto
        items.append(
            AdviceItem(
                code=s.code,
                star=s.star,
                title=e.criterion.title,
                points=value if value is not None else _ZERO,
                max_points=e.criterion.max_points,
                scored=own is not None,
                add_points=s.add_points,
                reason=s.reason,
                figure=s.figure,
                figure_bound=s.figure_bound,
                unit=auto.unit if auto else "",
                label=auto.label if auto else "",
            )
        )
    per_star = {k: tuple(i for i in items if i.star == k) for k in scoring.STAR_KEYS}
    return GapAdvice(
        gap=advice.gap,
        result=advice.result,
        items=tuple(items),
        per_star=per_star,
        basis=basis,
        bonus_items=tuple(i for i in items if i.reason == "bonus"),
    )


# --------------------------------------------------------------------------- history


def past_results(actor: Actor | None, *, org_id: int) -> list[YearResult]:
    """The organisation's result in every year (reviewed points where present), oldest first."""
    viewer = authorize_org_view(actor, org_id)
    with read_session() as session:
        rows = session.exec(
            select(Assessment, Cycle, Organisation)
            .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
            .join(Organisation, col(Organisation.id) == Assessment.org_id)
            .where(Assessment.org_id == org_id)
            .order_by(col(Cycle.year))
        ).all()
        loaded = [load_rows(session, (a, c, o)) for a, c, o in rows]
    views = [build_view(viewer, item) for item in loaded]
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
    "counting_basis",
    "gap_advice",
    "live_points",
    "live_result",
    "past_results",
]
