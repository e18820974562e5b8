"""The phone page of 民主评议: plain server-side HTML served by st.App routes, no account.

GET  /ballot        a small page: the code field, filled from the link's fragment
                    (/ballot#CODE) by an inline script and sent at once. The fragment never
                    reaches the server, so no access log or proxy log holds a code.
POST /ballot        the rating form for a valid, unused code (or why not, and nothing else)
POST /ballot/cast   stores the ballot and uses up the code in one transaction: 已提交

Every page is self-contained (inline style, no external assets), readable at 360 px, Chinese
only, never cached. Posts must come from this site (Origin/Referer, as the login form) and
carry the code itself, which no other site knows. Nothing here logs a code or an address.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from db.engine import get_engine, is_sqlite
from db.services import ballots as B
from db.services.common import InvalidInput
from settings import get_settings
from texts import ballot as T

log = logging.getLogger("wuxing.web")

BALLOT_PATH = "/ballot"
CAST_PATH = "/ballot/cast"
MEMBER_FIELD = "m"  # m<member id> = position on the scale
BRANCH_FIELD = "branch"
MAX_FIELDS = 1000
# Referrer-Policy stays same-origin (middleware): "no-referrer" would make the browser send
# "Origin: null" with the form, which the CSRF check refuses.
HEADERS = {"Cache-Control": "no-store"}

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;
color:#1f2328;background:#f6f7f9}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.2rem 0 .4rem;color:#b03a2e}
p{margin:.4rem 0 .8rem}
.note{color:#57606a;font-size:.9rem}
fieldset{border:1px solid #d0d7de;border-radius:.6rem;background:#fff;margin:0 0 .7rem;
padding:.5rem .7rem .6rem}
legend{font-weight:600;padding:0 .3rem}
.opts{display:flex;flex-wrap:wrap;gap:.4rem}
.opts label{flex:1 1 4.5rem;display:flex;align-items:center;gap:.3rem;min-height:2.6rem;
padding:.3rem .5rem;border:1px solid #d0d7de;border-radius:.5rem;white-space:nowrap}
.opts input{width:1.1rem;height:1.1rem;margin:0}
input[type=text]{display:block;width:100%;padding:.6rem .7rem;font-size:1.05rem;
border:1px solid #c9ccd3;border-radius:.5rem;letter-spacing:.05em;margin:.3rem 0 .8rem}
button{width:100%;padding:.75rem;font-size:1.05rem;border:none;border-radius:.5rem;
background:#c0392b;color:#fff}
.box{background:#fff;border-radius:.6rem;padding:1rem;border:1px solid #d0d7de}
.done h1{color:#1a7f37}
"""

# Fill the code from the link's fragment and send it; the fragment is then dropped from the
# address bar so that the code does not stay in the visible URL.
_SCRIPT = """(function(){var h=location.hash.slice(1);if(!h)return;
var f=document.getElementById("open");f.elements.code.value=decodeURIComponent(h);
history.replaceState(null,"",location.pathname+location.search);f.submit();})();"""


def _path(route: str) -> str:
    base = get_settings().base_url_path.strip("/")
    return f"/{base}{route}" if base else route


def ballot_link(public_url: str, code: str) -> str:
    """The link printed under a code's QR: the code travels in the fragment only."""
    return f"{public_url.rstrip('/')}{_path(BALLOT_PATH)}#{B.format_code(code)}"


@cache
def cast_pool() -> ThreadPoolExecutor:
    """Where casts run: their own threads, so that a burst of ballots waiting for SQLite's one
    writer queues here instead of holding the threads every other route (health, login,
    evidence, the forms) runs in. Two on SQLite: one checks a form while the other writes;
    PostgreSQL locks one code row per cast, so a few run side by side."""
    workers = 2 if is_sqlite(get_engine()) else 4
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wx-ballot")


