"""The 公示 screen's parts: state of the year, publishing, objections, finalising, the list."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from db.services import objections as O
from db.services import publication as P
from db.services import region_publication as RP
from db.services.common import Actor
from documents.xlsx import XLSX_MIME
from formatting import china_time
from permissions import Action, can
from settings import get_settings
from texts import review as T
from ui.data import changed_here, years
from ui.feedback import flash, shown_errors

FLASH_KEY = "publication:flash"


def year_picker(actor: Actor) -> int:
    options = sorted(years(actor), reverse=True)
    if not options:
        st.stop()
    return int(st.selectbox(T.YEAR, options, key="publication:year"))


def state_panel(info: P.PublicationInfo) -> None:
    """Where the year stands: state, period, time left, objections."""
    state = T.PUB_STATE[info.state]
    with st.container(border=True):
        st.markdown("**" + T.PUB_STATUS_LINE.format(year=info.year, state=state) + "**")
        if info.published_at is not None:
            st.caption(
                T.PUB_PERIOD.format(
                    start=china_time(info.published_at, missing="—"),
                    end=china_time(info.publication_ends, missing="—"),
                )
            )
        remaining = info.remaining
        if remaining is not None:
            st.caption(T.PUB_DAYS_LEFT.format(days=remaining.days, hours=remaining.seconds // 3600))
        if info.finalized_at is not None:
            st.caption(T.PUB_FINALIZED.format(at=china_time(info.finalized_at, missing="—")))
        if info.state == "none":
            st.caption(
                T.PUB_READY.format(
                    reviewed=info.reviewed, pending=info.pending, unfinished=info.unfinished
                )
            )
        for region, start, end in info.regions:
            st.caption(
                T.PUB_REGION_LINE.format(
                    region=region,
                    start=china_time(start, missing="—"),
                    end=china_time(end, missing="—"),
                )
            )
        excellence = (
            T.PUB_EXCELLENCE_CONFIRMED.format(n=info.excellence_count)
            if info.excellence_confirmed
            else T.PUB_EXCELLENCE_NOT_CONFIRMED
        )
        st.caption(T.PUB_EXCELLENCE_STATE.format(state=excellence))


@dataclass(frozen=True)
class PublishChoice:
    """What the administrator chose in a publication form."""

    days: int
    include_unfinished: bool
    without_excellence: bool


def _publish_choice(
    form_key: str, info: P.PublicationInfo, button: str, *, ask_excellence: bool
) -> PublishChoice | None:
    """The one publication form (the year's and a region's): the pending warning, the period,
    whether to include unfinished organisations and, for the year, whether to publish without
    a confirmed 双优 list; the choice once submitted, else None."""
    if info.pending:
        st.warning(T.PUB_WAIT_PENDING.format(n=info.pending), icon=":material/pending_actions:")
    with st.form(form_key, enter_to_submit=False):
        days = st.number_input(
            T.PUB_DAYS,
            min_value=1,
            max_value=60,
            value=get_settings().publication_days,
            step=1,
        )
        include_unfinished = st.checkbox(T.PUB_INCLUDE_UNFINISHED) if info.unfinished else False
        without_excellence = (
            st.checkbox(T.PUB_WITHOUT_EXCELLENCE)
            if ask_excellence and not info.excellence_confirmed
            else False
        )
        submitted = st.form_submit_button(
            button, type="primary", icon=":material/campaign:", disabled=info.pending > 0
        )
    if not submitted:
        return None
    return PublishChoice(int(days), bool(include_unfinished), bool(without_excellence))


def _published(message: str) -> None:
    changed_here()  # flashes follow a write: show it at once
    flash(FLASH_KEY, message)
    st.rerun()


def publish_form(actor: Actor, info: P.PublicationInfo) -> None:
    """The administrator publishes the year (only before publication)."""
    st.subheader(T.PUB_PUBLISH_HEADER)
    choice = _publish_choice("publication:publish", info, T.PUB_PUBLISH_BUTTON, ask_excellence=True)
    if choice is not None:
        with shown_errors():
            ends = P.publish_year(
                actor,
                cycle_id=info.cycle_id,
                days=choice.days,
                include_unfinished=choice.include_unfinished,
                without_excellence=choice.without_excellence,
            )
            _published(T.PUB_PUBLISHED.format(year=info.year, end=china_time(ends, missing="—")))


def region_publish_form(actor: Actor, info: P.PublicationInfo, region: str) -> None:
    """A region's admin publishes (or publishes again) its own region's list while the year is
    open or closed."""
    st.subheader(T.PUB_REGION_HEADER.format(region=region))
    if info.region is not None:
        st.caption(T.PUB_REGION_AGAIN)
    choice = _publish_choice(
        "publication:publish-region",
        info,
        T.PUB_REGION_BUTTON.format(region=region),
        ask_excellence=False,
    )
    if choice is not None:
        with shown_errors():
            ends = RP.publish_region(
                actor,
                cycle_id=info.cycle_id,
                region=region,
                days=choice.days,
                include_unfinished=choice.include_unfinished,
            )
            _published(
                T.PUB_REGION_PUBLISHED.format(
                    region=region, year=info.year, end=china_time(ends, missing="—")
                )
            )


def objections_panel(actor: Actor, info: P.PublicationInfo, listed: pd.DataFrame) -> None:
    """Objections of the year; the administrator records them and their outcomes."""
    st.subheader(T.OBJ_HEADER)
    with shown_errors():
        frame = O.objections(actor, cycle_id=info.cycle_id)
    if frame.empty:
        st.caption(T.OBJ_NONE)
    else:
        shown = frame.assign(
            created_at=[china_time(t, missing="—") for t in frame["created_at"]],
            resolved_at=[china_time(t) for t in frame["resolved_at"]],
        )
        st.dataframe(
            shown[list(T.OBJ_COLUMNS)],
            hide_index=True,
            width="stretch",
            column_config={k: st.column_config.Column(v) for k, v in T.OBJ_COLUMNS.items()},
        )
    if not can(actor, Action.MANAGE_PUBLICATION):
        return
    left, right = st.columns(2, gap="large")
    if info.state == "published" and not listed.empty:
        with left, st.form("publication:objection", clear_on_submit=True, enter_to_submit=False):
            st.markdown("**" + T.OBJ_NEW + "**")
            names = dict(zip(listed["org_id"].astype(int), listed["name"], strict=True))
            org_id = st.selectbox(T.OBJ_ORG, list(names), format_func=lambda o: names[o])
            raised_by = st.text_input(T.OBJ_RAISED_BY, max_chars=O.RAISED_BY_MAX)
            content = st.text_area(T.OBJ_CONTENT, max_chars=O.TEXT_MAX)
            if st.form_submit_button(T.OBJ_SUBMIT, type="primary"):
                with shown_errors():
                    O.record_objection(
                        actor,
                        cycle_id=info.cycle_id,
                        org_id=int(org_id),
                        content=content,
                        raised_by=raised_by,
                    )
                    changed_here()  # flashes follow a write: show it at once
                    flash(FLASH_KEY, T.OBJ_RECORDED)
                    st.rerun()
    pending = frame[frame["outcome"] == ""] if not frame.empty else frame
    if not pending.empty:
        with right, st.form("publication:resolve", enter_to_submit=False):
            st.markdown("**" + T.OBJ_RESOLVE + "**")
            labels = {
                int(r.id): f"#{r.id} {r.org_name}：{r.content[:30]}" for r in pending.itertuples()
            }
            objection_id = st.selectbox(T.OBJ_PICK, list(labels), format_func=labels.__getitem__)
            outcome = st.radio(
                T.OBJ_OUTCOME, list(T.OUTCOME_NAMES), format_func=T.OUTCOME_NAMES.__getitem__
            )
            note = st.text_area(T.OBJ_NOTE, max_chars=O.TEXT_MAX)
            st.caption(T.OBJ_CORRECT_HINT)
            if st.form_submit_button(T.OBJ_RESOLVE_BUTTON, type="primary"):
                with shown_errors():
                    O.resolve_objection(
                        actor, objection_id=int(objection_id), outcome=str(outcome), note=note
                    )
                    changed_here()  # flashes follow a write: show it at once
                    flash(FLASH_KEY, T.OBJ_RESOLVED)
                    st.rerun()


def finalize_panel(actor: Actor, info: P.PublicationInfo) -> None:
    st.subheader(T.FINALIZE_HEADER)
    st.caption(T.FINALIZE_HINT)
    if st.button(T.FINALIZE_BUTTON, type="primary", icon=":material/verified:"):
        with shown_errors():
            P.finalize_year(actor, cycle_id=info.cycle_id)
            changed_here()  # flashes follow a write: show it at once
            flash(FLASH_KEY, T.FINALIZED.format(year=info.year))
            st.rerun()


def result_list(actor: Actor, info: P.PublicationInfo, listed: pd.DataFrame) -> None:
    """The 公示 list on screen, with a print-ready page and an Excel file to download."""
    st.subheader(T.PUB_LIST_HEADER)
    if info.status in ("open", "closed") and info.regions:
        st.caption(T.PUB_REGION_LIST_NOTE)
    if listed.empty:
        st.caption(T.PUB_LIST_EMPTY)
        return
    cols = st.columns(2)
    cols[0].download_button(
        T.PUB_PRINT,
        data=lambda: P.print_html(actor, cycle_id=info.cycle_id),
        file_name=T.PUB_FILE_NAME.format(year=info.year, ext="html"),
        mime="text/html",
        on_click="ignore",
        icon=":material/print:",
    )
    cols[1].download_button(
        T.PUB_XLSX,
        data=lambda: P.list_xlsx(actor, cycle_id=info.cycle_id),
        file_name=T.PUB_FILE_NAME.format(year=info.year, ext="xlsx"),
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/table:",
    )
    table = listed.assign(
        level=listed["level_name"],
        excellence=[T.PUB_EXCELLENCE_MARK if e else "" for e in listed["excellence"]],
    )
    columns = [
        "no",
        "rank",
        "name",
        "department",
        "region",
        "org_type",
        "composite",
        "level",
        "excellence",
    ]
    st.dataframe(
        table[columns],
        hide_index=True,
        width="stretch",
        column_config={k: st.column_config.Column(T.PUB_LIST_COLUMNS[k]) for k in columns}
        | {
            "composite": st.column_config.NumberColumn(
                T.PUB_LIST_COLUMNS["composite"], format="%.1f"
            )
        },
    )


__all__ = [
    "finalize_panel",
    "objections_panel",
    "publish_form",
    "region_publish_form",
    "result_list",
    "state_panel",
    "year_picker",
]
