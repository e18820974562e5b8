"""The roster and 先锋指数 screens' parts: tables, the member form and the sheet form.

Pages stay thin; everything decided (who may edit, which members take part, the index) comes
from db/services/members.py and vanguard_scores.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import streamlit as st

from db.models import MemberService, MemberStatus, PartyMember, RoundStatus, VanguardRound
from db.services import editing, member_import
from db.services import members as M
from db.services import vanguard_scores as V
from db.services.common import Actor
from db.services.member_figures import MemberFigure
from documents.xlsx import XLSX_MIME
from formatting import decimal_text
from permissions import Action, can
from rubric import Criterion
from texts import assessment as AT
from texts import members as T
from texts import rubric as RT
from ui.data import changed_here
from ui.feedback import flash, show_flash, shown_errors
from ui.phone import table_or_list, two_up
from vanguard import ItemKind

FLASH_KEY = "members:flash"


def pick_org(orgs: list[M.RosterOrg], key: str) -> M.RosterOrg:
    """The organisation to show: the only one, or the one chosen."""
    if len(orgs) == 1:
        st.markdown(f"**{orgs[0].name}**")
        return orgs[0]
    by_id = {o.id: o for o in orgs}
    chosen = st.selectbox(
        T.ORG_SELECT,
        list(by_id),
        format_func=lambda i: f"{by_id[i].name}（{by_id[i].code}）",
        key=key,
    )
    return by_id[chosen if chosen is not None else orgs[0].id]


def roster_frame(rows: list[PartyMember]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                T.COLUMNS["name"]: m.name,
                T.COLUMNS["service"]: T.SERVICE_NAMES.get(m.service, m.service),
                T.COLUMNS["status"]: T.STATUS_NAMES.get(m.status, m.status),
                T.COLUMNS["joined_on"]: m.joined_on.isoformat(),
                T.COLUMNS["active"]: T.IN_ROSTER[m.active],
            }
            for m in rows
        ],
        columns=list(T.COLUMNS.values()),
    )


def roster_table(rows: list[PartyMember]) -> None:
    """The roster as a table, and on a phone one entry per member."""
    table_or_list(roster_frame(rows), "members-roster", T.COLUMNS["name"])


def roster_summary(rows: list[PartyMember]) -> str:
    active = [m for m in rows if m.active]
    working = sum(m.service == MemberService.IN_SERVICE for m in active)
    return T.ROSTER_COUNT.format(active=len(active), working=working, retired=len(active) - working)


def member_form(actor: Actor, org: M.RosterOrg, rows: list[PartyMember]) -> None:
    """Add a member, or change one (taking a member off the roster is unticking 在册)."""
    show_flash(FLASH_KEY)
    with st.expander(T.EDIT_HEADER, icon=":material/person_add:"):
        by_id = {m.id: m for m in rows}
        choice = st.selectbox(
            T.EDIT_WHO,
            [None, *by_id],
            format_func=lambda i: T.NEW_MEMBER if i is None else by_id[i].name,
            key=f"members:edit:{org.id}",
        )
        member = by_id.get(choice)
        with st.form(f"members:form:{org.id}:{choice}", enter_to_submit=False):
            name = st.text_input(
                T.FIELD_NAME, value=member.name if member else "", max_chars=M.NAME_LENGTH
            )
            services = list(MemberService)
            service = st.radio(
                T.FIELD_SERVICE,
                services,
                index=services.index(MemberService(member.service)) if member else 0,
                format_func=lambda s: T.SERVICE_NAMES[s],
                horizontal=True,
            )
            statuses = list(MemberStatus)
            status = st.radio(
                T.FIELD_STATUS,
                statuses,
                index=statuses.index(MemberStatus(member.status)) if member else 0,
                format_func=lambda s: T.STATUS_NAMES[s],
                horizontal=True,
            )
            joined = st.date_input(
                T.FIELD_JOINED,
                value=member.joined_on if member else None,
                min_value=M.FIRST_JOIN_DATE,
                max_value=date.today(),
                format="YYYY-MM-DD",
            )
            active = st.checkbox(T.FIELD_ACTIVE, value=member.active if member else True)
            submitted = st.form_submit_button(T.SAVE_MEMBER, type="primary")
        if submitted:
            with shown_errors():
                M.save_member(
                    actor,
                    org_id=org.id,
                    item=M.MemberInput(
                        name, service, status, joined if isinstance(joined, date) else None, active
                    ),
                    member_id=member.id if member else None,
                    version=member.version if member else None,
                )
                changed_here()
                flash(FLASH_KEY, T.MEMBER_SAVED.format(name=name.strip()))
                st.rerun()


# --------------------------------------------------------------------------- 先锋指数


def results_frame(view: V.RoundView) -> pd.DataFrame:
    rows = []
    for s in view.sheets:
        score = s.score
        done = T.STATE_DONE if score is None or not score.zeroed else T.STATE_ZEROED
        state = T.STATE_OPEN if score is None else done
        peer = ""
        if score is not None and view.rules.peer_max:
            peer = decimal_text(score.peer)
            if not score.peer_counted:
                peer = T.PEER_ESTIMATED.format(points=peer)
        rows.append(
            {
                T.RESULT_COLUMNS["name"]: s.name,
                T.RESULT_COLUMNS["service"]: T.SERVICE_NAMES.get(s.service, s.service),
                T.RESULT_COLUMNS["base"]: "" if score is None else decimal_text(score.base),
                T.RESULT_COLUMNS["peer"]: peer,
                T.RESULT_COLUMNS["add"]: "" if score is None else decimal_text(score.add),
                T.RESULT_COLUMNS["minus"]: "" if score is None else decimal_text(score.minus),
                T.RESULT_COLUMNS["total"]: "" if score is None else decimal_text(score.total),
                T.RESULT_COLUMNS["grade"]: s.grade or "",
                T.RESULT_COLUMNS["state"]: state,
            }
        )
    return pd.DataFrame(rows, columns=list(T.RESULT_COLUMNS.values()))


def results_table(view: V.RoundView) -> None:
    """The round's results as a table, and on a phone one entry per member (the figures are
    already text)."""
    table_or_list(results_frame(view), "vanguard-results", T.RESULT_COLUMNS["name"])


def summary(view: V.RoundView) -> str:
    return T.SUMMARY.format(
        taking_part=view.taking_part,
        evaluated=view.evaluated,
        passing=view.passing,
        passing_grade=view.rules.passing_grade,
    )


def roster_download(actor: Actor, org: M.RosterOrg) -> None:
    """The organisation's roster as an Excel file in the import layout (edit, import back)."""
    st.download_button(
        T.ROSTER_DOWNLOAD,
        data=lambda: member_import.export_roster(actor, org_id=org.id),
        file_name=T.ROSTER_FILE_NAME.format(name=org.name),
        mime=XLSX_MIME,
        on_click="ignore",
        key=f"members:roster-xlsx:{org.id}",
        icon=":material/download:",
        help=T.ROSTER_DOWNLOAD_HELP,
    )


