"""The review screen's parts: the queue with filters, and one assessment under review.

Widget keys carry the assessment id and the version the reviewer loaded ("base"), so typed
points survive reruns, a save is guarded by the version the reviewer actually saw, and after a
save the inputs start again from the database.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

import scoring
from db.services import member_figures, review_batch, reviewing
from db.services import review as R
from db.services.common import Actor, InvalidInput, StaleVersion
from db.services.member_figures import MemberFigure
from formatting import china_time
from texts import common as C
from texts import members as MT
from texts import review as T
from ui import levels
from ui.data import ScopeKey, changed_here, data_version, scope_key, years
from ui.evidence_link import evidence_link
from ui.feedback import flash, shown_errors
from ui.members import figure_source
from ui.phone import disclosure
from ui.queue import SECOND_LEVEL, show_queue
from ui.star_page import fmt
from ui.text import plain
from ui.url_org import org_from_url

PICK_KEY = "review:pick"
FLASH_KEY = "review:flash"
STALE_KEY = "review:stale"
TABLE_IDS_KEY = "review:table-ids"
NEXT_KEY = "review:next"
BATCH_KEY = "review:batch"
BATCH_FAILED_KEY = "review:batch-failed"
BATCH_CONFIRM_KEY = "review:batch-confirm-pending"
PENDING_IDS_KEY = "review:pending-ids"
PENDING = "submitted"


# ----------------------------------------------------------------------------- queue


@st.cache_data(max_entries=8, show_spinner=False)
def _queue(
    year: int,
    version: int,  # noqa: ARG001 - cache key only: the change counter
    scope: ScopeKey,  # noqa: ARG001 - cache key only: the queue's scope
    _actor: Actor,
) -> pd.DataFrame:
    return R.load_queue(_actor, year)


def queue(actor: Actor, year: int) -> pd.DataFrame:
    """The year's queue of the reviewer's scope (shared cache, keyed by the database change
    counter and the scope, never by the user)."""
    reviewer = R.authorize_review(actor)
    return _queue(year, data_version(), scope_key(reviewer), reviewer)


def open_from_url(actor: Actor, frame: pd.DataFrame) -> None:
    """`?org=ID` in the address opens that organisation's assessment of the queue (once per
    address); an id out of the reviewer's scope or not in the queue gets the Chinese answer."""
    known = {int(o): int(a) for o, a in zip(frame["org_id"], frame["assessment_id"], strict=True)}
    org_id = org_from_url(actor, "review", known)
    if org_id is not None and st.session_state.get("review:url-opened") != org_id:
        st.session_state["review:url-opened"] = org_id
        st.session_state[PICK_KEY] = known[org_id]


def year_picker(actor: Actor) -> int:
    options = sorted(years(actor), reverse=True)
    if not options:
        st.info(C.ERR_NO_OPEN_CYCLE)
        st.stop()
    return int(st.selectbox(T.YEAR, options, key="review:year"))


def _search_changed() -> None:
    """A new search chooses again: the assessment open before is not what was searched for."""
    st.session_state.pop(PICK_KEY, None)


