"""ASGI middleware in front of every response of the app (Streamlit's own included).

- Security headers on every HTTP response: the app is safe without the proxy's headers too.
- /_stcore/metrics answers 404: Streamlit has no setting to turn it off, and it tells an
  anonymous visitor how many sessions run and what the caches hold.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"frame-ancestors 'self'"),
)
HIDDEN_SUFFIXES = ("/_stcore/metrics",)


def _hidden(path: str) -> bool:
    normal = "/" + "/".join(part for part in path.split("/") if part)
    return any(normal.endswith(suffix) for suffix in HIDDEN_SUFFIXES)


class SecurityMiddleware:
    """Adds the security headers and hides Streamlit's internal endpoints."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _hidden(scope.get("path", "")):
            await send({"type": "http.response.start", "status": 404, "headers": _headers([])})
            await send({"type": "http.response.body", "body": b"not found"})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = _headers(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    return headers + [(name, value) for name, value in SECURITY_HEADERS if name not in present]
