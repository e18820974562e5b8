"""One audit entry as a Chinese sentence ("王芳 保存了 … 的学习星自评：L2.3 自评分由 2 改为 2.5").

`sentence` is pure: it takes the stored entry (action, actor, target, JSON detail) and the names
the entry refers to (`Names`, looked up once per page of entries by `load_names`). Every action
the services write has a template in texts/audit.py (a unit test walks the source for them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, col, select

import scoring
from db.models import Assessment, Cycle, Organisation, User
from db.query import pk
from texts import audit as T
from texts import common as C
from texts import members as M
from texts import review as R

LISTED = 5  # changes named in one sentence; the rest are counted


@dataclass(frozen=True)
class Names:
    """What an entry's ids stand for: people, organisations, assessments (organisation, year)."""

    users: Mapping[int, str] = field(default_factory=dict)
    usernames: Mapping[int, str] = field(default_factory=dict)
    orgs: Mapping[int, str] = field(default_factory=dict)
    assessments: Mapping[int, tuple[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    """The parts of an audit_log row a sentence is made of."""

    action: str
    actor_id: int | None
    actor_name: str
    target_type: str
    target_id: str
    detail: str


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _num(value: Any) -> str:
    """A stored figure as the user typed it: 2.50 → 2.5, None → 空."""
    if value is None or value == "":
        return T.EMPTY
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format(number.normalize(), "f")
    return text


def _text(value: Any) -> str:
    if value is None or value == "":
        return T.EMPTY
    if isinstance(value, bool):
        return T.ACTIVE[value]
    return str(value)


def _listed(parts: list[str]) -> str:
    if not parts:
        return T.NO_CHANGES
    shown = T.SEP.join(parts[:LISTED])
    if len(parts) > LISTED:
        shown += T.SEP + T.MORE.format(n=len(parts))
    return shown


def _size(n: Any) -> str:
    size = _int(n) or 0
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


# ----------------------------------------------------------------------------- change lists


def _entry_changes(changes: Any) -> list[str]:
    """A star page or bonus save: {code: {before: {points, figure, note}, after: {...}}}."""
    parts: list[str] = []
    if not isinstance(changes, Mapping):
        return parts
    for code, change in changes.items():
        before = change.get("before") or {}
        after = change.get("after") or {}
        for key, what in (("points", T.SELF_POINTS), ("figure", T.FIGURE)):
            if before.get(key) != after.get(key):
                parts.append(
                    T.POINTS_CHANGED.format(
                        code=code,
                        what=what,
                        before=_num(before.get(key)),
                        after=_num(after.get(key)),
                    )
                )
        if (before.get("note") or "") != (after.get("note") or ""):
            parts.append(T.NOTE_CHANGED.format(code=code, what=T.NOTE))
    return parts


def _review_changes(changes: Any) -> list[str]:
    """A review save: [{code, before: {reviewed, comment}, after: {reviewed, comment}}]."""
    parts: list[str] = []
    for change in changes if isinstance(changes, list) else []:
        code = change.get("code", "")
        before = change.get("before") or {}
        after = change.get("after") or {}
        if before.get("reviewed") != after.get("reviewed"):
            parts.append(
                T.POINTS_CHANGED.format(
                    code=code,
                    what=T.REVIEWED_POINTS,
                    before=_num(before.get("reviewed")),
                    after=_num(after.get("reviewed")),
                )
            )
        if (before.get("comment") or "") != (after.get("comment") or ""):
            parts.append(T.NOTE_CHANGED.format(code=code, what=T.COMMENT))
    return parts


def _field_changes(before: Any, after: Any, labels: Mapping[str, str], names: Names) -> list[str]:
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return []
    parts = []
    for key, label in labels.items():
        old: Any = before.get(key)
        new: Any = after.get(key)
        if old == new:
            continue
        if key == "role":
            old, new = C.ROLE_NAMES.get(old, old), C.ROLE_NAMES.get(new, new)
        elif key == "org_type":
            old, new = C.ORG_TYPE_NAMES.get(old, old), C.ORG_TYPE_NAMES.get(new, new)
        elif key == "service":
            old, new = M.SERVICE_NAMES.get(old, old), M.SERVICE_NAMES.get(new, new)
        elif key == "status" and labels is T.MEMBER_FIELDS:
            old, new = M.STATUS_NAMES.get(old, old), M.STATUS_NAMES.get(new, new)
        elif key == "active" and labels is T.MEMBER_FIELDS:
            old, new = T.IN_ROSTER.get(old, old), T.IN_ROSTER.get(new, new)
        elif key in ("org_id", "parent_id"):
            old = names.orgs.get(_int(old) or -1, old)
            new = names.orgs.get(_int(new) or -1, new)
        parts.append(T.FIELD_CHANGED.format(field=label, before=_text(old), after=_text(new)))
    return parts


# ----------------------------------------------------------------------------- the sentence


def _org(entry: Entry, detail: Mapping[str, Any], names: Names) -> str:
    """The organisation an entry is about, with its year where the entry has one."""
    assessment_id = _int(detail.get("assessment_id"))
    if entry.target_type == "assessment":
        assessment_id = _int(entry.target_id)
    if assessment_id is not None and assessment_id in names.assessments:
        name, year = names.assessments[assessment_id]
        return T.YEAR_OF.format(org=name, year=year)
    org_id = _int(detail.get("org_id"))
    if entry.target_type == "organisation":
        org_id = _int(entry.target_id)
    org_name = names.orgs.get(org_id) if org_id is not None else None
    if org_name and detail.get("year"):
        return T.YEAR_OF.format(org=org_name, year=detail["year"])
    return org_name or "—"


def _who(entry: Entry, names: Names) -> str:
    if entry.actor_id is not None and entry.actor_id in names.users:
        return names.users[entry.actor_id]
    return entry.actor_name or T.SYSTEM


def _username(entry: Entry, detail: Mapping[str, Any], names: Names) -> str:
    for source in (detail, detail.get("after") or {}, detail.get("before") or {}):
        if isinstance(source, Mapping) and source.get("username"):
            return str(source["username"])
    target = _int(entry.target_id)
    return names.usernames.get(target, entry.target_id) if target is not None else entry.target_id


def _values(entry: Entry, detail: dict[str, Any], names: Names) -> dict[str, Any]:
    """The placeholders of the entry's template."""
    action = entry.action
    values: dict[str, Any] = {
        "who": _who(entry, names),
        "org": _org(entry, detail, names),
        "year": detail.get("year") or (entry.target_id if entry.target_type == "year" else "—"),
    }
    values.update({k: v for k, v in detail.items() if isinstance(v, str | int | float)})
    before = detail.get("before")
    after = detail.get("after")
    if action in ("save_star_page", "save_bonus_items"):
        page = detail.get("page", "")
        values["page"] = scoring.STAR_NAMES.get(page, page)
        values["detail"] = _listed(_entry_changes(detail.get("changes")))
    elif action in ("review_saved", "review_corrected"):
        values["detail"] = _listed(_review_changes(detail.get("changes")))
    elif action == "rubric_points_recomputed":
        parts = []
        for change in detail.get("changes") or []:
            before = change.get("before") or {}
            after = change.get("after") or {}
            for key, what in (("self", T.SELF_POINTS), ("reviewed", T.REVIEWED_POINTS)):
                if before.get(key) != after.get(key):
                    parts.append(
                        T.POINTS_CHANGED.format(
                            code=change.get("code", ""),
                            what=what,
                            before=_num(before.get(key)),
                            after=_num(after.get(key)),
                        )
                    )
        values["detail"] = _listed(parts)
    elif action == "review_approved":
        parts = _review_changes(detail.get("changes"))
        confirmed = _int(detail.get("confirmed_self_points"))
        if confirmed:
            parts.append(T.CONFIRMED_SELF.format(n=confirmed))
        values["detail"] = _listed(parts)
    elif action == "review_returned":
        values["comment"] = (
            (after or {}).get("return_comment", "") if isinstance(after, dict) else ""
        )
    elif action == "submit_assessment":
        values["composite"] = _num(detail.get("composite"))
        values["level"] = C.LEVEL_NAMES.get(_int(detail.get("level")) or 0, "—")
    elif action == "upload_evidence":
        values["size"] = _size(detail.get("size"))
    elif action in ("user_created", "user_changed", "user_disabled", "user_enabled"):
        values["username"] = _username(entry, detail, names)
        if action == "user_changed":
            values["detail"] = _listed(_field_changes(before, after, T.USER_FIELDS, names))
        else:
            data = after if isinstance(after, Mapping) else detail
            role = C.ROLE_NAMES.get(str(data.get("role", "")), str(data.get("role", "—")))
            shown = [str(data.get("display_name") or ""), role]
            org = names.orgs.get(_int(data.get("org_id")) or -1)
            values["detail"] = "，".join(p for p in [*shown, org or ""] if p)
    elif action == "email_changed":
        values["before"], values["after"] = _text(before), _text(after)
    elif action == "sso_refused":
        reason = str(detail.get("reason", ""))
        values["reason"] = T.SSO_REASONS.get(reason, reason)
    elif action in (
        "password_reset",
        "user_unlocked",
        "password_changed",
        "sso_registered",
        "registration_approved",
        "registration_rejected",
    ):
        values["username"] = _username(entry, detail, names)
    elif action in ("organisation_created", "organisation_changed"):
        data = after if isinstance(after, Mapping) else {}
        values["name"] = data.get("name") or values["org"]
        values["code"] = data.get("code", "—")
        values["detail"] = _listed(_field_changes(before, after, T.ORG_FIELDS, names))
    elif action == "year_status_changed":
        for key in ("before", "after"):
            status = (detail.get(key) or {}).get("status", "")
            values[key] = C.CYCLE_STATUS_NAMES.get(status, status)
    elif action == "excellence_quota_changed":
        for key in ("before", "after"):
            quota = (detail.get(key) or {}).get("quota", "")
            values[key] = C.QUOTA_MODE_NAMES.get(quota, quota)
    elif action == "first_level_switched":
        switched = detail.get("enabled") or [True, True]
        values["state"] = T.LEVEL_SWITCH.get(bool(switched[-1]), "—")
    elif action == "review_deadlines_set":
        for level in ("first", "review"):
            for key, value in zip(
                ("before", "after"), detail.get(level) or [None, None], strict=False
            ):
                values[f"{level}_{key}"] = _text(value)
    elif action == "deadline_changed":
        for key in ("before", "after"):
            values[key] = _text((detail.get(key) or {}).get("deadline"))
    elif action == "rubric_imported":
        for key in ("added", "removed", "changed"):
            values[key] = len(detail.get(key) or [])
    elif action.startswith("import_") and action != "import_rejected":
        values["summary"] = T.IMPORT_SUMMARY.format(
            created=detail.get("created", 0),
            updated=detail.get("updated", 0),
            unchanged=detail.get("unchanged", 0),
        )
    elif action == "import_rejected":
        values["kind"] = T.IMPORT_KINDS.get(entry.target_type, entry.target_type)
    elif action == "set_grade":
        changes = detail.get("changes") or {}
        values["detail"] = _listed(
            [
                T.GRADE_CHANGED.format(
                    org=names.orgs.get(_int(o) or -1, o),
                    before=_text((c or {}).get("before")),
                    after=_text((c or {}).get("after")),
                )
                for o, c in changes.items()
            ]
        )
    elif action == "confirm_excellence":
        chosen = after if isinstance(after, list) else []
        changes = detail.get("changes") or {}
        values["n"] = len(chosen)
        values["recommended"] = len(detail.get("recommended") or [])
        extra = ""
        if changes:
            listed = "、".join(str(names.orgs.get(_int(o) or -1, o)) for o in changes)
            extra += T.EXCELLENCE_CHANGES.format(n=len(changes), names=listed)
        progress = detail.get("progress")
        if isinstance(progress, Mapping):
            extra += T.EXCELLENCE_PROGRESS.format(
                reviewed=progress.get("reviewed", 0),
                unreviewed=progress.get("unreviewed", 0),
                not_handed_in=int(progress.get("drafts", 0)) + int(progress.get("returned", 0)),
            )
        values["detail"] = extra
    elif action == "objection_resolved":
        outcome = (after or {}).get("outcome", "") if isinstance(after, dict) else ""
        values["outcome"] = R.OUTCOME_NAMES.get(outcome, outcome)
        values["note"] = (after or {}).get("note", "") if isinstance(after, dict) else ""
    elif action == "audit_exported":
        values["format"] = str(detail.get("format", "")).upper()
    elif action.startswith("vanguard_"):
        values["half"] = M.HALF_NAMES.get(_int(detail.get("half")) or 0, "")
        parts = []
        for code, change in (detail.get("changes") or {}).items():
            for key, what in (("declared", T.DECLARED), ("assessed", T.ASSESSED)):
                old, new = (
                    (change.get("before") or {}).get(key),
                    (change.get("after") or {}).get(key),
                )
                if old != new:
                    parts.append(
                        T.POINTS_CHANGED.format(
                            code=code, what=what, before=_num(old), after=_num(new)
                        )
                    )
        values["detail"] = _listed(parts)
    elif action in ("member_added", "member_changed"):
        data = after if isinstance(after, Mapping) else {}
        values["name"] = data.get("name", "—")
        values["detail"] = _listed(_field_changes(before, after, T.MEMBER_FIELDS, names))
    elif action == "access_denied":
        attempted = str(detail.get("attempted", ""))
        values["attempted"] = T.ATTEMPTS.get(attempted, T.ATTEMPT_UNKNOWN)
    return values


def sentence(entry: Entry, names: Names | None = None) -> str:
    """The entry as one Chinese sentence."""
    names = names or Names()
    try:
        detail = json.loads(entry.detail or "{}")
    except ValueError:
        detail = {}
    if not isinstance(detail, dict):
        detail = {}
    action = entry.action
    if action == "login_failed" and entry.actor_id is None:
        return T.LOGIN_UNKNOWN.format(username=entry.target_id)
    if action == "sso_refused" and entry.actor_id is None:
        return T.SSO_UNKNOWN.format(username=entry.target_id)
    if action == "publication_finalized" and detail.get("automatic"):
        return T.FINALIZED_AUTOMATIC.format(year=detail.get("year", "—"))
    values = _values(entry, detail, names)
    template = T.SENTENCES.get(action)
    if template is None:
        from texts import admin as A  # the event names of the filter

        values["action"] = A.ACTION_NAMES.get(action, action)
        values.setdefault("detail", T.NO_CHANGES)
        template = T.FALLBACK
    text = template.format_map(_Blank(values))
    if action == "login_failed" and detail.get("locked_until"):
        text += T.LOCKED_UNTIL.format(at=str(detail["locked_until"])[:16].replace("T", " "))
    ended = _int(detail.get("sessions_ended"))
    if ended:
        text += T.SESSIONS_ENDED.format(n=ended)
    return text


# ----------------------------------------------------------------------------- names


def load_names(session: Session, entries: Iterable[Entry]) -> Names:
    """Look up every person, organisation and assessment the entries mention (three queries)."""
    user_ids: set[int] = set()
    org_ids: set[int] = set()
    assessment_ids: set[int] = set()
    for e in entries:
        if e.actor_id is not None:
            user_ids.add(e.actor_id)
        target = _int(e.target_id)
        if target is not None:
            {
                "user": user_ids,
                "organisation": org_ids,
                "assessment": assessment_ids,
            }.get(e.target_type, set()).add(target)
        try:
            detail = json.loads(e.detail or "{}")
        except ValueError:
            continue
        if not isinstance(detail, dict):
            continue
        for key, bucket in (("org_id", org_ids), ("assessment_id", assessment_ids)):
            if _int(detail.get(key)) is not None:
                bucket.add(int(detail[key]))
        for key in ("before", "after"):
            part = detail.get(key)
            if isinstance(part, dict):
                for k in ("org_id", "parent_id"):
                    if _int(part.get(k)) is not None:
                        org_ids.add(int(part[k]))
        if e.action == "set_grade":
            org_ids.update(i for i in map(_int, (detail.get("changes") or {})) if i is not None)
        if e.action == "confirm_excellence":
            org_ids.update(i for i in map(_int, (detail.get("changes") or {})) if i is not None)
    users: dict[int, str] = {}
    usernames: dict[int, str] = {}
    if user_ids:
        for uid, username, display in session.exec(
            select(col(User.id), col(User.username), col(User.display_name)).where(
                col(User.id).in_(user_ids)
            )
        ).all():
            users[pk(uid)] = display or username
            usernames[pk(uid)] = username
    assessments: dict[int, tuple[str, int]] = {}
    if assessment_ids:
        for aid, name, year in session.exec(
            select(col(Assessment.id), col(Organisation.name), col(Cycle.year))
            .join(Organisation, col(Organisation.id) == Assessment.org_id)
            .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
            .where(col(Assessment.id).in_(assessment_ids))
        ).all():
            assessments[pk(aid)] = (name, int(year))
    orgs: dict[int, str] = {}
    if org_ids:
        for oid, name in session.exec(
            select(col(Organisation.id), col(Organisation.name)).where(
                col(Organisation.id).in_(org_ids)
            )
        ).all():
            orgs[pk(oid)] = name
    return Names(users=users, usernames=usernames, orgs=orgs, assessments=assessments)


__all__ = ["Entry", "Names", "load_names", "sentence"]
