"""The signed session cookie: it carries a random token whose hash is a server-side session row."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from settings import get_settings

COOKIE_NAME = "wx_session"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt="wx-session")


def sign_token(token: str) -> str:
    return _serializer().dumps(token)


def unsign_token(value: str | None) -> str | None:
    """The token inside a cookie value, or None when missing or tampered with."""
    if not value:
        return None
    try:
        token = _serializer().loads(value)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None
