"""The login page's answers: one message for every refused login, another for too many tries."""

from __future__ import annotations

from tests.utils import app_test


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
