"""先锋指数: each member's index in a half-year round. The branch enters the members'
declarations and its own 支部考评; the admin opens and closes rounds; the scope's reviewers,
leaders and the department read the results (never a public list)."""

import streamlit as st

from db.services import members, vanguard_scores
from permissions import Action, can
from texts import members as T
from ui import members as ui
from ui.feedback import shown_errors
from ui.session import require_actor

actor = require_actor(Action.VIEW_MEMBERS)
st.title(T.VANGUARD_TITLE)
st.caption(T.VANGUARD_INTRO)

with shown_errors(stop=True):
    rounds = members.list_rounds(actor)
if can(actor, Action.MANAGE_ROUNDS):
    ui.round_admin(actor, rounds)
if not rounds:
    st.info(T.NO_ROUNDS)
    st.stop()
by_id = {r.id: r for r in rounds}
round_id = st.selectbox(
    T.ROUND_SELECT,
    list(by_id),
    format_func=lambda i: T.ROUND_STATE.format(
        label=members.round_label(by_id[i]), status=T.ROUND_STATUS_NAMES[by_id[i].status]
    ),
    key="vanguard:round",
)
with shown_errors(stop=True):
    orgs = members.roster_orgs(actor)
if not orgs or round_id is None:
    st.info(T.NO_ORGS)
    st.stop()
org = ui.pick_org(orgs, key="vanguard:org")
with shown_errors(stop=True):
    view = vanguard_scores.round_view(actor, round_id=round_id, org_id=org.id)
st.markdown(ui.summary(view))
ui.results_table(view)
if view.editable:
    ui.sheet_form(actor, view)
elif not view.open:
    st.caption(T.ROUND_READ_ONLY)
