"""Accounts (admin): list, create, edit, disable, unlock and reset passwords.

The fields' validation is db/services/account_fields.py, shared with the account import
(db/services/imports.py).

Scopes: an account lies where its scope lies (`account_target`): a branch account at its
organisation, a department-scoped one at its department, a region-scoped one in its region, a
city-wide one in the city alone. An admin manages the accounts whose target its own scope
covers (permissions.can on MANAGE_USERS), before and after a change, so a region admin never
sees, creates or edits a city-wide account or one of another region, and a city admin sets any
scope.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import (
    REGIONS,
    Organisation,
    OrgType,
    Role,
    User,
)
from db.services import auth, freeze
from db.services.account_fields import check_email, check_scope, check_user_fields, check_user_org
from db.services.common import (
    Actor,
    NotFound,
    StaleVersion,
    audit,
    bump_change_counter,
    invalid,
    require,
)
from permissions import Action, Scope, Target, can
from texts import admin as T

SCOPE_FIELDS = ("scope_region", "scope_department_id")


USER_COLUMNS = [
    "id",
    "username",
    "display_name",
    "role",
    "org_id",
    "org_code",
    "org_name",
    "scope_region",
    "scope_department_id",
    "scope_name",
    "email",
    "active",
    "locked",
    "locked_until",
    "failed_logins",
    "created_at",
    "password_changed_at",
    "version",
]


def account_target(
    session: Session,
    role: str | None,
    org_id: int | None,
    scope: Scope,
    user_id: object = None,
) -> Target:
    """Where an account lies, for permissions.can: a branch account at its organisation, any
    other at its scope (its department, its region, or the whole city)."""
    if role == Role.BRANCH:
        org = None if org_id is None else session.get(Organisation, org_id)
        if org is None:
            return Target.whole_city(kind="user", id=user_id)
        return Target.org(org, kind="user", id=user_id)
    if scope.department_id is not None:
        dept = session.get(Organisation, scope.department_id)
        if dept is None:
            return Target.whole_city(kind="user", id=user_id)
        return Target(dept.id, dept.region, None, "user", user_id)
    if scope.region is not None:
        return Target.of_region(scope.region, kind="user", id=user_id)
    return Target.whole_city(kind="user", id=user_id)


@dataclass(frozen=True)
class ScopeChoices:
    """The scopes an admin may give an account: regions (None: the whole city) and
    departments (id, name, region), each lying in the admin's own scope."""

    regions: tuple[str | None, ...]
    departments: tuple[tuple[int, str, str], ...]


def scope_choices(actor: Actor | None) -> ScopeChoices:
    """What the account form offers: only the scopes `can` lets the actor give."""
    actor = require(actor, Action.MANAGE_USERS)
    with read_session() as session:
        regions = tuple(
            region
            for region in (None, *REGIONS)
            if can(
                actor,
                Action.MANAGE_USERS,
                Target.whole_city() if region is None else Target.of_region(region),
            )
        )
        departments = tuple(
            (int(d.id), d.name, d.region)
            for d in session.exec(
                select(Organisation)
                .where(
                    Organisation.org_type == OrgType.DEPARTMENT,
                    col(Organisation.active).is_(True),
                )
                .order_by(Organisation.region, Organisation.code)
            ).all()
            if d.id is not None and can(actor, Action.MANAGE_USERS, Target(d.id, d.region))
        )
    return ScopeChoices(regions, departments)


def _user_target(session: Session, user: User) -> Target:
    return account_target(
        session, user.role, user.org_id, Scope(user.scope_region, user.scope_department_id), user.id
    )


def _require_user(session: Session, actor: Actor, user: User) -> None:
    """Refuse (logged) an account outside the actor's scope. Called in a read session, before
    any write transaction (a logged refusal writes in a transaction of its own)."""
    require(actor, Action.MANAGE_USERS, _user_target(session, user))


def _require_user_id(actor: Actor, user_id: int) -> None:
    with read_session() as session:
        _require_user(session, actor, _locked_user(session, user_id, None))


def scope_label(scope_region: str | None, department: str | None) -> str:
    """The Chinese name of an account's scope: 全市, a region, or a department's name."""
    if department:
        return department
    return scope_region or T.SCOPE_CITY


