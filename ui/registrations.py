"""管理 → 用户: accounts registered through single sign-on, waiting for an admin's approval."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from db.services import registrations
from db.services.common import Actor
from formatting import china_time
from texts import admin as T
from ui.feedback import shown_errors
from ui.text import plain


def registrations_block(
    actor: Actor, org_names: dict[int, str], done: Callable[[str], None]
) -> None:
    """The waiting accounts: approve one into an organisation of the admin's scope, or refuse
    it. Nothing is drawn when none is waiting. `done(text)` reports a change and reruns."""
    with shown_errors(stop=True):
        waiting = registrations.pending_registrations(actor)
    if not waiting:
        return
    st.warning(T.REGISTRATIONS_WAITING.format(n=len(waiting)), icon=":material/how_to_reg:")
    with st.expander(T.REGISTRATIONS_TITLE, expanded=True):
        st.caption(T.REGISTRATIONS_INTRO)
        st.dataframe(
            {
                T.REGISTRATION_USERNAME: [r.username for r in waiting],
                T.REGISTRATION_NAME: [r.display_name or "—" for r in waiting],
                T.REGISTRATION_AT: [china_time(r.registered_at) for r in waiting],
            },
            hide_index=True,
            width="stretch",
        )
        by_id = {r.user_id: r for r in waiting}
        with st.form("admin:registration"):
            chosen = st.selectbox(
                T.REGISTRATION_PICK,
                list(by_id),
                key="admin:registration-user",
                format_func=lambda i: plain(f"{by_id[i].username} {by_id[i].display_name}".strip()),
            )
            org_id = st.selectbox(
                T.REGISTRATION_ORG,
                list(org_names),
                key="admin:registration-org",
                index=None,
                placeholder=T.REGISTRATION_ORG_PLACEHOLDER,
                format_func=lambda i: org_names.get(i, str(i)),
            )
            approve_col, reject_col = st.columns(2)
            approve = approve_col.form_submit_button(T.REGISTRATION_APPROVE, type="primary")
            reject = reject_col.form_submit_button(T.REGISTRATION_REJECT)
        if chosen is None or not (approve or reject):
            return
        picked = by_id[chosen]
        with shown_errors():
            if approve:
                if org_id is None:
                    st.error(T.REGISTRATION_NEEDS_ORG)
                    return
                registrations.approve_registration(
                    actor, user_id=picked.user_id, version=picked.version, org_id=org_id
                )
                done(T.REGISTRATION_APPROVED.format(username=picked.username))
            else:
                registrations.reject_registration(
                    actor, user_id=picked.user_id, version=picked.version
                )
                done(T.REGISTRATION_REJECTED.format(username=picked.username))
