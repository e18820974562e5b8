"""异议: objections raised during a year's notice period (公示) and their recorded outcomes.

An administrator records an objection against a published organisation; each gets an outcome
(a justified one is corrected through the review service). The year becomes final only when
every objection is settled (db/services/publication.py).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, func
from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import Assessment, Objection, Organisation, PublishedResult, User
from db.services import freeze
from db.services.common import (
    Actor,
    NotFound,
    audit,
    bump_change_counter,
    invalid,
    record_target,
    require,
    require_missing,
    require_org,
    scope_conditions,
)
from db.services.publication import get_cycle
from formatting import china_time
from permissions import Action
from texts import review as T

RAISED_BY_MAX = 100
TEXT_MAX = 2000


OBJECTION_COLUMNS = [
    "id",
    "org_id",
    "org_name",
    "region",
    "raised_by",
    "content",
    "created_at",
    "recorded_by",
    "outcome",
    "outcome_name",
    "outcome_note",
    "resolved_at",
]


def objections(actor: Actor | None, *, cycle_id: int) -> pd.DataFrame:
    """The objections of a year about organisations of the actor's scope, newest first."""
    actor = require(actor, Action.VIEW_PUBLICATION)
    with read_session() as session:
        # The name and region as frozen at publication (published_result), not today's.
        rows = session.exec(
            select(
                Objection,
                func.coalesce(col(PublishedResult.name), col(Organisation.name)),
                func.coalesce(col(PublishedResult.region), col(Organisation.region)),
                col(User.username),
            )
            .join(Organisation, col(Organisation.id) == Objection.org_id)
            .join(
                PublishedResult,
                and_(
                    col(PublishedResult.cycle_id) == Objection.cycle_id,
                    col(PublishedResult.org_id) == Objection.org_id,
                ),
                isouter=True,
            )
            .join(User, col(User.id) == Objection.recorded_by, isouter=True)
            .where(col(Objection.cycle_id) == cycle_id, *scope_conditions(actor))
            .order_by(col(Objection.id).desc())
        ).all()
    data = [
        {
            "id": o.id,
            "org_id": o.org_id,
            "org_name": name,
            "region": region,
            "raised_by": o.raised_by,
            "content": o.content,
            "created_at": o.created_at,
            "recorded_by": recorder or "",
            "outcome": o.outcome,
            "outcome_name": T.OUTCOME_NAMES.get(o.outcome, T.OBJ_PENDING)
            if o.outcome
            else T.OBJ_PENDING,
            "outcome_note": o.outcome_note,
            "resolved_at": o.resolved_at,
        }
        for o, name, region, recorder in rows
    ]
    return pd.DataFrame(data, columns=OBJECTION_COLUMNS)


def record_objection(
    actor: Actor | None,
    *,
    cycle_id: int,
    org_id: int,
    content: str,
    raised_by: str = "",
) -> int:
    """Record an 异议 against an organisation of the actor's scope during the notice period
    (admin)."""
    actor = require_org(actor, Action.MANAGE_PUBLICATION, org_id)
    content = (content or "").strip()
    raised_by = (raised_by or "").strip()
    problems = []
    if not content:
        problems.append(T.ERR_OBJECTION_CONTENT)
    elif len(content) > TEXT_MAX:
        problems.append(T.ERR_OBJECTION_TOO_LONG.format(what=T.OBJ_CONTENT, n=TEXT_MAX))
    if len(raised_by) > RAISED_BY_MAX:
        problems.append(T.ERR_OBJECTION_TOO_LONG.format(what=T.OBJ_RAISED_BY, n=RAISED_BY_MAX))
    if problems:
        raise invalid(problems)
    with write_session() as session:
        cycle = get_cycle(session, cycle_id)
        if cycle.status != "published" or cycle.publication_ends is None:
            raise invalid([T.ERR_NOT_PUBLISHED.format(year=cycle.year)])
        if freeze.utcnow() >= cycle.publication_ends:
            raise invalid(
                [
                    T.ERR_PERIOD_OVER.format(
                        year=cycle.year, ends=china_time(cycle.publication_ends, missing="—")
                    )
                ]
            )
        listed = session.exec(
            select(Assessment.id).where(
                Assessment.cycle_id == cycle_id,
                Assessment.org_id == org_id,
                Assessment.status == "published",
            )
        ).first()
        if listed is None:
            raise invalid([T.ERR_OBJECTION_ORG])
        objection = Objection(
            cycle_id=cycle_id,
            org_id=org_id,
            raised_by=raised_by,
            content=content,
            created_at=freeze.utcnow(),
            recorded_by=actor.id,
        )
        session.add(objection)
        session.flush()
        audit(
            session,
            actor,
            "objection_recorded",
            "objection",
            objection.id,
            {
                "year": cycle.year,
                "org_id": org_id,
                "raised_by": raised_by,
                "content": content,
            },
        )
        bump_change_counter(session)
        assert objection.id is not None
        return objection.id


def resolve_objection(
    actor: Actor | None,
    *,
    objection_id: int,
    outcome: str,
    note: str,
) -> None:
    """Record the outcome of an objection (admin); a settled one cannot be changed."""
    actor = require(actor, Action.MANAGE_PUBLICATION)
    with read_session() as session:
        found = session.get(Objection, objection_id)
        if found is None:
            require_missing(actor, Action.MANAGE_PUBLICATION, "objection", objection_id)
        require(
            actor,
            Action.MANAGE_PUBLICATION,
            record_target(session, found.org_id, "objection", objection_id),
        )
    note = (note or "").strip()
    problems = []
    if outcome not in T.OUTCOME_NAMES:
        problems.append(T.ERR_OUTCOME)
    if not note:
        problems.append(T.ERR_OUTCOME_NOTE)
    elif len(note) > TEXT_MAX:
        problems.append(T.ERR_OBJECTION_TOO_LONG.format(what=T.OBJ_NOTE, n=TEXT_MAX))
    if problems:
        raise invalid(problems)
    with write_session() as session:
        objection = session.get(Objection, objection_id)
        if objection is None:
            raise NotFound()
        if objection.outcome:
            raise invalid(
                [
                    T.ERR_OUTCOME_DONE.format(
                        outcome=T.OUTCOME_NAMES.get(objection.outcome, objection.outcome)
                    )
                ]
            )
        freeze.ensure_cycle_editable(session, objection.cycle_id)
        objection.outcome = outcome
        objection.outcome_note = note
        objection.resolved_at = freeze.utcnow()
        objection.resolved_by = actor.id
        session.add(objection)
        audit(
            session,
            actor,
            "objection_resolved",
            "objection",
            objection_id,
            {
                "org_id": objection.org_id,
                "before": {"outcome": ""},
                "after": {"outcome": outcome, "note": note},
            },
        )
        bump_change_counter(session)


__all__ = ["OBJECTION_COLUMNS", "objections", "record_objection", "resolve_objection"]
