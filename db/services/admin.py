"""管理: years, organisations, accounts and rubrics, for an administrator without a developer.

Every function here is for the admin role only; each write is one transaction with an audit
entry (before → after) and a change-counter bump. Organisations and users share their
validation with the imports (db/services/imports.py), so a form and a spreadsheet row are held
to the same rules.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from db.engine import read_session, write_session
from db.models import (
    EVALUATED_ORG_TYPES,
    ORG_TYPES,
    REGIONS,
    ROLES,
    Assessment,
    Criterion,
    Cycle,
    Evidence,
    Organisation,
    PerformanceGrade,
    ScoreEntry,
    User,
)
from db.services import auth, freeze
from db.services.common import (
    Actor,
    InvalidInput,
    NotFound,
    StaleVersion,
    audit,
    bump_change_counter,
    require_role,
)
from db.services.cycles import from_tenths, install_rubric, rubric_of_cycle, to_tenths
from db.services.totals import refresh_totals
from rubric import Rubric, RubricError, dump_rubric, parse_rubric, rubric_to_records
from scoring import STAR_KEYS
from texts import admin as T
from texts import common as C

ADMIN = ("admin",)
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
MAX_COUNT = 100_000


def _invalid(problems: list[str]) -> InvalidInput:
    return InvalidInput(problems[0], errors=problems)


def require_admin(actor: Actor | None, action: str) -> Actor:
    return require_role(actor, *ADMIN, action=action)


# ============================================================================= years


@dataclass(frozen=True)
class YearRow:
    cycle_id: int
    year: int
    status: str
    deadline: date | None
    version: int
    rubric_title: str
    criteria: int
    assessments: int
    submitted: int
    scored_entries: int


def list_years(actor: Actor | None) -> list[YearRow]:
    """Every evaluation year with its state and how far it has come, newest first."""
    require_admin(actor, "admin_years")
    with read_session() as session:
        cycles = session.exec(select(Cycle).order_by(Cycle.year.desc())).all()  # type: ignore[attr-defined]
        criteria = dict(
            session.exec(
                select(Criterion.cycle_id, func.count()).group_by(Criterion.cycle_id)
            ).all()
        )
        assessments = dict(
            session.exec(
                select(Assessment.cycle_id, func.count()).group_by(Assessment.cycle_id)
            ).all()
        )
        submitted = dict(
            session.exec(
                select(Assessment.cycle_id, func.count())
                .where(Assessment.status != "draft")
                .group_by(Assessment.cycle_id)
            ).all()
        )
        scored = dict(
            session.exec(
                select(Assessment.cycle_id, func.count())
                .join(ScoreEntry, ScoreEntry.assessment_id == Assessment.id)  # type: ignore[arg-type]
                .group_by(Assessment.cycle_id)
            ).all()
        )
    return [
        YearRow(
            c.id,
            c.year,
            c.status,
            c.deadline,
            c.version,
            c.rubric_title,
            int(criteria.get(c.id, 0)),
            int(assessments.get(c.id, 0)),
            int(submitted.get(c.id, 0)),
            int(scored.get(c.id, 0)),
        )
        for c in cycles
        if c.id is not None
    ]


def _ensure_assessments(session: Session, cycle_id: int, org_ids: list[int] | None = None) -> int:
    """Draft assessments for every active evaluated organisation that has none in the cycle."""
    query = select(Organisation.id).where(
        Organisation.org_type.in_(EVALUATED_ORG_TYPES),  # type: ignore[attr-defined]
        Organisation.active.is_(True),  # type: ignore[attr-defined]
    )
    if org_ids is not None:
        query = query.where(Organisation.id.in_(org_ids))  # type: ignore[union-attr]
    wanted = set(session.exec(query).all())
    have = set(session.exec(select(Assessment.org_id).where(Assessment.cycle_id == cycle_id)).all())
    now = freeze.utcnow()
    for org_id in sorted(wanted - have):
        session.add(Assessment(org_id=org_id, cycle_id=cycle_id, updated_at=now))
    return len(wanted - have)


def create_year(
    actor: Actor | None,
    *,
    year: int | None = None,
    copy_from: int | None = None,
    deadline: date | None = None,
) -> int:
    """Create the next evaluation year, copying the rubric of `copy_from` (default the latest)."""
    actor = require_admin(actor, "create_year")
    with write_session() as session:
        cycles = session.exec(select(Cycle).order_by(Cycle.year)).all()
        if year is None:
            year = (cycles[-1].year + 1) if cycles else date.today().year
        problems = []
        if not 2000 <= year <= 2100:
            problems.append(T.ERR_YEAR_RANGE)
        if any(c.year == year for c in cycles):
            problems.append(T.ERR_YEAR_EXISTS.format(year=year))
        if deadline is not None and deadline.year not in (year, year + 1):
            problems.append(T.ERR_DEADLINE_YEAR.format(year=year))
        source = None
        if copy_from is not None:
            source = session.get(Cycle, copy_from)
            if source is None:
                problems.append(T.ERR_COPY_SOURCE)
        elif cycles:
            source = cycles[-1]
        if problems:
            raise _invalid(problems)
        rubric = (
            rubric_of_cycle(source.id) if source is not None and source.id else _default_rubric()
        )
        cycle = Cycle(year=year, status="open", deadline=deadline)
        session.add(cycle)
        session.flush()
        install_rubric(session, cycle, rubric)
        session.flush()
        assert cycle.id is not None
        created = _ensure_assessments(session, cycle.id)
        audit(
            session,
            actor,
            "year_created",
            "cycle",
            cycle.id,
            {
                "year": year,
                "copied_from": source.year if source else None,
                "deadline": deadline,
                "assessments": created,
            },
        )
        bump_change_counter(session)
        return cycle.id


def _default_rubric() -> Rubric:
    from rubric import default_rubric_path, load_rubric

    return load_rubric(default_rubric_path())


def _locked_cycle(session: Session, cycle_id: int, version: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound()
    if cycle.version != version:
        raise StaleVersion()
    return cycle


def _bump_cycle(session: Session, cycle_id: int, version: int, **values: Any) -> None:
    result = session.exec(  # type: ignore[call-overload]
        update(Cycle)
        .where(Cycle.id == cycle_id, Cycle.version == version)  # type: ignore[arg-type]
        .values(version=Cycle.version + 1, **values)
    )
    if result.rowcount != 1:
        raise StaleVersion()


def set_year_status(actor: Actor | None, *, cycle_id: int, version: int, status: str) -> None:
    """Open or close a year for self-assessment (publication has its own screen)."""
    actor = require_admin(actor, "set_year_status")
    if status not in ("open", "closed"):
        raise _invalid([T.ERR_YEAR_STATUS_TARGET])
    with write_session() as session:
        cycle = _locked_cycle(session, cycle_id, version)
        if cycle.status not in ("open", "closed"):
            raise _invalid(
                [
                    T.ERR_YEAR_STATUS.format(
                        year=cycle.year, status=C.CYCLE_STATUS_NAMES.get(cycle.status, cycle.status)
                    )
                ]
            )
        if cycle.status == status:
            return
        before = cycle.status
        _bump_cycle(session, cycle_id, version, status=status)
        audit(
            session,
            actor,
            "year_status_changed",
            "cycle",
            cycle_id,
            {"year": cycle.year, "before": {"status": before}, "after": {"status": status}},
        )
        bump_change_counter(session)


def set_deadline(
    actor: Actor | None, *, cycle_id: int, version: int, deadline: date | None
) -> None:
    """Set the date after which branches can no longer edit (None: no deadline)."""
    actor = require_admin(actor, "set_deadline")
    with write_session() as session:
        cycle = _locked_cycle(session, cycle_id, version)
        freeze.ensure_cycle_editable(session, cycle_id)
        if deadline is not None and deadline.year not in (cycle.year, cycle.year + 1):
            raise _invalid([T.ERR_DEADLINE_YEAR.format(year=cycle.year)])
        before = cycle.deadline
        _bump_cycle(session, cycle_id, version, deadline=deadline)
        audit(
            session,
            actor,
            "deadline_changed",
            "cycle",
            cycle_id,
            {"year": cycle.year, "before": {"deadline": before}, "after": {"deadline": deadline}},
        )
        bump_change_counter(session)


# ============================================================================= organisations

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


def list_organisations(actor: Actor | None) -> pd.DataFrame:
    """Every organisation (departments first, then their units), with parent and user counts."""
    require_admin(actor, "admin_organisations")
    with read_session() as session:
        orgs = session.exec(select(Organisation)).all()
        users = dict(
            session.exec(
                select(User.org_id, func.count())
                .where(User.active.is_(True))  # type: ignore[attr-defined]
                .group_by(User.org_id)
            ).all()
        )
    by_id = {o.id: o for o in orgs}
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


def _tree_key(org: Organisation, by_id: Mapping[int | None, Organisation]) -> tuple:
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
    if value in ORG_TYPES:
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


def _department_of(
    org_type: str, parent: Organisation | None, by_id: Mapping[int, Organisation]
) -> int | None:
    if org_type == "department" or parent is None:
        return None
    if parent.org_type == "department":
        return parent.id
    return parent.department_id


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
            children.setdefault(o.parent_id, []).append(o.id)  # type: ignore[arg-type]
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
    for org, values, label in targets:
        if not values["active"]:
            active_children = [c for c in children.get(org.id, []) if orgs[c].active]  # type: ignore[arg-type]
            if active_children:
                problems.append((label, T.ERR_DEACTIVATE_CHILDREN.format(code=org.code)))
            users = session.exec(
                select(func.count())
                .select_from(User)
                .where(User.org_id == org.id, User.active.is_(True))
            ).one()  # type: ignore[attr-defined]
            if users:
                problems.append((label, T.ERR_DEACTIVATE_USERS.format(code=org.code, n=users)))
    if problems:
        return problems, []
    for change, (org, _values, _label) in zip(changes, targets, strict=True):
        change["after"] = org_snapshot(org)
        change.pop("label", None)
    open_cycles = session.exec(select(Cycle.id).where(Cycle.status == "open")).all()
    evaluated = [o.id for o, _, _ in targets if o.org_type in EVALUATED_ORG_TYPES and o.active]
    for cycle_id in open_cycles:
        _ensure_assessments(session, cycle_id, evaluated)  # type: ignore[arg-type]
    session.flush()
    return [], [c for c in changes if c["before"] != c["after"]]


def save_organisation(actor: Actor | None, *, org_id: int | None, item: OrgInput) -> int:
    """Create (org_id None) or change one organisation; returns its id."""
    actor = require_admin(actor, "save_organisation")
    values, problems = check_org_fields(item)
    if problems:
        raise _invalid(problems)
    with write_session() as session:
        found, changes = apply_organisations(session, actor, [(org_id, values)])
        if found:
            raise _invalid([reason for _, reason in found])
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


# ============================================================================= users

USER_COLUMNS = [
    "id",
    "username",
    "display_name",
    "role",
    "org_id",
    "org_code",
    "org_name",
    "active",
    "locked",
    "locked_until",
    "failed_logins",
    "created_at",
    "password_changed_at",
    "version",
]


def list_users(actor: Actor | None) -> pd.DataFrame:
    """Every account with its role, organisation and lock state (never a password hash)."""
    require_admin(actor, "admin_users")
    now = freeze.utcnow()
    with read_session() as session:
        rows = session.exec(
            select(User, Organisation.code, Organisation.name)
            .join(Organisation, Organisation.id == User.org_id, isouter=True)  # type: ignore[arg-type]
            .order_by(User.role, User.username)
        ).all()
    data = [
        {
            "id": u.id,
            "username": u.username,
            "display_name": u.display_name,
            "role": u.role,
            "org_id": u.org_id,
            "org_code": code or "",
            "org_name": name or "",
            "active": u.active,
            "locked": bool(u.locked_until and u.locked_until > now),
            "locked_until": u.locked_until,
            "failed_logins": u.failed_logins,
            "created_at": u.created_at,
            "password_changed_at": u.password_changed_at,
            "version": u.version,
        }
        for u, code, name in rows
    ]
    return pd.DataFrame(data, columns=USER_COLUMNS)


def role_key(value: str) -> str | None:
    """支部书记 / 机关工委审核员 / 领导 / 系统管理员 (or the key) → the stored role."""
    value = (value or "").strip()
    if value in ROLES:
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


def _check_user_org(session: Session, role: str | None, org_id: int | None) -> list[str]:
    if role == "branch":
        if org_id is None:
            return [T.ERR_BRANCH_NEEDS_ORG]
        org = session.get(Organisation, org_id)
        if org is None or not org.active or org.org_type not in EVALUATED_ORG_TYPES:
            return [T.ERR_USER_ORG]
    return []


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "org_id": user.org_id,
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
) -> int:
    """Create an account; the password must meet the rules (shown on the form)."""
    actor = require_admin(actor, "create_user")
    values, problems = check_user_fields(username, display_name, role, password)
    with write_session() as session:
        problems += _check_user_org(session, values["role"], org_id)
        if (
            values["username"]
            and session.exec(select(User.id).where(User.username == values["username"])).first()
        ):
            problems.append(T.ERR_USERNAME_TAKEN.format(value=values["username"]))
        if problems:
            raise _invalid(problems)
        user = User(
            username=values["username"],
            display_name=values["display_name"],
            role=values["role"],
            org_id=org_id if values["role"] == "branch" else None,
            password_hash=auth.hash_password(password),
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
            .where(User.role == "admin", User.active.is_(True))
        ).one()
    )  # type: ignore[attr-defined]


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
) -> None:
    """Change an account's name, role or organisation."""
    actor = require_admin(actor, "update_user")
    with write_session() as session:
        user = _locked_user(session, user_id, version)
        values, problems = check_user_fields(user.username, display_name, role, None)
        problems += _check_user_org(session, values["role"], org_id)
        if user.id == actor.id and values["role"] != "admin":
            problems.append(T.ERR_OWN_ROLE)
        if problems:
            raise _invalid(problems)
        before = _user_snapshot(user)
        user.display_name = values["display_name"]
        user.role = values["role"]
        user.org_id = org_id if values["role"] == "branch" else None
        user.version += 1
        session.add(user)
        after = _user_snapshot(user)
        if before == after:
            return
        if before["role"] != after["role"] or before["org_id"] != after["org_id"]:
            # What the user may see changed: make them log in again.
            auth.end_sessions_of(session, user_id)
        audit(session, actor, "user_changed", "user", user_id, {"before": before, "after": after})
        bump_change_counter(session)


