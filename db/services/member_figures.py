"""Figures an organisation's rubric criteria take from its members' data (auto `source`).

For an auto-scored criterion whose rubric names a `source` (scoring.FIGURE_SOURCES), the figure
is computed here over the year's 先锋指数 rounds instead of typed by the branch, then scored by
the same scoring.auto_points as any figure:

- vanguard_evaluated: person-times evaluated (支部考评 complete) / person-times to evaluate
  (in service: each round; retired: the second half's), in %;
- vanguard_passing: person-times rated at the rubric's passing grade or better / evaluated, in %;
- ballot_participation: ballot codes used / codes issued, in %.

A year without rounds (or without ballots) gives no figure, and the branch enters it as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session, col, select

from db.engine import read_session
from db.models import Assessment, Cycle, VanguardRound
from db.services.ballots import participation_in
from db.services.common import Actor, record_target, require, require_missing
from db.services.members import round_label, rules_of_round
from db.services.vanguard_scores import member_sheets_in
from permissions import Action
from rubric import Criterion
from scoring import FIGURE_SOURCES

PERCENT = Decimal("0.01")


@dataclass(frozen=True)
class MemberFigure:
    """A computed figure and where it came from."""

    source: str
    numerator: int
    denominator: int
    rounds: tuple[str, ...]  # the rounds it was counted over, by label

    @property
    def value(self) -> Decimal:
        """The share in %, to 0.01 (the precision a figure may have)."""
        share = Decimal(100 * self.numerator) / Decimal(self.denominator)
        return share.quantize(PERCENT, ROUND_HALF_UP).normalize()


def figures_in(session: Session, org_id: int, year: int) -> dict[str, MemberFigure]:
    """Building block: source → figure for one organisation in one year (absent: no data)."""
    rounds = session.exec(
        select(VanguardRound).where(VanguardRound.year == year).order_by(col(VanguardRound.half))
    ).all()
    if not rounds:
        return {}
    expected = evaluated = passing = used = issued = 0
    for round_ in rounds:
        assert round_.id is not None
        sheets = member_sheets_in(session, round_, org_id)
        expected += len(sheets)
        evaluated += sum(s.complete for s in sheets)
        rules = rules_of_round(round_)
        passing += sum(rules.passes(s.grade) for s in sheets)
        share = _participation(session, round_.id).get(org_id)
        if share is not None:
            used, issued = used + share[0], issued + share[1]
    labels = tuple(round_label(r) for r in rounds)
    out: dict[str, MemberFigure] = {}
    for source, numerator, denominator in (
        ("vanguard_evaluated", evaluated, expected),
        ("vanguard_passing", passing, evaluated),
        ("ballot_participation", used, issued),
    ):
        if denominator:
            out[source] = MemberFigure(source, numerator, denominator, labels)
    return out


def _participation(session: Session, round_id: int) -> dict[int, tuple[int, int]]:
    return {
        org_id: (share.used, share.issued)
        for org_id, share in participation_in(session, round_id).items()
    }


def sourced_in(
    session: Session, org_id: int, year: int, criteria: Iterable[Criterion]
) -> dict[str, MemberFigure]:
    """Building block: criterion code → its computed figure, for the criteria with a source."""
    wanted = {c.code: c.auto.source for c in criteria if c.auto is not None and c.auto.source}
    if not wanted:
        return {}
    figures = figures_in(session, org_id, year)
    return {code: figures[s] for code, s in wanted.items() if s in figures}


def sourced_figures(
    actor: Actor | None, *, assessment_id: int, criteria: Iterable[Criterion]
) -> dict[str, MemberFigure]:
    """For the star pages: criterion code → the figure computed from the members' data."""
    with read_session() as session:
        assessment = session.get(Assessment, assessment_id)
        if assessment is None:
            require_missing(actor, Action.VIEW_ASSESSMENT, "assessment", assessment_id)
        require(
            actor,
            Action.VIEW_ASSESSMENT,
            record_target(session, assessment.org_id, "assessment", assessment_id),
        )
        cycle = session.get(Cycle, assessment.cycle_id)
        assert cycle is not None
        return sourced_in(session, assessment.org_id, cycle.year, criteria)


__all__ = ["FIGURE_SOURCES", "MemberFigure", "figures_in", "sourced_figures", "sourced_in"]
