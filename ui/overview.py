"""我的支部: the branch's year at a glance, the gap to five-star, 加分项, history and 提交."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import formatting
import scoring
from db.services import assessment as A
from db.services import editing, guidance, readmodels
from db.services.common import Actor, ServiceError
from permissions import Action
from settings import get_settings
from texts import assessment as T
from texts import common as C
from texts import review as R
from ui import charts, data, levels
from ui.evidence_upload import FLASH_KEY as EVIDENCE_FLASH
from ui.evidence_upload import batch_section
from ui.feedback import show_flash, shown_errors
from ui.phone import table_or_list, two_up
from ui.session import require_actor
from ui.star_page import (
    EntryForm,
    advice_line,
    criterion_card,
    fmt,
    load_my_assessment,
    page_header,
    return_notice,
)
from ui.text import plain

STAR_PAGES = {
    "learning": "pages/learning.py",
    "standard": "pages/standard.py",
    "service": "pages/service.py",
    "democracy": "pages/democracy.py",
    "innovation": "pages/innovation.py",
}
MISSING_SHOWN = 12


def render_overview() -> None:
    """The whole 我的支部 page."""
    actor = require_actor(Action.SELF_ASSESS)
    view = load_my_assessment(actor)
    page_header(view, T.OVERVIEW_TITLE)
    if st.session_state.pop("overview:flash", None):
        done_text = T.SUBMITTED_FIRST if view.status == "first_review" else T.SUBMITTED
        st.toast(done_text, icon=":material/task_alt:")
    show_flash(EVIDENCE_FLASH, toast=True)
    return_notice(view, None)
    with two_up("standing"):
        stars_at_a_glance(view)
        standing(actor, view)
    done = guidance.completion(view)
    submit_section(actor, view, done)
    if view.submitted_at is not None:
        st.subheader(R.STEPS_HEADER)
        levels.steps_table(actor, view.id)
    left, right = st.columns([1, 1], gap="large")
    with left:
        completion_section(view, done)
    with right:
        gap_section(view)
    batch_section(actor, view, None)
    bonus_section(actor, view)
    history_section(actor, view)


# --------------------------------------------------------------------------- this year


def stars_at_a_glance(view: A.AssessmentView) -> None:
    st.subheader(T.STARS_HEADER)
    result = view.self_result
    gap = scoring.gap_of_result(result, view.rubric.thresholds)
    cols = st.columns(len(scoring.STAR_KEYS))
    for col, key in zip(cols, scoring.STAR_KEYS, strict=True):
        score, base = result.star_scores[key], result.star_bases[key]
        lit = key in result.lit_stars
        with col.container(border=True):
            st.metric(
                ("★ " if lit else "☆ ") + scoring.STAR_NAMES[key],
                T.STAR_CARD_VALUE.format(score=fmt(score), base=fmt(base)),
                delta=T.STAR_LIT
                if lit
                else T.STAR_UNLIT.format(missing=fmt(gap.star_missing[key])),
                delta_color="normal" if lit else "inverse",
                delta_arrow="off",
            )
            st.page_link(
                STAR_PAGES[key],
                label=T.SUBMIT_GO_TO.format(star=scoring.STAR_NAMES[key]),
                icon=":material/edit:",
            )


def _result_metrics(
    cols: Sequence[DeltaGenerator],
    result: scoring.OrgResult,
    view: A.AssessmentView,
    labels: tuple[str, str],
) -> None:
    """Composite against the five-star line and the level of one basis, in two metric cards."""
    thresholds = view.rubric.thresholds
    line = thresholds.five_star_composite
    missing = scoring.gap_of_result(result, thresholds).composite_missing
    cols[0].metric(
        labels[0],
        T.COMPOSITE_VALUE.format(composite=fmt(result.composite)),
        delta=T.COMPOSITE_DELTA_OK.format(line=fmt(line))
        if not missing
        else T.COMPOSITE_DELTA_MISSING.format(line=fmt(line), missing=fmt(missing)),
        delta_color="normal" if not missing else "inverse",
        delta_arrow="off",
        help=T.COMPOSITE_HELP.format(cap=fmt(thresholds.bonus_cap), line=fmt(line)),
        border=True,
    )
    scored = sum(1 for e in view.entries.values() if e.scored)
    key = formatting.standing_key(result.level, result.vetoed, view.status, scored)
    cols[1].metric(labels[1], C.STANDING_NAMES[key], border=True)


def standing(actor: Actor, view: A.AssessmentView) -> None:
    """The self result and, once a reviewer has given figures, the reviewed result beside it,
    each labelled; then the rank in the city and the region (reviewed basis)."""
    reviewed = view.reviewed_result
    cols = st.columns(4)
    _result_metrics(cols[:2], view.self_result, view, (T.COMPOSITE_SELF, T.LEVEL_SELF))
    if reviewed is not None:
        _result_metrics(cols[2:], reviewed, view, (T.COMPOSITE_REVIEWED, T.LEVEL_REVIEWED))
    else:
        cols[2].metric(T.COMPOSITE_REVIEWED, T.NOT_REVIEWED_YET, border=True)
    row = None
    with shown_errors():
        row = data.org_standing(actor, view.org_id, view.year, "reviewed")
    # No rank before the organisation has handed in: a draft's points are not a result.
    ranked = row if row is not None and readmodels.ranked(str(row["status"])) else None
    # Not handed in: "—" as the figure and why beneath it (the sentence as the figure was cut
    # to "提交后参…" on a desk's card).
    why = T.RANK_NOT_HANDED_IN if row is not None and ranked is None else None
    # a published year ranks the organisation in the region it was published with
    region = plain(row["region"] if row is not None else view.org_region)
    cards = ((T.RANK_CITY, "rank"), (T.RANK_REGION.format(region=region), "region_rank"))
    for col, (label, column) in zip(st.columns(4), cards, strict=False):
        figure = (
            T.RANK_VALUE.format(rank=int(ranked[column])) if ranked is not None else T.RANK_NONE
        )
        col.metric(
            label,
            figure,
            delta=why,
            delta_color="off",
            delta_arrow="off",
            help=T.RANK_HELP,
            border=True,
        )
    thresholds = view.rubric.thresholds
    for label, result in ((T.BASIS_SELF, view.self_result), (T.BASIS_REVIEWED, reviewed)):
        if result is None:
            continue
        st.caption(
            label
            + T.BONUS_DEDUCTION.format(
                bonus=fmt(result.bonus),
                cap=fmt(thresholds.bonus_cap),
                deduction=fmt(result.deduction),
            )
        )
    if (reviewed or view.self_result).vetoed:
        st.error(T.VETOED)
    if reviewed is not None and view.status not in A.FINAL_REVIEW_STATUSES:
        st.caption(T.REVIEW_IN_PROGRESS)


def completion_section(view: A.AssessmentView, done: guidance.Completion) -> None:
    st.subheader(T.COMPLETION_HEADER)
    a, b = st.columns(2)
    a.metric(
        T.COMPLETION_SCORED, T.COMPLETION_VALUE.format(done=done.scored, total=done.criteria_total)
    )
    a.progress(done.scored / done.criteria_total if done.criteria_total else 0.0)
    b.metric(
        T.COMPLETION_EVIDENCE,
        T.COMPLETION_VALUE.format(done=done.evidence_attached, total=done.evidence_needed),
    )
    b.progress(done.evidence_attached / done.evidence_needed if done.evidence_needed else 1.0)
    result = view.self_result
    rows = []
    for key in scoring.STAR_KEYS:
        scored, total, evidence, needed = done.per_star[key]
        rows.append(
            {
                T.COMPLETION_TABLE_STAR: scoring.STAR_NAMES[key],
                T.COMPLETION_TABLE_SCORED: f"{scored} / {total}",
                T.COMPLETION_TABLE_EVIDENCE: f"{evidence} / {needed}",
                T.COMPLETION_TABLE_SCORE: f"{fmt(result.star_scores[key])} / "
                f"{fmt(result.star_bases[key])}",
                T.COMPLETION_TABLE_LIT: "★" if key in result.lit_stars else "☆",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def gap_section(view: A.AssessmentView) -> None:
    """The gap to five-star as advice: the items closing it with the fewest points, on the
    basis the year will count (the reviewer's figures and deductions once given)."""
    st.subheader(T.GAP_HEADER)
    advice = guidance.gap_advice(view)
    gap, result = advice.gap, advice.result
    basis = T.GAP_BASIS_NAMES[advice.basis]
    if gap.five_star:
        st.success(T.GAP_FIVE_STAR.format(basis=basis), icon=":material/star:")
        return
    if not gap.reachable:
        st.error(T.GAP_UNREACHABLE_VETO if result.vetoed else T.GAP_UNREACHABLE)
        return
    thresholds = view.rubric.thresholds
    st.markdown(T.GAP_TOTAL.format(basis=basis, points=fmt(gap.min_extra_points)))
    lines = []
    for key in scoring.STAR_KEYS:
        base = result.star_bases[key]
        args = {
            "star": scoring.STAR_NAMES[key],
            "score": fmt(result.star_scores[key]),
            "base": fmt(base),
        }
        if key in result.lit_stars:
            lines.append(T.GAP_STAR_OK.format(**args))
        else:
            lines.append(
                T.GAP_STAR.format(
                    **args,
                    line=fmt(scoring.star_threshold(base, thresholds)),
                    missing=fmt(gap.star_missing[key]),
                )
            )
    if gap.composite_missing > 0:
        lines.append(
            T.GAP_COMPOSITE.format(
                composite=fmt(result.composite),
                line=fmt(thresholds.five_star_composite),
                missing=fmt(gap.composite_missing),
            )
        )
    st.markdown("\n".join("- " + line for line in lines))
    if advice.items:
        st.markdown(T.GAP_ADVICE_HEADER)
        for key in scoring.STAR_KEYS:
            items = advice.per_star.get(key, ())
            if not items:
                continue
            total = sum((i.add_points for i in items), Decimal(0))
            with st.expander(
                T.GAP_PER_STAR.format(star=scoring.STAR_NAMES[key], add=fmt(total)),
                expanded=key not in result.lit_stars,
            ):
                for i in items:
                    reason = (
                        T.GAP_REASON_STAR.format(star=scoring.STAR_NAMES[key])
                        if i.reason == "star"
                        else T.GAP_REASON_COMPOSITE
                    )
                    st.markdown("- " + advice_line(i) + reason)
                st.page_link(
                    STAR_PAGES[key],
                    label=T.SUBMIT_GO_TO.format(star=scoring.STAR_NAMES[key]),
                    icon=":material/arrow_forward:",
                )
        if advice.bonus_items:
            total = sum((i.add_points for i in advice.bonus_items), Decimal(0))
            with st.expander(T.GAP_BONUS_HEADER.format(add=fmt(total)), expanded=True):
                for i in advice.bonus_items:
                    st.markdown("- " + advice_line(i) + T.GAP_REASON_BONUS)
        st.caption(T.GAP_NOTE)


# --------------------------------------------------------------------------- submission


def _pending_pages(actor: Actor, view: A.AssessmentView) -> list[str]:
    """Star pages with typed but unsaved values (kept in this browser session)."""
    return [
        key
        for key in scoring.STAR_KEYS
        if f"form:{view.id}:{key}:base" in st.session_state
        and EntryForm(actor, view, key, view.rubric.by_star(key)).unsaved_changes()
    ]


def submit_section(actor: Actor, view: A.AssessmentView, done: guidance.Completion) -> None:
    """提交: enabled only when complete, with a clear list of what is still missing."""
    st.subheader(T.SUBMIT_HEADER)
    if view.status == "first_review":
        st.success(T.SUBMITTED_FIRST, icon=":material/task_alt:")
        return
    if view.status == "submitted":
        st.success(T.SUBMITTED, icon=":material/task_alt:")
        return
    if not view.editable:
        return
    pending = _pending_pages(actor, view)
    if pending:
        st.warning(
            T.UNSAVED_PAGES.format(pages="、".join(scoring.STAR_NAMES[k] for k in pending)),
            icon=":material/edit_note:",
        )
    if done.complete:
        st.success(T.SUBMIT_READY, icon=":material/task_alt:")
    else:
        st.warning(T.SUBMIT_MISSING.format(n=len(done.missing)), icon=":material/checklist:")
        shown = done.missing[:MISSING_SHOWN]
        st.markdown("\n".join("- " + plain(m.message) for m in shown))
        if len(done.missing) > MISSING_SHOWN:
            st.caption(T.SUBMIT_MISSING_MORE.format(n=len(done.missing) - MISSING_SHOWN))
        stars = [k for k in scoring.STAR_KEYS if any(m.star == k for m in done.missing)]
        if stars:
            cols = st.columns(len(stars))
            for col, key in zip(cols, stars, strict=True):
                col.page_link(
                    STAR_PAGES[key],
                    label=T.SUBMIT_GO_TO.format(star=scoring.STAR_NAMES[key]),
                    icon=":material/arrow_forward:",
                )
    st.button(
        T.SUBMIT,
        type="primary",
        icon=":material/send:",
        disabled=not done.complete,
        help=T.SUBMIT_HELP,
        key="overview:submit",
        on_click=_ask_confirmation,
    )
    # The confirmation stays open across reruns until confirmed, cancelled or dismissed.
    if done.complete and st.session_state.get(CONFIRM_KEY):
        confirm_submit(actor, view)


CONFIRM_KEY = "overview:confirm-submit"


def _ask_confirmation() -> None:
    st.session_state[CONFIRM_KEY] = True


def _close_confirmation() -> None:
    st.session_state.pop(CONFIRM_KEY, None)


@st.dialog(T.SUBMIT_CONFIRM_TITLE, on_dismiss=_close_confirmation)
def confirm_submit(actor: Actor, view: A.AssessmentView) -> None:
    st.write(T.SUBMIT_CONFIRM_TEXT.format(year=view.year))
    yes, no = st.columns(2)
    if yes.button(T.SUBMIT_CONFIRM_YES, type="primary", key="overview:submit-yes"):
        with shown_errors():
            editing.submit_assessment(actor, assessment_id=view.id, version=view.version)
            _close_confirmation()
            st.session_state["overview:flash"] = True
            st.rerun()
    if no.button(T.SUBMIT_CANCEL, key="overview:submit-no", on_click=_close_confirmation):
        st.rerun()


# --------------------------------------------------------------------------- 加分项


def bonus_section(actor: Actor, view: A.AssessmentView) -> None:
    """The branch's 加分项 declaration: points, note and evidence per item."""
    items = view.rubric.items("bonus")
    if not items:
        return
    cap = view.rubric.thresholds.bonus_cap
    declared = [e for e in view.bonus_entries() if e.self_points]
    total = sum((e.self_points for e in declared if e.self_points), Decimal(0))
    label = T.BONUS_HEADER + (T.BONUS_HEADER_TOTAL.format(total=fmt(total)) if declared else "")
    with st.expander(label, expanded=bool(declared), icon=":material/add_circle:"):
        st.caption(T.BONUS_INTRO.format(cap=fmt(cap)))
        form = EntryForm(actor, view, A.BONUS_PAGE, items)
        form.show_flash()
        form.stale_block()
        messages = st.container()
        for c in items:
            criterion_card(form, c, view.editable, bonus=True)
        form.finish()
        live_total = sum((p for p in form.live.points.values() if p), Decimal(0))
        st.caption(
            T.BONUS_TOTAL.format(
                total=fmt(live_total), counted=fmt(min(live_total, cap)), cap=fmt(cap)
            )
        )
        if view.editable and st.button(
            T.BONUS_SAVE, type="primary", icon=":material/save:", key=form.prefix + ":save"
        ):
            with messages, shown_errors():
                form.save(editing.save_bonus_items, T.BONUS_SAVED)
            if st.session_state.get(form.prefix + ":stale") is not None:
                st.rerun()


# --------------------------------------------------------------------------- history


def history_section(actor: Actor, view: A.AssessmentView) -> None:
    """Past years' results beside this year's."""
    st.subheader(T.HISTORY_HEADER)
    try:
        results = guidance.past_results(actor, org_id=view.org_id)
    except ServiceError as exc:
        st.error(exc.message)
        return
    if len(results) <= 1:
        st.caption(T.HISTORY_NONE)
    rows = []
    for r in results:
        ranks = None
        with shown_errors():
            ranks = year_standing(actor, view.org_id, r.year, r.cycle_status)
        row: dict[str, object] = {
            T.HISTORY_YEAR: T.HISTORY_CURRENT.format(year=r.year)
            if r.year == view.year
            else str(r.year)
        }
        for key in scoring.STAR_KEYS:
            lit = "★" if key in r.result.lit_stars else "☆"
            row[scoring.STAR_NAMES[key]] = f"{lit} {fmt(r.result.star_scores[key])}"
        row[T.HISTORY_COMPOSITE] = fmt(r.result.composite)
        row[T.HISTORY_LEVEL] = (
            T.HISTORY_NOT_RATED
            if readmodels.is_published(r.cycle_status) and r.status != "published"
            else C.LEVEL_NAMES.get(r.result.level, "")
        )
        row[T.HISTORY_RANK] = int(ranks["rank"]) if ranks is not None else None
        row[T.HISTORY_REGION_RANK] = int(ranks["region_rank"]) if ranks is not None else None
        row[T.HISTORY_STATUS] = C.STATUS_NAMES.get(r.status, r.status)
        row[T.HISTORY_BASIS] = (
            T.HISTORY_BASIS_REVIEWED if r.basis == "reviewed" else T.HISTORY_BASIS_SELF
        )
        rows.append(row)
    # Twelve columns: a list on a phone.
    table_or_list(pd.DataFrame(rows), "history", T.HISTORY_YEAR)
    if len(results) > 1:
        chart = history_chart(results, view.rubric.thresholds.five_star_composite)
        st.vega_lite_chart(spec=charts.accessible(chart.to_dict()), width="stretch")


@st.cache_data(max_entries=64, show_spinner=False)
def _final_ranks(
    database_url: str,  # noqa: ARG001 - cache key only: one database's ranks
    year: int,
    scope: data.ScopeKey,  # noqa: ARG001 - cache key only: the rows' scope
    _actor: Actor,
) -> pd.DataFrame:
    """Ranks of a final (frozen) year: they never change, so no change-counter key (keyed by
    the scope the rows were cut to)."""
    return readmodels.load_city_frame(_actor, year, "reviewed")[["rank", "region_rank"]]


def year_standing(actor: Actor, org_id: int, year: int, cycle_status: str) -> pd.Series | None:
    """The organisation's ranks in a year; final years come from a cache that never expires,
    so a save anywhere in the city does not recompute every past year."""
    if cycle_status != "final":
        return data.org_standing(actor, org_id, year, "reviewed")
    viewer = readmodels.authorize_org_view(actor, org_id)
    ranks = _final_ranks(get_settings().database_url, year, data.scope_key(viewer), viewer)
    return ranks.loc[org_id] if org_id in ranks.index else None


def history_chart(results: list[guidance.YearResult], line: Decimal) -> alt.LayerChart:
    frame = pd.DataFrame(
        {
            T.HISTORY_CHART_X: [str(r.year) for r in results],
            T.HISTORY_CHART_Y: [float(r.result.composite) for r in results],
        }
    )
    points = (
        alt.Chart(frame)
        .mark_line(point=True, color=charts.BLUE)
        .encode(
            x=alt.X(f"{T.HISTORY_CHART_X}:O", title=T.HISTORY_CHART_X, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                f"{T.HISTORY_CHART_Y}:Q",
                title=T.HISTORY_CHART_Y,
                scale=alt.Scale(domain=[0, 105]),
                # Horizontal title above the axis: Chinese is not read sideways.
                axis=alt.Axis(titleAngle=0, titleAlign="left", titleX=-30, titleY=-12),
            ),
            tooltip=[T.HISTORY_CHART_X, T.HISTORY_CHART_Y],
        )
    )
    labels = (
        alt.Chart(frame)
        .mark_text(dy=-12, fontSize=12, color=charts.INK)
        .encode(
            x=f"{T.HISTORY_CHART_X}:O",
            y=f"{T.HISTORY_CHART_Y}:Q",
            text=alt.Text(f"{T.HISTORY_CHART_Y}:Q", format=".1f"),
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"y": [float(line)], "label": [T.HISTORY_CHART_LINE]}))
        .mark_rule(strokeDash=[6, 4], color=charts.MET_COLOR)
        .encode(y="y:Q", tooltip=["label"])
    )
    chart: alt.LayerChart = (points + labels + rule).properties(
        title=T.HISTORY_CHART_TITLE, height=240
    )
    return chart


__all__ = ["render_overview"]
