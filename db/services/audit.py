"""审计日志: browsing, filtering and exporting who did what (administrators only).

A scoped admin sees the entries of its scope (`_in_scope`): those made by an account of its
scope, and those about an organisation, an assessment or an account of its scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, String, and_, cast, func, or_
from sqlmodel import Session, col, select

from db.engine import read_session
from db.models import Assessment, AuditLog, Organisation, User
from db.services.audit_text import Entry, load_names, sentence
from db.services.common import Actor, audit_now, invalid, require, scope_conditions
from db.services.users import account_target
from documents import audit_log
from formatting import CHINA_TIME, china_time
from permissions import Action, Scope, ScopeKind, can
from texts import admin as T

PAGE_LIMIT = 1_000
EXPORT_LIMIT = 100_000
COLUMNS = [
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "action_name",
    "target_type",
    "target_id",
    "detail",
    "sentence",
]


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; dates are Beijing calendar days, both ends included."""

    start: date | None = None
    end: date | None = None
    actions: tuple[str, ...] = ()
    actor_name: str = ""
    target_type: str = ""
    target_id: str = ""
    text: str = ""


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TIME).astimezone(UTC)


def _query(flt: AuditFilter) -> list[ColumnElement[bool]]:
    if flt.start and flt.end and flt.start > flt.end:
        raise invalid([T.ERR_AUDIT_DATES])
    conditions: list[ColumnElement[bool]] = []
    if flt.start:
        conditions.append(col(AuditLog.at) >= _utc_start(flt.start))
    if flt.end:
        conditions.append(col(AuditLog.at) < _utc_start(flt.end + timedelta(days=1)))
    if flt.actions:
        conditions.append(col(AuditLog.action).in_(flt.actions))
    if flt.actor_name.strip():
        conditions.append(col(AuditLog.actor_name) == flt.actor_name.strip())
    if flt.target_type:
        conditions.append(col(AuditLog.target_type) == flt.target_type)
    if flt.target_id:
        conditions.append(col(AuditLog.target_id) == flt.target_id)
    if flt.text.strip():
        # Literal match: the user's % and _ are not wildcards.
        pattern = flt.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(col(AuditLog.detail).like(f"%{pattern}%", escape="\\"))
    return conditions


def _in_scope(session: Session, actor: Actor) -> list[ColumnElement[bool]]:
    """The condition keeping the entries of a scoped admin's scope (none for the city)."""
    if actor.scope.kind is ScopeKind.CITY:
        return []
    users = [
        u.id
        for u in session.exec(select(User)).all()
        if can(
            actor,
            Action.VIEW_AUDIT,
            account_target(
                session, u.role, u.org_id, Scope(u.scope_region, u.scope_department_id), u.id
            ),
        )
    ]
    orgs = select(cast(Organisation.id, String)).where(*scope_conditions(actor))
    assessments = (
        select(cast(Assessment.id, String))
        .join(Organisation, col(Organisation.id) == Assessment.org_id)
        .where(*scope_conditions(actor))
    )
    return [
        or_(
            col(AuditLog.actor_id).in_(users),
            and_(
                col(AuditLog.target_type) == "user",
                col(AuditLog.target_id).in_([str(u) for u in users]),
            ),
            and_(col(AuditLog.target_type) == "organisation", col(AuditLog.target_id).in_(orgs)),
            and_(
                col(AuditLog.target_type) == "assessment",
                col(AuditLog.target_id).in_(assessments),
            ),
        )
    ]


def _frame(session: Any, rows: list[AuditLog]) -> pd.DataFrame:
    entries = [
        Entry(
            action=r.action,
            actor_id=r.actor_id,
            actor_name=r.actor_name,
            target_type=r.target_type,
            target_id=r.target_id,
            detail=r.detail,
        )
        for r in rows
    ]
    names = load_names(session, entries)
    data = [
        {
            "id": r.id,
            "at": r.at,
            "actor_id": r.actor_id,
            "actor_name": r.actor_name or T.SYSTEM_ACTOR,
            "action": r.action,
            "action_name": T.ACTION_NAMES.get(r.action, r.action),
            "target_type": r.target_type,
            "target_id": r.target_id,
            "detail": r.detail,
            "sentence": sentence(e, names),
        }
        for r, e in zip(rows, entries, strict=True)
    ]
    return pd.DataFrame(data, columns=COLUMNS)


def search_audit(
    actor: Actor | None,
    flt: AuditFilter | None = None,
    *,
    limit: int = 200,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """Matching entries of the actor's scope, newest first, and how many match in all."""
    actor = require(actor, Action.VIEW_AUDIT)
    flt = flt or AuditFilter()
    limit = max(1, min(limit, PAGE_LIMIT))
    conditions = _query(flt)
    with read_session() as session:
        conditions += _in_scope(session, actor)
        total = int(
            session.exec(select(func.count()).select_from(AuditLog).where(*conditions)).one()
        )
        rows = session.exec(
            select(AuditLog)
            .where(*conditions)
            .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
            .offset(max(0, offset))
            .limit(limit)
        ).all()
        return _frame(session, list(rows)), total


def audit_actions(actor: Actor | None) -> list[str]:
    """Every kind of event recorded so far in the actor's scope (for the filter), named first."""
    actor = require(actor, Action.VIEW_AUDIT)
    with read_session() as session:
        present = set(
            session.exec(select(AuditLog.action).where(*_in_scope(session, actor)).distinct()).all()
        )
    named = [a for a in T.ACTION_NAMES if a in present]
    return named + sorted(present - set(named))


def export_audit(actor: Actor | None, flt: AuditFilter | None = None, *, fmt: str = "csv") -> bytes:
    """The matching entries (up to EXPORT_LIMIT, newest first) as CSV (UTF-8 with BOM) or xlsx."""
    actor = require(actor, Action.VIEW_AUDIT)
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {fmt!r}")
    frame, total = search_audit(actor, flt, limit=PAGE_LIMIT)
    if total > len(frame):
        frames = [frame]
        offset = len(frame)
        while offset < min(total, EXPORT_LIMIT):
            more, _ = search_audit(actor, flt, limit=PAGE_LIMIT, offset=offset)
            if more.empty:
                break
            frames.append(more)
            offset += len(more)
        frame = pd.concat(frames, ignore_index=True)
    headers = list(T.AUDIT_EXPORT_HEADERS)
    rows = [
        [
            china_time(r.at, seconds=True),
            r.at.astimezone(UTC).isoformat() if r.at.tzinfo else r.at.isoformat(),
            r.actor_name,
            r.action_name,
            r.action,
            T.TARGET_NAMES.get(r.target_type, r.target_type),
            r.target_id,
            r.sentence,
            r.detail,
        ]
        for r in frame.itertuples()
    ]
    audit_now(actor, "audit_exported", "audit_log", "", {"rows": len(rows), "format": fmt})
    if fmt == "csv":
        return audit_log.audit_csv(headers, rows)
    return audit_log.audit_workbook(headers, rows)


__all__ = [
    "AuditFilter",
    "audit_actions",
    "export_audit",
    "search_audit",
]
