"""Single sign-on through the intranet's OpenID Connect provider (统一身份认证).

Streamlit does the OpenID Connect part: the login page's button calls `st.login()`, Streamlit's
/auth/login sends the browser to the provider, and its /oauth2callback exchanges the code
(Authlib), checks the ID token and keeps the identity (what `st.user` shows) in its signed
cookie `_streamlit_user`. Its configuration is the `[auth]` secrets section, built here from
our Settings (`auth_secrets`) and handed to `st.App(secrets=...)`: nothing is written to disk.

This module then turns that identity into our own session, exactly as a password login does:

- `SingleSignOnCallback` (middleware) sends the browser from a completed callback to
  /session/sso instead of "/" (and to the login page with `?login=sso_failed` when the provider
  answered with an error or the exchange failed);
- `/session/sso` (web/routes.py) reads the fresh identity cookie, takes the configured claim
  (OIDC_USERNAME_CLAIM) and lets `db.services.auth.sso_login` map it to an account (refusals are
  audited and logged there), then sets our session cookie and opens the role's first page; a
  refusal clears the identity cookie and shows its Chinese reason on the login page;
- logout (web/routes.py) ends our session and then, when an identity cookie is present, passes
  through Streamlit's /auth/logout, which clears it and sends the browser to the provider's
  end_session_endpoint (back to /oauth2callback, which returns to the login page).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from settings import Settings, get_settings

SSO_PATH = "/session/sso"
CALLBACK_SUFFIX = "/oauth2callback"
STREAMLIT_LOGIN = "/auth/login"
STREAMLIT_LOGOUT = "/auth/logout"
# Streamlit's identity cookies (streamlit.web.server.starlette.starlette_server_config), signed
# with itsdangerous' URLSafeTimedSerializer, the cookie's name as salt; a large value is split
# into "chunks-N" plus NAME_1 … NAME_N (streamlit.auth_util.set_cookie_with_chunks).
USER_COOKIE = "_streamlit_user"
TOKENS_COOKIE = "_streamlit_user_tokens"
# The identity must have been confirmed by the provider this recently: an old identity cookie
# (a browser left signed in at Streamlit) never opens a session by itself.
FRESH_SECONDS = 600
DISPLAY_NAME_CLAIMS = ("name", "nickname")


def cookie_secret(settings: Settings) -> str:
    """The key Streamlit signs its identity cookie with: derived from SECRET_KEY, so every
    replica has the same without a setting of its own."""
    return hmac.new(
        settings.secret_key.encode(), b"wuxing-streamlit-auth-cookie", hashlib.sha256
    ).hexdigest()


def auth_secrets(settings: Settings) -> dict[str, Any] | None:
    """The `[auth]` section for st.App(secrets=...), or None when single sign-on is off."""
    if not settings.oidc_enabled:
        return None
    return {
        "auth": {
            "redirect_uri": settings.oidc_callback_uri,
            "cookie_secret": cookie_secret(settings),
            "client_id": settings.oidc_client_id,
            "client_secret": settings.oidc_client_secret,
            "server_metadata_url": settings.oidc_metadata_url,
            # Ask for what the username claim needs (Keycloak: preferred_username in profile).
            "client_kwargs": {"scope": "openid profile email"},
        }
    }


def _base() -> str:
    base = get_settings().base_url_path.strip("/")
    return f"/{base}" if base else ""


def home_url(outcome: str = "") -> str:
    """The app's root, with the login page's `?login=` outcome when given."""
    return _base() + "/" + (f"?login={outcome}" if outcome else "")


def sso_path() -> str:
    return _base() + SSO_PATH


def streamlit_logout_path() -> str:
    return _base() + STREAMLIT_LOGOUT


def _signed(secret: str, name: str, value: str | None) -> str | None:
    if not value:
        return None
    try:
        decoded = URLSafeTimedSerializer(secret, salt=name).loads(value, max_age=FRESH_SECONDS)
    except BadSignature:  # includes SignatureExpired
        return None
    return decoded if isinstance(decoded, str) else None


def identity(cookies: Mapping[str, str], settings: Settings) -> dict[str, Any] | None:
    """The identity Streamlit keeps after a sign-in at the provider (the claims `st.user`
    shows), if it is validly signed and fresh; otherwise None."""
    secret = cookie_secret(settings)
    head = _signed(secret, USER_COOKIE, cookies.get(USER_COOKIE))
    if head is None:
        return None
    text = head
    if head.startswith("chunks-") and head[7:].isdigit():
        parts = [
            _signed(secret, f"{USER_COOKIE}_{i}", cookies.get(f"{USER_COOKIE}_{i}"))
            for i in range(1, int(head[7:]) + 1)
        ]
        if any(part is None for part in parts):
            return None
        text = "".join(part or "" for part in parts)
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("is_logged_in") is not True:
        return None
    return data


def has_identity_cookie(request: Request) -> bool:
    return USER_COOKIE in request.cookies


def clear_identity(response: Response, request: Request) -> None:
    """Delete Streamlit's identity cookies (and their chunks) from the browser."""
    path = _base() or "/"
    for name in request.cookies:
        if name in (USER_COOKIE, TOKENS_COOKIE) or (
            name.startswith((f"{USER_COOKIE}_", f"{TOKENS_COOKIE}_"))
            and name.rsplit("_", 1)[-1].isdigit()
        ):
            response.delete_cookie(name, path=path)