def _number(label: str, value: object, maximum: float, key: str) -> float | None:
    return st.number_input(
        label,
        min_value=0.0,
        max_value=maximum,
        step=0.5,
        value=None if value is None else float(str(value)),
        key=key,
        format="%.1f",
    )


def sheet_form(actor: Actor, view: V.RoundView) -> None:
    """The branch enters one member's figures: the declaration where the rubric allows one,
    and its own 支部考评; a 清零 item is a yes/no."""
    show_flash(FLASH_KEY)
    by_id = {s.member_id: s for s in view.sheets}
    if not by_id:
        return
    st.subheader(T.ENTRY_HEADER)
    member_id = st.selectbox(
        T.ENTRY_WHO,
        list(by_id),
        format_func=lambda i: by_id[i].name,
        key=f"vanguard:who:{view.round_id}",
    )
    sheet = by_id[member_id if member_id is not None else next(iter(by_id))]
    prefix = f"vanguard:{view.round_id}:{sheet.member_id}:{sheet.version}"
    declared: dict[str, object] = {}
    assessed: dict[str, object] = {}
    # Two to a row on a phone too: a member's sheet is a pair of figures per item.
    with st.form(prefix, enter_to_submit=False), two_up("vanguard-sheet"):
        for item in view.rules.items:
            if item.kind is ItemKind.ZERO:
                st.markdown(f"**{item.code} {T.ENTRY_KIND[item.kind]}**")
                assessed[item.code] = st.checkbox(
                    T.ENTRY_ZERO.format(title=item.title),
                    value=bool(sheet.assessed.get(item.code)),
                    key=f"{prefix}:{item.code}:a",
                )
                continue
            # One heading per item, the declaration and the branch's figure side by side (as
            # two columns of a sheet; on a phone they stack).
            st.markdown(
                f"**{item.code} {item.title}**　"
                + T.ENTRY_ITEM[item.kind].format(max=decimal_text(item.max_points))
            )
            maximum = float(item.max_points)
            left, right = st.columns(2)
            with left:
                if item.declare:
                    declared[item.code] = _number(
                        T.ENTRY_DECLARED,
                        sheet.declared.get(item.code),
                        maximum,
                        f"{prefix}:{item.code}:d",
                    )
                else:
                    st.caption(T.ENTRY_NO_DECLARE)
            with right:
                assessed[item.code] = _number(
                    T.ENTRY_ASSESSED,
                    sheet.assessed.get(item.code),
                    maximum,
                    f"{prefix}:{item.code}:a",
                )
        submitted = st.form_submit_button(T.SAVE_SHEET, type="primary")
    if submitted:
        with shown_errors():
            V.save_sheet(
                actor,
                round_id=view.round_id,
                member_id=sheet.member_id,
                version=sheet.version,
                declared={k: None if v is None else str(v) for k, v in declared.items()},
                assessed={
                    k: v if isinstance(v, bool) else (None if v is None else str(v))
                    for k, v in assessed.items()
                },
            )
            changed_here()
            flash(FLASH_KEY, T.SHEET_SAVED.format(name=sheet.name))
            st.rerun()


