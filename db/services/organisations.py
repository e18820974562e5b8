"""Organisations (admin): list, validate, create, edit and move them in the tree.

The validation is shared with the organisation import (db/services/imports.py), so a form
and a spreadsheet row are held to the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import (
    EVALUATED_ORG_TYPES,
    REGIONS,
    Cycle,
    Organisation,
    OrgType,
    User,
)
from db.query import pk
from db.services.common import (
    Actor,
    NotFound,
    audit,
    bump_change_counter,
    invalid,
    require,
    require_org,
    scope_conditions,
)
from db.services.members import sync_member_counts
from db.services.years import ensure_assessments
from permissions import Action, Target, can
from texts import admin as T
from texts import common as C

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
MAX_COUNT = 100_000


ORG_FIELDS = (
    "code",
    "name",
    "org_type",
    "region",
    "parent_id",
    "member_count",
    "staff_count",
    "active",
)


def _manages(actor: Actor, org: Organisation) -> bool:
    """Whether the organisation lies in the actor's scope (permissions.can)."""
    return can(actor, Action.MANAGE_ORGANISATIONS, Target.org(org))


def list_organisations(actor: Actor | None) -> pd.DataFrame:
    """Every organisation of the actor's scope (departments first, then their units), with
    parent and user counts."""
    actor = require(actor, Action.MANAGE_ORGANISATIONS)
    with read_session() as session:
        every = session.exec(select(Organisation)).all()
        users = dict(
            session.exec(
                select(col(User.org_id), func.count())
                .where(col(User.active).is_(True))
                .group_by(col(User.org_id))
            ).all()
        )
    by_id = {o.id: o for o in every}
    orgs = [o for o in every if _manages(actor, o)]
    rows = []
    for o in sorted(orgs, key=lambda o: _tree_key(o, by_id)):
        parent = by_id.get(o.parent_id) if o.parent_id else None
        dept = by_id.get(o.department_id) if o.department_id else None
        rows.append(
            {
                "id": o.id,
                "code": o.code,
                "name": o.name,
                "org_type": o.org_type,
                "region": o.region,
                "parent_id": o.parent_id,
                "parent_code": parent.code if parent else "",
                "parent_name": parent.name if parent else "",
                "department_id": o.department_id,
                "department": dept.name if dept else "",
                "member_count": o.member_count,
                "staff_count": o.staff_count,
                "active": o.active,
                "users": int(users.get(o.id, 0)),
            }
        )
    return pd.DataFrame(rows, columns=ORG_COLUMNS)


ORG_COLUMNS = [
    "id",
    "code",
    "name",
    "org_type",
    "region",
    "parent_id",
    "parent_code",
    "parent_name",
    "department_id",
    "department",
    "member_count",
    "staff_count",
    "active",
    "users",
]


def _tree_key(
    org: Organisation, by_id: Mapping[int | None, Organisation]
) -> tuple[int, str, bool, int, str]:
    """Departments in their order, each followed by its units."""
    dept = by_id.get(org.department_id) if org.department_id else None
    top = dept or org
    return (top.sort_order, top.code, org.org_type != "department", org.sort_order, org.code)


@dataclass
class OrgInput:
    """One organisation as typed in a form or read from a spreadsheet row."""

    code: str
    name: str
    org_type: str
    region: str
    parent_code: str = ""
    member_count: int | str | None = 0
    staff_count: int | str | None = 0
    active: bool = True


def _count(value: int | str | None, what: str, problems: list[str]) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        number = Decimal(str(value).strip())
    except (ArithmeticError, ValueError):
        number = Decimal(-1)
    if number != number.to_integral_value() or not 0 <= number <= MAX_COUNT:
        problems.append(T.ERR_COUNT.format(what=what, value=value, max=MAX_COUNT))
        return 0
    return int(number)


def org_type_key(value: str) -> str | None:
    """部门 / 机关党委 / 党总支 / 党支部 (or the English key) → the stored key."""
    value = (value or "").strip()
    if value in set(OrgType):
        return value
    for key, name in C.ORG_TYPE_NAMES.items():
        if value == name:
            return key
    return T.ORG_TYPE_ALIASES.get(value)


