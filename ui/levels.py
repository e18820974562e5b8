"""What both review levels show: an assessment's step history, deadlines and ages.

Used by the 初审 page (ui/first_review.py), the 审核 (复核) page (ui/review.py) and the branch's
我的支部 (ui/overview.py); the history comes from db.services.first_review.review_steps.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from db.models import REGIONS
from db.services import first_review as F
from db.services.assessment import today
from db.services.common import Actor
from formatting import china_time
from permissions import Action, Target, can
from texts import review as T
from ui.data import changed_here
from ui.feedback import shown_errors
from ui.text import plain


def deadline_text(label: str, deadline: date | None, on: date | None = None) -> str:
    """ "初审截止：2026-12-10（还剩 3 天）", "…（今天截止）", "…（已逾期 2 天）" or no deadline."""
    left = F.days_left(deadline, on or today())
    if deadline is None or left is None:
        return T.DEADLINE_NONE.format(level=label)
    if left > 0:
        state = T.DEADLINE_LEFT.format(n=left)
    elif left == 0:
        state = T.DEADLINE_TODAY
    else:
        state = T.DEADLINE_OVERDUE.format(n=-left)
    return T.DEADLINE.format(level=label, date=deadline.isoformat(), state=state)


def ages(since: pd.Series, on: date | None = None) -> list[int | None]:
    """Whole days each row has waited since its timestamp (None where there is none)."""
    day = on or today()
    return [F.waiting_days(None if pd.isna(s) else s, day) for s in since]


def queue_summary(label: str, waiting: int, oldest: int | None) -> str:
    """ "待初审 3 份，最久已等待 5 天"."""
    if not waiting:
        return T.LEVEL_EMPTY.format(level=label)
    return T.LEVEL_WAITING.format(level=label, n=waiting, days=oldest or 0)


def _when(value: datetime) -> str:
    return china_time(value, missing="—")


def steps_table(actor: Actor, assessment_id: int) -> None:
    """Who did what at which level and when, with the comments (every level and the branch),
    one line per step (plain text, readable on a phone)."""
    steps = F.review_steps(actor, assessment_id=assessment_id)
    if not steps:
        st.caption(T.STEPS_NONE)
        return
    lines = []
    for s in steps:
        line = T.STEP_LINE.format(
            at=_when(s.at),
            level=T.STEP_LEVELS.get(s.level, s.level),
            action=T.STEP_ACTIONS.get(s.action, s.action),
            who=plain(s.actor_name),
        )
        if s.comment:
            line += T.STEP_COMMENT.format(comment=plain(s.comment))
        lines.append("- " + line)
    st.markdown("\n".join(lines))


def level_overview(actor: Actor, year: int, frame: pd.DataFrame) -> None:
    """Both levels of a reviewer's queue frame (review.load_queue): how many wait at each, the
    oldest for how long (the 复核 counts from the pass-on, or the hand-in without a 初审), and
    each level's deadline."""
    settings = F.level_settings(actor, year=year)
    rows = []
    for label, status, deadline in (
        (T.LEVEL_FIRST, "first_review", settings.first_review_deadline),
        (T.LEVEL_SECOND, "submitted", settings.review_deadline),
    ):
        waiting = frame[frame["status"] == status]
        since = waiting["submitted_at"]
        if status == "submitted":
            since = waiting["first_reviewed_at"].where(
                waiting["first_reviewed_at"].notna(), waiting["submitted_at"]
            )
        oldest = max((w for w in ages(since) if w is not None), default=None)
        rows.append(
            queue_summary(label, len(waiting), oldest) + " · " + deadline_text(label, deadline)
        )
    st.markdown(f"**{T.LEVELS_HEADER}**  \n" + "  \n".join(rows))


def waiting_column(frame: pd.DataFrame) -> list[int | None]:
    """Days each row of a queue frame (either level's) has waited at its level (None once
    decided): at the 初审 since it was handed in, at the 复核 since it was passed on to it (or
    handed in straight to it)."""
    passed_on = frame.get("first_reviewed_at")
    since = (
        frame["submitted_at"]
        if passed_on is None
        else passed_on.where(passed_on.notna(), frame["submitted_at"])
    )
    since = since.where(frame["status"].isin(["first_review", "submitted"]))
    since = since.where(frame["status"] != "first_review", frame["submitted_at"])
    return ages(since)


__all__ = [
    "ages",
    "deadline_text",
    "level_overview",
    "queue_summary",
    "settings_panel",
    "steps_table",
    "waiting_column",
]


def settings_panel(actor: Actor, year: int) -> None:
    """Each level's deadline (a city-wide admin) and the regions without a 初审 this year (an
    admin, for the regions in its scope); drawn only for who may change them."""
    may_dates = can(actor, Action.MANAGE_YEARS)
    regions = [r for r in REGIONS if can(actor, Action.MANAGE_LEVELS, Target(region=r))]
    if not may_dates and not regions:
        return
    settings = F.level_settings(actor, year=year)
    with st.expander(T.SETTINGS_HEADER, icon=":material/tune:"):
        if may_dates:
            left, right = st.columns(2)
            first = left.date_input(
                T.SETTINGS_FIRST_DEADLINE,
                value=settings.first_review_deadline,
                key=f"levels:{year}:first",
            )
            second = right.date_input(
                T.SETTINGS_REVIEW_DEADLINE,
                value=settings.review_deadline,
                key=f"levels:{year}:review",
            )
            if st.button(T.SETTINGS_SAVE_DEADLINES, key=f"levels:{year}:save-dates"):
                with shown_errors():
                    F.set_deadlines(
                        actor,
                        cycle_id=settings.cycle_id,
                        version=settings.version,
                        first_review=first if isinstance(first, date) else None,
                        review=second if isinstance(second, date) else None,
                    )
                    changed_here()
                    st.rerun()
        if regions:
            off = st.multiselect(
                T.SETTINGS_REGIONS_OFF,
                regions,
                default=[r for r in settings.regions_off if r in regions],
                key=f"levels:{year}:off",
                placeholder=T.SETTINGS_NONE_OFF,
            )
            if st.button(T.SETTINGS_SAVE_REGIONS, key=f"levels:{year}:save-regions"):
                with shown_errors():
                    for region in regions:
                        if (region in off) != (region in settings.regions_off):
                            F.set_first_level(
                                actor, year=year, region=region, enabled=region not in off
                            )
                    changed_here()
                    st.rerun()