def round_admin(actor: Actor, rounds: list[VanguardRound]) -> None:
    """Open a half-year round, or end the one that is open (admins)."""
    show_flash(FLASH_KEY)
    with st.expander(T.OPEN_HEADER, icon=":material/event:"):
        with st.form("vanguard:open", enter_to_submit=False):
            year = st.number_input(
                T.OPEN_YEAR, min_value=2000, max_value=2100, value=date.today().year, step=1
            )
            half = st.radio(
                T.OPEN_HALF, (1, 2), format_func=lambda h: T.HALF_NAMES[h], horizontal=True
            )
            submitted = st.form_submit_button(T.OPEN_BUTTON, type="primary")
        if submitted:
            with shown_errors():
                round_id = M.open_round(actor, year=int(year), half=int(half))
                changed_here()
                label = T.ROUND_LABEL.format(year=int(year), half=T.HALF_NAMES[int(half)])
                flash(FLASH_KEY, T.OPENED.format(label=label))
                st.session_state["vanguard:round"] = round_id
                st.rerun()
        for round_ in rounds:
            if round_.status != RoundStatus.OPEN or round_.id is None:
                continue
            label = M.round_label(round_)
            if st.button(f"{T.CLOSE_BUTTON}：{label}", key=f"vanguard:close:{round_.id}"):
                with shown_errors():
                    M.close_round(actor, round_id=round_.id, version=round_.version)
                    changed_here()
                    flash(FLASH_KEY, T.CLOSED.format(label=label))
                    st.rerun()


def figure_text(found: MemberFigure) -> str:
    """Where a computed figure came from, in words: the source, the rounds, the count over the
    count, the share."""
    parts = T.FIGURE_PARTS[found.source].format(
        numerator=found.numerator, denominator=found.denominator
    )
    return T.FIGURE_FROM.format(
        source=RT.FIGURE_SOURCE_NAMES[found.source],
        rounds="、".join(found.rounds),
        parts=parts,
        value=decimal_text(found.value),
    )


def figure_page(actor: Actor, source: str) -> str | None:
    """The page that shows the data behind a figure, as far as the actor may open it: the
    branch's 民主评议 page for its ballot participation, else the 先锋指数 page; None when the
    actor may open neither."""
    if source == "ballot_participation" and can(actor, Action.ISSUE_BALLOTS):
        return "ballots"
    return "vanguard_index" if can(actor, Action.VIEW_MEMBERS) else None


def figure_source(actor: Actor, found: MemberFigure, note: str) -> None:
    """The figure's source under it (star page, 审核, 初审) and a link to its page."""
    st.caption(f"{figure_text(found)}{note}")
    page = figure_page(actor, found.source)
    if page is not None:
        st.page_link(f"pages/{page}.py", label=T.FIGURE_LINKS[page], icon=":material/link:")


def sourced_figure(
    actor: Actor, c: Criterion, found: MemberFigure, key: str
) -> tuple[Decimal, str | None, Decimal | None]:
    """A star page's figure computed from the members' data: shown read-only with where it came
    from and a link there (the save takes the same figure from the service); the figure, its
    problem and its points."""
    assert c.auto is not None
    st.number_input(
        AT.FIGURE_LABEL.format(label=c.auto.label, unit=c.auto.unit),
        value=float(found.value),
        format="%g",
        key=key,
        disabled=True,
    )
    figure_source(actor, found, T.FIGURE_BRANCH_NOTE)
    figure, problem = editing.parse_figure(c, str(found.value))
    points = None if figure is None else editing.auto_points_of(c, figure)
    if points is not None:
        st.markdown(
            AT.AUTO_POINTS.format(points=decimal_text(points), max=decimal_text(c.max_points))
        )
    return found.value, problem, points