def filters(frame: pd.DataFrame) -> pd.DataFrame:
    """Status, region, department, type, search and "changed only"; returns the rows shown."""
    present = {key: set(frame[key].unique()) for key in ("status", "region", "org_type")}
    statuses = [s for s in C.STATUS_NAMES if s in present["status"]]
    cols = st.columns([2, 1, 2, 1])
    default = [PENDING] if PENDING in statuses else statuses
    chosen = cols[0].multiselect(
        T.FILTER_STATUS,
        statuses,
        default=default,
        format_func=lambda s: C.STATUS_NAMES[s],
        key="review:status",
        placeholder=T.ALL,
    )
    regions = cols[1].multiselect(
        T.FILTER_REGION, sorted(present["region"]), key="review:region", placeholder=T.ALL
    )
    departments = cols[2].multiselect(
        T.FILTER_DEPARTMENT,
        sorted(d for d in frame["department"].unique() if d),
        key="review:dept",
        placeholder=T.ALL,
    )
    types = cols[3].multiselect(
        T.FILTER_TYPE,
        [t for t in C.ORG_TYPE_NAMES if t in present["org_type"]],
        format_func=lambda t: C.ORG_TYPE_NAMES[t],
        key="review:type",
        placeholder=T.ALL,
    )
    search_col, changed_col = st.columns([3, 2], vertical_alignment="bottom")
    search = search_col.text_input(
        T.FILTER_SEARCH, key="review:search", on_change=_search_changed
    ).strip()
    changed_only = changed_col.checkbox(T.FILTER_CHANGED, key="review:changed")
    shown = frame
    if chosen:
        shown = shown[shown["status"].isin(chosen)]
    if regions:
        shown = shown[shown["region"].isin(regions)]
    if departments:
        shown = shown[shown["department"].isin(departments)]
    if types:
        shown = shown[shown["org_type"].isin(types)]
    if search:
        mask = shown["name"].str.contains(search, regex=False) | shown["code"].str.contains(
            search, regex=False, case=False
        )
        shown = shown[mask]
    if changed_only:
        shown = shown[shown["changed"] > 0]
    return shown


def _on_table_select() -> None:
    selection = st.session_state.get("review:table")
    ids = st.session_state.get(TABLE_IDS_KEY, [])
    rows = getattr(getattr(selection, "selection", None), "rows", None)
    if rows is None and isinstance(selection, dict):
        rows = selection.get("selection", {}).get("rows", [])
    chosen = [ids[p] for p in rows or [] if 0 <= p < len(ids)]
    if chosen:
        # The row ticked last opens; every ticked pending row goes to the batch approval.
        st.session_state[PICK_KEY] = chosen[-1]
    pending = set(st.session_state.get(PENDING_IDS_KEY, []))
    st.session_state[BATCH_KEY] = [a for a in chosen if a in pending]


def queue_table(frame: pd.DataFrame, shown: pd.DataFrame) -> int | None:
    """The queue as a table (a click picks a row) and a picker; returns the chosen assessment."""
    counts = frame["status"].value_counts()
    st.caption(
        T.QUEUE_CAPTION.format(
            shown=len(shown),
            total=len(frame),
            pending=int(counts.get("submitted", 0)),
            done=int(counts.get("reviewed", 0) + counts.get("published", 0)),
            returned=int(counts.get("returned", 0)),
        )
    )
    if shown.empty:
        st.info(T.QUEUE_EMPTY)
        return None
    st.session_state[TABLE_IDS_KEY] = [int(a) for a in shown["assessment_id"]]
    show_queue(
        shown,
        SECOND_LEVEL,
        "review-queue",
        height=min(420, 38 + 35 * len(shown)),
        key="review:table",
        on_select=_on_table_select,
        selection_mode="multi-row",
    )
    ids = [int(a) for a in shown["assessment_id"]]
    labels = {
        int(a): f"{name}（{code}，{C.STATUS_NAMES.get(status, status)}）"
        for a, name, code, status in zip(
            ids,
            shown["name"].tolist(),
            shown["code"].tolist(),
            shown["status"].tolist(),
            strict=True,
        )
    }
    following = st.session_state.pop(NEXT_KEY, None)
    if following in ids:
        st.session_state[PICK_KEY] = following
    search = str(st.session_state.get("review:search") or "").strip()
    if st.session_state.get(PICK_KEY) not in ids:
        # A search with several matches lists them to choose from instead of opening the
        # first one (which may be a different organisation than the one meant).
        st.session_state[PICK_KEY] = ids[0] if len(ids) == 1 or not search else None
    if search and len(ids) > 1:
        st.info(T.SEARCH_MATCHES.format(search=search, n=len(ids)))
    picked = st.selectbox(
        T.QUEUE_PICK,
        ids,
        format_func=lambda a: labels.get(a, str(a)),  # AppTest formats a stale pick
        key=PICK_KEY,
        placeholder=T.QUEUE_PICK_PLACEHOLDER,
    )
    return int(picked) if picked is not None else None


