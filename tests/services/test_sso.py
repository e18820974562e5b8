"""Single sign-on: a provider-confirmed identity mapped to an account, refusals, self-registration
and its approval, password login for admins only. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from db.engine import read_session
from db.models import EVALUATED_ORG_TYPES, AuditLog, AuthSession, Organisation, User
from db.services import auth, registrations, users
from db.services.common import NotFound, PermissionDenied
from settings import get_settings
from tests.utils import STRONG_PASSWORD, actor


@pytest.fixture
def sso_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Single sign-on configured (a provider that is never called: the service gets the name)."""
    monkeypatch.setenv("OIDC_ISSUER", "http://127.0.0.1:9/realms/zhejiang")
    monkeypatch.setenv("OIDC_CLIENT_ID", "wuxing")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "client-secret-for-tests")
    monkeypatch.setenv("OIDC_REDIRECT_URI", "http://127.0.0.1:8501/oauth2callback")
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def _entries(action: str) -> list[AuditLog]:
    with read_session() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == action)).all())


def _user(username: str) -> User | None:
    with read_session() as session:
        return session.exec(select(User).where(User.username == username)).first()


def test_a_known_identity_signs_in_like_a_password_login(city: str, sso_settings: object) -> None:
    actor_, token = auth.sso_login("branch01", "张三")
    assert actor_ == actor("branch01")
    assert auth.resolve_session(token) == actor_
    login = _entries("login")[-1]
    assert login.actor_id == actor_.id
    assert json.loads(login.detail or "{}") == {"method": "sso"}
    auth.logout(token)
    assert auth.resolve_session(token) is None


def test_an_unknown_identity_is_refused_and_audited(
    city: str, sso_settings: object, caplog: pytest.LogCaptureFixture
) -> None:
    with read_session() as session:
        before = len(session.exec(select(User)).all())
    with pytest.raises(auth.UnknownIdentity) as refused:
        auth.sso_login("stranger.li", "李四")
    assert "没有与之对应的账号" in refused.value.message
    assert refused.value.reason == "unknown"
    with read_session() as session:
        assert len(session.exec(select(User)).all()) == before  # nothing registered
        assert session.exec(select(AuthSession)).all() == []
    entry = _entries("sso_refused")[-1]
    assert entry.actor_id is None
    assert json.loads(entry.detail or "{}")["reason"] == "unknown"
    assert entry.target_id == "stranger.li"  # the provider's name, for the admin to see
    assert "single sign-on refused (unknown): stranger.li" in caplog.text


def test_a_disabled_account_is_refused(city: str, sso_settings: object) -> None:
    admin = actor("admin")
    users.set_user_active(admin, user_id=actor("branch02").id, active=False)
    with pytest.raises(auth.IdentityDisabled) as refused:
        auth.sso_login("branch02")
    assert "已被停用" in refused.value.message
    entry = _entries("sso_refused")[-1]
    assert entry.actor_id == actor("branch02").id
    assert json.loads(entry.detail or "{}") == {"reason": "disabled"}


def test_a_password_lock_does_not_stop_the_provider_confirmed_person(
    city: str, sso_settings: object
) -> None:
    for _ in range(get_settings().login_max_failures):
        with pytest.raises(auth.LoginFailed):
            auth.login("branch01", "wrong-password-0")
    with pytest.raises(auth.AccountLocked):
        auth.login("branch01", "demo123456")
    actor_, _token = auth.sso_login("branch01")
    assert actor_.username == "branch01"


