"""All-or-nothing imports of organisations, accounts and 业绩 grades from Excel or CSV.

Files come from Excel or WPS on Chinese Windows: .xlsx, or CSV in UTF-8 (with or without BOM)
or GBK. Every row is checked before anything is written; a file with any bad row writes nothing
and the error lists every bad row with its line number and the reason, in Chinese. Templates
with the expected headers can be downloaded.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session, select

from db.engine import read_session, write_session
from db.models import EVALUATED_ORG_TYPES, Organisation, User
from db.services import account_fields, auth, organisations, users
from db.services.common import (
    Actor,
    InvalidInput,
    audit,
    audit_now,
    bump_change_counter,
    require,
)
from documents import import_files
from permissions import Action, can
from settings import get_settings
from texts import admin as T
from texts import members as M

MAX_ROWS = 20_000
MAX_LISTED_CHANGES = 200


# ----------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()
    help: str = ""


def _column(kind: str, key: str, required: bool, hint: str) -> Column:
    header, aliases = T.IMPORT_COLUMN_NAMES[kind][key]
    return Column(key, header, required, aliases, hint)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "organisations": (
        _column("organisations", "code", True, T.HELP_ORG_CODE),
        _column("organisations", "name", True, T.HELP_ORG_NAME),
        _column("organisations", "org_type", True, T.HELP_ORG_TYPE),
        _column("organisations", "region", True, T.HELP_REGION),
        _column("organisations", "parent_code", False, T.HELP_PARENT),
        _column("organisations", "member_count", False, T.HELP_MEMBERS),
        _column("organisations", "staff_count", False, T.HELP_STAFF),
    ),
    "users": (
        _column("users", "username", True, T.HELP_USERNAME),
        _column("users", "display_name", False, T.HELP_DISPLAY_NAME),
        _column("users", "role", True, T.HELP_ROLE),
        _column("users", "org_code", False, T.HELP_USER_ORG),
        _column("users", "password", False, T.HELP_PASSWORD),
    ),
    "grades": (
        _column("grades", "org_code", True, T.HELP_GRADE_ORG),
        _column("grades", "org_name", False, T.HELP_GRADE_NAME),
        _column("grades", "year", True, T.HELP_YEAR),
        _column("grades", "grade", True, T.HELP_GRADE),
    ),
    "members": (
        _column("members", "org_code", True, M.HELP_ORG),
        _column("members", "name", True, M.HELP_NAME),
        _column("members", "service", True, M.HELP_SERVICE),
        _column("members", "status", True, M.HELP_STATUS),
        _column("members", "joined_on", True, M.HELP_JOINED),
    ),
}


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    kind: str
    created: int
    updated: int
    unchanged: int
    generated_passwords: tuple[tuple[str, str], ...] = ()

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class ImportRejected(InvalidInput):
    """The file was refused; `errors` lists every problem (第 N 行：…); nothing was written."""

    def __init__(self, problems: list[str], *, summary: str | None = None) -> None:
        super().__init__(summary or T.IMPORT_REJECTED.format(n=len(problems)), errors=problems)


# ----------------------------------------------------------------------------- reading files


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number as the spreadsheet shows it, cells)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return T.YES if value else T.NO
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected([T.ERR_ENCODING], summary=T.ERR_ENCODING)


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "，"), key=first.count) if first else ","
    if first.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    headers: list[str] | None = None
    line = 0
    for record in reader:
        line = reader.line_num
        cells = [c.strip() for c in record]
        if headers is None:
            if not any(cells):
                continue
            headers = cells
            continue
        rows.append((line, cells))
        if len(rows) > MAX_ROWS:
            raise ImportRejected(
                [T.ERR_TOO_MANY_ROWS.format(n=MAX_ROWS)],
                summary=T.ERR_TOO_MANY_ROWS.format(n=MAX_ROWS),
            )
    return Table(headers or [], rows)


def check_uncompressed(data: bytes) -> None:
    """Refuse a zip whose parts expand past the limit, before anything decompresses them.

    A 200 KB "zip bomb" .xlsx expands to gigabytes inside openpyxl. The sizes checked are the
    ones the archive declares, and Python's zipfile never yields more than a part declares.
    """
    limit = get_settings().import_max_uncompressed_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRejected([T.ERR_XLSX], summary=T.ERR_XLSX) from None
    if total > limit:
        message = T.ERR_XLSX_EXPANDS.format(mb=get_settings().import_max_uncompressed_mb)
        raise ImportRejected([message], summary=message)


def _read_xlsx(data: bytes) -> Table:
    check_uncompressed(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportRejected([T.ERR_XLSX], summary=T.ERR_XLSX) from None
    try:
        sheet = book.worksheets[0]
        headers: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if headers is None:
                if not any(cells):
                    continue
                headers = cells
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS:
                raise ImportRejected(
                    [T.ERR_TOO_MANY_ROWS.format(n=MAX_ROWS)],
                    summary=T.ERR_TOO_MANY_ROWS.format(n=MAX_ROWS),
                )
    finally:
        book.close()
    return Table(headers or [], rows)


def read_table(data: bytes, filename: str) -> Table:
    """The header row and data rows of an uploaded .xlsx or .csv file."""
    name = (filename or "").lower()
    if len(data) > get_settings().upload_max_bytes:
        message = T.ERR_FILE_TOO_LARGE.format(mb=get_settings().upload_max_mb)
        raise ImportRejected([message], summary=message)
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRejected([T.ERR_XLS], summary=T.ERR_XLS)
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise ImportRejected([T.ERR_FILE_TYPE], summary=T.ERR_FILE_TYPE)


def normalise_header(value: str) -> str:
    return value.replace("\ufeff", "").replace("*", "").replace("＊", "").strip().lower()


def map_columns(kind: str, table: Table) -> dict[str, int]:
    """Column key → index; refuses a file that lacks a required column (listing them all)."""
    columns = COLUMNS[kind]
    index: dict[str, int] = {}
    for i, header in enumerate(table.headers):
        h = normalise_header(header)
        for column in columns:
            names = [column.header.lower(), *(a.lower() for a in column.aliases)]
            if h in names and column.key not in index:
                index[column.key] = i
                break
    missing = [c.header for c in columns if c.required and c.key not in index]
    if missing:
        message = T.ERR_MISSING_COLUMNS.format(
            missing="、".join(missing), expected="、".join(c.header for c in columns)
        )
        raise ImportRejected([message], summary=message)
    return index


def records_of(kind: str, table: Table) -> list[tuple[int, dict[str, str]]]:
    index = map_columns(kind, table)
    out = []
    for line, cells in table.rows:
        if not any(cells):
            continue  # blank lines between rows are harmless
        out.append(
            (line, {k: cells[i].strip() if i < len(cells) else "" for k, i in index.items()})
        )
    if not out:
        raise ImportRejected([T.ERR_NO_ROWS], summary=T.ERR_NO_ROWS)
    return out


def line_error(line: int, reasons: Sequence[str]) -> str:
    return T.ROW_ERROR.format(line=line, reasons="；".join(r.rstrip("。") for r in reasons))


def duplicates(
    records: list[tuple[int, dict[str, str]]],
    key: Callable[[dict[str, str]], Any],
    label: Callable[[dict[str, str]], str],
) -> dict[int, str]:
    """line → reason for every row whose key already appeared on an earlier row."""
    first: dict[Any, int] = {}
    out: dict[int, str] = {}
    for line, record in records:
        k = key(record)
        if not k or (isinstance(k, tuple) and not all(k)):
            continue
        if k in first:
            out[line] = T.ERR_DUPLICATE_ROW.format(value=label(record), first=first[k])
        else:
            first[k] = line
    return out


# ----------------------------------------------------------------------------- organisations


@contextmanager
def logged_rejection(actor: Actor, kind: str, filename: str) -> Iterator[None]:
    """A refused file is recorded too (how many problems, never the file's content)."""
    try:
        yield
    except ImportRejected as exc:
        audit_now(
            actor,
            "import_rejected",
            kind,
            "",
            {"filename": filename, "problems": len(exc.errors), "first": exc.errors[:5]},
        )
        raise


def import_organisations(actor: Actor | None, *, data: bytes, filename: str) -> ImportResult:
    """Create or update organisations by code (parents may be in the file or already stored)."""
    actor = require(actor, Action.MANAGE_ORGANISATIONS)
    with logged_rejection(actor, "organisations", filename):
        return _import_organisations(actor, data, filename)


def _import_organisations(actor: Actor, data: bytes, filename: str) -> ImportResult:
    records = records_of("organisations", read_table(data, filename))
    dupes = duplicates(records, lambda r: r.get("code", ""), lambda r: r.get("code", ""))
    reasons_by_line: dict[int, list[str]] = {}
    items: list[tuple[int | None, dict[str, Any]]] = []
    rejected_codes: set[str] = set()
    for line, record in records:
        values, reasons = organisations.check_org_fields(
            organisations.OrgInput(
                code=record.get("code", ""),
                name=record.get("name", ""),
                org_type=record.get("org_type", ""),
                region=record.get("region", ""),
                parent_code=record.get("parent_code", ""),
                member_count=record.get("member_count", ""),
                staff_count=record.get("staff_count", ""),
            )
        )
        if line in dupes:
            reasons.append(dupes[line])
        if reasons:
            reasons_by_line[line] = reasons
            rejected_codes.add(values["code"])
            continue
        values["_line"] = line
        items.append((None, values))
    with write_session() as session:
        before = {
            o.code: organisations.org_snapshot(o) for o in session.exec(select(Organisation)).all()
        }
        # Rows keep the stored activity state; only the form deactivates an organisation.
        for _, values in items:
            if values["code"] in before:
                values["active"] = before[values["code"]]["active"]
        # The tree is checked even when some rows are bad, so every bad row is listed at once.
        tree_problems, changes = organisations.apply_organisations(
            session, actor, items, known_codes=frozenset(rejected_codes)
        )
        for tree_line, reason in tree_problems:
            reasons_by_line.setdefault(tree_line or 0, []).append(reason)
        if reasons_by_line:
            raise ImportRejected([line_error(n, r) for n, r in sorted(reasons_by_line.items())])
        created = sum(1 for c in changes if c["before"] is None)
        updated = len(changes) - created
        result = ImportResult("organisations", created, updated, len(items) - created - updated)
        audit_import(session, actor, "organisations", filename, result, changes)
        bump_change_counter(session)
    return result


def audit_import(
    session: Session,
    actor: Actor,
    kind: str,
    filename: str,
    result: ImportResult,
    changes: list[dict[str, Any]],
) -> None:
    audit(
        session,
        actor,
        "import_" + kind,
        kind,
        "",
        {
            "filename": filename,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "changes": changes[:MAX_LISTED_CHANGES],
            "changes_not_listed": max(0, len(changes) - MAX_LISTED_CHANGES),
        },
    )


# ----------------------------------------------------------------------------- users


def import_users(actor: Actor | None, *, data: bytes, filename: str) -> ImportResult:
    """Create accounts; a blank 初始密码 gets a generated one, returned once for handing out."""
    actor = require(actor, Action.MANAGE_USERS)
    with logged_rejection(actor, "users", filename):
        return _import_users(actor, data, filename)


def _new_users(
    session: Session,
    actor: Actor,
    records: list[tuple[int, dict[str, str]]],
    dupes: dict[int, str],
) -> list[tuple[User, str | None]]:
    """The accounts the rows describe, with their chosen passwords; ImportRejected on any fault.

    The accounts get the importing admin's scope; each must lie in it (a branch account's
    organisation too)."""
    existing = {u.lower() for u in session.exec(select(User.username)).all()}
    orgs = {o.code: o for o in session.exec(select(Organisation)).all()}
    problems: list[str] = []
    new_users: list[tuple[User, str | None]] = []
    for line, record in records:
        password = record.get("password", "")
        values, reasons = account_fields.check_user_fields(
            record.get("username", ""),
            record.get("display_name", ""),
            record.get("role", ""),
            password if password else None,
        )
        if values["username"] and values["username"].lower() in existing:
            reasons.append(T.ERR_USERNAME_TAKEN.format(value=values["username"]))
        if line in dupes:
            reasons.append(dupes[line])
        org_code = record.get("org_code", "")
        org = orgs.get(org_code) if org_code else None
        if org_code and org is None:
            reasons.append(T.ERR_ORG_UNKNOWN.format(code=org_code))
        elif values["role"] == "branch":
            if org is None:
                reasons.append(T.ERR_BRANCH_NEEDS_ORG)
            elif not org.active or org.org_type not in EVALUATED_ORG_TYPES:
                reasons.append(T.ERR_USER_ORG_CODE.format(code=org_code))
        if not reasons and not can(
            actor,
            Action.MANAGE_USERS,
            users.account_target(session, values["role"], org.id if org else None, actor.scope),
        ):
            reasons.append(T.ERR_OUT_OF_SCOPE)
        if reasons:
            problems.append(line_error(line, reasons))
            continue
        user = User(
            username=values["username"],
            display_name=values["display_name"],
            role=values["role"],
            org_id=org.id if org is not None and values["role"] == "branch" else None,
            scope_region=None if values["role"] == "branch" else actor.scope.region,
            scope_department_id=None if values["role"] == "branch" else actor.scope.department_id,
            password_hash="",
        )
        new_users.append((user, password or None))
    if problems:
        raise ImportRejected(problems)
    return new_users


def _import_users(actor: Actor, data: bytes, filename: str) -> ImportResult:
    records = records_of("users", read_table(data, filename))
    dupes = duplicates(
        records, lambda r: r.get("username", "").lower(), lambda r: r.get("username", "")
    )
    with read_session() as session:
        planned = _new_users(session, actor, records, dupes)
    # argon2 costs ~0.1-1 s a password: hashed before the write transaction, which would
    # otherwise hold the database's write lock (SQLite: every save) for minutes.
    generated: list[tuple[str, str]] = []
    hashes: dict[str, str] = {}
    for user, password in planned:
        if password is None:
            password = users.generate_password()
            generated.append((user.username, password))
        hashes[user.username] = auth.hash_password(password)
    with write_session() as session:
        # Checked again: an account of the same name may have been created meanwhile.
        new_users = _new_users(session, actor, records, dupes)
        changes = []
        for user, _password in new_users:
            user.password_hash = hashes[user.username]
            session.add(user)
            changes.append({"username": user.username, "role": user.role, "org_id": user.org_id})
        session.flush()
        result = ImportResult("users", len(new_users), 0, 0, tuple(generated))
        audit_import(
            session,
            actor,
            "users",
            filename,
            result,
            [{"before": None, "after": c} for c in changes],
        )
        bump_change_counter(session)
    return result


# ----------------------------------------------------------------------------- templates


def template(kind: str, fmt: str) -> bytes:
    """A template for `kind` ("organisations", "users", "grades", "members") as "csv" or
    "xlsx".

    The CSV has only the header row (UTF-8 with BOM, so Excel shows the Chinese correctly);
    the workbook adds a 填写说明 sheet with the rules and an example.
    """
    year = str(date.today().year)
    examples = [[cell.format(year=year) for cell in row] for row in T.TEMPLATE_EXAMPLES[kind]]
    return import_files.template(COLUMNS[kind], examples, fmt)


def export_organisations(actor: Actor | None) -> bytes:
    """Every organisation in the import layout (edit in Excel, import back)."""
    frame = organisations.list_organisations(actor)
    return import_files.organisations_workbook(COLUMNS["organisations"], frame)


__all__ = [
    "COLUMNS",
    "ImportRejected",
    "ImportResult",
    "Table",
    "export_organisations",
    "import_organisations",
    "import_users",
    "map_columns",
    "read_table",
    "template",
]