def _select_all_pending(pending: list[int]) -> None:
    st.session_state[BATCH_KEY] = list(pending)


def batch_approval(actor: Actor, shown: pd.DataFrame) -> None:
    """Approve several submitted assessments at once (each checked and audited on its own)."""
    pending = shown[shown["status"] == PENDING]
    pending_ids = [int(a) for a in pending["assessment_id"]]
    st.session_state[PENDING_IDS_KEY] = pending_ids
    if BATCH_KEY in st.session_state:
        st.session_state[BATCH_KEY] = [a for a in st.session_state[BATCH_KEY] if a in pending_ids]
    chosen_now = st.session_state.get(BATCH_KEY) or []
    if failed := st.session_state.pop(BATCH_FAILED_KEY, None):
        st.error(T.BATCH_SOME_FAILED.format(n=len(failed)))
        for message in failed:
            st.markdown(f"- {message}")
    if shown.empty:
        return  # the filters match nothing: the queue says so, there is nothing to approve
    with st.expander(T.BATCH_HEADER, expanded=bool(chosen_now), icon=":material/done_all:"):
        st.caption(T.BATCH_HELP)
        if not pending_ids:
            st.info(T.BATCH_NONE_PENDING)
            return
        labels = {
            a: f"{name}（{code}）"
            for a, name, code in zip(
                pending_ids, pending["name"].tolist(), pending["code"].tolist(), strict=True
            )
        }
        versions = dict(zip(pending_ids, map(int, pending["version"].tolist()), strict=True))
        st.button(
            T.BATCH_ALL.format(n=len(pending_ids)),
            key="review:batch-all",
            on_click=_select_all_pending,
            args=(pending_ids,),
        )
        chosen = st.multiselect(
            T.BATCH_PICK,
            pending_ids,
            format_func=lambda a: labels[a],
            key=BATCH_KEY,
            placeholder=T.QUEUE_PICK_PLACEHOLDER,
        )
        if st.button(
            T.BATCH_BUTTON.format(n=len(chosen)),
            type="primary",
            disabled=not chosen,
            key="review:batch-approve",
            icon=":material/done_all:",
        ):
            st.session_state[BATCH_CONFIRM_KEY] = {a: versions[a] for a in chosen}
    if pending_confirmation := st.session_state.get(BATCH_CONFIRM_KEY):
        batch_confirm_dialog(actor, pending_confirmation, labels)


def _close_batch_confirmation() -> None:
    st.session_state.pop(BATCH_CONFIRM_KEY, None)


@st.dialog(T.BATCH_CONFIRM_TITLE, on_dismiss=_close_batch_confirmation)
def batch_confirm_dialog(actor: Actor, versions: dict[int, int], labels: dict[int, str]) -> None:
    """Name how many and which assessments are approved; only 确认 writes."""
    st.markdown(T.BATCH_CONFIRM_TEXT.format(n=len(versions)))
    st.markdown(
        "\n".join(
            f"{i}. {plain(labels.get(a, T.BATCH_UNKNOWN.format(id=a)))}"
            for i, a in enumerate(versions, start=1)
        )
    )
    st.caption(T.BATCH_CONFIRM_NOTE)
    yes, no = st.columns(2)
    if yes.button(
        T.BATCH_CONFIRM_YES.format(n=len(versions)),
        type="primary",
        key="review:batch-confirm",
        icon=":material/done_all:",
    ):
        with shown_errors():
            outcome = review_batch.approve_many(actor, versions=versions)
            _close_batch_confirmation()
            st.session_state.pop(BATCH_KEY, None)
            changed_here()
            if outcome.approved:
                flash(FLASH_KEY, T.BATCH_DONE.format(n=len(outcome.approved)))
            if outcome.failed:
                st.session_state[BATCH_FAILED_KEY] = [m for _a, m in outcome.failed]
            st.rerun()
    if no.button(T.BATCH_CONFIRM_NO, key="review:batch-cancel", on_click=_close_batch_confirmation):
        st.rerun()