def _page(body: str, *, script: str = "", status: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(T.PAGE_TITLE)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main>"
        + (f"<script>{script}</script>" if script else "")
        + "</body></html>"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _message(title: str, text: str, *, status: int, done: bool = False) -> HTMLResponse:
    css = "box done" if done else "box"
    return _page(
        f'<div class="{css}" role="status"><h1>{escape(title)}</h1><p>{escape(text)}</p></div>',
        status=status,
    )


def refused(text: str, status: int = 400) -> HTMLResponse:
    """A refusal: the reason in Chinese and nothing else (no organisation, no names)."""
    return _message(T.REFUSED_TITLE, text, status=status)


def code_page() -> HTMLResponse:
    """The entry page: type the code, or arrive with it in the link's fragment."""
    body = (
        f"<h1>{escape(T.PAGE_TITLE)}</h1>"
        f'<form id="open" method="post" action="{escape(_path(BALLOT_PATH))}" class="box">'
        f'<label for="code">{escape(T.CODE_LABEL)}</label>'
        '<input type="text" id="code" name="code" autocomplete="off" autocapitalize="characters"'
        ' spellcheck="false" maxlength="40" required>'
        f'<p class="note">{escape(T.CODE_HINT)}</p>'
        f'<button type="submit">{escape(T.OPEN_BUTTON)}</button></form>'
    )
    return _page(body, script=_SCRIPT)


def _choices(name: str, scale: tuple[str, ...], legend: str) -> str:
    options = "".join(
        f'<label><input type="radio" name="{name}" value="{i}" required>{escape(label)}</label>'
        for i, label in enumerate(scale)
    )
    return (
        f'<fieldset><legend>{escape(legend)}</legend><div class="opts">{options}</div></fieldset>'
    )


def form_page(code: str, form: B.BallotForm) -> HTMLResponse:
    """The rating form: every member of the round (the voter too), then the branch's work."""
    members = "".join(
        _choices(f"{MEMBER_FIELD}{member_id}", form.scale, name) for member_id, name in form.members
    )
    branch = _choices(BRANCH_FIELD, form.scale, T.BRANCH_LEGEND) if form.rate_branch else ""
    body = (
        f"<h1>{escape(T.FORM_HEADING.format(org=form.org_name))}</h1>"
        f"<p><strong>{escape(T.FORM_ROUND.format(round=form.round_label))}</strong></p>"
        f'<p class="note">{escape(T.FORM_INTRO)}</p>'
        f'<form method="post" action="{escape(_path(CAST_PATH))}">'
        f'<input type="hidden" name="code" value="{escape(B.format_code(code))}">'
        f"{members}{branch}"
        f'<button type="submit">{escape(T.SUBMIT)}</button></form>'
    )
    return _page(body)


def same_site(request: Request) -> bool:
    from web.routes import same_origin  # routes imports this module: resolved at call time

    return same_origin(request)


async def show_code_page(_request: Request) -> Response:
    return code_page()


async def open_form(request: Request) -> Response:
    if not same_site(request):
        return refused(T.REQUEST_REFUSED, 403)
    form = await request.form(max_fields=MAX_FIELDS)
    code = B.normalise_code(form.get("code"))
    if code is None:
        return refused(T.ERR_CODE_UNKNOWN, 404)
    try:
        ballot = await run_in_threadpool(B.open_ballot, code)
    except B.BallotRefused as exc:
        return refused(exc.message, 404 if exc.message == T.ERR_CODE_UNKNOWN else 410)
    return form_page(code, ballot)


def _position(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 2 else None


async def cast(request: Request) -> Response:
    if not same_site(request):
        return refused(T.REQUEST_REFUSED, 403)
    form = await request.form(max_fields=MAX_FIELDS)
    code = B.normalise_code(form.get("code"))
    if code is None:
        return refused(T.ERR_CODE_UNKNOWN, 404)
    ratings: dict[int, int] = {}
    for key, value in form.multi_items():
        member = key[len(MEMBER_FIELD) :]
        if key.startswith(MEMBER_FIELD) and member.isdigit() and len(member) <= 12:
            position = _position(value)
            if position is None or int(member) in ratings:
                return refused(T.ERR_RATING_INVALID)
            ratings[int(member)] = position
    branch_value = form.get(BRANCH_FIELD)
    branch = None if branch_value is None else _position(branch_value)
    if branch_value is not None and branch is None:
        return refused(T.ERR_RATING_INVALID)
    try:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(cast_pool(), B.cast_ballot, code, ratings, branch)
    except B.BallotRefused as exc:
        return refused(exc.message, 404 if exc.message == T.ERR_CODE_UNKNOWN else 409)
    except InvalidInput as exc:
        return refused(exc.message)
    except Exception:
        log.exception("a ballot could not be stored")  # no code, no address: nothing to trace
        return refused(T.SERVER_ERROR, 500)
    return _message(T.DONE_TITLE, T.DONE_TEXT, status=200, done=True)


ROUTES = (
    (BALLOT_PATH, show_code_page, "GET"),
    (BALLOT_PATH, open_form, "POST"),
    (CAST_PATH, cast, "POST"),
)
