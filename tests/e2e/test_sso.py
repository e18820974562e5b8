"""In Chromium: single sign-on (统一身份认证登录) against a real OpenID Connect provider process
(`oidc-provider-mock`, started here on a free port): login → the role's first page, an unknown
identity and a disabled account → the Chinese refusal, logout → back at the login page (through
the provider's end-session page) and a new visit is not signed in."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from permissions import Scope
from tests.e2e.conftest import _free_port, _wait_http, demo_server
from tests.e2e.helpers import wait_app
from texts import auth as T
from texts import common as C
from ui.navigation import home_path

pytest.importorskip("oidc_provider_mock", reason="pip install -r requirements-dev.txt")

WAIT = 60_000  # ms: a busy machine runs two servers and a browser here
# branch02 is disabled before the app starts (the disabled-account case).
DISABLE_BRANCH02 = """
from sqlmodel import select
from db.engine import write_session
from db.models import User
with write_session() as session:
    user = session.exec(select(User).where(User.username == "branch02")).one()
    user.active = False
    session.add(user)
"""


class Provider:
    """A running oidc-provider-mock: any client id and secret; who signs in is typed on its
    authorization form (the subject), with the claims set beforehand through its API."""

    def __init__(self, log_path: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--port", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait_http(self.url + "/.well-known/openid-configuration", timeout=60)

    def set_claims(self, subject: str, claims: dict[str, object]) -> None:
        request = urllib.request.Request(
            f"{self.url}/users/{quote(subject)}",
            data=json.dumps(claims).encode(),
            headers={"Content-Type": "application/json"},
            method="PUT",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    running = Provider(tmp_path_factory.mktemp("oidc") / "provider.log")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def sso_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str, provider: Provider
) -> Iterator:
    env = {
        "OIDC_ISSUER": provider.url,
        "OIDC_CLIENT_ID": "wuxing",
        "OIDC_CLIENT_SECRET": "mock-provider-secret",
        "OIDC_USERNAME_CLAIM": "preferred_username",
        # Streamlit puts its server.port in for "{port}" (the test's server picks a free one).
        "OIDC_REDIRECT_URI": "http://127.0.0.1:{port}/oauth2callback",
    }
    with demo_server(tmp_path_factory, "sso", before_start=DISABLE_BRANCH02, **env) as server:
        yield server


def _sign_in_at_provider(page, base_url: str, subject: str) -> None:
    """From the login page through the provider's form (the subject typed there) and back."""
    page.goto(base_url + "/")
    wait_app(page)
    page.get_by_role("button", name=T.SSO_BUTTON).click()
    page.wait_for_url(lambda url: "/oauth2/authorize" in url, timeout=WAIT)
    page.locator('input[name="sub"]').fill(subject)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(lambda url: url.startswith(base_url), timeout=WAIT)
    wait_app(page)


def _context(browser, width: int = 1280, height: int = 860):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    # The mock provider's pages link a stylesheet on a CDN: offline here, so never asked for.
    context.route("**/cdn.jsdelivr.net/**", lambda route: route.abort())
    return context


def test_login_page_shows_the_sso_button(sso_server, browser, shots) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(sso_server.url + "/")
    wait_app(page)
    button = page.get_by_role("button", name=T.SSO_BUTTON)
    button.wait_for(timeout=WAIT)
    assert page.get_by_role("button", name="登录", exact=True).is_visible()  # passwords stay
    shots(page, "login-with-sso-button")
    context.close()
    # On a phone: the button fits the screen (no horizontal scroll).
    phone = _context(browser, 390, 844)
    page = phone.new_page()
    page.goto(sso_server.url + "/")
    wait_app(page)
    box = page.get_by_role("button", name=T.SSO_BUTTON).bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shots(page, "login-with-sso-button-phone")
    phone.close()


def test_sso_login_opens_the_roles_first_page(sso_server, browser, provider, shots) -> None:
    provider.set_claims("zhang.san", {"preferred_username": "branch01", "name": "张三"})
    context = _context(browser)
    page = context.new_page()
    _sign_in_at_provider(page, sso_server.url, "zhang.san")
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=WAIT)
    # Straight to the branch's first page, signed in as branch01 (a 支部书记).
    branch = SimpleNamespace(role="branch", org_id=1, scope=Scope())
    assert page.url == f"{sso_server.url}/{home_path(branch)}"
    assert C.ROLE_NAMES["branch"] in page.locator('[data-testid="stSidebar"]').inner_text()
    assert page.get_by_label("用户名").count() == 0
    shots(page, "signed-in-as-branch01")
    context.close()


def test_an_unknown_identity_is_refused_in_chinese(sso_server, browser, provider, shots) -> None:
    provider.set_claims("li.si", {"preferred_username": "no.such.account", "name": "李四"})
    context = _context(browser)
    page = context.new_page()
    _sign_in_at_provider(page, sso_server.url, "li.si")
    page.get_by_text(T.SSO_UNKNOWN).wait_for(timeout=WAIT)
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    shots(page, "unknown-identity-refused")
    # The refusal cleared the identity: a new visit is an anonymous one.
    page.goto(sso_server.url + "/")
    wait_app(page)
    page.get_by_label("用户名").wait_for(timeout=WAIT)
    assert not [c for c in context.cookies() if c["name"] in ("wx_session", "_streamlit_user")]
    context.close()


def test_a_disabled_account_is_refused(sso_server, browser, provider, shots) -> None:
    provider.set_claims("wang.wu", {"preferred_username": "branch02", "name": "王五"})
    context = _context(browser)
    page = context.new_page()
    _sign_in_at_provider(page, sso_server.url, "wang.wu")
    page.get_by_text(T.SSO_DISABLED).wait_for(timeout=WAIT)
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    shots(page, "disabled-account-refused")
    context.close()


def test_logout_ends_both_sessions(sso_server, browser, provider, shots) -> None:
    provider.set_claims("zhao.liu", {"preferred_username": "leader", "name": "赵六"})
    context = _context(browser)
    page = context.new_page()
    _sign_in_at_provider(page, sso_server.url, "zhao.liu")
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=WAIT)
    assert {c["name"] for c in context.cookies()} >= {"wx_session", "_streamlit_user"}
    page.get_by_role("button", name="退出登录").click()
    # The provider's end-session page (it has an end_session_endpoint), then back to us.
    page.wait_for_url(lambda url: "/oauth2/end_session" in url, timeout=WAIT)
    shots(page, "provider-end-session")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(lambda url: url.startswith(sso_server.url), timeout=WAIT)
    page.get_by_label("用户名").wait_for(timeout=WAIT)
    names = {c["name"] for c in context.cookies()}
    assert "wx_session" not in names
    assert "_streamlit_user" not in names
    # A new visit in the same browser is not signed in.
    page.goto(sso_server.url + "/")
    wait_app(page)
    page.get_by_label("用户名").wait_for(timeout=WAIT)
    assert page.locator('[data-testid="stSidebar"]').count() == 0
    shots(page, "after-logout")
    context.close()
