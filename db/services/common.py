"""What every service shares: the acting user, errors, the audit log and the change counter."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import AuditLog, ChangeCounter, Organisation, Role, utcnow
from permissions import Action, Scope, Target, can
from texts import common as T

log = logging.getLogger("wuxing.services")


@dataclass(frozen=True)
class Actor:
    """The logged-in user on whose behalf a service acts."""

    id: int
    username: str
    display_name: str
    role: Role
    org_id: int | None = None
    scope_region: str | None = None
    scope_department_id: int | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.username

    @property
    def scope(self) -> Scope:
        """The region or department this account answers for (neither: the whole city)."""
        return Scope(self.scope_region, self.scope_department_id)


class ServiceError(Exception):
    """An error whose message is a Chinese sentence fit to show the user."""

    def __init__(self, message: str, *, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Every problem found; a lone message is its own one problem.
        self.errors = errors or [message]

    @property
    def details(self) -> list[str]:
        """The listed problems other than the message shown above them."""
        return [problem for problem in self.errors if problem != self.message]


class PermissionDenied(ServiceError):
    def __init__(self, message: str = T.ERR_PERMISSION) -> None:
        super().__init__(message)


class NotFound(ServiceError):
    def __init__(self, message: str = T.ERR_NOT_FOUND) -> None:
        super().__init__(message)


class StaleVersion(ServiceError):
    def __init__(self, message: str = T.ERR_STALE) -> None:
        super().__init__(message)


class InvalidInput(ServiceError):
    """Bad input; `errors` lists every problem found, nothing was written."""


def invalid(problems: list[str]) -> InvalidInput:
    """InvalidInput led by the first problem and listing them all."""
    return InvalidInput(problems[0], errors=problems)


def audit(
    session: Session,
    actor: Actor | None,
    action: str,
    target_type: str = "",
    target_id: Any = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Record an action inside the caller's transaction (never pass a password here)."""
    session.add(
        AuditLog(
            at=utcnow(),
            actor_id=actor.id if actor else None,
            actor_name=actor.username if actor else "",
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            detail=json.dumps(detail or {}, ensure_ascii=False, default=str)[:20_000],
        )
    )


def audit_now(
    actor: Actor | None,
    action: str,
    target_type: str = "",
    target_id: Any = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Record an action in a transaction of its own (refusals, failed logins)."""
    try:
        with write_session() as session:
            audit(session, actor, action, target_type, target_id, detail)
    except Exception:  # the audit must never turn a refusal into a crash
        log.exception("could not write audit entry %s", action)


def refuse(
    actor: Actor | None, action: str, target_type: str = "", target_id: Any = ""
) -> NoReturn:
    """Log a refused access and raise PermissionDenied."""
    audit_now(actor, "access_denied", target_type, target_id, {"attempted": str(action)})
    raise PermissionDenied()


def require(actor: Actor | None, action: Action, target: Target | None = None) -> Actor:
    """The actor, if the permission table lets it do `action` to `target`; otherwise the refusal
    is logged (naming the target's record) and raised."""
    if actor is None or not can(actor, action, target):
        if target is None:
            refuse(actor, action)
        refuse(actor, action, target.kind, "" if target.id is None else target.id)
    return actor


def record_target(session: Session, org_id: int | None, kind: str, record_id: Any) -> Target:
    """The target for a record of organisation `org_id`: with the organisation's region and
    department, which scopes compare (an unknown organisation lies in the city's scope only)."""
    org = None if org_id is None else session.get(Organisation, org_id)
    if org is None:
        return Target(org_id, kind=kind, id=record_id)
    return Target.org(org, kind=kind, id=record_id)


def require_org(actor: Actor | None, action: Action, org_id: int) -> Actor:
    """`require` on an organisation given by id (read in a session of its own)."""
    with read_session() as session:
        target = record_target(session, org_id, "organisation", org_id)
    return require(actor, action, target)


def scope_conditions(actor: Actor) -> list[Any]:
    """WHERE conditions on Organisation keeping the rows of the actor's scope (none for the
    city): permissions.Scope.condition on the organisation's columns, the same rule as `can`."""
    condition = actor.scope.condition(
        Organisation.region, Organisation.department_id, Organisation.id
    )
    return [] if condition is None else [condition]


def require_missing(
    actor: Actor | None, action: Action, kind: str, record_id: Any, message: str = T.ERR_NOT_FOUND
) -> NoReturn:
    """A record that does not exist: NotFound for whoever may do `action` to any organisation's
    records, a logged refusal for the rest (a branch user cannot probe which ids exist)."""
    require(actor, action, Target(None, kind=kind, id=record_id))
    raise NotFound(message)


def bump_change_counter(session: Session) -> None:
    """Mark the data as changed so every process's shared caches refresh."""
    result = session.exec(
        update(ChangeCounter)
        .where(col(ChangeCounter.id) == 1)
        .values(value=ChangeCounter.value + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        session.add(ChangeCounter(id=1, value=1))


def change_counter() -> int:
    """The current value of the database-wide change counter."""
    with read_session() as session:
        row = session.exec(select(ChangeCounter.value).where(ChangeCounter.id == 1)).first()
        return int(row or 0)
