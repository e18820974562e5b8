"""初审: a department's 机关党委 checks its branches' handed-in assessments first."""

import streamlit as st

from permissions import Action
from texts import review as T
from ui import first_review as ui
from ui.feedback import show_flash, shown_errors
from ui.review import year_picker
from ui.session import require_actor

actor = require_actor(Action.FIRST_REVIEW)
st.title(T.FIRST_TITLE)
st.caption(T.FIRST_INTRO)
show_flash(ui.FLASH_KEY)

with shown_errors(stop=True):
    year = year_picker(actor)
    queue = ui.queue(actor, year)
    ui.header(actor, year, queue)

picked = ui.queue_table(queue)
if picked is None:
    st.stop()
ui.panel(actor, picked)
