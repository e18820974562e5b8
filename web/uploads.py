"""The evidence upload route: the page's drop zone posts each file here (raw body, one per request).

The session cookie says who is uploading; every check (owner, editable, name, type by content,
size, count) is the service's. A body larger than UPLOAD_MAX_MB is refused from its declared
length, or as soon as more bytes arrive, without storing anything. Answers are JSON with a
Chinese message the drop zone hands back to the page.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from db.services import auth as auth_service
from db.services import evidence as E
from db.services import evidence_batch as B
from db.services.common import InvalidInput, ServiceError
from settings import get_settings
from texts import assessment as T
from web.cookies import COOKIE_NAME, unsign_token

log = logging.getLogger("wuxing.web")

UPLOAD_PATH = "/evidence/upload"
NAME_HEADER = "x-file-name"


def _answer(ok: bool, message: str, status: int = 200, **extra: object) -> JSONResponse:
    return JSONResponse({"ok": ok, "message": message, **extra}, status_code=status)


async def _read_body(request: Request, name: str) -> bytes:
    """The body, refused (InvalidInput) once it is larger than the upload limit."""
    limit = get_settings().upload_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit():
        E.check_size(name, int(declared))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            E.check_size(name, len(body))
    return bytes(body)


async def upload(request: Request) -> Response:
    """POST /evidence/upload?assessment=ID[&code=L2.3]: store (code) or hold (no code) one file."""
    from web.routes import same_origin  # routes imports this module: resolved at call time

    if not same_origin(request):
        return _answer(False, T.ERR_UPLOAD_REQUEST, 403)
    token = unsign_token(request.cookies.get(COOKIE_NAME))
    actor = await run_in_threadpool(auth_service.resolve_session, token)
    if actor is None:
        return _answer(False, T.ERR_UPLOAD_SESSION, 401)
    raw_id = request.query_params.get("assessment", "")
    name = unquote(request.headers.get(NAME_HEADER, ""))[:1000]
    if not raw_id.isdigit() or not name:
        return _answer(False, T.ERR_UPLOAD_REQUEST, 400)
    code = request.query_params.get("code") or None
    try:
        content = await _read_body(request, name)
        if code is None:
            staged = await run_in_threadpool(
                B.stage_evidence,
                actor,
                assessment_id=int(raw_id),
                filename=name,
                content=content,
            )
            return _answer(True, T.STAGED_RECEIVED.format(name=staged.filename))
        info = await run_in_threadpool(
            E.upload_evidence,
            actor,
            assessment_id=int(raw_id),
            code=code,
            filename=name,
            content=content,
        )
        return _answer(True, T.EVIDENCE_UPLOADED.format(name=info.filename))
    except InvalidInput as exc:
        return _answer(False, exc.message, 400)
    except ServiceError as exc:
        return _answer(False, exc.message, 403)
    except Exception:
        log.exception("evidence upload failed")
        return _answer(False, T.ERR_UPLOAD_SERVER.format(name=name), 500)
