"""Passwords, logins and server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import AuthSession, Role, User, utcnow
from db.services.common import Actor, InvalidInput, ServiceError, audit, audit_now, require
from permissions import Action
from settings import get_settings
from texts import auth as T

MIN_PASSWORD_LENGTH = 8
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[2] / "sample_data" / "common_passwords.txt"
LAST_SEEN_RESOLUTION = timedelta(seconds=60)  # don't write on every rerun

_hasher = PasswordHasher()  # argon2id with the library's current defaults
# Verified when the user is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-timing")


class LoginFailed(ServiceError):
    """A refused login; the subclass says why, the message says it in Chinese."""


class BadCredentials(LoginFailed):
    """Unknown or disabled user, or wrong password (one message for all, on purpose)."""

    def __init__(self) -> None:
        super().__init__(T.LOGIN_FAILED)


class AccountLocked(LoginFailed):
    """Too many failures: the account is locked for `minutes`."""

    def __init__(self, minutes: int) -> None:
        super().__init__(T.LOGIN_LOCKED.format(minutes=minutes))
        self.minutes = minutes


class SessionEnded(LoginFailed):
    """The acting user's account is gone or disabled since the page was loaded."""

    def __init__(self) -> None:
        super().__init__(T.SESSION_EXPIRED)


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def password_problems(password: str, username: str = "") -> list[str]:
    """Every reason `password` is refused, as Chinese sentences (empty when acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(T.PW_TOO_SHORT.format(n=MIN_PASSWORD_LENGTH))
    if password.lower() in common_passwords():
        problems.append(T.PW_COMMON)
    if username and username.lower() in password.lower():
        problems.append(T.PW_SAME_AS_USERNAME)
    return problems


def check_password(password: str, username: str = "") -> None:
    problems = password_problems(password, username)
    if problems:
        raise InvalidInput(problems[0], errors=problems)


def _masked(username: str) -> str:
    """An unknown login name, masked: people sometimes type their password into that box."""
    if len(username) <= 2:
        return "*" * len(username)
    return f"{username[:2]}***（{len(username)} 个字符）"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User) -> Actor:
    assert user.id is not None
    return Actor(user.id, user.username, user.display_name, Role(user.role), user.org_id)


def login(username: str, password: str) -> tuple[Actor, str]:
    """Check the credentials and open a session; returns the actor and the session token.

    Unknown user and wrong password give the same message; after too many failures the
    account is locked for a while.
    """
    settings = get_settings()
    username = (username or "").strip()
    now = utcnow()
    # A refusal is committed (failure count, lock, audit) before it is raised.
    refusal: LoginFailed | None = None
    with write_session() as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            verify_password(_DUMMY_HASH, password or "")
            target = username if user is not None else _masked(username)
            audit(session, None, "login_failed", "user", target, {"reason": "unknown_or_disabled"})
            refusal = BadCredentials()
        elif user.locked_until and user.locked_until > now:
            audit(session, actor_of(user), "login_refused_locked", "user", user.id)
            refusal = AccountLocked(settings.lockout_minutes)
        elif not verify_password(user.password_hash, password or ""):
            user.failed_logins += 1
            detail: dict[str, object] = {"failures": user.failed_logins}
            if user.failed_logins >= settings.login_max_failures:
                user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                user.failed_logins = 0
                detail["locked_until"] = user.locked_until.isoformat()
            session.add(user)
            audit(session, actor_of(user), "login_failed", "user", user.id, detail)
            refusal = BadCredentials()
        else:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            user.failed_logins = 0
            user.locked_until = None
            session.add(user)
            token = secrets.token_urlsafe(32)
            session.add(AuthSession(token_hash=_token_hash(token), user_id=user.id))
            actor = actor_of(user)
            audit(session, actor, "login", "user", user.id)
    if refusal is not None:
        raise refusal
    return actor, token


def resolve_session(token: str | None) -> Actor | None:
    """The actor behind a session token, or None if it is unknown, ended, idle or disabled."""
    if not token:
        return None
    settings = get_settings()
    now = utcnow()
    with read_session() as session:
        row = session.exec(
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)  # type: ignore[arg-type]
            .where(AuthSession.token_hash == _token_hash(token))
        ).first()
    if row is None:
        return None
    auth_session, user = row
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    if auth_session.revoked or not user.active or now - auth_session.last_seen > idle_limit:
        return None
    if now - auth_session.last_seen > LAST_SEEN_RESOLUTION:
        with write_session() as session:
            fresh = session.get(AuthSession, auth_session.id)
            if fresh is not None:
                fresh.last_seen = now
                session.add(fresh)
    return actor_of(user)


def logout(token: str | None) -> None:
    """End the session behind `token` (no error if it is already gone)."""
    if not token:
        return
    with write_session() as session:
        row = session.exec(
            select(AuthSession).where(AuthSession.token_hash == _token_hash(token))
        ).first()
        if row is None or row.revoked:
            return
        row.revoked = True
        session.add(row)
        user = session.get(User, row.user_id)
        audit(session, actor_of(user) if user else None, "logout", "user", row.user_id)


def end_sessions_of(session, user_id: int) -> int:  # type: ignore[no-untyped-def]
    """Revoke every open session of a user inside the caller's transaction."""
    rows = session.exec(
        select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked == False)  # noqa: E712
    ).all()
    for row in rows:
        row.revoked = True
        session.add(row)
    return len(rows)


