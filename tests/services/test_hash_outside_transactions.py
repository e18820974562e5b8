"""argon2 never runs inside a write transaction (issue 12, finding 5): importing, creating and
resetting users, changing a password and logging in hash first, then write briefly."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import event

from db.engine import get_engine
from db.services import assessment as A
from db.services import auth, editing, imports, users
from tests.utils import STRONG_PASSWORD, actor

HEADER = ["用户名", "姓名", "角色", "组织编码", "初始密码"]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def hashes_in_writes(city: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of argon2 calls made while this thread had a write transaction open."""
    engine = get_engine()
    state = threading.local()
    seen: list[str] = []

    def on_begin(conn) -> None:
        if not conn.get_execution_options().get("readonly"):
            state.writing = getattr(state, "writing", 0) + 1

    def on_end(conn) -> None:
        if not conn.get_execution_options().get("readonly"):
            state.writing = max(0, getattr(state, "writing", 0) - 1)

    real = auth._hasher

    class Watched:
        """The module's hasher, noting calls made inside a write transaction."""

        def hash(self, password: str) -> str:
            if getattr(state, "writing", 0):
                seen.append("hash")
            return real.hash(password)

        def verify(self, stored: str, password: str) -> bool:
            if getattr(state, "writing", 0):
                seen.append("verify")
            return real.verify(stored, password)

        def check_needs_rehash(self, stored: str) -> bool:
            return real.check_needs_rehash(stored)

    event.listen(engine, "begin", on_begin)
    event.listen(engine, "commit", on_end)
    event.listen(engine, "rollback", on_end)
    monkeypatch.setattr(auth, "_hasher", Watched())
    yield seen
    event.remove(engine, "begin", on_begin)
    event.remove(engine, "commit", on_end)
    event.remove(engine, "rollback", on_end)


def test_no_argon2_inside_a_write_transaction(hashes_in_writes: list[str]) -> None:
    boss = actor("admin")
    data = _csv(
        [HEADER, ["shen.a", "审核员甲", "机关工委审核员", "", ""], ["shen.b", "乙", "领导", "", ""]]
    )
    assert imports.import_users(boss, data=data, filename="账号.csv").created == 2
    new_id = users.create_user(
        boss,
        username="lingdao2",
        display_name="",
        role="leader",
        org_id=None,
        password=STRONG_PASSWORD,
    )
    users.reset_password(boss, user_id=new_id, password="Another#Good-Pass-9")
    who, token = auth.login("lingdao2", "Another#Good-Pass-9")
    with pytest.raises(auth.LoginFailed):
        auth.login("lingdao2", "Wrong-Guess#7731")
    auth.change_password(who, "Another#Good-Pass-9", STRONG_PASSWORD, keep_token=token)
    auth.create_user(username="cli-admin", password=STRONG_PASSWORD, role="admin")
    assert hashes_in_writes == []


def test_importing_500_users_does_not_block_a_concurrent_save(
    city: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite has one writer: a save must not queue behind 500 password hashes.

    Each hash is a 10 ms sleep here (argon2 itself would take minutes): inside the transaction
    they would block every save for 5 s; the import's own write takes a fraction of a second.
    The bound asserted is generous (a loaded test machine); the figure is printed.
    """
    if not city.startswith("sqlite"):
        pytest.skip("the single-writer lock is SQLite's")
    cheap = auth.hash_password(STRONG_PASSWORD)

    def slow_cheap_hash(password: str) -> str:
        time.sleep(0.01)
        return cheap

    monkeypatch.setattr(auth, "hash_password", slow_cheap_hash)
    boss, branch = actor("admin"), actor("branch01")
    rows = [HEADER] + [[f"user{i:03d}", f"用户{i}", "领导", "", ""] for i in range(500)]
    outcome: list[object] = []

    def run_import() -> None:
        try:
            outcome.append(imports.import_users(boss, data=_csv(rows), filename="账号.csv"))
        except BaseException as exc:  # reported below
            outcome.append(exc)

    view = A.my_assessment(branch)
    durations: list[float] = []
    importer = threading.Thread(target=run_import)
    importer.start()
    n = 0
    while importer.is_alive():
        started = time.monotonic()
        view = A.get_assessment(branch, assessment_id=view.id)
        editing.save_star_page(
            branch,
            assessment_id=view.id,
            version=view.version,
            star="learning",
            entries={"L1.1": editing.EntryInput(points=str(Decimal(n % 3)), note=f"save {n}")},
        )
        durations.append(time.monotonic() - started)
        n += 1
        time.sleep(0.02)
    importer.join()
    assert not isinstance(outcome[0], BaseException), outcome[0]
    assert outcome[0].created == 500
    print(f"saves during a 500-user import: n={len(durations)} max={max(durations):.3f}s")
    assert len(durations) >= 5
    assert max(durations) < 2.0
