"""An organisation named in the address (`?org=ID`): pages that list organisations open the one
asked for. An id that does not exist, is not a number, or lies outside the viewer's scope gets
one Chinese answer ("no such organisation"), so a scoped account cannot tell which ids exist;
the service (`readmodels.authorize_org_view`) logs the refusal of an id out of scope."""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st

from db.services.common import Actor, ServiceError
from db.services.readmodels import authorize_org_view
from texts import common as T
from ui.text import plain

URL_PARAM = "org"
_CHECKED = "url-org:checked"  # (page, the raw value, the organisation id or None)


def org_from_url(actor: Actor, page: str, known: Collection[int]) -> int | None:
    """The organisation `?org=` names when the viewer may see it and `known` (the page's list)
    holds it; otherwise None, with the Chinese answer shown. Checked once per value and page
    (a rerun does not log the refusal again)."""
    raw = st.query_params.get(URL_PARAM)
    if raw is None:
        return None
    checked = st.session_state.get(_CHECKED)
    if not (isinstance(checked, tuple) and checked[:2] == (page, raw)):
        org_id: int | None
        try:
            org_id = int(raw)
            authorize_org_view(actor, org_id)
        except (ValueError, ServiceError):
            org_id = None
        checked = (page, raw, org_id)
        st.session_state[_CHECKED] = checked
    org_id = checked[2]
    if org_id is None or org_id not in known:
        st.error(T.ERR_URL_ORG.format(org=plain(str(raw)[:20])), icon=":material/search_off:")
        return None
    return int(org_id)


__all__ = ["URL_PARAM", "org_from_url"]
