"""Management commands: python -m db init | seed | create-admin | backup | restore | ballots |
remind."""

from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from db import migrate
from db.engine import get_engine, is_sqlite
from logs import configure_logging
from texts import cli as T
from texts.ballot import CLI_BASE_HELP as TB_BASE_HELP
from texts.ballot import CLI_HELP as TB_HELP
from texts.ballot import CLI_ORG_HELP as TB_ORG_HELP
from texts.ballot import CLI_ROUND_HELP as TB_ROUND_HELP
from texts.reminders import CLI_HELP as TR_HELP
from texts.reminders import CLI_TODAY_HELP as TR_TODAY_HELP


def _years(value: str) -> tuple[int, int]:
    first, _, last = value.partition("-")
    return int(first), int(last or first)


def cmd_init(_args: argparse.Namespace) -> int:
    migrate.upgrade(get_engine())
    print(T.INIT_DONE)
    return 0


def cmd_prepare(_args: argparse.Namespace) -> int:
    """Migrate, and load the demo city into an empty database in demo mode (the server does the
    same when it starts; this command is for preparing a database ahead of that)."""
    from db.bootstrap import prepare_and_report

    prepare_and_report(get_engine())
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from db.seed import CityPlan, seed_city

    migrate.upgrade(get_engine())
    first, last = _years(args.years)
    started = time.perf_counter()
    summary = seed_city(
        CityPlan(
            orgs=args.orgs,
            first_year=first,
            last_year=last,
            seed=args.seed,
            demo_users=args.demo_users,
            current_open=not args.all_closed,
            evidence=not args.no_evidence,
        )
    )
    elapsed = time.perf_counter() - started
    for year, s in summary.items():
        print(T.SEED_YEAR_SUMMARY.format(year=year, **s))
    print(T.SEED_DONE.format(orgs=args.orgs, seconds=elapsed))
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    from db.services.auth import create_user
    from db.services.common import ServiceError

    migrate.upgrade(get_engine())
    password = args.password or getpass.getpass(T.ADMIN_PASSWORD)
    if not args.password and getpass.getpass(T.ADMIN_PASSWORD_AGAIN) != password:
        print(T.ADMIN_PASSWORD_MISMATCH, file=sys.stderr)
        return 1
    try:
        create_user(
            username=args.username,
            password=password,
            role="admin",
            display_name=args.display_name or T.ADMIN_DISPLAY_NAME,
        )
    except ServiceError as exc:
        print(T.ERROR_SEPARATOR.join(exc.errors), file=sys.stderr)
        return 1
    print(T.ADMIN_CREATED.format(username=args.username))
    return 0


def cmd_ballots(args: argparse.Namespace) -> int:
    """Issue a round's ballot codes for one organisation and print their links (the terminal's
    way to the sheet the branch's page prints). Codes are stored hashed, so printing again
    issues new codes in place of the unused ones."""
    from sqlmodel import select

    from db.engine import write_session
    from db.models import Organisation, VanguardRound
    from db.services.ballots import format_code, issue_in
    from db.services.common import ServiceError
    from settings import get_settings
    from texts import ballot as TB
    from web.ballot import ballot_link

    migrate.upgrade(get_engine())
    base = args.base_url or get_settings().public_url or "http://localhost:8501"
    try:
        with write_session() as session:
            org = session.exec(select(Organisation).where(Organisation.code == args.org)).first()
            if org is None:
                raise ServiceError(TB.ERR_ORG_NOT_FOUND.format(code=args.org))
            round_ = session.get(VanguardRound, args.round)
            if round_ is None:
                raise ServiceError(TB.ERR_ROUND_NOT_FOUND)
            issued = issue_in(session, None, round_, org)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(
        TB.CLI_ISSUED.format(
            org=issued.org_name, round=issued.round_label, n=len(issued.codes), used=issued.used
        )
    )
    for code in issued.codes:
        print(f"{format_code(code)}  {ballot_link(base, code)}")
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    """Send the reminders due today and retry failed ones (hourly: systemd timer or compose)."""
    from datetime import date

    from db.models import ReminderChannel
    from db.services.reminders import run_due
    from texts import reminders as TR

    migrate.upgrade(get_engine())
    outcomes = run_due(date.fromisoformat(args.today) if args.today else None)
    if not outcomes:
        print(TR.CLI_NOTHING)
    failed = 0
    for year, outcome in sorted(outcomes.items()):
        failed += outcome.failed
        print(
            TR.CLI_DONE.format(
                year=year,
                due=outcome.due,
                sent=outcome.total_sent,
                failed=outcome.failed,
                notices=outcome.count(ReminderChannel.NOTICE),
                emails=outcome.count(ReminderChannel.EMAIL),
                robots=outcome.count(ReminderChannel.WEBHOOK),
            )
        )
    return 1 if failed else 0