def next_in_queue(ids: list[int], current: int) -> int | None:
    """The assessment after `current` in the shown queue (None at the end)."""
    if current not in ids:
        return ids[0] if ids else None
    position = ids.index(current)
    rest = ids[position + 1 :]
    return rest[0] if rest else None


# ----------------------------------------------------------------------------- one assessment


def _base_key(assessment_id: int) -> str:
    return f"review:{assessment_id}:base"


def _key(assessment_id: int, base: int, code: str, part: str) -> str:
    return f"review:{assessment_id}:{base}:{code}:{part}"


def _initial(key: str, value: object) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def reload(assessment_id: int) -> None:
    """Forget what was typed and start from the latest saved review (button callback)."""
    st.session_state.pop(_base_key(assessment_id), None)
    st.session_state.pop(STALE_KEY, None)
    marker = f"review:{assessment_id}:"
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(marker)]:
        del st.session_state[key]


def _results_table(
    view: R.ReviewView, own: scoring.OrgResult, reviewed: scoring.OrgResult
) -> pd.DataFrame:
    rows = []
    for key in scoring.STAR_KEYS:
        base = view.rubric.bases[key]
        rows.append(
            {
                "item": scoring.STAR_NAMES[key],
                "self": f"{fmt(own.star_scores[key])} / {fmt(base)} "
                + ("★" if key in own.lit_stars else "☆"),
                "reviewed": f"{fmt(reviewed.star_scores[key])} / {fmt(base)} "
                + ("★" if key in reviewed.lit_stars else "☆"),
            }
        )
    rows.append({"item": T.BONUS_POINTS, "self": fmt(own.bonus), "reviewed": fmt(reviewed.bonus)})
    rows.append(
        {
            "item": T.DEDUCTION_POINTS,
            "self": fmt(own.deduction),
            "reviewed": fmt(reviewed.deduction),
        }
    )
    return pd.DataFrame(rows)


def _level_text(result: scoring.OrgResult) -> str:
    return T.VETOED if result.vetoed else C.LEVEL_NAMES[result.level]


def live_results(view: R.ReviewView, overrides: dict[str, Decimal | None]) -> None:
    """Composite, level and stars for the branch's points and with the reviewer's inputs."""
    own, reviewed = R.preview(view, overrides)
    cols = st.columns(4)
    cols[0].metric(T.SELF_BASIS + T.COMPOSITE, fmt(own.composite))
    delta = reviewed.composite - own.composite
    cols[1].metric(
        T.REVIEWED_BASIS + T.COMPOSITE,
        fmt(reviewed.composite),
        delta=None if delta == 0 else fmt(delta),
    )
    cols[2].metric(T.SELF_BASIS + T.LEVEL, _level_text(own))
    cols[3].metric(T.REVIEWED_BASIS + T.LEVEL, _level_text(reviewed))
    st.dataframe(
        _results_table(view, own, reviewed),
        hide_index=True,
        width="stretch",
        column_config={
            "item": st.column_config.Column(""),
            "self": st.column_config.Column(T.SELF_BASIS),
            "reviewed": st.column_config.Column(T.REVIEWED_BASIS),
        },
    )


def _evidence_list(line: R.LineView) -> None:
    if not line.evidence:
        if line.evidence_required and line.kind == "criterion":
            st.caption(":orange[" + T.EVIDENCE_REQUIRED_MISSING + "]")
        else:
            st.caption(T.EVIDENCE_NONE)
        return
    for info in line.evidence:
        evidence_link(st, info.filename, info.id, tertiary=True)