def change_password(
    actor: Actor | None, current: str, new: str, *, keep_token: str | None = None
) -> None:
    """Change the actor's own password (the current one is required); other sessions end."""
    actor = require(actor, Action.CHANGE_OWN_PASSWORD)
    with read_session() as session:
        user = session.get(User, actor.id)
    if user is None or not user.active:
        raise SessionEnded()
    if not verify_password(user.password_hash, current):
        audit_now(actor, "password_change_failed", "user", actor.id)
        raise InvalidInput(T.PW_WRONG_CURRENT, errors=[T.PW_WRONG_CURRENT])
    check_password(new, user.username)
    with write_session() as session:
        user = session.get(User, actor.id)
        assert user is not None
        user.password_hash = hash_password(new)
        user.password_changed_at = utcnow()
        user.version += 1
        session.add(user)
        keep = _token_hash(keep_token) if keep_token else None
        ended = 0
        for row in session.exec(
            select(AuthSession).where(
                AuthSession.user_id == actor.id,
                AuthSession.revoked == False,  # noqa: E712
            )
        ).all():
            if row.token_hash != keep:
                row.revoked = True
                session.add(row)
                ended += 1
        audit(session, actor, "password_changed", "user", actor.id, {"sessions_ended": ended})


def create_user(
    *,
    username: str,
    password: str,
    role: str,
    org_id: int | None = None,
    display_name: str = "",
    enforce_policy: bool = True,
) -> int:
    """Insert a user (CLI and demo seed; the admin screens go through the admin services)."""
    if role not in set(Role):
        raise InvalidInput(f"未知角色：{role}")
    if enforce_policy:
        check_password(password, username)
    with write_session() as session:
        if session.exec(select(User).where(User.username == username)).first():
            raise InvalidInput(f"用户名 {username} 已存在。")
        user = User(
            username=username,
            display_name=display_name,
            role=role,
            org_id=org_id,
            password_hash=hash_password(password),
        )
        session.add(user)
        session.flush()
        audit(session, None, "user_created", "user", user.id, {"username": username, "role": role})
        assert user.id is not None
        return user.id


__all__ = [
    "AccountLocked",
    "BadCredentials",
    "LoginFailed",
    "SessionEnded",
    "audit_now",
    "change_password",
    "check_password",
    "create_user",
    "end_sessions_of",
    "hash_password",
    "login",
    "logout",
    "password_problems",
    "resolve_session",
    "verify_password",
]
