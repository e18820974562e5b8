"""Passwords, logins and server-side sessions."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, case, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import AuthSession, Role, User, utcnow
from db.services.common import Actor, InvalidInput, ServiceError, audit, audit_now, invalid, require
from permissions import Action
from settings import get_settings
from texts import auth as T

MIN_PASSWORD_LENGTH = 10
MIN_SEQUENCE_RUN = 3  # "abc", "123", "qwe": shorter runs are too common in real words to refuse
# Rows and columns of a Chinese/US keyboard and the digit and letter orders, read both ways: a
# password made only of runs of these (qwer1234, abc123456, 1qaz2wsx, 987654321) is refused.
SEQUENCES = (
    "01234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "`1234567890-=",
    "~!@#$%^&*()_+",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "qazwsxedcrfvtgbyhnujmik,ol.p;/",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
    "!qaz@wsx#edc$rfv%tgb",
)
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[2] / "sample_data" / "common_passwords.txt"
LAST_SEEN_RESOLUTION = timedelta(seconds=60)  # don't write on every rerun
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
# The password hash of an account registered by single sign-on: never a valid argon2 hash, so
# no password opens it (an admin may set one with 重置密码).
NO_PASSWORD = "!sso-only"

log = logging.getLogger("wuxing.auth")

_hasher = PasswordHasher()  # argon2id with the library's current defaults


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified when the user is unknown, so both paths take the same time (made on first use:
    hashing at import cost every process start half a second)."""
    return _hasher.hash("not-a-real-password-just-timing")


class LoginFailed(ServiceError):
    """A refused login. The subclass says why (for the code and the tests); the message is the
    same for every reason, so the login page never tells a guesser which one it was."""

    def __init__(self) -> None:
        super().__init__(T.LOGIN_FAILED.format(minutes=get_settings().lockout_minutes))


class BadCredentials(LoginFailed):
    """Unknown or disabled user, or wrong password."""


class AccountLocked(LoginFailed):
    """Too many failures: the account is locked for LOCKOUT_MINUTES."""


class SessionEnded(ServiceError):
    """The acting user's account is gone or disabled since the page was loaded."""

    def __init__(self) -> None:
        super().__init__(T.SESSION_EXPIRED)


class SsoRefused(ServiceError):
    """A provider-confirmed identity that may not sign in; `reason` is what the audit records."""

    reason = "failed"
    text = T.SSO_FAILED

    def __init__(self) -> None:
        super().__init__(self.text)


class UnknownIdentity(SsoRefused):
    """No account has the identity's user name (and self-registration is off)."""

    reason = "unknown"
    text = T.SSO_UNKNOWN


class IdentityDisabled(SsoRefused):
    """The account exists but is disabled."""

    reason = "disabled"
    text = T.SSO_DISABLED


class AwaitingApproval(SsoRefused):
    """A self-registered account an admin has not approved yet."""

    reason = "awaiting_approval"
    text = T.SSO_PENDING


class RegistrationRecorded(SsoRefused):
    """The identity was unknown and is now registered, waiting for an admin's approval."""

    reason = "registered"
    text = T.SSO_REGISTERED


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
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def _is_run(text: str) -> bool:
    """`text` is a stretch of one keyboard row/column or of the digit or letter order."""
    return any(text in seq or text in seq[::-1] for seq in SEQUENCES)


def _repeats_a_short_unit(text: str) -> bool:
    """121212…, abcabc…, 5858…: the whole password is one unit of at most 4 characters repeated."""
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size)
        for size in range(2, 5)
        if len(text) >= 2 * size
    )


def is_sequence(password: str) -> bool:
    """Made only of keyboard/digit/letter runs of 3+ characters (qwer1234), or a short repeat."""
    text = password.lower()
    if _repeats_a_short_unit(text):
        return True
    n = len(text)
    # covered[i]: text[:i] splits into runs of at least MIN_SEQUENCE_RUN characters.
    covered = [True] + [False] * n
    for end in range(MIN_SEQUENCE_RUN, n + 1):
        covered[end] = any(
            covered[start] and _is_run(text[start:end])
            for start in range(0, end - MIN_SEQUENCE_RUN + 1)
        )
    return n > 0 and covered[n]


