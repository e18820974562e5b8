"""Rosters from one file: many organisations (admin) or a branch's own; all or nothing.

The file is the roster of every organisation it names: its rows are added or updated (a member
is matched by name and joined date), and the organisation's members missing from the file go
off the roster (active false; their past rounds stay). Organisations the file does not name are
untouched. Any bad row refuses the whole file, naming the row and the reason in Chinese;
reading, columns, GBK and the refusal's audit entry are those of db/services/imports.py.
`export_roster` writes one organisation's roster in the same layout (edit in Excel, import
back).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from db.engine import read_session, write_session
from db.models import EVALUATED_ORG_TYPES, Organisation, PartyMember, utcnow
from db.services.common import Actor, audit, bump_change_counter, require, require_org
from db.services.imports import (
    COLUMNS,
    ImportRejected,
    ImportResult,
    duplicates,
    line_error,
    logged_rejection,
    read_table,
    records_of,
)
from db.services.members import MemberInput, check_member, member_snapshot, sync_member_counts
from documents import import_files
from permissions import Action, Target, can
from texts import members as T

KIND = "members"


def import_members(actor: Actor | None, *, data: bytes, filename: str) -> ImportResult:
    """Replace the rosters of the organisations named in the file (see the module's rule)."""
    actor = require(actor, Action.IMPORT_MEMBERS)
    with logged_rejection(actor, KIND, filename):
        return _import(actor, data, filename)


def export_roster(actor: Actor | None, *, org_id: int) -> bytes:
    """The organisation's members on its roster, in the import layout (xlsx)."""
    require_org(actor, Action.IMPORT_MEMBERS, org_id)
    with read_session() as session:
        org = session.get(Organisation, org_id)
        members = session.exec(
            select(PartyMember)
            .where(PartyMember.org_id == org_id, col(PartyMember.active).is_(True))
            .order_by(col(PartyMember.name), col(PartyMember.id))
        ).all()
        rows = [
            [
                org.code if org is not None else "",
                m.name,
                T.SERVICE_NAMES.get(m.service, m.service),
                T.STATUS_NAMES.get(m.status, m.status),
                m.joined_on.isoformat(),
            ]
            for m in members
        ]
    return import_files.rows_workbook(COLUMNS[KIND], rows)


def _key(values: dict[str, Any]) -> tuple[str, str]:
    return values["name"], values["joined_on"].isoformat()


def _import(actor: Actor, data: bytes, filename: str) -> ImportResult:
    records = records_of(KIND, read_table(data, filename))
    dupes = duplicates(
        records,
        lambda r: (r.get("org_code", ""), r.get("name", ""), r.get("joined_on", "")),
        lambda r: f"{r.get('name', '')} {r.get('joined_on', '')}",
    )
    with write_session() as session:
        orgs = {o.code: o for o in session.exec(select(Organisation)).all()}
        problems: dict[int, list[str]] = {}
        rows: dict[int, list[dict[str, Any]]] = {}
        for line, record in records:
            code = record.get("org_code", "")
            values, reasons = check_member(
                MemberInput(
                    name=record.get("name", ""),
                    service=record.get("service", ""),
                    status=record.get("status", ""),
                    joined_on=record.get("joined_on", ""),
                )
            )
            org = orgs.get(code)
            if org is None or not can(actor, Action.IMPORT_MEMBERS, Target.org(org)):
                reasons.insert(0, T.ERR_IMPORT_ORG.format(code=code))
            elif org.org_type not in EVALUATED_ORG_TYPES:
                reasons.insert(0, T.ERR_IMPORT_DEPARTMENT.format(code=code))
            if line in dupes:
                reasons.append(dupes[line])
            if reasons:
                problems[line] = reasons
            elif org is not None and org.id is not None:
                rows.setdefault(org.id, []).append(values)
        if problems:
            raise ImportRejected([line_error(n, r) for n, r in sorted(problems.items())])
        created = updated = unchanged = 0
        changes: list[dict[str, Any]] = []
        for org_id, items in rows.items():
            stored = session.exec(
                select(PartyMember)
                .where(PartyMember.org_id == org_id)
                .order_by(col(PartyMember.id))
            ).all()
            by_key: dict[tuple[str, str], PartyMember] = {}
            for m in stored:
                by_key.setdefault((m.name, m.joined_on.isoformat()), m)
            seen: set[int] = set()
            for values in items:
                member = by_key.get(_key(values))
                after = {**values, "joined_on": values["joined_on"].isoformat()}
                if member is None:
                    member = PartyMember(org_id=org_id, **values, updated_by=actor.id)
                    before = None
                    created += 1
                else:
                    seen.add(member.id or 0)
                    before = member_snapshot(member)
                    if before == after:
                        unchanged += 1
                        continue
                    for key, value in values.items():
                        setattr(member, key, value)
                    member.version += 1
                    updated += 1
                member.updated_at, member.updated_by = utcnow(), actor.id
                session.add(member)
                changes.append({"org_id": org_id, "before": before, "after": after})
            for member in stored:
                if member.id in seen or not member.active:
                    continue
                before = member_snapshot(member)
                member.active = False
                member.version += 1
                member.updated_at, member.updated_by = utcnow(), actor.id
                session.add(member)
                changes.append(
                    {"org_id": org_id, "before": before, "after": member_snapshot(member)}
                )
                updated += 1
        session.flush()
        sync_member_counts(session, rows)
        result = ImportResult(KIND, created, updated, unchanged)
        audit(
            session,
            actor,
            "import_members",
            KIND,
            "",
            {
                "filename": filename,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "organisations": len(rows),
                "changes": changes[:200],
            },
        )
        bump_change_counter(session)
    return result
