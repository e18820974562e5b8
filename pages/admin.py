"""管理: years, organisations, accounts, rubric and 业绩 grades (administrators only)."""

import streamlit as st

from permissions import Action, can
from texts import admin as T
from texts import reminders as R
from ui import admin as ui
from ui.feedback import show_flash
from ui.robots import robots_tab
from ui.session import require_actor

actor = require_actor(Action.ADMINISTER)
st.title(T.ADMIN_TITLE)

# The chosen tab is kept (key) across reruns, so an import or a save stays on its tab; only the
# open tab runs, so each tab's messages and warnings show on that tab alone.
# A region's admin gets the tabs of its region (organisations, accounts, grades); the year and
# its rubric belong to the city's.
sections = {
    label: draw
    for label, draw, action in (
        (T.TAB_YEARS, ui.years_tab, Action.MANAGE_YEARS),
        (T.TAB_ORGS, ui.orgs_tab, Action.MANAGE_ORGANISATIONS),
        (T.TAB_USERS, ui.users_tab, Action.MANAGE_USERS),
        (T.TAB_RUBRIC, ui.rubric_tab, Action.MANAGE_RUBRIC),
        (T.TAB_GRADES, ui.grades_tab, Action.MANAGE_GRADES),
        (R.ROBOT_TAB, robots_tab, Action.MANAGE_ROBOTS),
    )
    if can(actor, action)
}
tabs = st.tabs(list(sections), key=ui.TAB_KEY, on_change="rerun")
for (label, draw), tab in zip(sections.items(), tabs, strict=True):
    if tab.open:
        with tab:
            show_flash(ui.FLASH_KEY, owner=label)
            draw(actor)