def password_problems(password: str, username: str = "") -> list[str]:
    """Every reason `password` is refused, as Chinese sentences (empty when acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(T.PW_TOO_SHORT.format(n=MIN_PASSWORD_LENGTH))
    if password and len(set(password)) == 1:
        problems.append(T.PW_ONE_CHARACTER)
    elif is_sequence(password):
        problems.append(T.PW_SEQUENCE)
    if password.lower() in common_passwords() or password.strip().lower() in common_passwords():
        problems.append(T.PW_COMMON)
    name = (username or "").strip().lower()
    if len(name) >= 3 and name in password.lower():
        problems.append(T.PW_SAME_AS_USERNAME)
    return problems


def check_password(password: str, username: str = "") -> None:
    problems = password_problems(password, username)
    if problems:
        raise invalid(problems)


def _masked(username: str) -> str:
    """An unknown login name, masked: people sometimes type their password into that box."""
    if len(username) <= 2:
        return "*" * len(username)
    return T.MASKED_USERNAME.format(start=username[:2], n=len(username))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User) -> Actor:
    assert user.id is not None
    return Actor(
        user.id,
        user.username,
        user.display_name,
        Role(user.role),
        user.org_id,
        user.scope_region,
        user.scope_department_id,
    )


def _count_failure(session: Session, user_id: int, now: datetime) -> tuple[int, datetime | None]:
    """Add one failure in a single UPDATE (no read-modify-write: parallel failures all count).

    Reaching the limit locks the account and starts the count again, all in the same statement;
    returns (failures now, locked until).
    """
    settings = get_settings()
    reached = col(User.failed_logins) + 1 >= settings.login_max_failures
    until = now + timedelta(minutes=settings.lockout_minutes)
    row = session.execute(
        update(User)
        .where(col(User.id) == user_id)
        .values(
            failed_logins=case((reached, 0), else_=col(User.failed_logins) + 1),
            locked_until=case((reached, until), else_=col(User.locked_until)),
        )
        .returning(col(User.failed_logins), col(User.locked_until))
    ).one()
    return int(row[0]), row[1]


def _open_if_unlocked(session: Session, user_id: int, now: datetime) -> bool:
    """Clear the failure count unless a lock is in force, in one UPDATE; False when locked.

    Deciding in the statement itself means a failure that locks the account a moment earlier,
    on this or another process, is seen: a right password cannot slip past a fresh lock.
    """
    done = session.execute(
        update(User)
        .where(
            and_(
                col(User.id) == user_id,
                col(User.active).is_(True),
                or_(col(User.locked_until).is_(None), col(User.locked_until) <= now),
            )
        )
        .values(failed_logins=0, locked_until=None)
        .returning(col(User.id))
    ).first()
    return done is not None


def login(username: str, password: str) -> tuple[Actor, str]:
    """Check the credentials and open a session; returns the actor and the session token.

    Unknown user, disabled or locked account and wrong password give the same message and cost
    the same time (one argon2 verification each, against a dummy hash for unknown users). The
    hash is checked before any write transaction opens: it holds no lock while it runs. Failures
    are counted atomically; after too many the account is locked for a while.
    """
    username = (username or "").strip()
    password = password or ""
    with read_session() as session:
        user = session.exec(select(User).where(User.username == username)).first()
    known = user is not None and user.active
    # Password login switched off for everyone but admins (single sign-on): such an account is
    # refused like a wrong password, after the same verification (no oracle, same time).
    sso_only = (
        known
        and user is not None
        and get_settings().password_login_admins_only
        and user.role != Role.ADMIN
    )
    stored = user.password_hash if user is not None and known else _dummy_hash()
    matches = verify_password(stored, password)
    new_hash = None
    if known and matches and not sso_only and _hasher.check_needs_rehash(stored):
        new_hash = hash_password(password)
    now = utcnow()
    refused: LoginFailed | None = BadCredentials()
    # A refusal is committed (failure count, lock, audit) before it is raised.
    with write_session() as session:
        if not known:
            target = username if user is not None else _masked(username)
            audit(session, None, "login_failed", "user", target, {"reason": "unknown_or_disabled"})
        elif sso_only:
            assert user is not None
            audit(session, actor_of(user), "login_refused_sso_only", "user", user.id)
        else:
            assert user is not None
            assert user.id is not None
            locked = user.locked_until is not None and user.locked_until > now
            if locked:
                refused = AccountLocked()
                audit(session, actor_of(user), "login_refused_locked", "user", user.id)
            elif not matches:
                failures, locked_until = _count_failure(session, user.id, now)
                detail: dict[str, object] = {"failures": failures}
                if failures == 0 and locked_until is not None:
                    detail["failures"] = get_settings().login_max_failures
                    detail["locked_until"] = locked_until.isoformat()
                audit(session, actor_of(user), "login_failed", "user", user.id, detail)
            elif not _open_if_unlocked(session, user.id, now):
                refused = AccountLocked()
                audit(session, actor_of(user), "login_refused_locked", "user", user.id)
            else:
                if new_hash is not None:
                    session.execute(
                        update(User).where(col(User.id) == user.id).values(password_hash=new_hash)
                    )
                actor, token = _open_session(session, user, "password")
                refused = None
    if refused is not None:
        raise refused
    return actor, token


def _open_session(session: Session, user: User, method: str) -> tuple[Actor, str]:
    """Start a server-side session for `user` in the caller's transaction: (actor, token)."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(token_hash=_token_hash(token), user_id=user.id))
    actor = actor_of(user)
    detail = {"method": method} if method != "password" else None
    audit(session, actor, "login", "user", user.id, detail)
    return actor, token