def _self_text(line: R.LineView) -> str:
    if line.self_points is None:
        return T.SELF_NOT_SCORED
    return T.SELF_POINTS.format(points=fmt(line.self_points))


def line_inputs(
    view: R.ReviewView,
    line: R.LineView,
    base: int,
    editable: bool,
    source: tuple[Actor, MemberFigure] | None = None,
) -> tuple[Decimal | None, str]:
    """One rubric item: the branch's side and the reviewer's inputs; (points, comment).
    `source`: the reviewer and the figure the system computes for it from the members' data,
    shown with where it came from as the branch's star page shows it."""
    aid = view.assessment_id
    points_key = _key(aid, base, line.code, "p")
    comment_key = _key(aid, base, line.code, "c")
    with st.container(border=True):
        head, right = st.columns([5, 2], vertical_alignment="center")
        changed = f" :orange-badge[{T.CHANGED_BADGE}]" if line.changed else ""
        head.markdown(f"**{line.code}** {plain(line.title)}{changed}")
        if line.kind == "veto":
            right.markdown(f"**{_self_text(line) if line.self_points else ''}**")
        else:
            right.markdown(
                f"**{_self_text(line)}** · {T.MAX_POINTS.format(max=fmt(line.max_points))}"
            )
        branch_col, points_col, comment_col = st.columns([3, 1.2, 2.2], gap="small")
        with branch_col:
            disclosure(T.STANDARD, line.standard, line.deduction_rule)
            if line.auto_label and line.figure is not None:
                st.text(
                    T.FIGURE.format(
                        label=line.auto_label, figure=line.figure, unit=line.auto_unit or ""
                    )
                )
            if source is not None:
                figure_source(source[0], source[1], MT.FIGURE_REVIEW_NOTE)
            st.text(T.NOTE.format(note=line.note) if line.note else T.NO_NOTE)
            _evidence_list(line)
        with points_col:
            if line.kind == "veto":
                _initial(points_key, bool(line.reviewed_points and line.reviewed_points > 0))
                applied = st.checkbox(
                    T.VETO_APPLIES, key=points_key, disabled=not editable, persist_state="session"
                )
                value: Decimal | None = Decimal(1) if applied else None
            else:
                _initial(points_key, _as_float(line.reviewed_points))
                label = T.DEDUCTION_POINTS if line.kind == "deduction" else T.REVIEWED_POINTS
                number = st.number_input(
                    label,
                    min_value=0.0,
                    max_value=float(line.max_points),
                    step=0.5,
                    format="%.1f",
                    key=points_key,
                    placeholder=T.REVIEWED_PLACEHOLDER if line.kind != "deduction" else "0",
                    disabled=not editable,
                    persist_state="session",
                )
                value = None if number is None else scoring.to_decimal(number)
        with comment_col:
            _initial(comment_key, line.reviewer_comment)
            # The rule for comments is said once above the items (REVIEWER_COMMENT_RULE): a
            # tooltip on each of the tab's inputs made the page much slower to draw.
            comment = st.text_input(
                T.REVIEWER_COMMENT,
                key=comment_key,
                max_chars=R.COMMENT_MAX,
                placeholder=T.REVIEWER_COMMENT_PLACEHOLDER,
                disabled=not editable,
                persist_state="session",
            )
    return value, comment


def _kept_inputs(view: R.ReviewView, line: R.LineView, base: int) -> tuple[Decimal | None, str]:
    """The inputs of an item on a tab that is not drawn: as typed before, else as saved."""
    state = st.session_state
    points_key = _key(view.assessment_id, base, line.code, "p")
    comment_key = _key(view.assessment_id, base, line.code, "c")
    comment = str(state.get(comment_key, line.reviewer_comment) or "")
    if line.kind == "veto":
        applied = state.get(points_key, bool(line.reviewed_points and line.reviewed_points > 0))
        return (Decimal(1) if applied else None), comment
    number = state.get(points_key, _as_float(line.reviewed_points))
    return (None if number is None else scoring.to_decimal(number)), comment


