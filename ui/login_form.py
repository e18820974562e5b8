"""The login form: a plain HTML form posted to the /session/login route, which sets the cookie."""

from __future__ import annotations

from html import escape

from settings import get_settings
from texts import auth as T
from web.routes import LOGIN_PATH, LOGOUT_PATH, safe_next

_FIELD = (
    "display:block;width:100%;box-sizing:border-box;padding:0.55rem 0.7rem;margin:0.25rem 0 0.9rem;"
    "font-size:1rem;border:1px solid #c9ccd3;border-radius:0.5rem;background:#fff;"
)
_BUTTON = (
    "width:100%;padding:0.6rem;font-size:1rem;border:none;border-radius:0.5rem;"
    "background:#c0392b;color:#fff;cursor:pointer;"
)


def _path(route: str) -> str:
    base = get_settings().base_url_path.strip("/")
    return f"/{base}{route}" if base else route


def login_form_html(next_path: str = "") -> str:
    """Static markup: nothing user-written is interpolated (next_path is a known page path)."""
    target = (
        f'<input type="hidden" name="next" value="{escape(next_path)}">'
        if safe_next(next_path)
        else ""
    )
    return (
        f'<form method="post" action="{escape(_path(LOGIN_PATH))}" style="max-width:24rem">'
        + target
        + f'<label for="wx-username" style="font-weight:600">{T.USERNAME}</label>'
        f'<input id="wx-username" name="username" type="text" autocomplete="username" '
        f'required maxlength="64" style="{_FIELD}">'
        f'<label for="wx-password" style="font-weight:600">{T.PASSWORD}</label>'
        f'<input id="wx-password" name="password" type="password" '
        f'autocomplete="current-password" required maxlength="256" style="{_FIELD}">'
        f'<button type="submit" style="{_BUTTON}">{T.LOGIN_BUTTON}</button>'
        "</form>"
    )


def logout_form_html() -> str:
    return (
        f'<form method="post" action="{escape(_path(LOGOUT_PATH))}">'
        '<button type="submit" style="width:100%;padding:0.4rem;border:1px solid #c9ccd3;'
        f'border-radius:0.5rem;background:#fff;cursor:pointer;">{T.LOGOUT_BUTTON}</button>'
        "</form>"
    )