def list_users(actor: Actor | None) -> pd.DataFrame:
    """Every account in the actor's scope with its role, organisation, scope and lock state
    (never a password hash)."""
    actor = require(actor, Action.MANAGE_USERS)
    now = freeze.utcnow()
    with read_session() as session:
        rows = session.exec(
            select(User, col(Organisation.code), col(Organisation.name))
            .join(Organisation, col(Organisation.id) == User.org_id, isouter=True)
            .order_by(col(User.role), col(User.username))
        ).all()
        departments = dict(
            session.exec(
                select(Organisation.id, Organisation.name).where(
                    Organisation.org_type == OrgType.DEPARTMENT
                )
            ).all()
        )
        shown = [
            (u, code, name)
            for u, code, name in rows
            if can(actor, Action.MANAGE_USERS, _user_target(session, u))
        ]
    data = [
        {
            "id": u.id,
            "username": u.username,
            "display_name": u.display_name,
            "role": u.role,
            "org_id": u.org_id,
            "org_code": code or "",
            "org_name": name or "",
            "scope_region": u.scope_region,
            "scope_department_id": u.scope_department_id,
            "scope_name": ""
            if u.role == Role.BRANCH
            else scope_label(u.scope_region, departments.get(u.scope_department_id)),
            "email": u.email,
            "active": u.active,
            "locked": bool(u.locked_until and u.locked_until > now),
            "locked_until": u.locked_until,
            "failed_logins": u.failed_logins,
            "created_at": u.created_at,
            "password_changed_at": u.password_changed_at,
            "version": u.version,
        }
        for u, code, name in shown
    ]
    return pd.DataFrame(data, columns=USER_COLUMNS)


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "org_id": user.org_id,
        "scope_region": user.scope_region,
        "scope_department_id": user.scope_department_id,
        "email": user.email,
        "active": user.active,
    }


def create_user(
    actor: Actor | None,
    *,
    username: str,
    display_name: str,
    role: str,
    org_id: int | None,
    password: str,
    scope: Scope | None = None,
    email: str = "",
) -> int:
    """Create an account; the password must meet the rules (shown on the form).

    `scope` is the account's scope (None: the creating admin's own); the account must lie in
    the actor's scope, or the call is refused and logged.
    """
    actor = require(actor, Action.MANAGE_USERS)
    values, problems = check_user_fields(username, display_name, role, password)
    email, email_problems = check_email(email)
    problems += email_problems
    with read_session() as session:
        kept, scope_problems = check_scope(session, values["role"], scope or actor.scope)
        # (a branch account without an organisation is told so below, in Chinese)
        placed = values["role"] != Role.BRANCH or org_id is not None
        if not problems and not scope_problems and placed:
            require(
                actor,
                Action.MANAGE_USERS,
                account_target(session, values["role"], org_id, kept, values["username"]),
            )
    problems += scope_problems
    # Hashed before the write transaction (argon2 would hold the write lock for its duration).
    password_hash = auth.hash_password(password) if not problems else ""
    with write_session() as session:
        problems += check_user_org(session, values["role"], org_id)
        if (
            values["username"]
            and session.exec(select(User.id).where(User.username == values["username"])).first()
        ):
            problems.append(T.ERR_USERNAME_TAKEN.format(value=values["username"]))
        if problems:
            raise invalid(problems)
        user = User(
            username=values["username"],
            display_name=values["display_name"],
            role=values["role"],
            org_id=org_id if values["role"] == "branch" else None,
            scope_region=kept.region,
            scope_department_id=kept.department_id,
            email=email,
            password_hash=password_hash,
        )
        session.add(user)
        session.flush()
        audit(
            session,
            actor,
            "user_created",
            "user",
            user.id,
            {"before": None, "after": _user_snapshot(user)},
        )
        bump_change_counter(session)
        assert user.id is not None
        return user.id


def _active_admins(session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, col(User.active).is_(True))
        ).one()
    )


def _locked_user(session: Session, user_id: int, version: int | None) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    if version is not None and user.version != version:
        raise StaleVersion(T.ERR_USER_STALE)
    return user


def update_user(
    actor: Actor | None,
    *,
    user_id: int,
    version: int,
    display_name: str,
    role: str,
    org_id: int | None,
    scope: Scope | None = None,
    email: str | None = None,
) -> None:
    """Change an account's name, role, organisation, scope or e-mail (None: as it is).

    The account must lie in the actor's scope before and after the change (refused and logged
    otherwise): a region admin cannot take an account out of its region or widen it.
    """
    actor = require(actor, Action.MANAGE_USERS)
    with read_session() as session:
        user = _locked_user(session, user_id, None)
        _require_user(session, actor, user)
        wanted = Scope(user.scope_region, user.scope_department_id) if scope is None else scope
        values, _ = check_user_fields(user.username, display_name, role, None)
        kept, scope_problems = check_scope(session, values["role"], wanted)
        placed = values["role"] != Role.BRANCH or org_id is not None
        if values["role"] is not None and not scope_problems and placed:
            require(
                actor,
                Action.MANAGE_USERS,
                account_target(session, values["role"], org_id, kept, user_id),
            )
    with write_session() as session:
        user = _locked_user(session, user_id, version)
        values, problems = check_user_fields(user.username, display_name, role, None)
        problems += scope_problems
        problems += check_user_org(session, values["role"], org_id)
        address = user.email
        if email is not None:
            address, email_problems = check_email(email)
            problems += email_problems
        if user.id == actor.id and values["role"] != "admin":
            problems.append(T.ERR_OWN_ROLE)
        if problems:
            raise invalid(problems)
        before = _user_snapshot(user)
        user.display_name = values["display_name"]
        user.role = values["role"]
        user.org_id = org_id if values["role"] == "branch" else None
        user.scope_region, user.scope_department_id = kept.region, kept.department_id
        user.email = address
        user.version += 1
        session.add(user)
        after = _user_snapshot(user)
        if before == after:
            return
        if any(before[k] != after[k] for k in ("role", "org_id", *SCOPE_FIELDS)):
            # What the user may see changed: make them log in again.
            auth.end_sessions_of(session, user_id)
        audit(session, actor, "user_changed", "user", user_id, {"before": before, "after": after})
        bump_change_counter(session)


