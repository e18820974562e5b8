"""The login page's answers: one message for every refused login, another for too many tries."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from settings import get_settings
from tests.utils import app_test
from texts import auth as T


def test_refused_and_throttled_logins_are_explained(demo_city: str) -> None:
    at = app_test(None)
    at.query_params["login"] = "failed"
    at.run()
    assert not at.exception
    failed = " ".join(e.value for e in at.error)
    assert "用户名或密码不正确" in failed
    assert "锁定" in failed
    at = app_test(None)
    at.query_params["login"] = "throttled"
    at.run()
    assert "登录尝试过于频繁" in " ".join(e.value for e in at.error)


@pytest.fixture
def single_sign_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Configure single sign-on (and more settings) for the app under test."""

    def configure(**extra: str) -> None:
        monkeypatch.setenv("OIDC_ISSUER", "http://127.0.0.1:9/realms/zhejiang")
        monkeypatch.setenv("OIDC_CLIENT_ID", "wuxing")
        monkeypatch.setenv("OIDC_CLIENT_SECRET", "client-secret-for-tests")
        monkeypatch.setenv("OIDC_REDIRECT_URI", "http://127.0.0.1:8501/oauth2callback")
        for name, value in extra.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield configure
    get_settings.cache_clear()


def test_the_sso_button_shows_only_when_configured(
    demo_city: str, single_sign_on: Callable[..., None]
) -> None:
    at = app_test(None).run()
    assert T.SSO_BUTTON not in [b.label for b in at.button]
    single_sign_on()
    at = app_test(None).run()
    assert not at.exception
    assert T.SSO_BUTTON in [b.label for b in at.button]
    assert T.PASSWORD_ADMINS_ONLY not in [i.value for i in at.info]
    single_sign_on(PASSWORD_LOGIN_ADMINS_ONLY="1")
    at = app_test(None).run()
    assert T.PASSWORD_ADMINS_ONLY in [i.value for i in at.info]


def test_single_sign_on_refusals_are_explained(
    demo_city: str, single_sign_on: Callable[..., None]
) -> None:
    single_sign_on()
    for outcome, text in (
        ("sso_unknown", T.SSO_UNKNOWN),
        ("sso_disabled", T.SSO_DISABLED),
        ("sso_awaiting_approval", T.SSO_PENDING),
        ("sso_registered", T.SSO_REGISTERED),
        ("sso_failed", T.SSO_FAILED),
    ):
        at = app_test(None)
        at.query_params["login"] = outcome
        at.run()
        assert not at.exception
        assert [e.value for e in at.error] == [text]
