"""The login/logout routes that set and clear the HttpOnly session cookie."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from db.services import auth
from tests.utils import STRONG_PASSWORD, make_user
from web.cookies import COOKIE_NAME, unsign_token
from web.routes import ROUTES, build_routes

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def client(db_url: str) -> TestClient:
    make_user("leader", username="lingdao")
    return TestClient(Starlette(routes=ROUTES), follow_redirects=False)


def test_login_sets_signed_httponly_cookie(client: TestClient) -> None:
    response = client.post(
        "/session/login", data={"username": "lingdao", "password": STRONG_PASSWORD}, headers=ORIGIN
    )
    assert response.status_code == 303
    header = response.headers["set-cookie"]
    assert header.startswith(COOKIE_NAME + "=")
    assert "HttpOnly" in header
    assert "samesite=lax" in header.lower()
    token = unsign_token(response.cookies[COOKIE_NAME])
    assert auth.resolve_session(token) is not None


def test_wrong_password_redirects_with_generic_error(client: TestClient) -> None:
    response = client.post(
        "/session/login", data={"username": "lingdao", "password": "nope"}, headers=ORIGIN
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("?login=failed")
    assert COOKIE_NAME not in response.cookies


def test_cross_site_post_is_refused(client: TestClient) -> None:
    response = client.post(
        "/session/login",
        data={"username": "lingdao", "password": STRONG_PASSWORD},
        headers={"origin": "http://evil.example"},
    )
    assert response.status_code == 403


def test_logout_ends_the_server_side_session(client: TestClient) -> None:
    client.post(
        "/session/login", data={"username": "lingdao", "password": STRONG_PASSWORD}, headers=ORIGIN
    )
    token = unsign_token(client.cookies[COOKIE_NAME])
    response = client.post("/session/logout", headers=ORIGIN)
    assert response.status_code == 303
    assert auth.resolve_session(token) is None


def test_forged_cookie_is_ignored() -> None:
    assert unsign_token("forged.value") is None
    assert unsign_token(None) is None


def test_health_checks_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_sub_path_install_answers_under_the_prefix_and_the_root(db_url: str) -> None:
    """With BASE_URL_PATH=wuxing the form posts to /wuxing/session/login, proxy or not."""
    make_user("leader", username="lingdao")
    client = TestClient(Starlette(routes=build_routes("/wuxing/")), follow_redirects=False)
    for prefix in ("/wuxing", ""):
        assert client.get(f"{prefix}/healthz").json()["status"] == "ok"
        response = client.post(
            f"{prefix}/session/login",
            data={"username": "lingdao", "password": STRONG_PASSWORD},
            headers=ORIGIN,
        )
        assert response.status_code == 303
        assert COOKIE_NAME in response.cookies
    assert client.get("/other/healthz").status_code == 404


def test_login_returns_to_the_bookmarked_page(client: TestClient) -> None:
    response = client.post(
        "/session/login",
        data={"username": "lingdao", "password": STRONG_PASSWORD, "next": "rankings"},
        headers=ORIGIN,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/rankings"


def test_failed_login_stays_on_the_bookmarked_page(client: TestClient) -> None:
    response = client.post(
        "/session/login",
        data={"username": "lingdao", "password": "nope", "next": "learning"},
        headers=ORIGIN,
    )
    assert response.headers["location"] == "/learning?login=failed"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "../admin", "admin/../x", "A", ""]
)
def test_login_never_redirects_off_site(client: TestClient, target: str) -> None:
    response = client.post(
        "/session/login",
        data={"username": "lingdao", "password": STRONG_PASSWORD, "next": target},
        headers=ORIGIN,
    )
    assert response.headers["location"] == "/dashboard"  # the leader's first page
