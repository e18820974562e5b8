"""Our own Chinese file drop zone (a custom component v2), in place of st.file_uploader.

Streamlit's uploader shows English ("Upload", "10MB per file • PDF…") and cannot be translated.
This zone shows only the texts it is given. Evidence files are posted to the /evidence/upload
route (web/uploads.py), which checks them through the services; small files for imports are read
in the browser and handed to Python (`inline_files`), where the callers check them as before.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from settings import get_settings
from texts import assessment as T
from web.uploads import UPLOAD_PATH

_ASSETS = Path(__file__).parent / "assets"
_COMPONENT = st.components.v2.component(
    "wx_drop_zone",
    html=(_ASSETS / "drop_zone.html").read_text(encoding="utf-8"),
    css=(_ASSETS / "drop_zone.css").read_text(encoding="utf-8"),
    js=(_ASSETS / "drop_zone.js").read_text(encoding="utf-8"),
)


@dataclass(frozen=True)
class UploadResult:
    """One file's answer from the upload route."""

    name: str
    ok: bool
    message: str


@dataclass(frozen=True)
class PickedFile:
    """A file read in the browser; `content` is None when it was too large to carry."""

    name: str
    size: int
    content: bytes | None


def _ignore() -> None:
    """Trigger callbacks must exist for Streamlit to report the trigger; the value is read."""


def upload_url(assessment_id: int, code: str | None = None) -> str:
    base = get_settings().base_url_path.strip("/")
    url = (f"/{base}" if base else "") + f"{UPLOAD_PATH}?assessment={assessment_id}"
    return url + (f"&code={code}" if code else "")


def _texts(
    title: str, hint: str, button: str, progress: str, failed: str, busy: str
) -> dict[str, str]:
    return {
        "title": title,
        "hint": hint,
        "button": button,
        "progress": progress,
        "failed": failed,
        "busy": busy,
    }


def evidence_drop_zone(
    *, key: str, url: str, title: str, hint: str, multiple: bool = True
) -> list[UploadResult] | None:
    """A zone whose files are posted to `url`; the answers once all are sent, else None."""
    from db.services.evidence import ALLOWED_EXTENSIONS

    result = _COMPONENT(
        key=key,
        data={
            "mode": "post",
            "url": url,
            "accept": ",".join("." + ext for ext in ALLOWED_EXTENSIONS),
            "multiple": multiple,
            "texts": _texts(
                title, hint, T.DROP_BUTTON, T.DROP_PROGRESS, T.DROP_FAILED, T.DROP_BUSY
            ),
        },
        on_done_change=_ignore,
    )
    done = result.get("done") if result is not None else None
    if not isinstance(done, dict):
        return None
    return [
        UploadResult(str(r.get("name", "")), bool(r.get("ok")), str(r.get("message", "")))
        for r in done.get("results", [])
        if isinstance(r, dict)
    ]


def inline_files(
    *,
    key: str,
    title: str,
    hint: str,
    button: str,
    busy: str,
    extensions: tuple[str, ...],
    max_bytes: int,
    multiple: bool = False,
) -> list[PickedFile] | None:
    """A zone whose files (at most `max_bytes` each) come back to Python, once, after a drop."""
    result = _COMPONENT(
        key=key,
        data={
            "mode": "inline",
            "accept": ",".join("." + ext for ext in extensions),
            "multiple": multiple,
            "maxBytes": max_bytes,
            "texts": _texts(title, hint, button, "", "", busy),
        },
        on_files_change=_ignore,
    )
    picked = result.get("files") if result is not None else None
    if not isinstance(picked, dict):
        return None
    out = []
    for f in picked.get("files", []):
        if not isinstance(f, dict):
            continue
        raw = f.get("content")
        content: bytes | None = None
        if isinstance(raw, str):
            try:
                content = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                content = None
        size = f.get("size")
        out.append(
            PickedFile(
                str(f.get("name", "")),
                int(size) if isinstance(size, int | float) else 0,
                None if content is None or len(content) > max_bytes else content,
            )
        )
    return out


def _picked_key(key: str) -> str:
    return key + ":picked"


def forget_picked(key: str) -> None:
    """Drop the file kept by `picked_file` (after an import, or to choose another)."""
    st.session_state.pop(_picked_key(key), None)


def picked_file(*, key: str, hint: str, extensions: tuple[str, ...]) -> PickedFile | None:
    """One file chosen in a zone and kept across reruns until removed; None until then.

    A file over UPLOAD_MAX_MB is refused here with the evidence upload's Chinese message.
    """
    from db.services.common import InvalidInput
    from db.services.evidence import check_size, human_size
    from texts import common as C
    from ui.text import plain

    kept = st.session_state.get(_picked_key(key))
    if isinstance(kept, PickedFile):
        name_col, again_col = st.columns([4, 1], vertical_alignment="center")
        name_col.markdown(
            ":material/description: "
            + C.PICKED.format(name=plain(kept.name), size=human_size(len(kept.content or b"")))
        )
        again_col.button(C.PICK_REMOVE, key=key + ":again", on_click=forget_picked, args=(key,))
        return kept
    files = inline_files(
        key=key + ":zone",
        title=C.PICK_TITLE,
        hint=hint,
        button=C.PICK_BUTTON,
        busy=C.PICK_BUSY,
        extensions=extensions,
        max_bytes=get_settings().upload_max_bytes,
    )
    if not files:
        return None
    chosen = files[0]
    if chosen.content is None:
        try:
            check_size(chosen.name, chosen.size)
        except InvalidInput as exc:
            st.error(exc.message, icon=":material/error:")
            return None
        st.error(C.PICK_UNREADABLE.format(name=chosen.name), icon=":material/error:")
        return None
    st.session_state[_picked_key(key)] = chosen
    st.rerun()
    return None


__all__ = [
    "PickedFile",
    "UploadResult",
    "evidence_drop_zone",
    "forget_picked",
    "inline_files",
    "picked_file",
    "upload_url",
]