def _tab_lines(view: R.ReviewView) -> list[tuple[str, list[R.LineView]]]:
    tabs = []
    for key in scoring.STAR_KEYS:
        tabs.append(
            (
                scoring.STAR_NAMES[key],
                [x for x in view.lines if x.star == key and x.kind == "criterion"],
            )
        )
    tabs.append((T.TAB_ADJUSTMENTS, [x for x in view.lines if x.kind != "criterion"]))
    return tabs


def _task_header(line: R.LineView, last: tuple[int | None, str] | None) -> tuple[int | None, str]:
    task = (line.task_no, line.task_title)
    if line.kind == "criterion" and task != last and line.task_no is not None:
        st.markdown("##### " + T.TASK_HEADER.format(no=line.task_no, title=plain(line.task_title)))
    return task


def _collect(values: dict[str, tuple[Decimal | None, str]]) -> list[R.ReviewLine]:
    return [R.ReviewLine(code, points, comment) for code, (points, comment) in values.items()]


def _stale_block(assessment_id: int) -> None:
    if not st.session_state.get(STALE_KEY):
        return
    with st.container(border=True):
        st.error(C.ERR_STALE, icon=":material/sync_problem:")
        st.button(
            T.RELOAD_BUTTON,
            key=f"review:{assessment_id}:reload",
            icon=":material/refresh:",
            on_click=reload,
            args=(assessment_id,),
        )


def _show_invalid(exc: InvalidInput) -> None:
    st.error(exc.message, icon=":material/error:")
    for problem in exc.details:
        st.markdown("- " + plain(problem))


@st.fragment
def review_fragment(actor: Actor, assessment_id: int, queue_ids: list[int]) -> None:
    """The review panel as a fragment: typing reruns only the panel, not the queue above it."""
    review_panel(actor, assessment_id, queue_ids)


