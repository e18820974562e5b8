"""管理: years, organisations, accounts, rubric and 业绩 grades (administrators only)."""

import streamlit as st

from permissions import Action
from texts import admin as T
from ui import admin as ui
from ui.session import require_actor

actor = require_actor(Action.ADMINISTER)
st.title(T.ADMIN_TITLE)
ui.show_flash()

years, orgs, users, rubric, grades = st.tabs(
    [T.TAB_YEARS, T.TAB_ORGS, T.TAB_USERS, T.TAB_RUBRIC, T.TAB_GRADES]
)
with years:
    ui.years_tab(actor)
with orgs:
    ui.orgs_tab(actor)
with users:
    ui.users_tab(actor)
with rubric:
    ui.rubric_tab(actor)
with grades:
    ui.grades_tab(actor)
