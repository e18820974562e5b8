"""ASGI middleware in front of every response of the app (Streamlit's own included).

- Security headers on every HTTP response: the app is safe without the proxy's headers too.
- /_stcore/metrics answers 404: Streamlit has no setting to turn it off, and it tells an
  anonymous visitor how many sessions run and what the caches hold.
- /media/… (the files behind download buttons: exports, reports) only with a valid session:
  Streamlit serves them to anyone holding the URL, minutes after the browser closed.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"frame-ancestors 'self'"),
)
HIDDEN_SUFFIXES = ("/_stcore/metrics",)
MEDIA_PATH = re.compile(r"/media/[^/]+$")


def _normal(path: str) -> str:
    return "/" + "/".join(part for part in path.split("/") if part)


def _hidden(path: str) -> bool:
    return any(_normal(path).endswith(suffix) for suffix in HIDDEN_SUFFIXES)


class SecurityMiddleware:
    """Adds the security headers and hides Streamlit's internal endpoints."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if _hidden(path):
            await _plain_answer(send, 404, b"not found")
            return
        if MEDIA_PATH.search(_normal(path)) and not await run_in_threadpool(_has_session, scope):
            await _plain_answer(send, 403, b"forbidden")
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = _headers(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _has_session(scope: Scope) -> bool:
    from db.services.auth import resolve_session
    from web.cookies import COOKIE_NAME, unsign_token

    token = unsign_token(HTTPConnection(scope).cookies.get(COOKIE_NAME))
    return resolve_session(token) is not None


async def _plain_answer(send: Send, status: int, body: bytes) -> None:
    headers = _headers([(b"content-type", b"text/plain; charset=utf-8")])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    return headers + [(name, value) for name, value in SECURITY_HEADERS if name not in present]