def set_user_active(actor: Actor | None, *, user_id: int, active: bool) -> None:
    """Disable (every session ends at once) or re-enable an account."""
    actor = require_admin(actor, "set_user_active")
    with write_session() as session:
        user = _locked_user(session, user_id, None)
        if user.active == active:
            return
        if not active and user.id == actor.id:
            raise _invalid([T.ERR_DISABLE_SELF])
        if not active and user.role == "admin" and _active_admins(session) <= 1:
            raise _invalid([T.ERR_LAST_ADMIN])
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
    actor = require_admin(actor, "reset_password")
    with write_session() as session:
        user = _locked_user(session, user_id, None)
        problems = auth.password_problems(password, user.username)
        if problems:
            raise _invalid(problems)
        user.password_hash = auth.hash_password(password)
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
    actor = require_admin(actor, "unlock_user")
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


def evaluated_organisations(actor: Actor | None) -> list[tuple[int, str, str]]:
    """(id, code, name) of active evaluated organisations, for choosing a user's organisation."""
    require_admin(actor, "admin_users")
    with read_session() as session:
        rows = session.exec(
            select(Organisation.id, Organisation.code, Organisation.name)
            .where(
                Organisation.org_type.in_(EVALUATED_ORG_TYPES),  # type: ignore[attr-defined]
                Organisation.active.is_(True),
            )  # type: ignore[attr-defined]
            .order_by(Organisation.code)
        ).all()
    return [(int(i), c, n) for i, c, n in rows]


