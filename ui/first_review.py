"""The 初审 screen: a department's 机关党委 works through its branches' handed-in assessments.

The queue (oldest first, with ages and the level's deadline), then one assessment: its items
with the branch's points, notes and evidence, its history, and 初审通过 / 退回. A decision is
guarded by the version shown (db.services.first_review).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import scoring
from db.services import assessment as A
from db.services import first_review as F
from db.services import member_figures
from db.services.common import Actor, StaleVersion
from db.services.member_figures import MemberFigure
from texts import common as C
from texts import members as MT
from texts import review as T
from ui import levels
from ui.data import ScopeKey, changed_here, data_version, scope_key
from ui.evidence_link import evidence_link
from ui.feedback import flash, shown_errors
from ui.members import figure_source
from ui.phone import table_or_list
from ui.queue import FIRST_LEVEL, show_queue
from ui.star_page import fmt
from ui.text import plain

PICK_KEY = "first:pick"
FLASH_KEY = "first:flash"


@st.cache_data(max_entries=8, show_spinner=False)
def _queue(
    year: int,
    version: int,  # noqa: ARG001 - cache key only: the change counter
    scope: ScopeKey,  # noqa: ARG001 - cache key only: the queue's scope
    _actor: Actor,
) -> pd.DataFrame:
    return F.first_queue(_actor, year=year)


def queue(actor: Actor, year: int) -> pd.DataFrame:
    """The year's 初审 queue of the actor's department (shared cache, keyed by the change
    counter and the scope, never by the user)."""
    return _queue(year, data_version(), scope_key(actor), actor)


def header(actor: Actor, year: int, frame: pd.DataFrame) -> None:
    """The level's deadline and how many wait, the oldest for how long."""
    settings = F.level_settings(actor, year=year)
    waited = levels.ages(frame["submitted_at"]) if not frame.empty else []
    oldest = max((w for w in waited if w is not None), default=None)
    st.markdown(
        "**"
        + levels.queue_summary(T.LEVEL_FIRST, len(frame), oldest)
        + "** · "
        + levels.deadline_text(T.LEVEL_FIRST, settings.first_review_deadline)
    )


def queue_table(frame: pd.DataFrame) -> int | None:
    """The queue as a table and a picker; returns the chosen assessment."""
    if frame.empty:
        st.info(T.FIRST_QUEUE_EMPTY)
        return None
    show_queue(frame, FIRST_LEVEL, "first-queue")
    ids = [int(a) for a in frame["assessment_id"]]
    labels = {int(r.assessment_id): f"{r.name}（{r.code}）" for r in frame.itertuples()}
    if st.session_state.get(PICK_KEY) not in ids:
        st.session_state[PICK_KEY] = ids[0]
    picked = st.selectbox(T.FIRST_PICK, ids, format_func=lambda a: labels[a], key=PICK_KEY)
    return int(picked) if picked is not None else None


def _star_items(
    actor: Actor, view: A.AssessmentView, star: str, sourced: dict[str, MemberFigure]
) -> None:
    entries = view.star_entries(star)
    table = pd.DataFrame(
        {
            "code": [e.code for e in entries],
            "title": [e.criterion.title for e in entries],
            "points": [fmt(e.self_points) if e.self_points is not None else "—" for e in entries],
            "max": [fmt(e.criterion.max_points) for e in entries],
            "note": [e.note or "—" for e in entries],
            "evidence": [len(e.evidence) for e in entries],
        }
    )
    # On a phone each item is headed by its code and title (a dash cell is left out there).
    table_or_list(
        table,
        f"first-items-{star}",
        "code",
        labels=T.FIRST_ITEM_COLUMNS,
        phone_columns=["points", "max", "note", "evidence"],
        phone_frame=table.assign(
            code=table["code"] + " " + table["title"],
            points=table["points"].replace("—", T.SELF_NOT_SCORED),
        ),
    )
    for entry in entries:
        found = sourced.get(entry.code)
        if found is not None:  # the figure the system computes, as the branch's page shows it
            st.markdown(f"**{entry.code}** {plain(entry.criterion.title)}")
            figure_source(actor, found, MT.FIGURE_REVIEW_NOTE)
    for entry in entries:
        for info in entry.evidence:
            evidence_link(st, f"{entry.code} {info.filename}", info.id, tertiary=True)


def panel(actor: Actor, assessment_id: int) -> None:
    """One assessment at the 初审: summary, items per star, history, and the decision."""
    with shown_errors(stop=True):
        view = A.get_assessment(actor, assessment_id=assessment_id)
        sourced = member_figures.sourced_figures(
            actor, assessment_id=assessment_id, criteria=view.rubric.criteria
        )
    st.subheader(plain(view.org_name), divider="red")
    result = view.self_result
    st.caption(
        T.FIRST_SUMMARY.format(
            composite=fmt(result.composite),
            level=T.VETOED if result.vetoed else C.LEVEL_NAMES[result.level],
        )
    )
    tabs = st.tabs(
        [scoring.STAR_NAMES[k] for k in scoring.STAR_KEYS] + [T.STEPS_HEADER],
        key=f"first:{assessment_id}:tabs",
        on_change="rerun",
    )
    for tab, star in zip(tabs, scoring.STAR_KEYS, strict=False):
        if tab.open:
            with tab:
                st.caption(
                    T.FIRST_ITEMS.format(
                        star=scoring.STAR_NAMES[star],
                        score=fmt(view.star_score(star)),
                        base=fmt(view.rubric.bases[star]),
                    )
                )
                _star_items(actor, view, star, sourced)
    if tabs[-1].open:
        with tabs[-1]:
            levels.steps_table(actor, assessment_id)
    comment_key = f"first:{assessment_id}:comment"
    st.text_area(
        T.FIRST_COMMENT, key=comment_key, max_chars=F.COMMENT_MAX, help=T.FIRST_COMMENT_HELP
    )
    left, right = st.columns(2)
    if left.button(
        T.FIRST_RETURN_BUTTON,
        key=f"first:{assessment_id}:return",
        width="stretch",
        icon=":material/undo:",
    ):
        _decide(actor, view, "return", st.session_state.get(comment_key, ""))
    if right.button(
        T.FIRST_PASS_BUTTON,
        key=f"first:{assessment_id}:pass",
        type="primary",
        width="stretch",
        icon=":material/forward:",
    ):
        _decide(actor, view, "pass", st.session_state.get(comment_key, ""))


def _decide(actor: Actor, view: A.AssessmentView, decision: str, comment: str) -> None:
    with shown_errors():
        try:
            if decision == "pass":
                F.pass_on(actor, assessment_id=view.id, version=view.version, comment=comment)
                message = T.FIRST_PASSED.format(name=plain(view.org_name))
            else:
                F.return_to_branch(
                    actor, assessment_id=view.id, version=view.version, comment=comment
                )
                message = T.FIRST_RETURNED.format(name=plain(view.org_name))
        except StaleVersion:
            st.error(C.ERR_STALE, icon=":material/sync_problem:")
            changed_here()
            return
        changed_here()
        st.session_state.pop(PICK_KEY, None)
        st.session_state.pop(f"first:{view.id}:comment", None)
        flash(FLASH_KEY, message)
        st.rerun()


__all__ = ["header", "panel", "queue", "queue_table"]