def test_self_registration_waits_for_an_admins_approval(
    city: str, sso_settings: pytest.MonkeyPatch
) -> None:
    sso_settings.setenv("OIDC_SELF_REGISTRATION", "1")
    get_settings.cache_clear()
    with pytest.raises(auth.RegistrationRecorded) as registered:
        auth.sso_login("wang.wu", "王五")
    assert "等待管理员审核" in registered.value.message
    user = _user("wang.wu")
    assert user is not None
    assert (user.role, user.org_id, user.active, user.awaiting_approval) == (
        "branch",
        None,
        False,
        True,
    )
    assert user.display_name == "王五"
    assert not auth.verify_password(user.password_hash, "")  # no password opens it
    with pytest.raises(auth.LoginFailed):
        auth.login("wang.wu", "")
    # Signing in again before the approval: told it is waiting, nothing new registered.
    with pytest.raises(auth.AwaitingApproval):
        auth.sso_login("wang.wu", "王五")
    assert len(_entries("sso_registered")) == 1

    admin = actor("admin")
    waiting = registrations.pending_registrations(admin)
    assert [r.username for r in waiting] == ["wang.wu"]
    org_id = actor("branch02").org_id
    assert org_id is not None
    registrations.approve_registration(
        admin, user_id=waiting[0].user_id, version=waiting[0].version, org_id=org_id
    )
    assert registrations.pending_registrations(admin) == []
    approved, _token = auth.sso_login("wang.wu")
    assert (approved.role, approved.org_id) == ("branch", org_id)
    assert _entries("registration_approved")[-1].actor_id == admin.id


def test_a_refused_registration_stays_disabled(city: str, sso_settings: pytest.MonkeyPatch) -> None:
    sso_settings.setenv("OIDC_SELF_REGISTRATION", "1")
    get_settings.cache_clear()
    with pytest.raises(auth.RegistrationRecorded):
        auth.sso_login("zhao.liu")
    admin = actor("admin")
    (waiting,) = registrations.pending_registrations(admin)
    registrations.reject_registration(admin, user_id=waiting.user_id, version=waiting.version)
    with pytest.raises(auth.IdentityDisabled):
        auth.sso_login("zhao.liu")
    with pytest.raises(NotFound):  # already handled: a second click is told so
        registrations.reject_registration(admin, user_id=waiting.user_id, version=waiting.version)


def test_an_unusable_name_is_never_registered(city: str, sso_settings: pytest.MonkeyPatch) -> None:
    sso_settings.setenv("OIDC_SELF_REGISTRATION", "1")
    get_settings.cache_clear()
    with pytest.raises(auth.UnknownIdentity):
        auth.sso_login("<script>")
    assert _user("<script>") is None


def test_a_region_admin_approves_only_into_its_region(
    city: str, sso_settings: pytest.MonkeyPatch
) -> None:
    sso_settings.setenv("OIDC_SELF_REGISTRATION", "1")
    get_settings.cache_clear()
    with pytest.raises(auth.RegistrationRecorded):
        auth.sso_login("qian.qi")
    keqiao = actor("keqiao_admin")
    (waiting,) = registrations.pending_registrations(keqiao)  # every admin sees the list
    with read_session() as session:
        orgs = session.exec(
            select(Organisation).where(col(Organisation.org_type).in_(EVALUATED_ORG_TYPES))
        ).all()
    outside = next(o for o in orgs if o.region != keqiao.scope_region)
    inside = next(o for o in orgs if o.region == keqiao.scope_region)
    assert outside.id is not None
    assert inside.id is not None
    with pytest.raises(PermissionDenied):
        registrations.approve_registration(
            keqiao, user_id=waiting.user_id, version=waiting.version, org_id=outside.id
        )
    registrations.approve_registration(
        keqiao, user_id=waiting.user_id, version=waiting.version, org_id=inside.id
    )
    assert auth.sso_login("qian.qi")[0].org_id == inside.id


def test_password_login_for_admins_only(city: str, sso_settings: pytest.MonkeyPatch) -> None:
    sso_settings.setenv("PASSWORD_LOGIN_ADMINS_ONLY", "1")
    get_settings.cache_clear()
    with pytest.raises(auth.BadCredentials) as refused:
        auth.login("branch01", "demo123456")  # the right password, the generic answer
    assert refused.value.message == auth.BadCredentials().message
    assert _entries("login_refused_sso_only")[-1].actor_id == actor("branch01").id
    assert auth.login("admin", "demo123456")[0].username == "admin"
    assert auth.sso_login("branch01")[0].username == "branch01"


def test_a_new_account_made_by_an_admin_can_sign_in_through_the_provider(
    city: str, sso_settings: object
) -> None:
    org_id = actor("branch02").org_id
    users.create_user(
        actor("admin"),
        username="sun.ba",
        display_name="孙八",
        role="branch",
        org_id=org_id,
        password=STRONG_PASSWORD,
    )
    assert auth.sso_login("sun.ba")[0].org_id == org_id
