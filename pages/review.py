"""审核: the 机关工委 works through the submitted self-assessments (reviewer and admin)."""

import streamlit as st

from permissions import Action
from texts import review as T
from ui import levels
from ui import review as ui
from ui.feedback import show_flash, shown_errors
from ui.session import require_actor

actor = require_actor(Action.REVIEW)
st.title(T.REVIEW_TITLE)
st.caption(T.REVIEW_INTRO)
show_flash(ui.FLASH_KEY)

with shown_errors(stop=True):
    year = ui.year_picker(actor)
    queue = ui.queue(actor, year)
    levels.level_overview(actor, year, queue)
    levels.settings_panel(actor, year)

ui.open_from_url(actor, queue)
shown = ui.filters(queue)
picked = ui.queue_table(queue, shown)
ui.batch_approval(actor, shown)
if picked is None:
    st.stop()  # the queue said why it is empty, or the search lists matches to choose from

ui.review_fragment(actor, picked, [int(a) for a in shown["assessment_id"]])