def check_org_fields(item: OrgInput) -> tuple[dict[str, Any], list[str]]:
    """Validate the fields of one organisation that need no database; (values, problems)."""
    problems: list[str] = []
    code = (item.code or "").strip()
    name = (item.name or "").strip()
    if not code:
        problems.append(T.ERR_ORG_CODE_EMPTY)
    elif not CODE_RE.match(code):
        problems.append(T.ERR_ORG_CODE.format(code=code))
    if not name:
        problems.append(T.ERR_ORG_NAME_EMPTY)
    elif len(name) > 120:
        problems.append(T.ERR_ORG_NAME_LONG)
    org_type = org_type_key(item.org_type)
    if org_type is None:
        if (item.org_type or "").strip():
            problems.append(
                T.ERR_ORG_TYPE.format(
                    value=item.org_type, allowed="、".join(C.ORG_TYPE_NAMES.values())
                )
            )
        else:
            problems.append(T.ERR_ORG_TYPE_EMPTY)
    region = (item.region or "").strip()
    if region not in REGIONS:
        problems.append(
            T.ERR_REGION.format(value=region, allowed="、".join(REGIONS))
            if region
            else T.ERR_REGION_EMPTY
        )
    parent_code = (item.parent_code or "").strip()
    if org_type == "department" and parent_code:
        problems.append(T.ERR_DEPT_PARENT)
    if org_type in EVALUATED_ORG_TYPES and not parent_code:
        problems.append(T.ERR_PARENT_REQUIRED)
    values = {
        "code": code,
        "name": name,
        "org_type": org_type,
        "region": region,
        "parent_code": parent_code,
        "member_count": _count(item.member_count, T.COL_MEMBERS, problems),
        "staff_count": _count(item.staff_count, T.COL_STAFF, problems),
        "active": bool(item.active),
    }
    return values, problems


def _descendants(org_id: int, children: Mapping[int, list[int]]) -> list[int]:
    out, stack = [], [org_id]
    while stack:
        for child in children.get(stack.pop(), []):
            out.append(child)
            stack.append(child)
    return out


def org_snapshot(org: Organisation) -> dict[str, Any]:
    return {name: getattr(org, name) for name in ORG_FIELDS}


def apply_organisations(
    session: Session,
    actor: Actor,
    items: list[tuple[int | None, dict[str, Any]]],
    *,
    known_codes: frozenset[str] = frozenset(),
) -> tuple[list[tuple[int | None, str]], list[dict[str, Any]]]:
    """Create or update organisations (already field-checked) inside the caller's transaction.

    `items` pairs an existing id (None: new, or matched by code) with checked values; parents
    may refer to organisations earlier or later in the same batch. Returns the problems as
    (the item's "_line" value, reason) and the audit changes; when there are problems the
    caller raises, so its transaction rolls back and nothing is kept. A parent code in
    `known_codes` (a rejected row of the same file) is not reported again.
    """
    orgs = {o.id: o for o in session.exec(select(Organisation)).all()}
    by_code = {o.code: o for o in orgs.values()}
    problems: list[tuple[int | None, str]] = []
    changes: list[dict[str, Any]] = []
    targets: list[tuple[Organisation, dict[str, Any], int | None]] = []
    for org_id, values in items:
        label = values.get("_line")
        existing = orgs.get(org_id) if org_id is not None else by_code.get(values["code"])
        if org_id is not None and existing is None:
            raise NotFound()
        if existing is not None and not _manages(actor, existing):
            problems.append((label, T.ERR_ORG_OUT_OF_SCOPE.format(code=existing.code)))
            continue
        other = by_code.get(values["code"])
        if other is not None and existing is not None and other.id != existing.id:
            problems.append((label, T.ERR_ORG_CODE_TAKEN.format(code=values["code"])))
            continue
        if (
            existing is not None
            and existing.org_type != values["org_type"]
            and ("department" in (existing.org_type, values["org_type"]))
        ):
            problems.append((label, T.ERR_ORG_TYPE_CHANGE))
            continue
        if existing is None:
            existing = Organisation(
                code=values["code"],
                name=values["name"],
                org_type=values["org_type"],
                region=values["region"],
            )
            session.add(existing)
            session.flush()
            orgs[existing.id] = existing
            before = None
        else:
            before = org_snapshot(existing)
        by_code[values["code"]] = existing
        targets.append((existing, values, label))
        changes.append({"code": values["code"], "before": before})
    # Parents after every item exists, so a file may list a unit before its department.
    for (org, values, label), change in zip(targets, changes, strict=True):
        parent = by_code.get(values["parent_code"]) if values["parent_code"] else None
        if values["parent_code"] and parent is None:
            if values["parent_code"] in known_codes:
                continue  # the parent's own row is bad and already reported
            problems.append((label, T.ERR_PARENT_UNKNOWN.format(code=values["parent_code"])))
            continue
        if parent is not None and parent.org_type == "branch":
            problems.append((label, T.ERR_PARENT_BRANCH.format(code=parent.code)))
            continue
        org.code, org.name, org.org_type = values["code"], values["name"], values["org_type"]
        org.region = values["region"]
        org.member_count, org.staff_count = values["member_count"], values["staff_count"]
        org.parent_id = parent.id if parent else None
        org.active = values["active"]
        session.add(org)
        change["label"] = label
    if problems:
        return problems, []
    session.flush()
    children: dict[int, list[int]] = {}
    for o in orgs.values():
        if o.parent_id is not None:
            children.setdefault(o.parent_id, []).append(pk(o.id))
    for org, _values, label in targets:
        assert org.id is not None
        if org.parent_id is not None and org.parent_id in [org.id, *_descendants(org.id, children)]:
            problems.append((label, T.ERR_PARENT_CYCLE.format(code=org.code)))
    if problems:
        return problems, []
    # Department of every organisation follows the tree (moved subtrees included).
    for org in orgs.values():
        root, seen = org, set()
        while root.parent_id is not None and root.id not in seen:
            seen.add(root.id)
            root = orgs[root.parent_id]
        dept = root.id if root.org_type == "department" and root is not org else None
        if org.org_type != "department" and org.department_id != dept:
            org.department_id = dept
            session.add(org)
    for org, _values, label in targets:
        if not _manages(actor, org):
            problems.append((label, T.ERR_ORG_OUT_OF_SCOPE.format(code=org.code)))
    if problems:
        return problems, []
    for org, values, label in targets:
        if not values["active"]:
            active_children = [c for c in children.get(pk(org.id), []) if orgs[c].active]
            if active_children:
                problems.append((label, T.ERR_DEACTIVATE_CHILDREN.format(code=org.code)))
            users = session.exec(
                select(func.count())
                .select_from(User)
                .where(col(User.org_id) == org.id, col(User.active).is_(True))
            ).one()
            if users:
                problems.append((label, T.ERR_DEACTIVATE_USERS.format(code=org.code, n=users)))
    if problems:
        return problems, []
    # An organisation with a roster counts its members from it, whatever the form or file says.
    sync_member_counts(session, [o.id for o, _, _ in targets])
    for change, (org, _values, _label) in zip(changes, targets, strict=True):
        change["after"] = org_snapshot(org)
        change.pop("label", None)
    open_cycles = session.exec(select(Cycle.id).where(Cycle.status == "open")).all()
    evaluated = [pk(o.id) for o, _, _ in targets if o.org_type in EVALUATED_ORG_TYPES and o.active]
    for cycle_id in open_cycles:
        ensure_assessments(session, pk(cycle_id), evaluated)
    session.flush()
    return [], [c for c in changes if c["before"] != c["after"]]


