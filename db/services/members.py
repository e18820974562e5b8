"""Party members (党员名册) and the half-year 先锋指数 rounds: reading the roster, opening rounds.

Who takes part in a round is `vanguard.takes_part` (in service: both halves; retired: the
second), applied here in SQL through `vanguard.services_in_half`.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import Cycle, Organisation, PartyMember, RoundStatus, VanguardRound, utcnow
from db.services.common import (
    Actor,
    InvalidInput,
    NotFound,
    audit,
    bump_change_counter,
    record_target,
    require,
    require_missing,
)
from permissions import Action
from texts import members as T
from vanguard import HALVES, services_in_half


def _require_org(session: Session, actor: Actor | None, action: Action, org_id: int) -> Actor:
    if session.get(Organisation, org_id) is None:
        require_missing(actor, action, "organisation", org_id)
    return require(actor, action, record_target(session, org_id, "organisation", org_id))


def list_members(
    actor: Actor | None, *, org_id: int, include_inactive: bool = False
) -> list[PartyMember]:
    """An organisation's roster, by name (active members only unless asked)."""
    with read_session() as session:
        _require_org(session, actor, Action.VIEW_MEMBERS, org_id)
        query = select(PartyMember).where(PartyMember.org_id == org_id)
        if not include_inactive:
            query = query.where(col(PartyMember.active).is_(True))
        return list(session.exec(query.order_by(col(PartyMember.name), col(PartyMember.id))).all())


def members_taking_part(session: Session, round_: VanguardRound, org_id: int) -> list[PartyMember]:
    """The active members of `org_id` evaluated in `round_` (building block: no permission
    check; the caller has checked it or, for the anonymous ballot, holds a valid code)."""
    return list(
        session.exec(
            select(PartyMember)
            .where(
                PartyMember.org_id == org_id,
                col(PartyMember.active).is_(True),
                col(PartyMember.service).in_(services_in_half(round_.half)),
            )
            .order_by(col(PartyMember.name), col(PartyMember.id))
        ).all()
    )


def round_members(actor: Actor | None, *, round_id: int, org_id: int) -> list[PartyMember]:
    """The members of `org_id` evaluated in the round `round_id`."""
    with read_session() as session:
        _require_org(session, actor, Action.VIEW_MEMBERS, org_id)
        round_ = session.get(VanguardRound, round_id)
        if round_ is None:
            raise NotFound(T.ERR_ROUND_NOT_FOUND)
        return members_taking_part(session, round_, org_id)


def list_rounds(actor: Actor | None) -> list[VanguardRound]:
    """Every 先锋指数 round, newest first (for whoever may see some organisation's members)."""
    require(actor, Action.VIEW_MEMBERS)
    with read_session() as session:
        return list(
            session.exec(
                select(VanguardRound).order_by(
                    col(VanguardRound.year).desc(), col(VanguardRound.half).desc()
                )
            ).all()
        )


def open_round(actor: Actor | None, *, year: int, half: int) -> int:
    """Open the 先锋指数 round of `year`'s `half` (1 or 2); its id. The year must exist (its
    rubric defines the index) and each half opens once."""
    actor = require(actor, Action.MANAGE_ROUNDS)
    if half not in HALVES:
        raise InvalidInput(T.ERR_ROUND_HALF)
    half_name = T.HALF_NAMES[half]
    try:
        with write_session() as session:
            if session.exec(select(Cycle.id).where(Cycle.year == year)).first() is None:
                raise InvalidInput(T.ERR_ROUND_YEAR.format(year=year))
            exists = session.exec(
                select(VanguardRound.id).where(
                    VanguardRound.year == year, VanguardRound.half == half
                )
            ).first()
            if exists is not None:
                raise InvalidInput(T.ERR_ROUND_EXISTS.format(year=year, half=half_name))
            round_ = VanguardRound(
                year=year,
                half=half,
                status=RoundStatus.OPEN,
                opened_at=utcnow(),
                opened_by=actor.id,
            )
            session.add(round_)
            session.flush()
            assert round_.id is not None
            audit(
                session,
                actor,
                "vanguard_round_opened",
                "vanguard_round",
                round_.id,
                {"year": year, "half": half},
            )
            bump_change_counter(session)
            return round_.id
    except IntegrityError as exc:  # another admin opened it a moment earlier
        raise InvalidInput(T.ERR_ROUND_EXISTS.format(year=year, half=half_name)) from exc
