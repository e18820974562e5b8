"""Starlette routes mounted by st.App: form login/logout that set an HttpOnly cookie, evidence
downloads behind the session, health, and the anonymous ballot (web/ballot.py)."""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from urllib.parse import quote, urlsplit

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from db.engine import get_engine
from db.services import auth as auth_service
from db.services import evidence as evidence_service
from db.services.common import Actor, NotFound, PermissionDenied
from settings import get_settings
from texts import auth as T
from ui.navigation import home_path
from web import ballot, sso
from web.cookies import COOKIE_NAME, sign_token, unsign_token
from web.ratelimit import SlidingWindowLimiter
from web.uploads import UPLOAD_PATH, upload

log = logging.getLogger("wuxing.web")

LOGIN_PATH = "/session/login"
LOGOUT_PATH = "/session/logout"
HEALTH_PATH = "/healthz"
EVIDENCE_PATH = "/evidence/{evidence_id:int}"
# argon2 runs here, never on the event loop: a burst of logins must not stall other users.
# Two workers bound the CPU (argon2 uses 4 threads and 64 MB per hash) a burst can take.
LOGIN_WORKERS = 2
_login_pool = ThreadPoolExecutor(max_workers=LOGIN_WORKERS, thread_name_prefix="wx-login")
NO_STORE = {"Cache-Control": "no-store"}


@lru_cache(maxsize=1)
def limiters() -> tuple[SlidingWindowLimiter, SlidingWindowLimiter]:
    """(per address, per account) login limiters of this process."""
    settings = get_settings()
    return (
        SlidingWindowLimiter(settings.login_rate_per_address),
        SlidingWindowLimiter(settings.login_rate_per_account),
    )


def _home() -> str:
    base = get_settings().base_url_path.strip("/")
    return f"/{base}/" if base else "/"


def evidence_url(evidence_id: int) -> str:
    """The link the pages put on an evidence file (the route checks the session itself)."""
    base = get_settings().base_url_path.strip("/")
    path = EVIDENCE_PATH.replace("{evidence_id:int}", str(int(evidence_id)))
    return f"/{base}{path}" if base else path


# A page's url_path (ui/navigation.PAGES): the only thing a login may return to. Anything else
# (a full URL, "//host", "..") is dropped, so the form cannot be turned into an open redirect.
_NEXT_PATH = re.compile(r"[a-z][a-z_]{0,39}")


def safe_next(value: object) -> str:
    """The page path to return to after login, or "" when the value is not a plain page path."""
    text = str(value or "")
    return text if _NEXT_PATH.fullmatch(text) else ""