def review_panel(actor: Actor, assessment_id: int, queue_ids: list[int]) -> None:
    """One assessment under review: header, live results, every item, and the decisions."""
    with shown_errors(stop=True):
        view = R.load_review(actor, assessment_id=assessment_id)
        sourced = member_figures.sourced_figures(
            actor, assessment_id=assessment_id, criteria=view.rubric.criteria
        )
    base = st.session_state.setdefault(_base_key(assessment_id), view.version)
    mode = view.mode
    editable = mode in ("review", "correct")
    st.subheader(
        T.DETAIL_HEADER.format(name=plain(view.org_name), code=plain(view.org_code)), divider="red"
    )
    st.caption(
        T.DETAIL_META.format(
            department=plain(view.department) or "—",
            region=view.region,
            org_type=C.ORG_TYPE_NAMES.get(view.org_type, view.org_type),
            status=C.STATUS_NAMES.get(view.status, view.status),
            submitted=china_time(view.submitted_at, missing="—")
            if view.submitted_at
            else T.NOT_SUBMITTED_YET,
        )
    )
    if view.return_comment:
        st.info(T.RETURN_HISTORY.format(comment=plain(view.return_comment)), icon=":material/undo:")
    with st.expander(T.STEPS_HEADER, icon=":material/history:"):
        levels.steps_table(actor, assessment_id)
    if view.changed_lines:
        st.warning(
            T.CHANGED_SINCE_REVIEW.format(
                n=len(view.changed_lines),
                codes="、".join(line.code for line in view.changed_lines),
            ),
            icon=":material/difference:",
        )
    if mode == "read":
        st.info(T.READ_ONLY.format(status=C.STATUS_NAMES.get(view.status, view.status)))
    elif mode == "correct":
        st.warning(T.CORRECTION_NOTICE)
    _stale_block(assessment_id)
    summary = st.container()
    values: dict[str, tuple[Decimal | None, str]] = {}
    sections = _tab_lines(view)
    # Only the open tab is drawn (60 items at once make every rerun slow in the browser);
    # the inputs of the other tabs keep their values in the session.
    tabs = st.tabs(
        [name for name, _ in sections], key=f"review:{assessment_id}:tabs", on_change="rerun"
    )
    for tab, (_name, lines) in zip(tabs, sections, strict=True):
        if not tab.open:
            for line in lines:
                values[line.code] = _kept_inputs(view, line, base)
            continue
        with tab:
            if editable:
                st.caption(T.REVIEWER_COMMENT_RULE)
            last = None
            for line in lines:
                last = _task_header(line, last)
                found = sourced.get(line.code)
                values[line.code] = line_inputs(
                    view, line, base, editable, None if found is None else (actor, found)
                )
    overrides = {code: points for code, (points, _c) in values.items()}
    with summary:
        live_results(view, overrides)
    if not editable:
        return
    collected = _collect(values)
    if mode == "correct":
        if st.button(T.CORRECT_BUTTON, type="primary", key=f"review:{assessment_id}:correct"):
            _act(actor, view, base, "save", collected, queue_ids)
        return
    return_key = f"review:{assessment_id}:return-comment"
    _initial(return_key, "")
    st.text_area(
        T.RETURN_COMMENT,
        key=return_key,
        max_chars=R.COMMENT_MAX,
        help=T.RETURN_COMMENT_HELP,
    )
    cols = st.columns(3)
    if cols[0].button(T.SAVE_BUTTON, key=f"review:{assessment_id}:save", width="stretch"):
        _act(actor, view, base, "save", collected, queue_ids)
    if cols[1].button(
        T.RETURN_BUTTON,
        key=f"review:{assessment_id}:return",
        width="stretch",
        icon=":material/undo:",
    ):
        _act(
            actor,
            view,
            base,
            "return",
            collected,
            queue_ids,
            comment=st.session_state.get(return_key, ""),
        )
    if cols[2].button(
        T.APPROVE_BUTTON,
        key=f"review:{assessment_id}:approve",
        type="primary",
        width="stretch",
        icon=":material/check:",
        disabled=view.status != "submitted",
    ):
        _act(actor, view, base, "approve", collected, queue_ids)


def _act(
    actor: Actor,
    view: R.ReviewView,
    base: int,
    action: str,
    lines: list[R.ReviewLine],
    queue_ids: list[int],
    comment: str = "",
) -> None:
    """Carry out a decision; on success move on (the next in the queue after 退回 / 通过)."""
    aid = view.assessment_id
    with shown_errors():
        try:
            if action == "save":
                reviewing.save_review(actor, assessment_id=aid, version=base, lines=lines)
                message = T.SAVED
            elif action == "return":
                reviewing.return_assessment(
                    actor, assessment_id=aid, version=base, comment=comment, lines=lines
                )
                message = T.RETURNED.format(name=plain(view.org_name))
            else:
                reviewing.approve_assessment(actor, assessment_id=aid, version=base, lines=lines)
                message = T.APPROVED.format(name=plain(view.org_name))
        except StaleVersion:
            st.session_state[STALE_KEY] = True
            st.rerun()
        except InvalidInput as exc:
            _show_invalid(exc)
            return
        changed_here()
        reload(aid)
        flash(FLASH_KEY, message)
        if action in ("return", "approve"):
            following = next_in_queue(queue_ids, aid)
            if following is not None:
                st.session_state[NEXT_KEY] = following
                flash(FLASH_KEY, T.NEXT_HINT)
        st.rerun()


__all__ = [
    "filters",
    "live_results",
    "next_in_queue",
    "queue",
    "queue_table",
    "reload",
    "review_fragment",
    "review_panel",
    "year_picker",
]