def claim(data: Mapping[str, Any] | None, name: str) -> str:
    """A claim of the identity as text ("" when missing or not text)."""
    value = (data or {}).get(name)
    return value.strip() if isinstance(value, str) else ""


def display_name(data: Mapping[str, Any] | None) -> str:
    return next((n for n in (claim(data, c) for c in DISPLAY_NAME_CLAIMS) if n), "")


class SingleSignOnCallback:
    """Keeps the browser on our pages around Streamlit's sign-in routes.

    - /oauth2callback always redirects to "/": a callback that carried a code or an error (not
      the provider's return after logout, which carries neither) goes on to /session/sso when
      it set the identity cookie, else to the login page saying the sign-in failed;
    - /auth/login answers a plain English "Authentication error" (400) when the provider cannot
      be reached: the browser goes to the login page with the Chinese message instead.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = "/" + "/".join(p for p in str(scope.get("path", "")).split("/") if p)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif path.endswith(CALLBACK_SUFFIX):
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if "code" in query or "error" in query:
                await self.app(scope, receive, _after_callback(send))
            else:
                await self.app(scope, receive, send)
        elif path.endswith(STREAMLIT_LOGIN):
            await self.app(scope, receive, _failed_login_to_page(send))
        else:
            await self.app(scope, receive, send)


def _redirect_start(message: Message, target: str) -> Message:
    headers = [
        (k, v)
        for k, v in message.get("headers", [])
        if k.lower() not in (b"location", b"content-length", b"content-type")
    ]
    headers += [(b"location", target.encode()), (b"content-length", b"0")]
    return {**message, "status": 303, "headers": headers}


def _after_callback(send: Send) -> Send:
    async def rewrite(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] in (302, 303, 307):
            headers = list(message.get("headers", []))
            target = sso_path() if _sets_identity(headers) else home_url("sso_failed")
            message = _redirect_start(message, target)
        await send(message)

    return rewrite


def _failed_login_to_page(send: Send) -> Send:
    replaced = False

    async def rewrite(message: Message) -> None:
        nonlocal replaced
        if message["type"] == "http.response.start" and message["status"] >= 400:
            replaced = True
            message = _redirect_start(message, home_url("sso_failed"))
        elif message["type"] == "http.response.body" and replaced:
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return rewrite


def _sets_identity(headers: list[tuple[bytes, bytes]]) -> bool:
    """The response sets (not deletes) Streamlit's identity cookie."""
    prefix = USER_COOKIE.encode() + b"="
    for key, value in headers:
        if key.lower() != b"set-cookie" or not value.startswith(prefix):
            continue
        cookie = value[len(prefix) :].split(b";", 1)[0].strip(b'"')
        if cookie and b"max-age=0" not in value.lower():
            return True
    return False
