"""/session/sso and the callback middleware, with identity cookies signed as Streamlit does."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit.web.server.starlette.starlette_app_utils import create_signed_value
from streamlit.web.server.starlette.starlette_server_config import (
    TOKENS_COOKIE_NAME,
    USER_COOKIE_NAME,
)

from db.services import auth
from settings import get_settings
from tests.utils import make_user
from ui.navigation import home_path
from web import sso
from web.cookies import COOKIE_NAME, unsign_token
from web.routes import ROUTES

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def client(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("OIDC_ISSUER", "http://127.0.0.1:9/realms/zhejiang")
    monkeypatch.setenv("OIDC_CLIENT_ID", "wuxing")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "client-secret-for-tests")
    monkeypatch.setenv("OIDC_REDIRECT_URI", "http://testserver/oauth2callback")
    get_settings.cache_clear()
    make_user("leader", username="lingdao")
    yield TestClient(Starlette(routes=ROUTES), follow_redirects=False)
    get_settings.cache_clear()


def _identity(claims: dict[str, object], secret: str | None = None) -> str:
    """The `_streamlit_user` cookie Streamlit's callback sets (same signing, same payload)."""
    value = json.dumps({**claims, "origin": "http://testserver", "is_logged_in": True})
    key = secret or sso.cookie_secret(get_settings())
    return create_signed_value(key, USER_COOKIE_NAME, value).decode()


def test_a_fresh_identity_signs_in_its_account(client: TestClient) -> None:
    client.cookies.set(USER_COOKIE_NAME, _identity({"preferred_username": "lingdao"}))
    response = client.get("/session/sso")
    assert response.status_code == 303
    token = unsign_token(response.cookies[COOKIE_NAME])
    signed_in = auth.resolve_session(token)
    assert signed_in is not None
    assert signed_in.username == "lingdao"
    assert response.headers["location"] == "/" + home_path(signed_in)  # the role's first page
    assert "httponly" in response.headers["set-cookie"].lower()


def test_refusals_go_to_the_login_page_and_clear_the_identity(client: TestClient) -> None:
    client.cookies.set(USER_COOKIE_NAME, _identity({"preferred_username": "nobody.here"}))
    client.cookies.set(TOKENS_COOKIE_NAME, "x")
    response = client.get("/session/sso")
    assert response.headers["location"] == "/?login=sso_unknown"
    assert COOKIE_NAME not in response.cookies
    cleared = response.headers.get_list("set-cookie")
    assert any(c.startswith(f"{USER_COOKIE_NAME}=") and "Max-Age=0" in c for c in cleared)
    assert any(c.startswith(f"{TOKENS_COOKIE_NAME}=") and "Max-Age=0" in c for c in cleared)


@pytest.mark.parametrize(
    "cookie",
    [
        "",  # no identity at all
        "forged",  # not signed
        "wrong-key",  # signed with another key
        "no-claim",  # the configured claim is missing
    ],
)
def test_no_valid_identity_is_a_failed_sign_in(client: TestClient, cookie: str) -> None:
    if cookie == "forged":
        client.cookies.set(USER_COOKIE_NAME, json.dumps({"preferred_username": "lingdao"}))
    elif cookie == "wrong-key":
        client.cookies.set(
            USER_COOKIE_NAME, _identity({"preferred_username": "lingdao"}, secret="x" * 64)
        )
    elif cookie == "no-claim":
        client.cookies.set(USER_COOKIE_NAME, _identity({"email": "lingdao@example.gov.cn"}))
    response = client.get("/session/sso")
    assert response.headers["location"] == "/?login=sso_failed"
    assert COOKIE_NAME not in response.cookies


def test_an_old_identity_does_not_open_a_session(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = _identity({"preferred_username": "lingdao"})
    later = time.time() + sso.FRESH_SECONDS + 5
    monkeypatch.setattr(time, "time", lambda: later)
    client.cookies.set(USER_COOKIE_NAME, signed)
    assert client.get("/session/sso").headers["location"] == "/?login=sso_failed"


def test_logout_after_single_sign_on_passes_through_streamlits_logout(
    client: TestClient,
) -> None:
    client.cookies.set(USER_COOKIE_NAME, _identity({"preferred_username": "lingdao"}))
    client.get("/session/sso")
    token = unsign_token(client.cookies[COOKIE_NAME])
    response = client.post("/session/logout", headers=ORIGIN)
    assert response.headers["location"] == "/auth/logout"
    assert auth.resolve_session(token) is None


def _callback_app(status: int, set_identity: bool) -> Starlette:
    """Streamlit's callback and login routes as the middleware sees them."""

    async def callback(_request: Request) -> Response:
        response = RedirectResponse("/", status_code=status)
        if set_identity:
            response.set_cookie(USER_COOKIE_NAME, "signed-value", httponly=True)
        return response

    async def login(_request: Request) -> Response:
        return PlainTextResponse("Authentication error", status_code=400)

    return Starlette(
        routes=[Route("/oauth2callback", callback), Route("/auth/login", login)],
        middleware=[Middleware(sso.SingleSignOnCallback)],
    )


def test_the_callback_goes_on_to_our_session(client: TestClient) -> None:
    signed_in = TestClient(_callback_app(302, True), follow_redirects=False)
    answer = signed_in.get("/oauth2callback?code=abc&state=xyz")
    assert answer.headers["location"] == "/session/sso"
    failed = TestClient(_callback_app(302, False), follow_redirects=False)
    assert failed.get("/oauth2callback?code=abc").headers["location"] == "/?login=sso_failed"
    denied = failed.get("/oauth2callback?error=access_denied")
    assert denied.headers["location"] == "/?login=sso_failed"
    # The provider's return after logout carries no code: Streamlit's own redirect stands.
    assert failed.get("/oauth2callback").headers["location"] == "/"


def test_an_unreachable_provider_is_said_in_chinese(client: TestClient) -> None:
    app = TestClient(_callback_app(302, False), follow_redirects=False)
    answer = app.get("/auth/login?provider=token")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/?login=sso_failed"
    assert answer.content == b""
