"""部门进度: a department's organisations — status, stars, gap to five-star, who has not started."""

import streamlit as st

from permissions import Action
from texts import leadership as T
from ui import dashboard, data, department, live, rankings
from ui.feedback import shown_errors
from ui.session import require_actor

actor = require_actor(Action.VIEW_RESULTS)

st.title(dashboard.scoped_title(actor, T.DEPT_TITLE))
st.caption(T.DEPT_CAPTION)

with shown_errors(stop=True):
    choices = data.departments(actor)
if not choices:
    st.info(T.DEPT_NONE)
    st.stop()
with shown_errors(stop=True):
    year, _basis = rankings.year_and_basis(actor, "dp", with_basis=False)
    chosen = department.pick(choices)
    view = data.department_view(actor, year, chosen.id)
department.show(actor, view)

live.watch("department")
