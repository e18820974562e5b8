"""审计日志: who did what and when, filtered and exported (administrators only)."""

import streamlit as st

from db.services import audit as A
from permissions import Action
from texts import admin as T
from ui import audit as ui
from ui.feedback import shown_errors
from ui.session import require_actor

actor = require_actor(Action.VIEW_AUDIT)
with shown_errors(stop=True):
    actions = A.audit_actions(actor)
st.title(T.AUDIT_TITLE)
st.caption(T.AUDIT_INTRO)

flt, limit = ui.filters(actions)
with shown_errors(stop=True):
    frame, total = A.search_audit(actor, flt, limit=limit)
ui.table(frame, total)
ui.exports(actor, flt)
