"""双优: 业绩 grades, the recommended list with its quota, and the leadership's final list."""

import streamlit as st

from db.services import grades as G
from formatting import china_time
from permissions import Action, can
from texts import leadership as T
from ui import dashboard, data, live, rankings
from ui import excellence as ux
from ui.feedback import shown_errors
from ui.phone import two_up
from ui.session import require_actor
from ui.text import plain

actor = require_actor(Action.VIEW_RESULTS)

st.title(dashboard.scoped_title(actor, T.EXCELLENCE_TITLE))
st.caption(T.EXCELLENCE_CAPTION)
if flash := st.session_state.pop("ex_flash", None):
    st.success(flash)

with shown_errors(stop=True):
    year, _basis = rankings.year_and_basis(actor, "ex", with_basis=False)
    view = data.excellence_view(actor, year)
    frame = data.city_frame(actor, year)

cols = two_up("ex-kpis").columns(4)
cols[0].metric(T.EX_FIVE, view.basis_count)
cols[1].metric(T.EX_QUOTA, view.quota)
cols[2].metric(T.EX_ELIGIBLE, len(view.eligible))
cols[3].metric(T.EX_RECOMMENDED, len(view.recommended))
names = view.candidates["name"]
if view.tie_at_cut:
    st.warning(T.EX_TIE.format(names="、".join(plain(names[o]) for o in view.tied if o in names)))
if view.confirmed_at:
    st.success(T.EX_CONFIRMED.format(at=china_time(view.confirmed_at), n=len(view.final)))
    if view.changed_since:
        st.warning(T.EX_CHANGED)
else:
    st.info(T.EX_NOT_CONFIRMED)
if view.frozen:
    st.info(T.EX_FROZEN)

confirms = can(actor, Action.CONFIRM_EXCELLENCE)
can_confirm = confirms and not view.frozen
if can_confirm:
    ux.progress_notes(view)
st.subheader(T.EX_CANDIDATES)
table = ux.candidate_table(view)
if can_confirm:
    st.caption(T.EX_CANDIDATES_HELP)
    with st.form(f"ex_confirm_{year}"):
        edited = st.data_editor(
            table,
            hide_index=True,
            placeholder="—",
            column_config=ux.CANDIDATE_CONFIG,
            column_order=ux.EDITOR_ORDER,
            disabled=[c for c in table.columns if c not in (T.COL_SELECTED, T.COL_REASON)],
            key=f"ex_editor_{year}",
        )
        confirm = st.form_submit_button(
            T.EX_CONFIRM, type="primary", disabled=not view.progress.finished
        )
    selected, reasons = ux.decisions_from(edited)
    st.caption(T.EX_COUNT_NOTE.format(n=len(selected), quota=view.quota))
    if confirm:
        ux.ask_confirmation(year, selected, reasons)
    if pending := ux.pending_confirmation(year):
        ux.confirm_dialog(actor, view, pending)
else:
    if not confirms:
        st.caption(T.EX_VIEW_ONLY)
    ux.candidate_list(table, "ex-candidates")

if view.confirmed_at:
    st.subheader(T.EX_FINAL_LIST)
    final = table[table[ux.ID].isin(view.final)]
    if final.empty:
        st.caption(T.EX_FINAL_NONE)
    else:
        ux.candidate_list(final, "ex-final")

if can(actor, Action.MANAGE_GRADES):
    with st.expander(T.EX_GRADES, expanded=False):
        st.caption(T.EX_GRADES_HELP)
        grades = ux.grade_table(frame, G.load_grades(actor, year))
        with st.form(f"ex_grades_{year}"):
            edited_grades = st.data_editor(
                grades,
                hide_index=True,
                placeholder="—",
                column_config=ux.GRADE_CONFIG,
                disabled=[c for c in grades.columns if c != T.COL_GRADE],
                key=f"ex_grade_editor_{year}",
                height=360,
            )
            save = st.form_submit_button(T.EX_GRADES_SAVE)
        if save:
            with shown_errors():
                changes = ux.changed_grades(grades, edited_grades)
                if not changes:
                    st.info(T.EX_GRADES_NONE_CHANGED)
                else:
                    n = G.set_grades(actor, year=year, grades=changes)
                    st.session_state["ex_flash"] = T.EX_GRADES_SAVED.format(n=n)
                    data.changed_here()
                    st.rerun()
        with shown_errors():
            ux.import_form(actor, year)

live.watch("excellence")
