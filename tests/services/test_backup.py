"""`python -m db backup FILE` and `restore FILE` on SQLite: the restored data equals the backup."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from db.engine import dispose_engines
from db.services import users
from tests.utils import STRONG_PASSWORD, actor

ROOT = Path(__file__).resolve().parents[2]


def _dump(path: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        # Sorted in Python: the ballot tables are WITHOUT ROWID (no order of casting is kept).
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
    finally:
        conn.close()


def _cli(url: str, *args: str, answer: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=url, DEMO_MODE="0", SECRET_KEY="backup-test-" + "z" * 32)
    return subprocess.run(
        [sys.executable, "-m", "db", *args],
        cwd=ROOT,
        env=env,
        input=answer,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_then_restore_gives_the_same_data(demo_city: str, tmp_path: Path) -> None:
    database = make_url(demo_city).database
    assert database
    backup_file = tmp_path / "backup.db"
    done = _cli(demo_city, "backup", str(backup_file))
    assert done.returncode == 0, done.stderr
    assert "已备份" in done.stdout
    saved = _dump(str(backup_file))
    assert saved == _dump(database)
    assert len(saved["score_entry"]) > 1000
    assert saved["evidence"]

    # Work goes on after the backup …
    users.create_user(
        actor("admin"),
        username="after.backup",
        display_name="",
        role="leader",
        org_id=None,
        password=STRONG_PASSWORD,
    )
    assert _dump(database) != saved
    dispose_engines()

    # … and the restore brings back exactly what was saved.
    done = _cli(demo_city, "restore", str(backup_file), "--yes")
    assert done.returncode == 0, done.stderr
    assert _dump(database) == saved


def test_restore_of_a_missing_file_changes_nothing(demo_city: str, tmp_path: Path) -> None:
    database = make_url(demo_city).database
    assert database
    before = _dump(database)
    done = _cli(demo_city, "restore", str(tmp_path / "missing.db"))
    assert done.returncode == 1
    assert "找不到" in done.stderr
    assert _dump(database) == before


def test_backups_are_readable_by_their_owner_only(demo_city: str, tmp_path: Path) -> None:
    fresh, existing = tmp_path / "new.db", tmp_path / "old.db"
    existing.write_bytes(b"")
    existing.chmod(0o644)
    for target in (fresh, existing):
        assert _cli(demo_city, "backup", str(target)).returncode == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_restore_asks_first_and_changes_nothing_without_a_yes(
    demo_city: str, tmp_path: Path
) -> None:
    database = make_url(demo_city).database
    assert database
    backup_file = tmp_path / "backup.db"
    assert _cli(demo_city, "backup", str(backup_file)).returncode == 0
    users.create_user(
        actor("admin"),
        username="after.backup",
        display_name="",
        role="leader",
        org_id=None,
        password=STRONG_PASSWORD,
    )
    dispose_engines()
    before = _dump(database)
    for answer in ("", "no\n"):
        done = _cli(demo_city, "restore", str(backup_file), answer=answer)
        assert done.returncode == 1
        assert "覆盖当前数据库" in done.stdout
        assert "已取消" in done.stderr
        assert _dump(database) == before
    done = _cli(demo_city, "restore", str(backup_file), answer="yes\n")
    assert done.returncode == 0, done.stderr
    assert _dump(database) == _dump(str(backup_file))


def _foreign_sqlite(path: Path, revision: str | None) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x TEXT)")
    if revision is not None:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    conn.commit()
    conn.close()


def test_restore_refuses_what_is_not_a_backup_of_this_system(
    demo_city: str, tmp_path: Path
) -> None:
    database = make_url(demo_city).database
    assert database
    before = _dump(database)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello", encoding="utf-8")
    other_app, other_schema = tmp_path / "other.db", tmp_path / "future.db"
    _foreign_sqlite(other_app, None)
    _foreign_sqlite(other_schema, "ffffffffffff")
    for candidate, reason in (
        (text_file, "不是 SQLite"),
        (other_app, "不是本系统"),
        (other_schema, "不是本系统"),
    ):
        done = _cli(demo_city, "restore", str(candidate), "--yes")
        assert done.returncode == 1, done.stderr
        assert reason in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
        assert _dump(database) == before
