"""公示: the administrator publishes a year's results, records objections, and they become final;
a region's administrator publishes its own region's list before the city publishes the year."""

import streamlit as st

from db.services import publication as P
from permissions import Action, Target, can
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
# The year's publication belongs to the city; a region's admin publishes its own region.
whole_year = can(actor, Action.MANAGE_PUBLICATION, Target.whole_city())
own_region = actor.scope.region
if not manages:
    st.caption(T.PUB_NOT_ADMIN)
elif whole_year and info.state == "none":
    ui.publish_form(actor, info)
elif own_region is not None and info.status in ("open", "closed"):
    ui.region_publish_form(actor, info, own_region)

if info.status in ("published", "final"):
    ui.objections_panel(actor, info, listed)
if whole_year and info.state == "expired" and info.status == "published":
    ui.finalize_panel(actor, info)

ui.result_list(actor, info, listed)
