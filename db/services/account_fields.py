"""An account's fields, checked one way for the admin's form, one's own e-mail and the account
import: username, display name, role, password, e-mail, a branch's organisation, the scope."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session

from db.models import EVALUATED_ORG_TYPES, REGIONS, Organisation, OrgType, Role
from db.services import auth
from permissions import Scope
from texts import admin as T
from texts import common as C

USERNAME_RE = auth.USERNAME_RE
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
EMAIL_MAX = 200


def role_key(value: str) -> str | None:
    """支部书记 / 机关工委审核员 / 领导 / 系统管理员 (or the key) → the stored role."""
    value = (value or "").strip()
    if value in set(Role):
        return value
    for key, name in C.ROLE_NAMES.items():
        if value == name:
            return key
    return T.ROLE_ALIASES.get(value)


def check_user_fields(
    username: str,
    display_name: str,
    role: str,
    password: str | None,
) -> tuple[dict[str, Any], list[str]]:
    """Validate an account's own fields; (values, problems). `password` None: not checked."""
    problems: list[str] = []
    username = (username or "").strip()
    display_name = (display_name or "").strip()
    if not username:
        problems.append(T.ERR_USERNAME_EMPTY)
    elif not USERNAME_RE.match(username):
        problems.append(T.ERR_USERNAME.format(value=username))
    if len(display_name) > 64:
        problems.append(T.ERR_DISPLAY_NAME_LONG)
    role_value = role_key(role)
    if role_value is None:
        problems.append(
            T.ERR_ROLE.format(value=role, allowed="、".join(C.ROLE_NAMES.values()))
            if (role or "").strip()
            else T.ERR_ROLE_EMPTY
        )
    if password is not None:
        problems.extend(auth.password_problems(password, username))
    return {"username": username, "display_name": display_name, "role": role_value}, problems


def check_email(value: str | None) -> tuple[str, list[str]]:  # one address: no commas
    """An e-mail address as stored (trimmed; "": in-app notices only) and its problems."""
    email = (value or "").strip()
    if len(email) > EMAIL_MAX:
        return email, [T.ERR_EMAIL_LONG.format(n=EMAIL_MAX)]
    if email and not EMAIL_RE.match(email):
        return email, [T.ERR_EMAIL.format(value=email)]
    return email, []


def check_user_org(session: Session, role: str | None, org_id: int | None) -> list[str]:
    """A branch account's organisation: given, active and evaluated (other roles have none)."""
    if role == Role.BRANCH:
        if org_id is None:
            return [T.ERR_BRANCH_NEEDS_ORG]
        org = session.get(Organisation, org_id)
        if org is None or not org.active or org.org_type not in EVALUATED_ORG_TYPES:
            return [T.ERR_USER_ORG]
    return []


def check_scope(session: Session, role: str | None, scope: Scope) -> tuple[Scope, list[str]]:
    """The scope an account of `role` keeps (a branch account has none) and its problems."""
    if role == Role.BRANCH or role is None:
        return Scope(), []
    if scope.region is not None and scope.department_id is not None:
        return scope, [T.ERR_SCOPE_BOTH]
    if role == Role.DEPARTMENT and scope.department_id is None:
        # a 机关党委 account answers for one department; unbound it could do nothing
        return scope, [T.ERR_SCOPE_DEPARTMENT_ROLE]
    if scope.region is not None and scope.region not in REGIONS:
        return scope, [T.ERR_SCOPE_REGION.format(value=scope.region)]
    if scope.department_id is not None:
        dept = session.get(Organisation, scope.department_id)
        if dept is None or dept.org_type != OrgType.DEPARTMENT or not dept.active:
            return scope, [T.ERR_SCOPE_DEPARTMENT]
    return scope, []


__all__ = [
    "EMAIL_MAX",
    "EMAIL_RE",
    "USERNAME_RE",
    "check_email",
    "check_scope",
    "check_user_fields",
    "check_user_org",
    "role_key",
]
