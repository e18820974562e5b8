"""公示: the administrator publishes a year's results, records objections, and they become final."""

import streamlit as st

from db.services import publication as P
from permissions import Action, can
from texts import review as T
from ui import publication as ui
from ui.feedback import show_flash, shown_errors
from ui.session import require_actor

actor = require_actor(Action.VIEW_PUBLICATION)
st.title(T.PUB_TITLE)
st.caption(T.PUB_INTRO)
show_flash(ui.FLASH_KEY)

year = ui.year_picker(actor)
with shown_errors(stop=True):
    cycle_id = P.cycle_id_of(actor, year)
    info = P.publication_info(actor, cycle_id=cycle_id)
    listed = P.publication_list(actor, cycle_id=cycle_id)

ui.state_panel(info)
manages = can(actor, Action.MANAGE_PUBLICATION)
if not manages:
    st.caption(T.PUB_NOT_ADMIN)
elif info.state == "none":
    ui.publish_form(actor, info)

if info.state != "none":
    ui.objections_panel(actor, info, listed)
if manages and info.state == "expired":
    ui.finalize_panel(actor, info)

ui.result_list(actor, info, listed)
