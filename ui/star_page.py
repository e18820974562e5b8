"""The one renderer shared by the five star pages, and the entry form 我的支部 reuses for 加分项.

A page keeps the assessment version it was loaded at ("base") in session state, and its widget
keys include that version. So typed values survive reruns and page switches (persisted per
session), a save is guarded by the version the user actually saw, and after a save or a
重新载入 the widgets start again from the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import streamlit as st

import scoring
from db.services import assessment as A
from db.services import editing, guidance, member_figures
from db.services import evidence as E
from db.services.common import Actor, InvalidInput, StaleVersion
from formatting import decimal_text
from permissions import Action, can
from rubric import Criterion
from settings import get_settings
from texts import assessment as T
from texts import common as C
from ui.evidence_link import evidence_link
from ui.evidence_upload import FLASH_KEY as EVIDENCE_FLASH
from ui.evidence_upload import batch_section, criterion_drop_zone
from ui.feedback import flash, show_flash, shown_errors
from ui.members import sourced_figure
from ui.phone import file_row, fold
from ui.session import require_actor
from ui.text import plain


def fmt(value: Decimal | None) -> str:
    """2, 2.5, 17 (exact, no trailing zeros: formatting.decimal_text); "—" for None."""
    return "—" if value is None else decimal_text(Decimal(value))


def _to_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _norm(value: Any) -> str:
    """A widget value as a comparable string ("" for empty)."""
    if value is None or value == "":
        return ""
    try:
        return fmt(scoring.to_decimal(value))
    except ValueError:
        return str(value)


# --------------------------------------------------------------------------- the entry form


@dataclass
class LiveValues:
    """What the widgets hold right now, before saving."""

    inputs: dict[str, editing.EntryInput] = field(default_factory=dict)
    points: dict[str, Decimal | None] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    dirty: bool = False


class EntryForm:
    """Widgets for a set of criteria of one assessment, saved together under one version."""

    def __init__(
        self, actor: Actor, view: A.AssessmentView, page: str, criteria: Iterable[Criterion]
    ) -> None:
        self.actor = actor
        self.view = view
        self.page = page
        self.criteria = list(criteria)
        self.prefix = f"form:{view.id}:{page}"
        self.live = LiveValues()
        # Figures the rubric takes from the members' data (auto `source`): shown, not typed.
        self.sourced = member_figures.sourced_figures(
            actor, assessment_id=view.id, criteria=self.criteria
        )
        self._sync_base()

    # ---- session state

    @property
    def _base_key(self) -> str:
        return self.prefix + ":base"

    @property
    def _stale_key(self) -> str:
        return self.prefix + ":stale"

    @property
    def _flash_key(self) -> str:
        return self.prefix + ":flash"

    @property
    def base_version(self) -> int:
        return int(st.session_state[self._base_key]["version"])

    def key(self, code: str, part: str, version: int | None = None) -> str:
        return f"{self.prefix}:{self.base_version if version is None else version}:{code}:{part}"

    def _view_snapshot(self) -> dict[str, tuple[str, str, str]]:
        return {
            c.code: (
                _norm(self.view.entries[c.code].self_points) if c.auto is None else "",
                _norm(self.view.entries[c.code].figure) if c.auto is not None else "",
                self.view.entries[c.code].note,
            )
            for c in self.criteria
        }

    def _widget_snapshot(self, version: int) -> dict[str, tuple[str, str, str]]:
        state = st.session_state
        base = state[self._base_key]["snapshot"]
        out = {}
        for c in self.criteria:
            saved = base.get(c.code, ("", "", ""))
            number_key = self.key(c.code, "f" if c.auto else "p", version)
            number = _norm(state[number_key]) if number_key in state else None
            note_key = self.key(c.code, "n", version)
            note = state.get(note_key)
            out[c.code] = (
                saved[0] if c.auto or number is None else number,
                saved[1] if not c.auto or number is None else number,
                saved[2] if note is None else str(note).strip(),
            )
        return out

    def _has_widgets(self, version: int) -> bool:
        return any(self.key(c.code, "n", version) in st.session_state for c in self.criteria)

    def _drop_widgets(self) -> None:
        marker = self.prefix + ":"
        for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(marker)]:
            if not k.endswith((":base", ":stale", ":flash")):
                del st.session_state[k]

    def _set_base(self) -> None:
        self._drop_widgets()
        st.session_state[self._base_key] = {
            "version": self.view.version,
            "snapshot": self._view_snapshot(),
        }

    def _sync_base(self) -> None:
        base = st.session_state.get(self._base_key)
        if base is None or not self._has_widgets(base["version"]):
            self._set_base()
        elif base["version"] != self.view.version and not self.unsaved_changes():
            # Saved elsewhere but nothing typed here: show the latest data quietly.
            self._set_base()

    def unsaved_changes(self) -> bool:
        base = st.session_state[self._base_key]
        return bool(self._widget_snapshot(base["version"]) != base["snapshot"])

    @property
    def outdated(self) -> bool:
        """Someone saved after this page was loaded, and there are unsaved edits here."""
        return self.base_version != self.view.version

    def reload(self) -> None:
        """Drop what was typed and start again from the latest saved data (button callback)."""
        st.session_state.pop(self._stale_key, None)
        st.session_state.pop(self._base_key, None)
        self._drop_widgets()

    def flash(self, kind: str, text: str) -> None:
        flash(self._flash_key, text, kind)

    def show_flash(self) -> None:
        show_flash(self._flash_key, toast=True)

    # ---- widgets

    def inputs(self, c: Criterion, entry: A.EntryView, editable: bool) -> None:
        """The points (or figure) input and the note of one criterion; records live values."""
        max_points = c.max_points
        if c.auto is None:
            label = T.BONUS_POINTS_LABEL if self.page == A.BONUS_PAGE else T.POINTS_LABEL
            value = st.number_input(
                label.format(max=fmt(max_points)),
                # No min/max here: the browser would refuse out-of-range values silently
                # (in English); the service's Chinese message is shown under the field instead.
                step=0.5,
                value=_to_float(entry.self_points),
                format="%.1f",
                key=self.key(c.code, "p"),
                help=T.POINTS_HELP,
                placeholder=T.UNSCORED_PLACEHOLDER,
                disabled=not editable,
                persist_state="session",
            )
            points, problem = editing.parse_points(c, None if value is None else str(value))
            raw = editing.EntryInput(points=None if value is None else str(value))
        elif c.code in self.sourced:
            given, problem, points = sourced_figure(
                self.actor, c, self.sourced[c.code], self.key(c.code, "s")
            )
            raw = editing.EntryInput(figure=str(given))
        else:
            rule = c.auto
            value = st.number_input(
                T.FIGURE_LABEL.format(label=rule.label, unit=rule.unit),
                step=float(rule.step) if rule.step >= 1 else 1.0,
                value=_to_float(entry.figure),
                format="%g",
                key=self.key(c.code, "f"),
                help=T.FIGURE_HELP + auto_rule_text(c),
                placeholder=T.UNFILLED_PLACEHOLDER,
                disabled=not editable,
                persist_state="session",
            )
            figure, problem = editing.parse_figure(c, None if value is None else str(value))
            points = None if figure is None else editing.auto_points_of(c, figure)
            raw = editing.EntryInput(figure=None if value is None else str(value))
            if points is None:
                st.caption(T.AUTO_POINTS_EMPTY.format(max=fmt(max_points)))
            else:
                st.markdown(T.AUTO_POINTS.format(points=fmt(points), max=fmt(max_points)))
        if problem:
            st.error(problem, icon=":material/error:")
            points = None
        note = st.text_area(
            T.NOTE_LABEL,
            value=entry.note,
            max_chars=A.NOTE_MAX,
            key=self.key(c.code, "n"),
            placeholder=T.NOTE_PLACEHOLDER,
            disabled=not editable,
            persist_state="session",
        )
        self.live.inputs[c.code] = editing.EntryInput(
            points=raw.points, figure=raw.figure, note=note
        )
        self.live.points[c.code] = points
        if problem:
            self.live.problems[c.code] = problem

    def finish(self) -> None:
        self.live.dirty = self.unsaved_changes()

    def save(self, saver: Callable[..., int], success: str, **kwargs: Any) -> bool:
        """Write every entry of the form in one call; True when it landed (the page reruns)."""
        try:
            saver(
                self.actor,
                assessment_id=self.view.id,
                version=self.base_version,
                entries=self.live.inputs,
                **kwargs,
            )
        except StaleVersion:
            st.session_state[self._stale_key] = [
                {
                    T.STALE_TABLE_CODE: code,
                    T.STALE_TABLE_POINTS: value.points or "",
                    T.STALE_TABLE_FIGURE: value.figure or "",
                    T.STALE_TABLE_NOTE: value.note,
                }
                for code, value in self.live.inputs.items()
            ]
            return False
        except InvalidInput as exc:
            st.toast(exc.message, icon=":material/error:")
            st.error(exc.message)
            for problem in exc.details:
                st.markdown("- " + plain(problem))
            return False
        self.reload()
        self.flash("success", success)
        st.rerun()
        return True

    def stale_block(self) -> None:
        """The refusal of a stale save (or the warning that one would be refused), with reload."""
        unsaved = st.session_state.get(self._stale_key)
        if unsaved is None and not (self.outdated and self.unsaved_changes()):
            return
        with st.container(border=True):
            if unsaved is not None:
                st.error(C.ERR_STALE, icon=":material/sync_problem:")
                st.caption(T.STALE_UNSAVED)
                st.dataframe(unsaved, hide_index=True, width="stretch")
            else:
                st.warning(T.CHANGED_ELSEWHERE, icon=":material/sync_problem:")
            st.button(
                T.RELOAD,
                key=self.prefix + ":reload",
                icon=":material/refresh:",
                help=T.RELOAD_HELP,
                on_click=self.reload,
            )


def auto_rule_text(c: Criterion) -> str:
    """The auto-scoring rule in words (shown as the figure's help)."""
    rule = c.auto
    if rule is None:
        return ""
    args = {
        "minimum": fmt(rule.minimum),
        "maximum": fmt(rule.maximum),
        "step": fmt(rule.step),
        "unit": rule.unit,
        "per_step": fmt(rule.per_step),
    }
    if rule.minimum is not None and rule.maximum is not None:
        text = T.AUTO_RULE_RANGE.format(**args)
    elif rule.minimum is not None:
        text = T.AUTO_RULE_MIN.format(**args)
    else:
        text = T.AUTO_RULE_MAX.format(**args)
    return "（" + text + "）"


# --------------------------------------------------------------------------- evidence


def evidence_block(form: EntryForm, entry: A.EntryView, editable: bool) -> None:
    """The files of one criterion: list with download/delete, and the uploader."""
    settings = get_settings()
    limit = settings.upload_max_files
    actor = form.actor
    files = entry.evidence
    required = T.EVIDENCE_REQUIRED if entry.criterion.evidence_required else ""
    st.markdown(f"**{T.EVIDENCE_HEADER.format(count=len(files), limit=limit)}**{required}")
    if not files:
        st.caption(T.EVIDENCE_NONE)
    for f in files:
        name_col, dl_col, del_col = file_row(f"{form.prefix}-{f.id}").columns(
            [7, 1.5, 1.5], vertical_alignment="center"
        )
        name_col.markdown(
            f":material/attach_file: {plain(f.filename)}  \n"
            + T.EVIDENCE_META.format(
                size=E.human_size(f.size), at=f.uploaded_at.strftime("%Y-%m-%d")
            )
        )
        evidence_link(dl_col, T.EVIDENCE_DOWNLOAD, f.id)
        if editable:
            with del_col.popover(T.EVIDENCE_DELETE, icon=":material/delete:"):
                st.caption(T.EVIDENCE_DELETE_CONFIRM.format(name=plain(f.filename)))
                if st.button(
                    T.EVIDENCE_DELETE_YES, key=f"{form.prefix}:del:{f.id}", type="primary"
                ):
                    with shown_errors():
                        E.delete_evidence(actor, evidence_id=f.id)
                        form.flash("success", T.EVIDENCE_DELETED.format(name=plain(f.filename)))
                        st.rerun()
    if editable and len(files) < limit:
        criterion_drop_zone(form.view, entry.code, form.page)


# --------------------------------------------------------------------------- one criterion


def criterion_card(form: EntryForm, c: Criterion, editable: bool, *, bonus: bool = False) -> None:
    """Standard, max points, how points are lost, check method, evidence; inputs; review."""
    entry = form.view.entries[c.code]
    with st.container(border=True):
        head, points_col = st.columns([5, 1], vertical_alignment="center")
        head.markdown(T.CRITERION_HEADER.format(code=c.code, title=plain(c.title)))
        points_col.markdown(f"**{T.MAX_POINTS.format(max=fmt(c.max_points))}**")
        text_col, input_col = st.columns([3, 2], gap="medium")
        with text_col:
            length = sum(len(t) for t in (c.standard, c.deduction_rule, c.check_method, c.evidence))
            with fold(f"{form.page}-{c.code}", length):
                if c.standard:
                    st.markdown(f"**{T.STANDARD}**：{plain(c.standard)}")
                if c.deduction_rule:
                    rule_label = T.AWARD_RULE if bonus else T.DEDUCTION_RULE
                    st.markdown(f"**{rule_label}**：{plain(c.deduction_rule)}")
                details = []
                if c.check_method:
                    details.append(f"{T.CHECK_METHOD}：{plain(c.check_method)}")
                if c.evidence:
                    details.append(f"{T.EVIDENCE_EXPECTED}：{plain(c.evidence)}")
                if details:
                    st.caption("  \n".join(details))
        with input_col:
            form.inputs(c, entry, editable)
            review_note(entry)
        # Below both columns: on a phone, where they stack, the points come before the files.
        evidence_block(form, entry, editable)


def review_note(entry: A.EntryView) -> None:
    """The reviewer's points and comment beside the branch's own, once reviewed."""
    if not entry.reviewed and not entry.reviewer_comment:
        return
    lines = []
    if entry.reviewed:
        lines.append(T.REVIEWED_LINE.format(points=fmt(entry.reviewed_points)))
    if entry.reviewer_comment:
        lines.append(T.REVIEWER_COMMENT.format(comment=plain(entry.reviewer_comment)))
    st.info("  \n".join(lines), icon=":material/fact_check:")


def return_notice(view: A.AssessmentView, star: str | None) -> None:
    """The comment of a 退回, on the pages it concerns."""
    if view.status != "returned" or not view.return_comment:
        return
    if star is not None and star not in view.concerned_stars():
        return
    st.warning(T.RETURN_COMMENT + "\n\n" + plain(view.return_comment), icon=":material/undo:")


def page_header(view: A.AssessmentView, title: str) -> None:
    st.title(title)
    caption = T.PAGE_CAPTION.format(
        org=view.org_name, year=view.year, status=C.STATUS_NAMES.get(view.status, view.status)
    )
    if view.cycle.deadline is not None:
        caption += " · " + T.DEADLINE_CAPTION.format(deadline=view.cycle.deadline.isoformat())
    st.caption(caption)
    if view.lock_reason:
        st.info(T.STATUS_LOCKED.format(reason=view.lock_reason), icon=":material/lock:")


def load_my_assessment(actor: Actor) -> A.AssessmentView:
    """The branch's own assessment of the open year; stops the page with a message otherwise."""
    if not can(actor, Action.SELF_ASSESS):
        st.info(T.NOT_BRANCH_PAGE)
        st.stop()
    with shown_errors(stop=True):
        view = A.my_assessment(actor)
    return view


# --------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class StarSummary:
    star: str
    score: Decimal
    base: Decimal
    line: Decimal
    lit: bool
    missing: Decimal
    scored: int
    total: int
    evidence: int
    needed: int
    advice: guidance.GapAdvice
    result: scoring.OrgResult  # the self basis, live


def star_summary(form: EntryForm, star: str) -> StarSummary:
    """This star's live score (from the widgets) against its base and the 85% line."""
    view = form.view
    advice = guidance.gap_advice(view, overrides=form.live.points)
    result = guidance.live_result(view, form.live.points, "self")
    base = view.rubric.bases[star]
    line = scoring.star_threshold(base, view.rubric.thresholds)
    score = result.star_scores[star]
    entries = view.star_entries(star)
    return StarSummary(
        star=star,
        score=score,
        base=base,
        line=line,
        lit=star in result.lit_stars,
        missing=scoring.gap_of_result(result, view.rubric.thresholds).star_missing[star],
        scored=sum(1 for e in entries if form.live.points.get(e.code) is not None),
        total=len(entries),
        evidence=sum(1 for e in entries if e.evidence),
        needed=sum(1 for e in entries if e.criterion.evidence_required),
        advice=advice,
        result=result,
    )


def summary_panel(s: StarSummary, view: A.AssessmentView, dirty: bool) -> None:
    """Score vs base, the line, lit or not, points missing, composite: updated on every input."""
    st.markdown(f"#### {T.SUMMARY_TITLE.format(star=scoring.STAR_NAMES[s.star])}")
    status = T.SUMMARY_LIT if s.lit else T.SUMMARY_UNLIT.format(missing=fmt(s.missing))
    st.metric(
        T.SUMMARY_SCORE,
        T.SUMMARY_SCORE_VALUE.format(score=fmt(s.score), base=fmt(s.base)),
        delta=status,
        delta_color="normal" if s.lit else "inverse",
        delta_arrow="off",
    )
    st.progress(min(1.0, float(s.score / s.base)) if s.base else 0.0)
    ratio = view.rubric.thresholds.star_ratio * 100
    st.caption(T.SUMMARY_LINE.format(ratio=fmt(ratio), line=fmt(s.line)))
    st.caption(
        T.SUMMARY_SCORED.format(
            scored=s.scored, total=s.total, evidence=s.evidence, needed=s.needed
        )
    )
    result = s.result
    line = view.rubric.thresholds.five_star_composite
    missing = scoring.gap_of_result(result, view.rubric.thresholds).composite_missing
    st.metric(
        T.SUMMARY_COMPOSITE,
        T.SUMMARY_COMPOSITE_VALUE.format(composite=fmt(result.composite), line=fmt(line)),
        delta=T.SUMMARY_COMPOSITE_OK
        if not missing
        else T.SUMMARY_COMPOSITE_MISSING.format(missing=fmt(missing)),
        delta_color="normal" if not missing else "inverse",
        delta_arrow="off",
    )
    st.caption(T.SUMMARY_LIVE_NOTE)
    if view.editable:
        if dirty:
            st.warning(T.UNSAVED, icon=":material/edit_note:")
        else:
            st.caption(":material/cloud_done: " + T.ALL_SAVED)


def star_advice(s: StarSummary) -> None:
    """Which criteria would light this star with the fewest points."""
    items = s.advice.per_star.get(s.star, ())
    if s.lit or not items:
        return
    with st.expander(
        T.GAP_STAR_HOWTO.format(missing=fmt(s.missing)), icon=":material/tips_and_updates:"
    ):
        for i in items:
            st.markdown("- " + advice_line(i))


def advice_line(i: guidance.AdviceItem) -> str:
    """One item of the advice: points to add, or for an auto-scored criterion the figure."""
    args = {
        "code": i.code,
        "title": plain(i.title),
        "points": fmt(i.points),
        "max": fmt(i.max_points),
        "unscored": "" if i.scored else T.GAP_ITEM_UNSCORED,
        "add": fmt(i.add_points),
    }
    if i.figure is not None:
        template = T.GAP_ITEM_AT_MOST if i.figure_bound == "at_most" else T.GAP_ITEM_AT_LEAST
        return template.format(
            **args, label=plain(i.label), figure=fmt(i.figure), unit=plain(i.unit)
        )
    if i.reason == "bonus":
        return T.GAP_ITEM_BONUS.format(**args)
    return T.GAP_ITEM.format(**args)


# --------------------------------------------------------------------------- the page


def _tasks(criteria: Iterable[Criterion]) -> list[tuple[tuple[int | None, str], list[Criterion]]]:
    groups: dict[tuple[int | None, str], list[Criterion]] = {}
    for c in criteria:
        groups.setdefault((c.task_no, c.task_title), []).append(c)
    return list(groups.items())


def render_star_page(star: str) -> None:
    """One star's self-assessment page (学习星, 规范星, 服务星, 民主星 or 创新星)."""
    actor = require_actor(Action.SELF_ASSESS)
    view = load_my_assessment(actor)
    criteria = view.rubric.by_star(star)
    form = EntryForm(actor, view, star, criteria)
    editable = view.editable

    page_header(view, scoring.STAR_NAMES[star])
    form.show_flash()
    show_flash(EVIDENCE_FLASH, toast=True)
    return_notice(view, star)
    form.stale_block()
    messages = st.container()
    top = st.container()
    batch_section(actor, view, star)
    if not criteria:
        st.info(T.NO_CRITERIA)
    for (task_no, task_title), items in _tasks(criteria):
        if task_no is not None:
            st.subheader(T.TASK_HEADER.format(no=task_no, title=plain(task_title)))
        elif task_title:
            st.subheader(plain(task_title))
        for c in items:
            criterion_card(form, c, editable)
    form.finish()

    summary = star_summary(form, star)
    with top:
        star_advice(summary)
    with st.sidebar:
        summary_panel(summary, view, form.live.dirty)
    if not editable:
        st.caption(T.READ_ONLY)
        return
    with st.bottom, st.container(horizontal=True, vertical_alignment="center", gap="medium"):
        st.markdown(status_line(summary, view, form.live.dirty))
        clicked = st.button(
            T.SAVE,
            key=form.prefix + ":save",
            type="primary",
            icon=":material/save:",
            help=T.SAVE_HELP,
        )
    if clicked:
        with messages, shown_errors():
            form.save(editing.save_star_page, T.SAVED, star=star)
        if st.session_state.get(form.prefix + ":stale") is not None:
            st.rerun()


def status_line(s: StarSummary, view: A.AssessmentView, dirty: bool) -> str:
    """The pinned bar above the 保存 button: this star and the composite, live."""
    result = s.result
    lit = T.SUMMARY_LIT if s.lit else T.SUMMARY_UNLIT.format(missing=fmt(s.missing))
    parts = [
        f"**{scoring.STAR_NAMES[s.star]} {fmt(s.score)} / {fmt(s.base)}**",
        f":{'green' if s.lit else 'red'}[{lit}]",
        T.BAR_LINE.format(line=fmt(s.line)),
        T.BAR_COMPOSITE.format(
            composite=fmt(result.composite),
            line=fmt(view.rubric.thresholds.five_star_composite),
        ),
        f":orange[{T.UNSAVED}]" if dirty else ":gray[" + T.ALL_SAVED + "]",
    ]
    return " · ".join(parts)
