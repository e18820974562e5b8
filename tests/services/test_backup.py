"""`python -m db backup FILE` and `restore FILE` on SQLite: the restored data equals the backup."""

from __future__ import annotations

import os
import sqlite3
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
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        conn.close()


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=url, DEMO_MODE="0", SECRET_KEY="backup-test-" + "z" * 32)
    return subprocess.run(
        [sys.executable, "-m", "db", *args],
        cwd=ROOT,
        env=env,
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
    assert len(saved["score_entry"]) > 1000 and saved["evidence"]

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
    done = _cli(demo_city, "restore", str(backup_file))
    assert done.returncode == 0, done.stderr
    assert _dump(database) == saved


def test_restore_of_a_missing_file_changes_nothing(demo_city: str, tmp_path: Path) -> None:
    database = make_url(demo_city).database
    assert database
    before = _dump(database)
    done = _cli(demo_city, "restore", str(tmp_path / "missing.db"))
    assert done.returncode == 1 and "找不到" in done.stderr
    assert _dump(database) == before