def same_origin(request: Request) -> bool:
    """Refuse cross-site form posts (CSRF): Origin, or else Referer, must be this host."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return False
    return urlsplit(source).netloc == request.headers.get("host", "")


def client_address(request: Request) -> str:
    """The browser's address: the proxy's X-Forwarded-For entry when the peer is a trusted proxy."""
    peer = request.client.host if request.client else ""
    if peer in get_settings().trusted_proxy_addresses:
        forwarded = request.headers.get("x-forwarded-for", "")
        # nginx appends the address it saw last; earlier entries are the client's to invent.
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return peer


def _session_actor(request: Request) -> Actor | None:
    return auth_service.resolve_session(unsign_token(request.cookies.get(COOKIE_NAME)))


async def login(request: Request) -> Response:
    if not same_origin(request):
        return Response("forbidden", status_code=403)
    form = await request.form()
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:256]
    wanted = safe_next(form.get("next"))
    by_address, by_account = limiters()
    address = client_address(request)
    if not by_address.allow(address) or not by_account.allow(username.strip().lower()):
        log.warning("login throttled: address %s, %d-character name", address, len(username))
        return RedirectResponse(f"{_home()}{wanted}?login=throttled", status_code=303)
    loop = asyncio.get_running_loop()
    try:
        actor, token = await loop.run_in_executor(
            _login_pool, auth_service.login, username, password
        )
    except auth_service.LoginFailed:
        # One answer whatever the reason (unknown, disabled, locked, wrong).
        return RedirectResponse(f"{_home()}{wanted}?login=failed", status_code=303)
    return with_session_cookie(actor, token, wanted)


def with_session_cookie(actor: Actor, token: str, wanted: str = "") -> Response:
    """The answer to a successful login (password or single sign-on): the session cookie, and
    back to the page the visitor asked for (a bookmark) or straight to the role's first page
    (not "/", which would draw a landing page only to switch to it: one run more)."""
    response = RedirectResponse(_home() + (wanted or home_path(actor)), status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        sign_token(token),
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
        path="/",
    )
    return response


async def sso_login(request: Request) -> Response:
    """After the provider's callback (web/sso.py): the identity's account signs in, or the
    login page says in Chinese why not (the refusal is audited and logged by the service)."""
    settings = get_settings()
    if not settings.oidc_enabled:
        return RedirectResponse(_home(), status_code=303)
    data = sso.identity(request.cookies, settings)
    username = sso.claim(data, settings.oidc_username_claim)
    if not username:
        log.warning(
            "single sign-on: no fresh identity with the claim %r (identity cookie %s)",
            settings.oidc_username_claim,
            "present" if sso.has_identity_cookie(request) else "missing",
        )
        response: Response = RedirectResponse(sso.home_url("sso_failed"), status_code=303)
        sso.clear_identity(response, request)
        return response
    try:
        actor, token = await run_in_threadpool(
            auth_service.sso_login, username, sso.display_name(data)
        )
    except auth_service.SsoRefused as refusal:
        response = RedirectResponse(sso.home_url(f"sso_{refusal.reason}"), status_code=303)
        sso.clear_identity(response, request)
        return response
    return with_session_cookie(actor, token)


async def logout(request: Request) -> Response:
    """End our session; after a single sign-on also Streamlit's identity (its /auth/logout
    clears the cookie and sends the browser to the provider's end_session_endpoint)."""
    if not same_origin(request):
        return Response("forbidden", status_code=403)
    await run_in_threadpool(auth_service.logout, unsign_token(request.cookies.get(COOKIE_NAME)))
    target = _home()
    if get_settings().oidc_enabled and sso.has_identity_cookie(request):
        target = sso.streamlit_logout_path()
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


def _attachment(filename: str) -> str:
    """Content-Disposition for the stored (already cleaned) name, any script, both header forms."""
    fallback = "".join(
        ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in filename
    )
    return f"attachment; filename=\"{fallback or 'file'}\"; filename*=UTF-8''{quote(filename)}"


def _serve_evidence(request: Request, evidence_id: int) -> Response:
    """Session, role and organisation checked on every request; each answer is logged."""
    actor = _session_actor(request)
    address = client_address(request)
    try:
        download = evidence_service.download_evidence(actor, evidence_id=evidence_id)
    except PermissionDenied:
        log.warning("evidence %s refused to %s (%s)", evidence_id, actor and actor.id, address)
        return PlainTextResponse(T.EVIDENCE_REFUSED, status_code=403, headers=NO_STORE)
    except NotFound:
        log.info("evidence %s not found for %s (%s)", evidence_id, actor and actor.id, address)
        return PlainTextResponse(T.EVIDENCE_NOT_FOUND, status_code=404, headers=NO_STORE)
    log.info("evidence %s sent to user %s (%s)", evidence_id, actor and actor.id, address)
    return Response(
        download.content,
        media_type=download.content_type,
        headers={
            "Content-Disposition": _attachment(download.filename),
            "X-Content-Type-Options": "nosniff",
            # Internal documents: no shared or browser cache keeps a copy after logout.
            "Cache-Control": "private, no-store",
        },
    )


async def evidence(request: Request) -> Response:
    return await run_in_threadpool(_serve_evidence, request, request.path_params["evidence_id"])


def _database_ok() -> bool:
    # A read: on SQLite a plain connection would begin with BEGIN IMMEDIATE (db/engine.py) and
    # queue every health check behind the writers (and them behind it).
    try:
        with get_engine().execution_options(readonly=True).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        log.exception("health check: database unreachable")
        return False
    return True


async def health(_request: Request) -> Response:
    """Liveness that includes the database (Streamlit's own is /_stcore/health)."""
    if not await run_in_threadpool(_database_ok):
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
            (sso.SSO_PATH, sso_login, "GET"),
            (HEALTH_PATH, health, "GET"),
            (EVIDENCE_PATH, evidence, "GET"),
            (UPLOAD_PATH, upload, "POST"),
            *ballot.ROUTES,
        )
    ]


ROUTES = build_routes(get_settings().base_url_path)
