"""The middleware in front of every response: security headers, no metrics, and Streamlit's
/media/ files (download buttons) only for a logged-in browser."""

from __future__ import annotations

import warnings

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.utils import STRONG_PASSWORD, make_user
from web.cookies import COOKIE_NAME
from web.middleware import SecurityMiddleware
from web.routes import ROUTES

with warnings.catch_warnings():  # "use httpx2" notice of recent Starlette releases
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ORIGIN = {"origin": "http://testserver"}
SECRET_BYTES = b"internal spreadsheet"


async def media(_request: Request) -> Response:
    return Response(SECRET_BYTES, media_type="application/octet-stream")


async def metrics(_request: Request) -> Response:
    return PlainTextResponse("sessions 3")


def _client() -> TestClient:
    routes = [
        *ROUTES,
        Route("/media/{file_id}", media),
        Route("/wuxing/media/{file_id}", media),
        Route("/_stcore/metrics", metrics),
        Route("/wuxing/_stcore/metrics", metrics),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityMiddleware)])
    return TestClient(app, follow_redirects=False)


@pytest.mark.parametrize("path", ["/media/abc.xlsx", "/wuxing/media/abc.xlsx", "/media//abc.xlsx"])
def test_media_needs_a_session(db_url: str, path: str) -> None:
    make_user("leader", username="lingdao")
    anonymous = _client()
    assert anonymous.get(path).status_code == 403
    forged = _client()
    forged.cookies.set(COOKIE_NAME, "forged.value")
    assert forged.get(path).status_code == 403
    user = _client()
    login = {"username": "lingdao", "password": STRONG_PASSWORD}
    user.post("/session/login", data=login, headers=ORIGIN)
    if "//" not in path:  # the test app's own routes do not normalise slashes
        assert user.get(path).content == SECRET_BYTES
    user.post("/session/logout", headers=ORIGIN)
    assert user.get(path).status_code == 403


@pytest.mark.parametrize(
    "path",
    ["/_stcore/metrics", "/wuxing/_stcore/metrics", "/_stcore/metrics/", "/_stcore//metrics"],
)
def test_metrics_are_hidden(path: str) -> None:
    response = _client().get(path)
    assert response.status_code == 404
    assert b"sessions" not in response.content


def test_every_answer_has_the_security_headers(db_url: str) -> None:
    client = _client()
    for response in (client.get("/healthz"), client.get("/media/x"), client.get("/nowhere")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "SAMEORIGIN"
        assert response.headers["content-security-policy"] == "frame-ancestors 'self'"