def set_user_active(actor: Actor | None, *, user_id: int, active: bool) -> None:
    """Disable (every session ends at once) or re-enable an account."""
    actor = require(actor, Action.MANAGE_USERS)
    _require_user_id(actor, user_id)
    with write_session() as session:
        user = _locked_user(session, user_id, None)
        if user.active == active:
            return
        if not active and user.id == actor.id:
            raise invalid([T.ERR_DISABLE_SELF])
        if active and user.awaiting_approval:
            raise invalid([T.ERR_APPROVE_FIRST])
        if not active and user.role == Role.ADMIN and _active_admins(session) <= 1:
            raise invalid([T.ERR_LAST_ADMIN])
        before = _user_snapshot(user)
        user.active = active
        user.version += 1
        session.add(user)
        ended = auth.end_sessions_of(session, user_id) if not active else 0
        audit(
            session,
            actor,
            "user_disabled" if not active else "user_enabled",
            "user",
            user_id,
            {"before": before, "after": _user_snapshot(user), "sessions_ended": ended},
        )
        bump_change_counter(session)


def reset_password(actor: Actor | None, *, user_id: int, password: str) -> None:
    """Set a new password for an account (unlocks it and ends its sessions)."""
    actor = require(actor, Action.MANAGE_USERS)
    with read_session() as session:
        user = _locked_user(session, user_id, None)
        _require_user(session, actor, user)
        username = user.username
    problems = auth.password_problems(password, username)
    if problems:
        raise invalid(problems)
    password_hash = auth.hash_password(password)  # before the write transaction, not in it
    with write_session() as session:
        user = _locked_user(session, user_id, None)
        user.password_hash = password_hash
        user.password_changed_at = None  # an admin-set password is a temporary one
        user.failed_logins = 0
        user.locked_until = None
        user.version += 1
        session.add(user)
        ended = auth.end_sessions_of(session, user_id)
        audit(
            session,
            actor,
            "password_reset",
            "user",
            user_id,
            {"username": user.username, "sessions_ended": ended},
        )
        bump_change_counter(session)


def unlock_user(actor: Actor | None, *, user_id: int) -> None:
    """Lift a lockout after too many failed logins."""
    actor = require(actor, Action.MANAGE_USERS)
    _require_user_id(actor, user_id)
    with write_session() as session:
        user = _locked_user(session, user_id, None)
        before = {"locked_until": user.locked_until, "failed_logins": user.failed_logins}
        user.locked_until = None
        user.failed_logins = 0
        user.version += 1
        session.add(user)
        audit(
            session,
            actor,
            "user_unlocked",
            "user",
            user_id,
            {"before": before, "after": {"locked_until": None, "failed_logins": 0}},
        )
        bump_change_counter(session)


def own_email(actor: Actor | None) -> str:
    """The address the actor's own reminders are e-mailed to ("" for none)."""
    actor = require(actor, Action.CHANGE_OWN_EMAIL)
    with read_session() as session:
        return _locked_user(session, actor.id, None).email


def set_own_email(actor: Actor | None, *, email: str) -> None:
    """Set (or clear, with "") the address one's own reminders are e-mailed to."""
    actor = require(actor, Action.CHANGE_OWN_EMAIL)
    address, problems = check_email(email)
    if problems:
        raise invalid(problems)
    with write_session() as session:
        user = _locked_user(session, actor.id, None)
        if user.email == address:
            return
        audit(
            session,
            actor,
            "email_changed",
            "user",
            user.id,
            {"before": user.email, "after": address},
        )
        user.email = address
        user.version += 1
        session.add(user)
        bump_change_counter(session)


_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password(length: int = 12) -> str:
    """A random password that meets the rules and has no look-alike characters (0/O, 1/l)."""
    while True:
        candidate = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if (
            any(c.isdigit() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.islower() for c in candidate)
            and not auth.password_problems(candidate)
        ):
            return candidate


__all__ = [
    "SCOPE_FIELDS",
    "USER_COLUMNS",
    "ScopeChoices",
    "account_target",
    "create_user",
    "generate_password",
    "list_users",
    "own_email",
    "reset_password",
    "scope_choices",
    "scope_label",
    "set_own_email",
    "set_user_active",
    "unlock_user",
    "update_user",
]