# ============================================================================= rubric


def export_rubric(actor: Actor | None, *, cycle_id: int) -> str:
    """The rubric of a year as the YAML file administrators edit."""
    require_admin(actor, "export_rubric")
    return dump_rubric(rubric_of_cycle(cycle_id))


@dataclass(frozen=True)
class RubricChange:
    """What importing a rubric file would change (or changed)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    header_changed: bool
    problems: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.header_changed)


_COMPARED = (
    "kind",
    "star",
    "task_no",
    "task_title",
    "title",
    "standard",
    "deduction_rule",
    "max_points",
    "evidence",
    "check_method",
    "evidence_required",
    "auto_unit",
    "auto_label",
    "auto_minimum",
    "auto_maximum",
    "auto_step",
    "auto_per_step",
    "sort_order",
)


def _parse(text: str) -> Rubric:
    try:
        return parse_rubric(text)
    except RubricError as exc:
        raise _invalid([T.ERR_RUBRIC_INVALID.format(error=str(exc))]) from None


def _usage(session: Session, cycle_id: int) -> dict[str, tuple[int, int, int]]:
    """Per criterion code: (highest points given, organisations scored, evidence files)."""
    rows = session.exec(
        select(
            Criterion.code,
            func.max(func.coalesce(ScoreEntry.self_tenths, 0)),
            func.max(func.coalesce(ScoreEntry.reviewed_tenths, 0)),
            func.count(ScoreEntry.id),
        )
        .join(ScoreEntry, ScoreEntry.criterion_id == Criterion.id)  # type: ignore[arg-type]
        .where(
            Criterion.cycle_id == cycle_id,
            or_(
                ScoreEntry.self_tenths.is_not(None),  # type: ignore[union-attr]
                ScoreEntry.reviewed_tenths.is_not(None),
            ),
        )  # type: ignore[union-attr]
        .group_by(Criterion.code)
    ).all()
    evidence = dict(
        session.exec(
            select(Criterion.code, func.count(Evidence.id))
            .join(Evidence, Evidence.criterion_id == Criterion.id)  # type: ignore[arg-type]
            .where(Criterion.cycle_id == cycle_id)
            .group_by(Criterion.code)
        ).all()
    )
    out = {
        code: (max(int(s), int(r)), int(n), int(evidence.get(code, 0))) for code, s, r, n in rows
    }
    for code, n in evidence.items():
        if code not in out:
            out[code] = (0, 0, int(n))
    return out


def _records(rubric: Rubric) -> dict[str, dict[str, Any]]:
    out = {}
    for i, record in enumerate(rubric_to_records(rubric)):
        record = dict(record)
        record["sort_order"] = i
        out[record["code"]] = record
    return out


def _compare(session: Session, cycle: Cycle, new: Rubric) -> RubricChange:
    assert cycle.id is not None
    old = rubric_of_cycle(cycle.id)
    old_records, new_records = _records(old), _records(new)
    usage = _usage(session, cycle.id)
    problems: list[str] = []
    added = tuple(c for c in new_records if c not in old_records)
    removed = tuple(c for c in old_records if c not in new_records)
    changed = tuple(
        c
        for c in new_records
        if c in old_records
        and any(_norm(old_records[c][k]) != _norm(new_records[c][k]) for k in _COMPARED)
    )
    for code in removed:
        top, scored, files = usage.get(code, (0, 0, 0))
        if scored or files:
            problems.append(T.ERR_RUBRIC_REMOVE_SCORED.format(code=code, n=scored, files=files))
    for code in changed:
        top, scored, files = usage.get(code, (0, 0, 0))
        if not (scored or files):
            continue
        before, after = old_records[code], new_records[code]
        if (before["kind"], before["star"]) != (after["kind"], after["star"]):
            problems.append(T.ERR_RUBRIC_MOVE_SCORED.format(code=code, n=scored))
        if after["kind"] != "veto" and to_tenths(after["max_points"]) < top:
            problems.append(
                T.ERR_RUBRIC_MAX_BELOW.format(
                    code=code, max=after["max_points"], top=from_tenths(top)
                )
            )
    header_changed = (
        old.title != new.title
        or old.version != new.version
        or old.thresholds != new.thresholds
        or old.bases != new.bases
    )
    return RubricChange(added, removed, changed, header_changed, tuple(problems))


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def check_rubric(actor: Actor | None, *, cycle_id: int, text: str) -> RubricChange:
    """Validate a rubric file against a year without writing: what would change, what is refused."""
    require_admin(actor, "import_rubric")
    new = _parse(text)
    with read_session() as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None:
            raise NotFound()
        return _compare(session, cycle, new)


def import_rubric(actor: Actor | None, *, cycle_id: int, version: int, text: str) -> RubricChange:
    """Replace a year's rubric by a validated file, keeping every given score valid."""
    actor = require_admin(actor, "import_rubric")
    new = _parse(text)
    with write_session() as session:
        cycle = _locked_cycle(session, cycle_id, version)
        freeze.ensure_cycle_editable(session, cycle_id)
        if cycle.status in ("published", "final"):
            raise _invalid([T.ERR_RUBRIC_PUBLISHED.format(year=cycle.year)])
        change = _compare(session, cycle, new)
        if change.problems:
            raise InvalidInput(change.problems[0], errors=list(change.problems))
        if change.empty:
            return change
        rows = {
            c.code: c
            for c in session.exec(select(Criterion).where(Criterion.cycle_id == cycle_id)).all()
        }
        for code in change.removed:
            criterion = rows[code]
            for entry in session.exec(
                select(ScoreEntry).where(ScoreEntry.criterion_id == criterion.id)
            ).all():
                session.delete(entry)  # notes only: scored entries were refused above
            session.delete(criterion)
        session.flush()
        records = _records(new)
        for code, record in records.items():
            criterion = rows.get(code) or Criterion(cycle_id=cycle_id, code=code, kind="", title="")
            _fill_criterion(criterion, record)
            session.add(criterion)
        _bump_cycle(session, cycle_id, version, **rubric_header(new))
        refresh_totals(session, cycle_id=cycle_id)
        audit(
            session,
            actor,
            "rubric_imported",
            "cycle",
            cycle_id,
            {
                "year": cycle.year,
                "added": change.added,
                "removed": change.removed,
                "changed": change.changed,
                "header_changed": change.header_changed,
            },
        )
        bump_change_counter(session)
    return change