def save_organisation(actor: Actor | None, *, org_id: int | None, item: OrgInput) -> int:
    """Create (org_id None) or change one organisation; returns its id."""
    actor = require(actor, Action.MANAGE_ORGANISATIONS)
    if org_id is not None:
        # An id from a form or a URL: one outside the actor's scope is a logged refusal.
        require_org(actor, Action.MANAGE_ORGANISATIONS, org_id)
    values, problems = check_org_fields(item)
    if problems:
        raise invalid(problems)
    with write_session() as session:
        found, changes = apply_organisations(session, actor, [(org_id, values)])
        if found:
            raise invalid([reason for _, reason in found])
        org = session.exec(select(Organisation).where(Organisation.code == values["code"])).one()
        if changes:
            audit(
                session,
                actor,
                "organisation_created" if org_id is None else "organisation_changed",
                "organisation",
                org.id,
                changes[0],
            )
            bump_change_counter(session)
        assert org.id is not None
        return org.id


def evaluated_organisations(actor: Actor | None) -> list[tuple[int, str, str]]:
    """(id, code, name) of active evaluated organisations of the actor's scope, for choosing a
    user's organisation."""
    actor = require(actor, Action.MANAGE_USERS)
    with read_session() as session:
        rows = session.exec(
            select(col(Organisation.id), col(Organisation.code), col(Organisation.name))
            .where(
                col(Organisation.org_type).in_(EVALUATED_ORG_TYPES),
                col(Organisation.active).is_(True),
                *scope_conditions(actor),
            )
            .order_by(col(Organisation.code))
        ).all()
    return [(pk(i), c, n) for i, c, n in rows]


__all__ = [
    "CODE_RE",
    "MAX_COUNT",
    "ORG_COLUMNS",
    "ORG_FIELDS",
    "OrgInput",
    "apply_organisations",
    "check_org_fields",
    "evaluated_organisations",
    "list_organisations",
    "org_snapshot",
    "org_type_key",
    "save_organisation",
]
