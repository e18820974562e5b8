"""The 双优 page's tables: candidates with the recommendation, and the 业绩 grade editor."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from db.models import GRADES
from db.services import excellence, readmodels
from db.services import grades as G
from db.services.common import Actor
from texts import common as C
from texts import leadership as T
from ui import data
from ui.drop_zone import forget_picked, picked_file
from ui.feedback import shown_errors
from ui.phone import LIST_LIMIT, table_or_list
from ui.text import plain

ID = "_org_id"


def candidate_table(view: excellence.ExcellenceView) -> pd.DataFrame:
    """Five-star organisations (and any already decided) with the rule's recommendation."""
    c = view.candidates
    # no rank for an organisation that has not handed in (readmodels.ranked): a returned one
    ranks = readmodels.shown_ranks(c)
    return pd.DataFrame(
        {
            ID: c.index.astype("int64"),
            T.COL_RANK: ranks["rank"],
            T.COL_REGION_RANK: ranks["region_rank"],
            T.COL_NAME: c["name"],
            T.COL_REGION: c["region"],
            T.COL_STATUS: c["status"].map(lambda v: C.STATUS_NAMES.get(v, v)),
            T.COL_COMPOSITE: c["composite"].astype(float),
            T.COL_GRADE: c["grade"].replace("", T.EX_NO_GRADE),
            T.COL_ELIGIBLE: c["eligible"].astype(bool),
            T.COL_RECOMMENDED: c["recommended"].astype(bool),
            T.COL_TIED: c["tied"].astype(bool),
            T.COL_SELECTED: c["selected"].astype(bool),
            T.COL_REASON: c["reason"].fillna(""),
        }
    )


# Widths in pixels: at 1,400 px every column of the confirmation editor is in sight (12
# columns in the ~900 px beside the menu); 入选 is wide enough for its header and edit mark.
NARROW = 62
CANDIDATE_CONFIG = {
    ID: None,
    T.COL_RANK: st.column_config.NumberColumn(format="%d", width=NARROW),
    T.COL_REGION_RANK: st.column_config.NumberColumn(format="%d", width=NARROW),
    T.COL_NAME: st.column_config.TextColumn(width=180, pinned=True),
    T.COL_REGION: st.column_config.TextColumn(width=56),
    T.COL_STATUS: st.column_config.TextColumn(width=56, help=T.EX_STATUS_HELP),
    T.COL_COMPOSITE: st.column_config.NumberColumn(format="%.1f", width=NARROW),
    T.COL_GRADE: st.column_config.TextColumn(width=NARROW),
    T.COL_ELIGIBLE: st.column_config.CheckboxColumn(width=NARROW),
    T.COL_RECOMMENDED: st.column_config.CheckboxColumn(width=50),
    T.COL_TIED: st.column_config.CheckboxColumn(width=50),
    T.COL_SELECTED: st.column_config.CheckboxColumn(width=NARROW),
    T.COL_REASON: st.column_config.TextColumn(width=140, max_chars=excellence.REASON_MAX),
}


# The confirmation editor: the name (pinned), then what the leader decides on (the rule's
# recommendation, the choice, the reason), then the figures it rests on. At 390 px the name and
# the two ticks are in sight without scrolling sideways (入选 was the twelfth column).
EDITOR_ORDER = (
    T.COL_NAME,
    T.COL_RECOMMENDED,
    T.COL_SELECTED,
    T.COL_REASON,
    T.COL_RANK,
    T.COL_REGION_RANK,
    T.COL_REGION,
    T.COL_STATUS,
    T.COL_COMPOSITE,
    T.COL_GRADE,
    T.COL_ELIGIBLE,
    T.COL_TIED,
)


# What a phone's list of candidates shows beside the name (the ticks written as 是/否).
PHONE_COLUMNS = (
    T.COL_RANK,
    T.COL_REGION,
    T.COL_COMPOSITE,
    T.COL_GRADE,
    T.COL_RECOMMENDED,
    T.COL_SELECTED,
    T.COL_REASON,
)


def candidate_list(table: pd.DataFrame, name: str) -> None:
    """Candidates as the read-only table, and on a phone one entry per organisation (the
    first LIST_LIMIT; a city has hundreds of five-star organisations)."""
    table_or_list(
        table,
        name,
        T.COL_NAME,
        phone_columns=PHONE_COLUMNS,
        limit=LIST_LIMIT,
        placeholder="—",
        column_config=CANDIDATE_CONFIG,
    )


def decisions_from(edited: pd.DataFrame) -> tuple[list[int], dict[int, str]]:
    """(selected org ids, reason per org) from the edited candidate table."""
    selected = [int(i) for i in edited.loc[edited[T.COL_SELECTED].astype(bool), ID]]
    reasons = {
        int(i): str(r or "").strip()
        for i, r in zip(edited[ID], edited[T.COL_REASON], strict=True)
        if str(r or "").strip()
    }
    return selected, reasons


