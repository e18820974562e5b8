"""党员名册: a branch keeps its own roster (in the form, or in Excel: download, edit, import);
accounts whose scope covers an organisation read it, admins may correct it and import the
rosters of many organisations at once."""

import streamlit as st

from db.services import member_import, members
from permissions import Action, can
from texts import members as T
from ui import members as ui
from ui.admin import FLASH_KEY, import_block
from ui.feedback import show_flash, shown_errors
from ui.session import require_actor

actor = require_actor(Action.VIEW_MEMBERS)
st.title(T.ROSTER_TITLE)
st.caption(T.ROSTER_INTRO)

with shown_errors(stop=True):
    orgs = members.roster_orgs(actor)
if not orgs:
    st.info(T.NO_ORGS)
    st.stop()
org = ui.pick_org(orgs, key="members:org")
inactive = st.toggle(T.SHOW_INACTIVE, key="members:inactive")
with shown_errors(stop=True):
    rows = members.list_members(actor, org_id=org.id, include_inactive=True)
shown = rows if inactive else [m for m in rows if m.active]
st.markdown(ui.roster_summary(rows))
if shown:
    ui.roster_table(shown)
else:
    st.info(T.ROSTER_EMPTY)
if org.editable:
    ui.member_form(actor, org, rows)
if can(actor, Action.IMPORT_MEMBERS):
    show_flash(FLASH_KEY)
    st.subheader(T.IMPORT_HEADER)
    st.caption(T.IMPORT_RULE)
    if org.editable:
        ui.roster_download(actor, org)
    import_block(actor, "members", member_import.import_members)
