"""Evidence uploads on the star pages and 我的支部: one criterion's zone, and many files at once.

The files travel to the /evidence/upload route (ui/drop_zone.py); a page-wide drop holds them
(db/services/evidence_batch.py) until the branch has seen — and may change — which criterion
each one goes to, then saves them together.
"""

from __future__ import annotations

import streamlit as st

import scoring
from db.services import assessment as A
from db.services import evidence as E
from db.services import evidence_batch as B
from db.services.common import Actor
from settings import get_settings
from texts import assessment as T
from ui.drop_zone import UploadResult, evidence_drop_zone, upload_url
from ui.feedback import flash, shown_errors
from ui.text import plain

FLASH_KEY = "evidence:flash"


def _hint(*, names: bool) -> str:
    settings = get_settings()
    limits = {"mb": settings.upload_max_mb, "n": settings.upload_max_files}
    if not names:  # under one criterion: the page's zone above already lists the types
        return T.DROP_HINT_SHORT.format(**limits)
    return T.DROP_HINT.format(**limits) + T.DROP_HINT_NAMES


def report(results: list[UploadResult]) -> None:
    """Each file's answer: a toast when it was taken, the route's Chinese reason when not."""
    for r in results:
        flash(FLASH_KEY, r.message, "success" if r.ok else "error")


def criterion_drop_zone(view: A.AssessmentView, code: str, page: str) -> None:
    """The zone under one criterion's files: what is dropped here is stored for that criterion."""
    results = evidence_drop_zone(
        key=f"drop:{view.id}:{page}:{code}",
        url=upload_url(view.id, code),
        title=T.DROP_TITLE_ONE,
        hint=_hint(names=False),
    )
    if results is not None:
        report(results)
        st.rerun()


def _options(view: A.AssessmentView, star: str | None) -> list[str]:
    """Every code that takes evidence: this page's star first, then the others, then 加分项."""
    first = list(view.rubric.by_star(star)) if star else []
    rest = [c for k in scoring.STAR_KEYS if k != star for c in view.rubric.by_star(k)]
    return [c.code for c in first + rest + list(view.rubric.items("bonus"))]


def _label(view: A.AssessmentView, code: str) -> str:
    c = view.rubric.criterion(code)
    return f"{code}　{c.title}"


def _staged_key(view: A.AssessmentView, staged_id: int) -> str:
    return f"staged:{view.id}:{staged_id}"


def batch_section(actor: Actor, view: A.AssessmentView, star: str | None) -> None:
    """One drop zone for many files, and the files waiting for their criterion."""
    if not view.editable:
        return
    results = evidence_drop_zone(
        key=f"drop:{view.id}:batch:{star or 'all'}",
        url=upload_url(view.id),
        title=T.DROP_TITLE_PAGE if star else T.DROP_TITLE_ALL,
        hint=_hint(names=True),
    )
    if results is not None:
        for r in results:
            if r.ok:
                st.toast(r.message, icon=":material/upload_file:")
            else:
                st.error(r.message, icon=":material/error:")
    with shown_errors():
        staged = B.list_staged(actor, assessment_id=view.id)
        if staged:
            staged_panel(actor, view, star, staged)


def staged_panel(
    actor: Actor, view: A.AssessmentView, star: str | None, staged: list[B.StagedFile]
) -> None:
    """Each held file with its criterion (chosen from a list), what goes where, and 保存."""
    options = _options(view, star)
    plan: dict[int, str | None] = {}
    with st.container(border=True):
        st.markdown(f"**{T.STAGED_HEADER.format(n=len(staged))}**")
        st.caption(T.STAGED_INTRO)
        for f in staged:
            name_col, pick_col, remove_col = st.columns([4, 5, 1], vertical_alignment="center")
            name_col.markdown(f":material/draft: {plain(f.filename)}  \n{E.human_size(f.size)}")
            choice = pick_col.selectbox(
                T.STAGED_TARGET,
                options,
                index=options.index(f.suggested) if f.suggested in options else None,
                format_func=lambda code: _label(view, code),
                placeholder=T.STAGED_TARGET_PLACEHOLDER,
                key=_staged_key(view, f.id),
                label_visibility="collapsed",
            )
            if choice is not None and choice == f.suggested:
                pick_col.caption(T.STAGED_AUTO)
            plan[f.id] = choice
            remove_col.button(
                T.STAGED_REMOVE,
                key=f"staged-remove:{view.id}:{f.id}",
                on_click=_discard,
                args=(actor, view.id, [f.id]),
            )
        chosen: dict[str, list[str]] = {}
        for f in staged:
            code = plan[f.id]
            if code is not None:
                chosen.setdefault(code, []).append(f.filename)
        if chosen:
            st.caption(T.STAGED_PLAN_TITLE)
            st.markdown(
                "\n".join(
                    "- "
                    + plain(T.STAGED_PLAN.format(code=_label(view, code), names="、".join(names)))
                    for code, names in sorted(chosen.items(), key=lambda kv: options.index(kv[0]))
                )
            )
        messages = st.container()
        save_col, drop_col = st.columns([3, 1])
        save = save_col.button(
            T.STAGED_SAVE.format(n=len(staged)),
            key=f"staged-save:{view.id}",
            type="primary",
            icon=":material/save:",
        )
        drop_col.button(
            T.STAGED_DISCARD_ALL,
            key=f"staged-discard:{view.id}",
            on_click=_discard,
            args=(actor, view.id, None),
        )
    if save:
        with messages, shown_errors():
            stored = B.save_staged(actor, assessment_id=view.id, plan=plan)
            for f in staged:
                st.session_state.pop(_staged_key(view, f.id), None)
            flash(FLASH_KEY, T.STAGED_SAVED.format(n=len(stored)))
            st.rerun()


def _discard(actor: Actor, assessment_id: int, ids: list[int] | None) -> None:
    with shown_errors():
        n = B.discard_staged(actor, assessment_id=assessment_id, ids=ids)
        flash(FLASH_KEY, T.STAGED_DISCARDED.format(n=n))


__all__ = ["FLASH_KEY", "batch_section", "criterion_drop_zone", "report", "staged_panel"]