def _sqlite_path() -> Path:
    engine = get_engine()
    if not is_sqlite(engine):
        raise SystemExit(T.BACKUP_POSTGRESQL)
    return Path(make_url(str(engine.url)).database or "")


def _private_file(path: str) -> None:
    """Create (or narrow) `path` as readable by its owner only: a backup holds every password
    hash and every evidence file."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def cmd_backup(args: argparse.Namespace) -> int:
    """Online backup of the SQLite file (consistent while the app keeps running), mode 0600."""
    _private_file(args.file)
    source = sqlite3.connect(_sqlite_path())
    target = sqlite3.connect(args.file)
    with target:
        source.backup(target)
    source.close()
    target.close()
    os.chmod(args.file, 0o600)
    print(T.BACKUP_DONE.format(file=args.file))
    return 0


def known_revisions() -> set[str]:
    """Every Alembic revision of this code's schema."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config(get_engine()))
    return {rev.revision for rev in script.walk_revisions()}


def backup_problem(path: str) -> str | None:
    """Why `path` is not a backup of this system's database (None when it is one)."""
    if not Path(path).is_file():
        return T.RESTORE_MISSING.format(file=path)
    with open(path, "rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            return T.RESTORE_NOT_SQLITE.format(file=path)
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                return T.RESTORE_DAMAGED.format(file=path)
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return T.RESTORE_NOT_OURS.format(file=path)
    if row is None or row[0] not in known_revisions():
        return T.RESTORE_NOT_OURS.format(file=path)
    return None


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the SQLite database with a backup (stop the app first)."""
    problem = backup_problem(args.file)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    target_path = _sqlite_path()
    if not args.yes:
        print(T.RESTORE_CONFIRM.format(file=args.file, target=target_path), end="", flush=True)
        try:
            answer = input()
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("yes", "y", T.RESTORE_YES_WORD):
            print(T.RESTORE_CANCELLED, file=sys.stderr)
            return 1
    get_engine().dispose()
    source = sqlite3.connect(f"file:{Path(args.file).resolve()}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    with target:
        source.backup(target)
    source.close()
    target.close()
    # A backup of an earlier release is brought to this release's schema at once.
    migrate.upgrade(get_engine())
    print(T.RESTORE_DONE.format(file=args.file))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db", description=T.CLI_DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help=T.INIT_HELP).set_defaults(func=cmd_init)
    sub.add_parser("prepare", help=T.PREPARE_HELP).set_defaults(func=cmd_prepare)
    seed = sub.add_parser("seed", help=T.SEED_HELP)
    seed.add_argument("--orgs", type=int, default=150)
    seed.add_argument("--years", default=f"2018-{time.localtime().tm_year}")
    seed.add_argument("--seed", type=int, default=2018)
    seed.add_argument("--demo-users", action="store_true", help=T.SEED_DEMO_USERS_HELP)
    seed.add_argument("--all-closed", action="store_true", help=T.SEED_ALL_CLOSED_HELP)
    seed.add_argument("--no-evidence", action="store_true", help=T.SEED_NO_EVIDENCE_HELP)
    seed.set_defaults(func=cmd_seed)
    admin = sub.add_parser("create-admin", help=T.CREATE_ADMIN_HELP)
    admin.add_argument("--username", default="admin")
    admin.add_argument("--display-name", default="")
    admin.add_argument("--password", default=None, help=argparse.SUPPRESS)
    admin.set_defaults(func=cmd_create_admin)
    backup = sub.add_parser("backup", help=T.BACKUP_HELP)
    backup.add_argument("file")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help=T.RESTORE_HELP)
    restore.add_argument("file")
    restore.add_argument("--yes", action="store_true", help=T.RESTORE_YES_HELP)
    restore.set_defaults(func=cmd_restore)
    ballots = sub.add_parser("ballots", help=TB_HELP)
    ballots.add_argument("--org", required=True, help=TB_ORG_HELP)
    ballots.add_argument("--round", required=True, type=int, help=TB_ROUND_HELP)
    ballots.add_argument("--base-url", default="", help=TB_BASE_HELP)
    ballots.set_defaults(func=cmd_ballots)
    remind = sub.add_parser("remind", help=TR_HELP)
    remind.add_argument("--today", default="", help=TR_TODAY_HELP)
    remind.set_defaults(func=cmd_remind)
    args = parser.parse_args(argv)
    configure_logging()
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
