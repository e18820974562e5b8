"""Passwords, login and sessions."""

from __future__ import annotations

import pytest
from argon2 import Type, extract_parameters
from sqlmodel import select

from db.engine import read_session
from db.models import AuditLog
from db.services import auth
from tests.utils import STRONG_PASSWORD, make_user


def test_hash_is_argon2id_and_verifies() -> None:
    hashed = auth.hash_password("Correct-Horse-9")
    assert hashed.startswith("$argon2id$")
    assert auth.verify_password(hashed, "Correct-Horse-9")
    assert not auth.verify_password(hashed, "correct-horse-9")
    assert not auth.verify_password("not a hash", "x")


def test_the_app_hashes_at_argon2s_recommended_cost(real_argon2: None) -> None:
    """The suite hashes cheaply (tests/conftest.py); the app itself at RFC 9106's low-memory
    profile, argon2-cffi's default: 3 passes over 64 MiB in 4 lanes."""
    params = extract_parameters(auth.hash_password("Correct-Horse-9"))
    assert params.type is Type.ID
    assert params.time_cost >= 3
    assert params.memory_cost >= 64 * 1024
    assert params.parallelism >= 4


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", "至少"),
        ("password123", "常见"),
        ("admin123", "常见"),
        ("zhangsan2026!", "用户名"),
    ],
)
def test_password_rules(password: str, problem: str) -> None:
    problems = auth.password_problems(password, "zhangsan")
    assert any(problem in p for p in problems)


def test_good_password_has_no_problems() -> None:
    assert auth.password_problems(STRONG_PASSWORD, "zhangsan") == []


def test_login_success_opens_a_session(db_url: str) -> None:
    user = make_user("leader", username="lingdao")
    actor, token = auth.login("lingdao", STRONG_PASSWORD)
    assert actor == user
    assert auth.resolve_session(token) == user
    auth.logout(token)
    assert auth.resolve_session(token) is None


def test_unknown_user_and_wrong_password_get_the_same_message(db_url: str) -> None:
    make_user("leader", username="lingdao")
    with pytest.raises(auth.LoginFailed) as unknown:
        auth.login("nobody", STRONG_PASSWORD)
    with pytest.raises(auth.LoginFailed) as wrong:
        auth.login("lingdao", "wrong-password")
    assert unknown.value.message == wrong.value.message
    assert unknown.value.message.startswith("用户名或密码不正确")


def test_failed_logins_are_audited_without_the_password(db_url: str) -> None:
    make_user("leader", username="lingdao")
    with pytest.raises(auth.LoginFailed):
        auth.login("lingdao", "Secret-Attempt-42")
    with read_session() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.action == "login_failed")).all()
    assert rows
    assert all("Secret-Attempt-42" not in (r.detail + r.target_id) for r in rows)


def test_tampered_or_unknown_token_resolves_to_nobody(db_url: str) -> None:
    assert auth.resolve_session(None) is None
    assert auth.resolve_session("made-up-token") is None


def test_unknown_login_name_is_masked_in_the_audit_log(db_url: str) -> None:
    with pytest.raises(auth.LoginFailed):
        auth.login("MyS3cret-Passw0rd", "whatever")
    with read_session() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.action == "login_failed")).all()
    assert rows
    assert all("MyS3cret-Passw0rd" not in r.target_id + r.detail for r in rows)
    assert rows[-1].target_id.startswith("My***")


def test_changing_the_password_ends_the_other_sessions(db_url: str) -> None:
    user = make_user("leader", username="lingdao")
    _, here = auth.login("lingdao", STRONG_PASSWORD)
    _, elsewhere = auth.login("lingdao", STRONG_PASSWORD)
    auth.change_password(user, STRONG_PASSWORD, "Another#Good-Pass-9", keep_token=here)
    assert auth.resolve_session(here) == user
    assert auth.resolve_session(elsewhere) is None
