"""Party members (党员名册) and the half-year 先锋指数 rounds.

A branch keeps its own roster (add, edit, take off the roster); an organisation's
`member_count` is its count of active members once it has a roster (`sync_member_counts`, the
one definition). Who takes part in a round is `vanguard.takes_part` (in service: both halves;
retired: the second), applied here in SQL through `vanguard.services_in_half`. A round is
scored by the rules it was opened with (`VanguardRound.rules`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import (
    EVALUATED_ORG_TYPES,
    Cycle,
    MemberService,
    MemberStatus,
    Organisation,
    PartyMember,
    Role,
    RoundStatus,
    VanguardRound,
    utcnow,
)
from db.services.assessment import today
from db.services.common import (
    Actor,
    InvalidInput,
    NotFound,
    StaleVersion,
    audit,
    bump_change_counter,
    invalid,
    record_target,
    require,
    require_missing,
    scope_conditions,
)
from permissions import Action, Target, can
from rubric import BallotRules, RubricError, ballot_from_json
from rubric_vanguard import rules_from_json
from texts import admin as A
from texts import members as T
from vanguard import HALVES, VanguardRules, services_in_half

NAME_LENGTH = 50
FIRST_JOIN_DATE = date(1921, 7, 1)


# --------------------------------------------------------------------------- roster


@dataclass(frozen=True)
class MemberInput:
    """A roster row as a form or an import file gives it (labels or stored values)."""

    name: str
    service: str
    status: str
    joined_on: date | str | None
    active: bool | str = True


def _choice(value: str, names: Mapping[str, str], aliases: Mapping[str, str]) -> str | None:
    text = str(value or "").strip()
    if text in names:
        return text
    by_label = {label: key for key, label in names.items()} | dict(aliases)
    return by_label.get(text)


def _joined(value: date | str | None, problems: list[str]) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(T.ERR_JOINED_EMPTY)
        return None
    if isinstance(value, date):
        joined = value
    else:
        text = str(value).strip().replace("/", "-").replace(".", "-")
        year, month, day = A.DATE_PARTS
        text = text.replace(year, "-").replace(month, "-").replace(day, "")
        try:
            joined = date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
        except ValueError:
            problems.append(T.ERR_JOINED.format(value=value))
            return None
    if not FIRST_JOIN_DATE <= joined <= today():
        problems.append(T.ERR_JOINED_RANGE.format(value=joined.isoformat()))
        return None
    return joined


def check_member(item: MemberInput) -> tuple[dict[str, Any], list[str]]:
    """The stored values of a roster row and every problem with it (Chinese, no row number;
    the form and the import share it)."""
    problems: list[str] = []
    name = " ".join(str(item.name or "").split())
    if not name:
        problems.append(T.ERR_NAME_EMPTY)
    elif len(name) > NAME_LENGTH:
        problems.append(T.ERR_NAME_LONG.format(n=NAME_LENGTH))
    service = _choice(item.service, T.SERVICE_NAMES, T.SERVICE_ALIASES)
    if service is None:
        allowed = "、".join(T.SERVICE_NAMES.values())
        problems.append(T.ERR_SERVICE.format(value=item.service, allowed=allowed))
    status = _choice(item.status, T.STATUS_NAMES, T.STATUS_ALIASES)
    if status is None:
        allowed = "、".join(T.STATUS_NAMES.values())
        problems.append(T.ERR_STATUS.format(value=item.status, allowed=allowed))
    joined = _joined(item.joined_on, problems)
    active: bool | None = item.active if isinstance(item.active, bool) else None
    if active is None:
        text = str(item.active).strip().lower()
        active = True if text in (*T.YES, "") else False if text in T.NO else None
        if active is None:
            problems.append(T.ERR_ACTIVE.format(value=item.active))
    values = {
        "name": name,
        "service": service,
        "status": status,
        "joined_on": joined,
        "active": active,
    }
    return values, problems


def member_snapshot(member: PartyMember) -> dict[str, Any]:
    return {
        "name": member.name,
        "service": member.service,
        "status": member.status,
        "joined_on": member.joined_on.isoformat(),
        "active": member.active,
    }


def sync_member_counts(session: Session, org_ids: Iterable[int | None]) -> None:
    """Building block: set each organisation's `member_count` to its active members, for
    every organisation that has a roster (one without keeps its entered figure)."""
    ids = sorted({i for i in org_ids if i is not None})
    if not ids:
        return
    rows = session.exec(
        select(
            PartyMember.org_id,
            func.count(),
            func.sum(case((col(PartyMember.active).is_(True), 1), else_=0)),
        )
        .where(col(PartyMember.org_id).in_(ids))
        .group_by(col(PartyMember.org_id))
    ).all()
    for org_id, _rows, active in rows:
        org = session.get(Organisation, org_id)
        if org is not None and org.member_count != int(active or 0):
            org.member_count = int(active or 0)
            session.add(org)


def _require_org(session: Session, actor: Actor | None, action: Action, org_id: int) -> Actor:
    if session.get(Organisation, org_id) is None:
        require_missing(actor, action, "organisation", org_id)
    return require(actor, action, record_target(session, org_id, "organisation", org_id))


def check_org(actor: Actor | None, action: Action, org_id: int) -> Actor:
    """`require` on an organisation, read before any write transaction opens (a refusal is
    logged in a transaction of its own, which must not wait behind the caller's)."""
    with read_session() as session:
        exists = session.get(Organisation, org_id) is not None
        target = record_target(session, org_id, "organisation", org_id) if exists else None
    if target is None:
        require_missing(actor, action, "organisation", org_id)
    return require(actor, action, target)


@dataclass(frozen=True)
class RosterOrg:
    id: int
    code: str
    name: str
    member_count: int
    editable: bool  # the actor may change this roster (MANAGE_MEMBERS)


def roster_orgs(actor: Actor | None) -> list[RosterOrg]:
    """The party organisations whose roster `actor` may see: its own for a branch, the active
    ones of its scope for the others, in tree order."""
    actor = require(actor, Action.VIEW_MEMBERS)
    with read_session() as session:
        query = select(Organisation).where(
            col(Organisation.org_type).in_(EVALUATED_ORG_TYPES),
            col(Organisation.active).is_(True),
        )
        if actor.role == Role.BRANCH:
            query = query.where(Organisation.id == actor.org_id)
        else:
            query = query.where(*scope_conditions(actor))
        rows = session.exec(query.order_by(col(Organisation.sort_order), col(Organisation.code)))
        return [
            RosterOrg(
                o.id,
                o.code,
                o.name,
                o.member_count,
                can(actor, Action.MANAGE_MEMBERS, Target.org(o)),
            )
            for o in rows.all()
            if o.id is not None and can(actor, Action.VIEW_MEMBERS, Target.org(o))
        ]


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


def save_member(
    actor: Actor | None,
    *,
    org_id: int,
    item: MemberInput,
    member_id: int | None = None,
    version: int | None = None,
) -> int:
    """Add a member to `org_id`'s roster (member_id None) or change one (its version as read);
    taking a member off the roster is `active=False`. Returns the member's id."""
    actor = check_org(actor, Action.MANAGE_MEMBERS, org_id)
    values, problems = check_member(item)
    with write_session() as session:
        if problems:
            raise invalid(problems)
        if member_id is None:
            member = PartyMember(org_id=org_id, **values, updated_by=actor.id)
            session.add(member)
            session.flush()
            before = None
        else:
            member = _locked_member(session, org_id, member_id, version)
            before = member_snapshot(member)
            for key, value in values.items():
                setattr(member, key, value)
            member.updated_at, member.updated_by = utcnow(), actor.id
            session.add(member)
            session.flush()
        after = member_snapshot(member)
        assert member.id is not None
        if before != after:
            sync_member_counts(session, [org_id])
            detail = {"org_id": org_id, "before": before, "after": after}
            audit(
                session,
                actor,
                "member_added" if before is None else "member_changed",
                "party_member",
                member.id,
                detail,
            )
            bump_change_counter(session)
        return member.id


def _locked_member(
    session: Session, org_id: int, member_id: int, version: int | None
) -> PartyMember:
    member = session.get(PartyMember, member_id)
    if member is None:
        raise NotFound(T.ERR_MEMBER_NOT_FOUND)
    if member.org_id != org_id:
        raise InvalidInput(T.ERR_MEMBER_ORG)
    if version is None:
        raise StaleVersion()
    result = session.exec(
        update(PartyMember)
        .where(col(PartyMember.id) == member_id, col(PartyMember.version) == version)
        .values(version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleVersion()
    session.refresh(member)
    return member


# --------------------------------------------------------------------------- rounds


def round_label(round_: VanguardRound) -> str:
    return T.ROUND_LABEL.format(year=round_.year, half=T.HALF_NAMES.get(round_.half, ""))


def rules_of_round(round_: VanguardRound) -> VanguardRules:
    """The 先锋指数 rules a round was opened with."""
    rules = rules_from_json(round_.rules)
    if rules is None:  # every round is opened with rules; a bare row from an old test only
        raise InvalidInput(T.ERR_ROUND_NO_RULES.format(year=round_.year))
    return rules


def taking_part(org_id: int, half: int) -> tuple[ColumnElement[bool], ...]:
    """The SQL conditions on party_member for the members of `org_id` evaluated in a round of
    `half`: active, and of a service that takes part (vanguard.services_in_half)."""
    return (
        col(PartyMember.org_id) == org_id,
        col(PartyMember.active).is_(True),
        col(PartyMember.service).in_(services_in_half(half)),
    )


def members_taking_part(session: Session, round_: VanguardRound, org_id: int) -> list[PartyMember]:
    """The active members of `org_id` evaluated in `round_` (building block: no permission
    check; the caller has checked it or, for the anonymous ballot, holds a valid code)."""
    return list(
        session.exec(
            select(PartyMember)
            .where(*taking_part(org_id, round_.half))
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


def year_of(session: Session, year: int) -> Cycle:
    """The stored year (InvalidInput naming it when there is none)."""
    cycle = session.exec(select(Cycle).where(Cycle.year == year)).first()
    if cycle is None:
        raise InvalidInput(T.ERR_ROUND_YEAR.format(year=year))
    return cycle


def year_rules(session: Session, year: int) -> str:
    """The stored 先锋指数 rules of `year`'s rubric ("" when it defines none; a year stored
    before rubrics kept them got the shipped rubric's block in migration 0014). Raises for a
    year that does not exist."""
    return year_of(session, year).vanguard_rules


def year_ballot_rules(session: Session, year: int) -> BallotRules:
    """The 民主评议 rules of `year`'s rubric, as its rubric keeps them (cycle.ballot_rules)."""
    try:
        return ballot_from_json(year_of(session, year).ballot_rules)
    except RubricError as exc:
        raise InvalidInput(str(exc)) from None


def open_round(actor: Actor | None, *, year: int, half: int) -> int:
    """Open the 先锋指数 round of `year`'s `half` (1 or 2) with the year's rules; its id. The
    year must exist and its rubric define the index; each half opens once."""
    actor = require(actor, Action.MANAGE_ROUNDS)
    if half not in HALVES:
        raise InvalidInput(T.ERR_ROUND_HALF)
    half_name = T.HALF_NAMES[half]
    try:
        with write_session() as session:
            rules = year_rules(session, year)
            if not rules:
                raise InvalidInput(T.ERR_ROUND_NO_RULES.format(year=year))
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
                rules=rules,
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


def close_round(actor: Actor | None, *, round_id: int, version: int) -> None:
    """End a round: its figures are final and its ballot results show."""
    actor = require(actor, Action.MANAGE_ROUNDS)
    with write_session() as session:
        round_ = session.get(VanguardRound, round_id)
        if round_ is None:
            raise NotFound(T.ERR_ROUND_NOT_FOUND)
        if round_.status != RoundStatus.OPEN:
            raise InvalidInput(T.ERR_ROUND_ALREADY_CLOSED.format(round=round_label(round_)))
        result = session.exec(
            update(VanguardRound)
            .where(col(VanguardRound.id) == round_id, col(VanguardRound.version) == version)
            .values(version=version + 1, status=RoundStatus.CLOSED, closed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise StaleVersion()
        audit(
            session,
            actor,
            "vanguard_round_closed",
            "vanguard_round",
            round_id,
            {"year": round_.year, "half": round_.half},
        )
        bump_change_counter(session)


__all__ = [
    "MemberInput",
    "MemberService",
    "MemberStatus",
    "check_member",
    "close_round",
    "list_members",
    "list_rounds",
    "members_taking_part",
    "open_round",
    "roster_orgs",
    "round_label",
    "round_members",
    "rules_of_round",
    "save_member",
    "sync_member_counts",
    "taking_part",
    "year_ballot_rules",
    "year_of",
    "year_rules",
]