def rubric_header(rubric: Rubric) -> dict[str, Any]:
    """The Cycle columns that hold a rubric's title, thresholds and star bases."""
    header: dict[str, Any] = {
        "rubric_title": rubric.title,
        "rubric_version": rubric.version,
        "star_ratio": str(rubric.thresholds.star_ratio),
        "five_star_composite": str(rubric.thresholds.five_star_composite),
        "bonus_cap": str(rubric.thresholds.bonus_cap),
        "excellence_ratio": str(rubric.thresholds.excellence_ratio),
    }
    for key in STAR_KEYS:
        header[f"base_{key}_tenths"] = to_tenths(rubric.bases[key])
    return header


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def _fill_criterion(criterion: Criterion, record: Mapping[str, Any]) -> None:
    criterion.kind = record["kind"]
    criterion.star = record["star"]
    criterion.task_no = record["task_no"]
    criterion.task_title = record["task_title"]
    criterion.title = record["title"]
    criterion.standard = record["standard"]
    criterion.deduction_rule = record["deduction_rule"]
    criterion.max_tenths = to_tenths(record["max_points"])
    criterion.evidence = record["evidence"]
    criterion.check_method = record["check_method"]
    criterion.evidence_required = record["evidence_required"]
    criterion.auto_unit = record["auto_unit"]
    criterion.auto_label = record["auto_label"]
    criterion.auto_minimum = _opt(record["auto_minimum"])
    criterion.auto_maximum = _opt(record["auto_maximum"])
    criterion.auto_step = _opt(record["auto_step"])
    criterion.auto_per_step = _opt(record["auto_per_step"])
    criterion.sort_order = record["sort_order"]


