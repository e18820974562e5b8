"""Starlette routes mounted by st.App: form login/logout that set an HttpOnly cookie, health."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from db.engine import get_engine
from db.services import auth as auth_service
from settings import get_settings
from web.cookies import COOKIE_NAME, sign_token, unsign_token

log = logging.getLogger("wuxing.web")

LOGIN_PATH = "/session/login"
LOGOUT_PATH = "/session/logout"
HEALTH_PATH = "/healthz"


def _home() -> str:
    base = get_settings().base_url_path.strip("/")
    return f"/{base}/" if base else "/"


def _same_origin(request: Request) -> bool:
    """Refuse cross-site form posts (CSRF): Origin, or else Referer, must be this host."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return False
    return urlsplit(source).netloc == request.headers.get("host", "")


async def login(request: Request) -> Response:
    if not _same_origin(request):
        return Response("forbidden", status_code=403)
    form = await request.form()
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:256]
    try:
        _actor, token = auth_service.login(username, password)
    except auth_service.AccountLocked:
        return RedirectResponse(f"{_home()}?login=locked", status_code=303)
    except auth_service.LoginFailed:
        return RedirectResponse(f"{_home()}?login=failed", status_code=303)
    response = RedirectResponse(_home(), status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        sign_token(token),
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
        path="/",
    )
    return response


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return Response("forbidden", status_code=403)
    auth_service.logout(unsign_token(request.cookies.get(COOKIE_NAME)))
    response = RedirectResponse(_home(), status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


async def health(_request: Request) -> Response:
    """Liveness that includes the database (Streamlit's own is /_stcore/health)."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check: database unreachable")
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def build_routes(base_url_path: str = "") -> list[Route]:
    """The routes at the root and, for a sub-path install, under ``/<base>/`` as well.

    st.App mounts custom routes as given, not under server.baseUrlPath; the login form posts to
    the prefixed path, which then works with or without a proxy that strips the prefix.
    """
    base = base_url_path.strip("/")
    prefixes = ["", f"/{base}"] if base else [""]
    return [
        Route(prefix + path, endpoint, methods=[method])
        for prefix in prefixes
        for path, endpoint, method in (
            (LOGIN_PATH, login, "POST"),
            (LOGOUT_PATH, logout, "POST"),
            (HEALTH_PATH, health, "GET"),
        )
    ]


ROUTES = build_routes(get_settings().base_url_path)