def sso_login(username: str, display_name: str = "") -> tuple[Actor, str]:
    """Sign in the account named by a provider-confirmed identity; (actor, session token).

    The caller (web/sso.py) has taken `username` from the identity's configured claim. An
    unknown name, a disabled account and one awaiting approval are refused with their own
    Chinese message, audited and logged. With OIDC_SELF_REGISTRATION an unknown name is
    registered instead: a branch account without organisation that cannot sign in until an
    admin approves it. A password lock does not apply (the provider checked the person).
    """
    username = (username or "").strip()
    display_name = (display_name or "").strip()[:64]
    refused: SsoRefused | None = None
    try:
        with write_session() as session:
            user = session.exec(select(User).where(User.username == username)).first()
            if user is None:
                refused = _unknown_identity(session, username, display_name)
            elif user.awaiting_approval or not user.active:
                refused = AwaitingApproval() if user.awaiting_approval else IdentityDisabled()
                detail = {"reason": refused.reason}
                audit(session, actor_of(user), "sso_refused", "user", user.id, detail)
            else:
                actor, token = _open_session(session, user, "sso")
    except IntegrityError:  # the same new identity registered by a parallel request
        refused = AwaitingApproval()
    if refused is not None:
        shown = username if USERNAME_RE.match(username) else _masked(username)
        log.warning("single sign-on refused (%s): %s", refused.reason, shown)
        raise refused
    return actor, token


def _unknown_identity(session: Session, username: str, display_name: str) -> SsoRefused:
    """Refuse an identity no account has, or register it when self-registration is on."""
    valid = bool(USERNAME_RE.match(username))
    if not get_settings().oidc_self_registration or not valid:
        # The name is the provider's, not typed into our form: recorded as it is (a name no
        # account could have, masked), so that an admin can see who asked for an account.
        refused: SsoRefused = UnknownIdentity()
        target = username if valid else _masked(username)
        audit(session, None, "sso_refused", "user", target, {"reason": refused.reason})
        return refused
    user = User(
        username=username,
        display_name=display_name,
        role=Role.BRANCH,
        org_id=None,
        password_hash=NO_PASSWORD,
        active=False,
        awaiting_approval=True,
    )
    session.add(user)
    session.flush()
    audit(session, actor_of(user), "sso_registered", "user", user.id, {"username": username})
    return RegistrationRecorded()


def resolve_session(token: str | None) -> Actor | None:
    """The actor behind a session token, or None if it is unknown, ended, idle or disabled."""
    if not token:
        return None
    settings = get_settings()
    now = utcnow()
    with read_session() as session:
        row = session.exec(
            select(AuthSession, User)
            .join(User, col(User.id) == AuthSession.user_id)
            .where(col(AuthSession.token_hash) == _token_hash(token))
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


def end_sessions_of(session: Session, user_id: int) -> int:
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
        raise invalid([T.PW_WRONG_CURRENT])
    check_password(new, user.username)
    new_hash = hash_password(new)  # before the write transaction, not in it
    with write_session() as session:
        user = session.get(User, actor.id)
        assert user is not None
        user.password_hash = new_hash
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
        raise InvalidInput(T.ERR_UNKNOWN_ROLE.format(role=role))
    if enforce_policy:
        check_password(password, username)
    password_hash = hash_password(password)  # before the write transaction, not in it
    with write_session() as session:
        if session.exec(select(User).where(User.username == username)).first():
            raise InvalidInput(T.ERR_USERNAME_EXISTS.format(username=username))
        user = User(
            username=username,
            display_name=display_name,
            role=role,
            org_id=org_id,
            password_hash=password_hash,
        )
        session.add(user)
        session.flush()
        audit(session, None, "user_created", "user", user.id, {"username": username, "role": role})
        assert user.id is not None
        return user.id


__all__ = [
    "AccountLocked",
    "AwaitingApproval",
    "BadCredentials",
    "IdentityDisabled",
    "LoginFailed",
    "RegistrationRecorded",
    "SessionEnded",
    "SsoRefused",
    "UnknownIdentity",
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
    "sso_login",
    "verify_password",
]
