"""Accounts registered through single sign-on (OIDC_SELF_REGISTRATION), waiting for an admin.

`auth.sso_login` registers an unknown identity as a branch account without organisation that
cannot sign in (`User.awaiting_approval`). An admin approves it into an organisation of the
admin's scope (the account can sign in from then on) or refuses it (the account stays disabled,
and the identity is told so on its next sign-in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import EVALUATED_ORG_TYPES, Organisation, Role, User
from db.services.common import (
    Actor,
    NotFound,
    StaleVersion,
    audit,
    bump_change_counter,
    invalid,
    require,
)
from permissions import Action, Target
from texts import admin as T


@dataclass(frozen=True)
class Registration:
    """One account waiting for approval."""

    user_id: int
    username: str
    display_name: str
    registered_at: datetime
    version: int


def pending_registrations(actor: Actor | None) -> list[Registration]:
    """Every account waiting for approval, oldest first."""
    require(actor, Action.APPROVE_REGISTRATIONS)
    with read_session() as session:
        rows = session.exec(
            select(User)
            .where(col(User.awaiting_approval).is_(True))
            .order_by(col(User.created_at), col(User.id))
        ).all()
    return [
        Registration(int(u.id or 0), u.username, u.display_name, u.created_at, u.version)
        for u in rows
    ]


def _waiting(session: Session, user_id: int, version: int) -> User:
    user = session.get(User, user_id)
    if user is None or not user.awaiting_approval:
        raise NotFound(T.ERR_REGISTRATION_GONE)
    if user.version != version:
        raise StaleVersion(T.ERR_USER_STALE)
    return user


def approve_registration(actor: Actor | None, *, user_id: int, version: int, org_id: int) -> None:
    """Place a waiting account in `org_id` (of the actor's scope) and let it sign in."""
    actor = require(actor, Action.APPROVE_REGISTRATIONS)
    with read_session() as session:
        org = session.get(Organisation, org_id)
        if org is None or not org.active or org.org_type not in EVALUATED_ORG_TYPES:
            raise invalid([T.ERR_USER_ORG])
        require(actor, Action.APPROVE_REGISTRATIONS, Target.org(org, kind="user", id=user_id))
    with write_session() as session:
        user = _waiting(session, user_id, version)
        user.role = Role.BRANCH
        user.org_id = org_id
        user.awaiting_approval = False
        user.active = True
        user.version += 1
        session.add(user)
        detail = {"username": user.username, "org_id": org_id}
        audit(session, actor, "registration_approved", "user", user_id, detail)
        bump_change_counter(session)


def reject_registration(actor: Actor | None, *, user_id: int, version: int) -> None:
    """Refuse a waiting account: it stays disabled (its identity is told so at sign-in)."""
    actor = require(actor, Action.APPROVE_REGISTRATIONS)
    with write_session() as session:
        user = _waiting(session, user_id, version)
        user.awaiting_approval = False
        user.active = False
        user.version += 1
        session.add(user)
        audit(session, actor, "registration_rejected", "user", user_id, {"username": user.username})
        bump_change_counter(session)


__all__ = [
    "Registration",
    "approve_registration",
    "pending_registrations",
    "reject_registration",
]
