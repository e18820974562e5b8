"""A link to an evidence file: the bytes come from the /evidence/<id> route, which checks the
session, the role and the organisation on every request (never through Streamlit's /media/)."""

from __future__ import annotations

from typing import Any

from ui.text import plain
from web.routes import evidence_url


def evidence_link(container: Any, label: str, evidence_id: int, *, tertiary: bool = False) -> None:
    """A download link for one file; `label` (often the file name) is shown as plain text."""
    container.link_button(
        plain(label),
        evidence_url(evidence_id),
        icon=":material/download:",
        type="tertiary" if tertiary else "secondary",
    )