def grade_table(frame: pd.DataFrame, grades: dict[int, str]) -> pd.DataFrame:
    """Every evaluated organisation of the year with its 业绩 grade (for the admin's editor)."""
    ordered = frame.sort_values("code")
    return pd.DataFrame(
        {
            ID: ordered.index.astype("int64"),
            T.COL_CODE: ordered["code"],
            T.COL_NAME: ordered["name"],
            T.COL_REGION: ordered["region"],
            T.COL_GRADE: [grades.get(int(i)) for i in ordered.index],
        }
    )


GRADE_CONFIG = {
    ID: None,
    T.COL_GRADE: st.column_config.SelectboxColumn(options=list(GRADES), width="small"),
}


def changed_grades(before: pd.DataFrame, after: pd.DataFrame) -> dict[int, str]:
    """Grades the admin changed in the editor (cleared cells are ignored)."""
    old = dict(zip(before[ID], before[T.COL_GRADE], strict=True))
    return {
        int(i): str(g)
        for i, g in zip(after[ID], after[T.COL_GRADE], strict=True)
        if isinstance(g, str) and g and g != old.get(i)
    }


def import_form(actor: Actor, year: int) -> None:
    """Upload an Excel/CSV file of 业绩 grades (db/services/grades.py)."""
    st.markdown(f"**{T.EX_IMPORT}**")
    key = f"ex_import:{year}"
    upload = picked_file(key=key, hint=T.EX_IMPORT_HELP, extensions=("xlsx", "csv"))
    if upload is None or upload.content is None:
        return
    if st.button(T.EX_IMPORT_BUTTON, key=key + ":go", type="primary"):
        result = G.import_grades(actor, data=upload.content, filename=upload.name, year=year)
        forget_picked(key)
        data.changed_here()
        st.success(
            T.EX_IMPORT_OK.format(
                summary=T.EX_IMPORT_SUMMARY.format(
                    created=result.created, updated=result.updated, unchanged=result.unchanged
                )
            )
        )


# --------------------------------------------------------------------------- confirmation

PENDING_KEY = "ex:pending-confirm"


def progress_notes(view: excellence.ExcellenceView) -> None:
    """The figures the confirmation rests on, and in bold what stands in its way or is missing."""
    p = view.progress
    st.caption(
        T.EX_PROGRESS.format(
            drafts=p.drafts,
            returned=p.returned,
            unreviewed=p.unreviewed,
            reviewed=p.reviewed,
            five=view.basis_count,
            quota=view.quota,
        )
    )
    st.caption(
        T.EX_QUOTA_MODE.format(mode=C.QUOTA_MODE_NAMES.get(view.quota_mode, view.quota_mode))
    )
    if not p.finished:
        st.warning(T.EX_BLOCKED.format(n=p.unreviewed), icon=":material/block:")
    elif p.not_handed_in:
        st.warning(T.EX_EARLY.format(n=p.not_handed_in, drafts=p.drafts, returned=p.returned))


def ask_confirmation(year: int, selected: list[int], reasons: dict[int, str]) -> None:
    """Remember the edited list; the dialog stays open across reruns until answered."""
    st.session_state[PENDING_KEY] = {"year": year, "selected": selected, "reasons": reasons}


def _close() -> None:
    st.session_state.pop(PENDING_KEY, None)


def pending_confirmation(year: int) -> dict[str, Any] | None:
    pending = st.session_state.get(PENDING_KEY)
    return pending if pending and pending.get("year") == year else None


@st.dialog(T.EX_DIALOG_TITLE, on_dismiss=_close)
def confirm_dialog(actor: Actor, view: excellence.ExcellenceView, pending: dict[str, Any]) -> None:
    """Name what is confirmed and on which figures; only 确认名单 writes."""
    selected = [int(o) for o in pending["selected"]]
    reasons = {int(o): r for o, r in pending["reasons"].items()}
    names = view.candidates["name"]
    st.markdown(
        T.EX_DIALOG_TEXT.format(
            year=view.year,
            n=len(selected),
            recommended=len(view.recommended),
            quota=view.quota,
            five=view.basis_count,
        )
    )
    removed = [o for o in view.recommended if o not in selected]
    added = [o for o in selected if o not in view.recommended]
    for template, ids in ((T.EX_DIALOG_REMOVED, removed), (T.EX_DIALOG_ADDED, added)):
        if ids:
            st.markdown(template.format(names="、".join(plain(names.get(o, o)) for o in ids)))
    progress_notes(view)
    yes, no = st.columns(2)
    if yes.button(
        T.EX_DIALOG_YES,
        type="primary",
        key="ex:confirm-yes",
        disabled=not view.progress.finished,
    ):
        with shown_errors():
            done = excellence.confirm_excellence(
                actor,
                year=view.year,
                selected=selected,
                reasons=reasons,
                cycle_version=view.cycle_version,
            )
            _close()
            st.session_state["ex_flash"] = T.EX_CONFIRMED_OK.format(n=len(done.final))
            data.changed_here()
            st.rerun()
    if no.button(T.EX_DIALOG_NO, key="ex:confirm-no", on_click=_close):
        st.rerun()