# ============================================================================= grades


def grades_table(actor: Actor | None, *, year: int) -> pd.DataFrame:
    """业绩 grades of a year per evaluated organisation (blank where none is recorded)."""
    require_admin(actor, "admin_grades")
    with read_session() as session:
        rows = session.exec(
            select(
                Organisation.id,
                Organisation.code,
                Organisation.name,
                PerformanceGrade.grade,
                PerformanceGrade.updated_at,
            )
            .join(
                PerformanceGrade,
                (PerformanceGrade.org_id == Organisation.id) & (PerformanceGrade.year == year),
                isouter=True,
            )  # type: ignore[arg-type]
            .where(
                Organisation.org_type.in_(EVALUATED_ORG_TYPES),  # type: ignore[attr-defined]
                Organisation.active.is_(True),
            )  # type: ignore[attr-defined]
            .order_by(Organisation.code)
        ).all()
    return pd.DataFrame(rows, columns=["org_id", "code", "name", "grade", "updated_at"])


__all__ = [
    "OrgInput",
    "RubricChange",
    "YearRow",
    "apply_organisations",
    "check_org_fields",
    "check_rubric",
    "check_user_fields",
    "create_user",
    "create_year",
    "evaluated_organisations",
    "export_rubric",
    "generate_password",
    "grades_table",
    "import_rubric",
    "list_organisations",
    "list_users",
    "list_years",
    "org_type_key",
    "reset_password",
    "role_key",
    "save_organisation",
    "set_deadline",
    "set_user_active",
    "set_year_status",
    "unlock_user",
    "update_user",
]
