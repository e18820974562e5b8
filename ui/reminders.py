"""The 催报 button under the completion list, and the in-app notice banner."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.models import ReminderChannel
from db.services import reminders
from db.services.common import Actor
from formatting import china_time
from permissions import Action, can
from texts import reminders as T
from ui import data
from ui.feedback import shown_errors


def chase_form(actor: Actor, year: int, pending: pd.DataFrame) -> None:
    """Pick organisations of the 催报 list and send them the reminder now; says how many went."""
    if pending.empty or not can(actor, Action.SEND_REMINDERS):
        return
    info = next((c for c in data.cycle_list(actor) if c.year == year), None)
    if info is None or not info.is_open:
        return
    names = {int(org_id): str(name) for org_id, name in pending["name"].items()}
    with st.form("db_chase_form", border=False):
        picked = st.multiselect(
            T.CHASE_PICK,
            options=list(names),
            format_func=lambda org_id: names.get(org_id, str(org_id)),
            placeholder=T.CHASE_PLACEHOLDER,
            help=T.CHASE_PICK_HELP,
            key="db_chase_pick",
        )
        every = st.checkbox(T.CHASE_ALL, key="db_chase_all")
        pressed = st.form_submit_button(T.CHASE_BUTTON, icon=":material/campaign:")
    if not pressed:
        return
    chosen = list(names) if every else list(picked)
    if not chosen:
        st.warning(T.CHASE_NONE_PICKED)
        return
    with shown_errors():
        outcome = reminders.chase_now(actor, year, chosen)
        st.success(
            T.CHASE_DONE.format(
                orgs=outcome.orgs,
                notices=outcome.count(ReminderChannel.NOTICE),
                emails=outcome.count(ReminderChannel.EMAIL),
                robots=outcome.count(ReminderChannel.WEBHOOK),
            )
        )
        if outcome.skipped:
            st.info(T.CHASE_SKIPPED.format(n=outcome.skipped))
        if outcome.failed:
            st.warning(T.CHASE_FAILED.format(n=outcome.failed))


def notice_banner(actor: Actor | None) -> None:
    """The latest reminder addressed to the user (or the user's organisation), at the top of
    every page it opens (ui.session.require_actor)."""
    for notice in reminders.notices(actor)[:1]:
        st.warning(
            T.NOTICE_BANNER.format(subject=notice.subject, when=china_time(notice.at)),
            icon=":material/notifications:",
        )
