"""管理 → 用户: an account registered through single sign-on is approved into an organisation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from db.services import auth
from settings import get_settings
from tests.utils import actor, open_page
from texts import admin as T


@pytest.fixture
def self_registration(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OIDC_ISSUER", "http://127.0.0.1:9/realms/zhejiang")
    monkeypatch.setenv("OIDC_CLIENT_ID", "wuxing")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "client-secret-for-tests")
    monkeypatch.setenv("OIDC_REDIRECT_URI", "http://127.0.0.1:8501/oauth2callback")
    monkeypatch.setenv("OIDC_SELF_REGISTRATION", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _users_tab(username: str = "admin"):
    at = open_page(username, "pages/admin.py", timeout=90)
    at.session_state["admin:tab"] = "用户"
    return at.run()


def test_nothing_is_shown_while_nobody_waits(demo_city: str, self_registration: None) -> None:
    at = _users_tab()
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "admin:registration-user"]


def test_an_admin_approves_a_waiting_account(demo_city: str, self_registration: None) -> None:
    with pytest.raises(auth.RegistrationRecorded):
        auth.sso_login("zhou.jiu", "周九")
    at = _users_tab()
    assert not at.exception
    assert any(T.REGISTRATIONS_WAITING.format(n=1) in w.value for w in at.warning)
    # Approving without an organisation is refused in Chinese, nothing changes.
    next(b for b in at.button if b.label == T.REGISTRATION_APPROVE).click().run()
    assert T.REGISTRATION_NEEDS_ORG in [e.value for e in at.error]
    with pytest.raises(auth.AwaitingApproval):
        auth.sso_login("zhou.jiu")
    org_id = actor("branch02").org_id
    org = next(s for s in at.selectbox if s.key == "admin:registration-org")
    org.set_value(org_id)
    next(b for b in at.button if b.label == T.REGISTRATION_APPROVE).click().run()
    assert not at.exception
    assert any(T.REGISTRATION_APPROVED.format(username="zhou.jiu") in s.value for s in at.success)
    assert not [s for s in at.selectbox if s.key == "admin:registration-user"]
    signed_in, _token = auth.sso_login("zhou.jiu")
    assert (signed_in.role, signed_in.org_id, signed_in.display_name) == (
        "branch",
        org_id,
        "周九",
    )
