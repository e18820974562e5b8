"""Shared steps for the review, publication and full-cycle tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import Assessment, AuditLog, Criterion, ScoreEntry, utcnow
from db.services import review, reviewing
from db.services.common import Actor
from db.services.cycles import current_cycle
from tests.utils import leader


class Clock:
    """A controllable "now" for the publication, freezing and login rules."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime | None = None) -> None:
        self.now = start or utcnow()
        for target in ("db.services.freeze.utcnow", "db.services.auth.utcnow"):
            monkeypatch.setattr(target, self)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


def open_cycle_id() -> int:
    return current_cycle(leader()).id


def assessments_with(status: str, cycle_id: int | None = None) -> list[int]:
    cycle_id = cycle_id or open_cycle_id()
    with read_session() as session:
        return list(
            session.exec(
                select(Assessment.id)
                .where(Assessment.cycle_id == cycle_id, Assessment.status == status)
                .order_by(Assessment.id)
            ).all()
        )


def assessment(assessment_id: int) -> Assessment:
    with read_session() as session:
        row = session.get(Assessment, assessment_id)
        assert row is not None
        return row


def entries(assessment_id: int) -> dict[str, ScoreEntry]:
    view_codes = {}
    with read_session() as session:
        rows = session.exec(
            select(ScoreEntry, Criterion.code)
            .join(Criterion, Criterion.id == ScoreEntry.criterion_id)
            .where(ScoreEntry.assessment_id == assessment_id)
        ).all()
    for entry, code in rows:
        view_codes[code] = entry
    return view_codes


def approve_all_submitted(reviewer: Actor, cycle_id: int | None = None) -> int:
    """The reviewer approves every handed-in assessment of the year unchanged (those waiting
    for the 初审 are passed on first, by the admin)."""
    from db.services import first_review
    from tests.utils import actor

    for aid in assessments_with("first_review", cycle_id):
        version = review.load_review(reviewer, assessment_id=aid).version
        first_review.pass_on(actor("admin"), assessment_id=aid, version=version)
    ids = assessments_with("submitted", cycle_id)
    for aid in ids:
        view = review.load_review(reviewer, assessment_id=aid)
        reviewing.approve_assessment(reviewer, assessment_id=aid, version=view.version)
    return len(ids)


def confirm_recommended(actor: Actor, year: int) -> tuple[int, ...]:
    """The leadership confirms the 双优 list as the rules recommend it (the 双优 page's service)."""
    from db.services import excellence

    view = excellence.excellence_view(actor, year=year)
    excellence.confirm_excellence(
        actor,
        year=year,
        selected=view.recommended,
        reasons={},
        cycle_version=view.cycle_version,
    )
    return view.recommended


def audit_rows(action: str | None = None) -> list[AuditLog]:
    with read_session() as session:
        query = select(AuditLog).order_by(AuditLog.id)
        if action:
            query = query.where(AuditLog.action == action)
        return list(session.exec(query).all())


def first_criterion(
    view: review.ReviewView, *, scored_above: Decimal = Decimal(0)
) -> review.LineView:
    """A star criterion the branch scored above `scored_above` points."""
    return next(
        line
        for line in view.lines
        if line.kind == "criterion"
        and line.self_points is not None
        and line.self_points > scored_above
    )
