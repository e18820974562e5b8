"""The 管理 screen's tabs (years, organisations, users, rubric, grades) and the import block."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from db.models import REGIONS, Role
from db.services import (
    account_fields,
    grades,
    organisations,
    rubric_changes,
    rubrics,
    users,
    years,
)
from db.services import imports as I
from db.services.auth import MIN_PASSWORD_LENGTH
from db.services.common import Actor, ServiceError
from documents.csv_file import csv_bytes
from documents.xlsx import XLSX_MIME
from formatting import china_time
from permissions import Scope
from rubric import RubricError, parse_rubric
from texts import admin as T
from texts import common as C
from ui.data import changed_here
from ui.drop_zone import forget_picked, picked_file
from ui.feedback import flash, shown_errors
from ui.phone import table_or_list
from ui.registrations import registrations_block
from ui.rubric_editor import rubric_editor
from ui.text import plain

FLASH_KEY = "admin:flash"
TAB_KEY = "admin:tab"
IMPORT_TYPES = ("xlsx", "csv")  # what imports.read_table reads (it decides by content too)
RUBRIC_TYPES = ("yaml", "yml")
PHONE_LIMIT = 50  # rows of a long table listed on a phone; the filter above narrows the rest


def _height(rows: int, most: int) -> int:
    """A table just tall enough for its rows, scrolling beyond `most` pixels."""
    return min(most, 38 + 35 * max(rows, 1))


def _done(text: str) -> None:
    changed_here()
    flash(FLASH_KEY, text, owner=st.session_state.get(TAB_KEY))  # shown on the tab open now
    st.rerun()


# ============================================================================= import block


def _file_key(kind: str) -> str:
    return f"admin:{kind}:file"


def import_block(
    actor: Actor, kind: str, importer: Callable[..., I.ImportResult], **kwargs: object
) -> None:
    """Templates, upload and the all-or-nothing import with every bad row listed."""
    with st.expander(T.IMPORT_HEADER, icon=":material/upload_file:"):
        st.caption(T.IMPORT_HELP)
        left, right = st.columns(2)
        left.download_button(
            T.TEMPLATE_XLSX,
            data=lambda: I.template(kind, "xlsx"),
            file_name=f"{T.TEMPLATE_NAMES[kind]}.xlsx",
            mime=XLSX_MIME,
            on_click="ignore",
            key=f"admin:{kind}:template-xlsx",
            icon=":material/download:",
        )
        right.download_button(
            T.TEMPLATE_CSV,
            data=lambda: I.template(kind, "csv"),
            file_name=f"{T.TEMPLATE_NAMES[kind]}.csv",
            mime="text/csv",
            on_click="ignore",
            key=f"admin:{kind}:template-csv",
            icon=":material/download:",
        )
        uploaded = picked_file(key=_file_key(kind), hint=T.IMPORT_UPLOAD, extensions=IMPORT_TYPES)
        if (
            uploaded is not None
            and uploaded.content is not None
            and st.button(T.IMPORT_BUTTON, key=f"admin:{kind}:import", type="primary")
        ):
            with shown_errors():
                try:
                    result = importer(
                        actor, data=uploaded.content, filename=uploaded.name, **kwargs
                    )
                except I.ImportRejected as exc:
                    st.error(exc.message, icon=":material/error:")
                    st.dataframe(
                        pd.DataFrame({T.PROBLEM_COLUMN: exc.errors}),
                        hide_index=True,
                        width="stretch",
                    )
                    return
                forget_picked(_file_key(kind))
                if result.generated_passwords:
                    st.session_state["admin:generated"] = list(result.generated_passwords)
                _done(
                    T.IMPORT_DONE.format(
                        created=result.created, updated=result.updated, unchanged=result.unchanged
                    )
                )


def _generated_passwords() -> None:
    pairs = st.session_state.get("admin:generated")
    if not pairs:
        return
    with st.container(border=True):
        st.warning(T.GENERATED_PASSWORDS, icon=":material/key:")
        st.download_button(
            T.GENERATED_DOWNLOAD,
            data=csv_bytes([T.GENERATED_COLUMNS, *pairs]),
            file_name=T.PASSWORDS_FILE_NAME,
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
        )
        if st.button(T.GENERATED_DONE, key="admin:generated-done"):
            st.session_state.pop("admin:generated", None)
            st.rerun()


# ============================================================================= years


def years_tab(actor: Actor) -> None:
    st.caption(T.YEARS_INTRO)
    with shown_errors(stop=True):
        rows = years.list_years(actor)
    if rows:
        table = pd.DataFrame(
            [
                {
                    "year": r.year,
                    "status": C.CYCLE_STATUS_NAMES.get(r.status, r.status),
                    "deadline": r.deadline.isoformat() if r.deadline else "—",
                    "criteria": r.criteria,
                    "assessments": r.assessments,
                    "submitted": r.submitted,
                    "quota": C.QUOTA_MODE_NAMES.get(r.excellence_quota, r.excellence_quota),
                    "rubric_title": r.rubric_title,
                }
                for r in rows
            ]
        )
        table_or_list(
            table,
            "admin-years",
            "year",
            labels=T.YEARS_COLUMNS,
            column_config={
                "year": st.column_config.NumberColumn(T.YEARS_COLUMNS["year"], format="%d")
            },
        )
    left, right = st.columns(2, gap="large")
    with left:
        _new_year_form(actor, rows)
    with right:
        _edit_year(actor, rows)


def _new_year_form(actor: Actor, rows: list[years.YearRow]) -> None:
    st.markdown("**" + T.NEW_YEAR_HEADER + "**")
    next_year = (max(r.year for r in rows) + 1) if rows else date.today().year
    open_years = [r.year for r in rows if r.status == "open"]
    if open_years:
        st.caption(T.STILL_OPEN.format(years="、".join(str(y) for y in open_years)))
    with st.form("admin:new-year", enter_to_submit=False):
        year = st.number_input(T.NEW_YEAR, min_value=2000, max_value=2100, value=next_year, step=1)
        sources = {r.cycle_id: r.year for r in rows}
        source = (
            st.selectbox(
                T.COPY_FROM,
                list(sources),
                format_func=lambda c: T.YEAR_LABEL.format(year=sources[c]),
            )
            if sources
            else None
        )
        deadline = st.date_input(T.NEW_DEADLINE, value=date(int(year), 12, 20))
        if st.form_submit_button(T.CREATE_YEAR, type="primary", icon=":material/add:"):
            with shown_errors():
                years.create_year(actor, year=int(year), copy_from=source, deadline=deadline)
                _done(T.YEAR_CREATED.format(year=int(year)))


def _edit_year(actor: Actor, rows: list[years.YearRow]) -> None:
    st.markdown("**" + T.EDIT_YEAR_HEADER + "**")
    if not rows:
        return
    by_id = {r.cycle_id: r for r in rows}
    cycle_id = st.selectbox(
        T.PICK_YEAR,
        list(by_id),
        format_func=lambda c: T.YEAR_LABEL.format(year=by_id[c].year),
        key="admin:edit-year",
    )
    row = by_id[cycle_id]
    status = C.CYCLE_STATUS_NAMES.get(row.status, row.status)
    if row.status not in ("open", "closed"):
        st.info(T.YEAR_NOT_EDITABLE.format(year=row.year, status=status))
        return
    with st.form(f"admin:year:{cycle_id}:{row.version}", enter_to_submit=False):
        none = st.checkbox(T.NO_DEADLINE, value=row.deadline is None)
        deadline = st.date_input(T.DEADLINE, value=row.deadline or date(row.year, 12, 20))
        if st.form_submit_button(T.SAVE_DEADLINE):
            with shown_errors():
                years.set_deadline(
                    actor,
                    cycle_id=cycle_id,
                    version=row.version,
                    deadline=None if none else deadline,
                )
                _done(T.DEADLINE_SAVED)
    with st.form(f"admin:quota:{cycle_id}:{row.version}", enter_to_submit=False):
        modes = list(C.QUOTA_MODE_NAMES)
        mode = st.radio(
            T.QUOTA_MODE,
            modes,
            index=modes.index(row.excellence_quota) if row.excellence_quota in modes else 0,
            format_func=C.QUOTA_MODE_NAMES.get,
            help=T.QUOTA_MODE_HELP,
            horizontal=True,
        )
        if st.form_submit_button(T.SAVE_QUOTA_MODE):
            with shown_errors():
                years.set_excellence_quota(
                    actor, cycle_id=cycle_id, version=row.version, mode=str(mode)
                )
                _done(T.QUOTA_MODE_SAVED)
    target = "closed" if row.status == "open" else "open"
    label = T.CLOSE_YEAR if target == "closed" else T.OPEN_YEAR
    st.caption(T.YEAR_STATUS_NOW.format(status=status))
    if st.button(label, key=f"admin:year-status:{cycle_id}"):
        with shown_errors():
            years.set_year_status(actor, cycle_id=cycle_id, version=row.version, status=target)
            _done(T.YEAR_STATUS_SAVED.format(year=row.year, status=C.CYCLE_STATUS_NAMES[target]))


# ============================================================================= organisations


def orgs_tab(actor: Actor) -> None:
    st.caption(T.ORGS_INTRO)
    with shown_errors(stop=True):
        frame = organisations.list_organisations(actor)
    cols = st.columns([3, 2, 2], vertical_alignment="bottom")
    search = cols[0].text_input(T.ORG_FILTER, key="admin:org-filter").strip()
    inactive = cols[1].checkbox(T.ORG_SHOW_INACTIVE, key="admin:org-inactive")
    cols[2].download_button(
        T.ORG_EXPORT,
        data=lambda: I.export_organisations(actor),
        file_name=T.ORGANISATIONS_FILE_NAME,
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
    )
    shown = frame if inactive else frame[frame["active"]]
    if search:
        shown = shown[
            shown["name"].str.contains(search, regex=False)
            | shown["code"].str.contains(search, regex=False, case=False)
        ]
    table = shown.assign(
        org_type_name=[C.ORG_TYPE_NAMES.get(t, t) for t in shown["org_type"]],
        active_name=[T.ORG_ACTIVE if a else T.ORG_INACTIVE for a in shown["active"]],
    )
    table_or_list(
        table[list(T.ORG_COLUMNS)],
        "admin-orgs",
        "name",
        labels=T.ORG_COLUMNS,
        limit=PHONE_LIMIT,
        height=_height(len(table), 360),
    )
    _org_form(actor, frame)
    import_block(actor, "organisations", I.import_organisations)


def _org_form(actor: Actor, frame: pd.DataFrame) -> None:
    st.markdown("**" + T.ORG_EDIT_HEADER + "**")
    by_id = {int(r.id): r for r in frame.itertuples()}
    options: list[int | None] = [None, *by_id]
    picked = st.selectbox(
        T.ORG_PICK,
        options,
        format_func=lambda o: T.ORG_NEW if o is None else f"{by_id[o].code} {by_id[o].name}",
        key="admin:org-pick",
    )
    row = by_id.get(picked) if picked is not None else None
    parents = {
        int(r.id): f"{r.code} {r.name}"
        for r in frame.itertuples()
        if r.org_type != "branch" and r.active and int(r.id) != picked
    }
    types = list(C.ORG_TYPE_NAMES)
    with st.form(f"admin:org-form:{picked}", enter_to_submit=False):
        cols = st.columns(2)
        code = cols[0].text_input(T.ORG_CODE, value=row.code if row else "", max_chars=32)
        name = cols[1].text_input(T.ORG_NAME, value=row.name if row else "", max_chars=120)
        org_type = cols[0].selectbox(
            T.ORG_TYPE,
            types,
            index=types.index(row.org_type) if row else types.index("branch"),
            format_func=C.ORG_TYPE_NAMES.__getitem__,
        )
        region = cols[1].selectbox(
            T.ORG_REGION, REGIONS, index=REGIONS.index(row.region) if row else 0
        )
        parent_options: list[int | None] = [None, *parents]
        current_parent = int(row.parent_id) if row is not None and pd.notna(row.parent_id) else None
        parent = st.selectbox(
            T.ORG_PARENT,
            parent_options,
            index=parent_options.index(current_parent) if current_parent in parents else 0,
            format_func=lambda p: T.ORG_NO_PARENT if p is None else parents[p],
        )
        members = cols[0].number_input(
            T.ORG_MEMBERS,
            min_value=0,
            max_value=organisations.MAX_COUNT,
            value=int(row.member_count) if row else 0,
        )
        staff = cols[1].number_input(
            T.ORG_STAFF,
            min_value=0,
            max_value=organisations.MAX_COUNT,
            value=int(row.staff_count) if row else 0,
        )
        active = st.checkbox(T.ORG_IS_ACTIVE, value=bool(row.active) if row else True)
        if st.form_submit_button(T.ORG_SAVE, type="primary"):
            item = organisations.OrgInput(
                code=code,
                name=name,
                org_type=str(org_type),
                region=str(region),
                parent_code=frame.set_index("id").loc[parent, "code"] if parent else "",
                member_count=int(members),
                staff_count=int(staff),
                active=active,
            )
            with shown_errors():
                organisations.save_organisation(actor, org_id=picked, item=item)
                _done(T.ORG_SAVED.format(name=plain(name)))


# ============================================================================= users


def _user_state(active: bool, locked: bool) -> str:
    if not active:
        return T.USER_STATE_DISABLED
    if locked:
        return T.USER_STATE_LOCKED
    return T.USER_STATE_ACTIVE


def users_tab(actor: Actor) -> None:
    st.caption(T.USERS_INTRO)
    _generated_passwords()
    with shown_errors(stop=True):
        frame = users.list_users(actor)
        orgs = organisations.evaluated_organisations(actor)
        choices = users.scope_choices(actor)
    org_names = {o[0]: f"{o[1]} {o[2]}" for o in orgs}
    registrations_block(actor, org_names, _done)
    locked = frame[frame["locked"] & frame["active"]]
    if not locked.empty:
        st.warning(
            T.LOCKED_LIST.format(names="、".join(plain(u) for u in locked["username"])),
            icon=":material/lock:",
        )
    search = st.text_input(T.USER_FILTER, key="admin:user-filter").strip()
    shown = frame
    if search:
        shown = shown[
            shown["username"].str.contains(search, regex=False, case=False)
            | shown["display_name"].str.contains(search, regex=False)
            | shown["org_name"].str.contains(search, regex=False)
        ]
    table = shown.assign(
        role_name=[C.ROLE_NAMES.get(r, r) for r in shown["role"]],
        state=[_user_state(r.active, r.locked) for r in shown.itertuples()],
        password_changed_at=[china_time(t, missing="—") for t in shown["password_changed_at"]],
    )
    table_or_list(
        table[list(T.USER_COLUMNS)],
        "admin-users",
        "username",
        labels=T.USER_COLUMNS,
        limit=PHONE_LIMIT,
        height=_height(len(table), 300),
    )
    st.caption(T.PASSWORD_RULES.format(n=MIN_PASSWORD_LENGTH))
    left, right = st.columns(2, gap="large")
    with left:
        _new_user_form(actor, org_names, choices)
    with right:
        _edit_user(actor, frame, org_names, choices)
    import_block(actor, "users", I.import_users)


def _scope_fields(
    choices: users.ScopeChoices, region: str | None = None, department_id: int | None = None
) -> Scope:
    """The region and department selects of an account form (only the scopes the acting
    admin may give); a chosen department is the scope, else the region (全市 for none)."""
    regions = list(choices.regions)
    picked = st.selectbox(
        T.USER_SCOPE_REGION,
        regions,
        index=regions.index(region) if region in regions else 0,
        format_func=lambda r: T.SCOPE_CITY if r is None else r,
        help=T.USER_SCOPE_HELP,
    )
    names = {d: f"{name}（{where}）" for d, name, where in choices.departments}
    options: list[int | None] = [None, *names]
    dept = st.selectbox(
        T.USER_SCOPE_DEPARTMENT,
        options,
        index=options.index(department_id) if department_id in names else 0,
        format_func=lambda d: T.USER_SCOPE_NO_DEPARTMENT if d is None else names[d],
    )
    return Scope(department_id=dept) if dept is not None else Scope(region=picked)


def _generate_into(key: str) -> None:
    password = users.generate_password()
    st.session_state[key] = password
    st.session_state[key + ":shown"] = password


def _new_user_form(actor: Actor, org_names: dict[int, str], choices: users.ScopeChoices) -> None:
    st.markdown("**" + T.USER_NEW_HEADER + "**")
    key = "admin:new-user-password"
    st.button(
        T.GENERATE,
        key="admin:gen-new",
        on_click=_generate_into,
        args=(key,),
        icon=":material/casino:",
    )
    shown = st.session_state.pop(key + ":shown", None)
    if shown:
        st.info(T.GENERATED.format(password=shown))
    with st.form("admin:new-user", enter_to_submit=False):
        username = st.text_input(T.USERNAME, max_chars=64)
        display_name = st.text_input(T.DISPLAY_NAME, max_chars=64)
        email = st.text_input(T.USER_EMAIL, max_chars=account_fields.EMAIL_MAX)
        role = st.selectbox(T.ROLE, list(Role), format_func=C.ROLE_NAMES.__getitem__)
        org_options: list[int | None] = [None, *org_names]
        org_id = st.selectbox(
            T.USER_ORG,
            org_options,
            format_func=lambda o: T.USER_ORG_NONE if o is None else org_names[o],
        )
        scope = _scope_fields(choices, actor.scope.region, actor.scope.department_id)
        password = st.text_input(
            T.INITIAL_PASSWORD, type="password", key=key, autocomplete="new-password"
        )
        if st.form_submit_button(T.CREATE_USER, type="primary", icon=":material/person_add:"):
            with shown_errors():
                users.create_user(
                    actor,
                    username=username,
                    display_name=display_name,
                    role=str(role),
                    org_id=org_id,
                    password=password or "",
                    scope=scope,
                    email=email,
                )
                st.session_state.pop(key, None)
                _done(T.USER_CREATED.format(username=plain(username.strip())))


def _edit_user(
    actor: Actor, frame: pd.DataFrame, org_names: dict[int, str], choices: users.ScopeChoices
) -> None:
    st.markdown("**" + T.USER_EDIT_HEADER + "**")
    if frame.empty:
        return
    by_id = {int(r.id): r for r in frame.itertuples()}
    user_id = st.selectbox(
        T.USER_PICK,
        list(by_id),
        format_func=lambda u: f"{by_id[u].username}（{by_id[u].display_name or '—'}）",
        key="admin:user-pick",
    )
    row = by_id[user_id]
    if row.locked:
        st.warning(T.LOCKED_UNTIL.format(until=china_time(row.locked_until, missing="—")))
        if st.button(T.UNLOCK, key=f"admin:unlock:{user_id}"):
            with shown_errors():
                users.unlock_user(actor, user_id=user_id)
                _done(T.UNLOCKED.format(username=plain(row.username)))
    roles = list(Role)
    with st.form(f"admin:user:{user_id}:{row.version}", enter_to_submit=False):
        display_name = st.text_input(T.DISPLAY_NAME, value=row.display_name, max_chars=64)
        email = st.text_input(
            T.USER_EMAIL, value=row.email or "", max_chars=account_fields.EMAIL_MAX
        )
        role = st.selectbox(
            T.ROLE, roles, index=roles.index(row.role), format_func=C.ROLE_NAMES.__getitem__
        )
        org_options: list[int | None] = [None, *org_names]
        current = int(row.org_id) if pd.notna(row.org_id) else None
        org_id = st.selectbox(
            T.USER_ORG,
            org_options,
            index=org_options.index(current) if current in org_names else 0,
            format_func=lambda o: T.USER_ORG_NONE if o is None else org_names[o],
        )
        scope = _scope_fields(
            choices,
            row.scope_region if isinstance(row.scope_region, str) else None,
            int(row.scope_department_id) if pd.notna(row.scope_department_id) else None,
        )
        if st.form_submit_button(T.SAVE_USER):
            with shown_errors():
                users.update_user(
                    actor,
                    user_id=user_id,
                    version=int(row.version),
                    display_name=display_name,
                    role=str(role),
                    org_id=org_id,
                    scope=scope,
                    email=email,
                )
                _done(T.USER_SAVED)
    key = f"admin:reset:{user_id}"
    with st.popover(T.RESET_HEADER, icon=":material/lock_reset:"):
        st.caption(T.PASSWORD_RULES.format(n=MIN_PASSWORD_LENGTH))
        st.button(
            T.GENERATE,
            key=f"admin:gen-reset:{user_id}",
            on_click=_generate_into,
            args=(key,),
            icon=":material/casino:",
        )
        shown = st.session_state.pop(key + ":shown", None)
        if shown:
            st.info(T.GENERATED.format(password=shown))
        password = st.text_input(
            T.NEW_PASSWORD, type="password", key=key, autocomplete="new-password"
        )
        if st.button(T.RESET_BUTTON, key=f"admin:reset-do:{user_id}", type="primary"):
            with shown_errors():
                users.reset_password(actor, user_id=user_id, password=password or "")
                st.session_state.pop(key, None)
                _done(T.RESET_DONE.format(username=plain(row.username)))
    if row.active and user_id != actor.id:
        if st.button(T.DISABLE, key=f"admin:disable:{user_id}", icon=":material/block:"):
            with shown_errors():
                users.set_user_active(actor, user_id=user_id, active=False)
                _done(T.DISABLED.format(username=plain(row.username)))
    elif not row.active and st.button(
        T.ENABLE, key=f"admin:enable:{user_id}", icon=":material/check_circle:"
    ):
        with shown_errors():
            users.set_user_active(actor, user_id=user_id, active=True)
            _done(T.ENABLED.format(username=plain(row.username)))


# ============================================================================= rubric


def rubric_tab(actor: Actor) -> None:
    st.caption(T.RUBRIC_INTRO)
    with shown_errors(stop=True):
        rows = years.list_years(actor)
    if not rows:
        return
    by_id = {r.cycle_id: r for r in rows}
    cycle_id = st.selectbox(
        T.PICK_YEAR,
        list(by_id),
        format_func=lambda c: T.YEAR_LABEL.format(year=by_id[c].year),
        key="admin:rubric-year",
    )
    row = by_id[cycle_id]
    with shown_errors(stop=True):
        text = rubrics.export_rubric(actor, cycle_id=cycle_id)
    rubric = parse_rubric(text)
    st.markdown(
        T.RUBRIC_SUMMARY.format(
            title=plain(rubric.title),
            version=rubric.version,
            criteria=len(rubric.items("criterion")),
            bonus=len(rubric.items("bonus")),
            deduction=len(rubric.items("deduction")),
            veto=len(rubric.items("veto")),
        )
    )
    st.download_button(
        T.RUBRIC_DOWNLOAD.format(year=row.year),
        data=text.encode("utf-8"),
        file_name=T.RUBRIC_FILE_NAME.format(year=row.year),
        mime="application/x-yaml",
        on_click="ignore",
        icon=":material/download:",
    )
    if row.status in ("published", "final"):
        st.info(T.RUBRIC_LOCKED.format(year=row.year))
        return
    edited = rubric_editor(row, rubric)
    if edited is not None:
        check_and_apply(
            actor,
            row,
            edited,
            key=f"admin:rubric-edit:{cycle_id}",
            label=T.RUBRIC_EDIT_SAVE.format(year=row.year, version=rubric.version + 1),
        )
    st.markdown(f"**{T.RUBRIC_UPLOAD}**")
    file_key = f"admin:rubric-file:{cycle_id}"
    uploaded = picked_file(key=file_key, hint=T.RUBRIC_UPLOAD_HINT, extensions=RUBRIC_TYPES)
    if uploaded is None or uploaded.content is None:
        return
    try:
        new_text = uploaded.content.decode("utf-8-sig")
    except UnicodeDecodeError:
        st.error(T.RUBRIC_NOT_UTF8)
        return
    check_and_apply(actor, row, new_text, key=file_key, label=T.RUBRIC_APPLY.format(year=row.year))


def check_and_apply(
    actor: Actor, row: years.YearRow, new_text: str, *, key: str, label: str
) -> None:
    """What a new rubric text would change (rubrics.check_rubric), and the button to install it.

    The file import and the browser editor both end here: one validation, one import service.
    """
    cycle_id = row.cycle_id
    drop = bool(st.session_state.get(key + ":drop", False))
    try:
        change = rubrics.check_rubric(actor, cycle_id=cycle_id, text=new_text, drop_scores=drop)
    except ServiceError as exc:
        st.error(exc.message, icon=":material/error:")
        for problem in exc.details:
            st.markdown("- " + plain(problem))
        return
    except RubricError as exc:  # defensive: check_rubric turns these into InvalidInput
        st.error(str(exc))
        return
    _show_change(change)
    if change.meaning_changes or change.dropped:
        st.checkbox(
            T.RUBRIC_DROP_CONFIRM.format(
                codes="、".join(d.code for d in change.meaning_changes) or "、".join(change.dropped)
            ),
            key=key + ":drop",
        )
    if change.problems or change.empty:
        return
    if st.button(label, type="primary", key=key + ":apply"):
        with shown_errors():
            rubrics.import_rubric(
                actor, cycle_id=cycle_id, version=row.version, text=new_text, drop_scores=drop
            )
            forget_picked(key)
            _done(T.RUBRIC_APPLIED.format(year=row.year))


def _show_change(change: rubric_changes.RubricChange) -> None:
    if change.problems:
        st.error(T.RUBRIC_REFUSED, icon=":material/error:")
        for problem in change.problems:
            st.text("· " + problem)
    elif change.empty:
        st.info(T.RUBRIC_NO_CHANGE)
        return
    else:
        st.success(T.RUBRIC_CHECK_OK)
    if change.added:
        st.text(T.RUBRIC_ADDED.format(codes="、".join(change.added)))
    if change.removed:
        st.text(T.RUBRIC_REMOVED.format(codes="、".join(change.removed)))
    if change.changed:
        st.text(T.RUBRIC_CHANGED.format(codes="、".join(change.changed)))
    if change.header_changed:
        st.text(T.RUBRIC_HEADER_CHANGED)
    if change.dropped:
        st.warning(T.RUBRIC_DROPPED.format(codes="、".join(change.dropped)))
    _show_points(change.point_changes)
    _show_differences(change.differences)


def _show_points(changes: tuple[rubric_changes.PointChange, ...]) -> None:
    """How many organisations' stored points an auto-scored rule change moves, and by how much."""
    if not changes:
        return
    st.warning(T.RUBRIC_POINTS.format(n=len({p.assessment_id for p in changes})))
    groups: dict[tuple[str, str, str], int] = {}
    for p in changes:
        key = (p.code, _number_text(p.self_before), _number_text(p.self_after))
        groups[key] = groups.get(key, 0) + 1
    for (code, before, after), n in sorted(groups.items()):
        st.text(T.RUBRIC_POINTS_ROW.format(code=code, before=before, after=after, n=n))
    table = pd.DataFrame(
        {
            T.RUBRIC_POINTS_COLUMNS["code"]: [p.code for p in changes],
            T.RUBRIC_POINTS_COLUMNS["org"]: [p.org_name for p in changes],
            T.RUBRIC_POINTS_COLUMNS["figure"]: [_number_text(p.figure) for p in changes],
            T.RUBRIC_POINTS_COLUMNS["before"]: [_number_text(p.self_before) for p in changes],
            T.RUBRIC_POINTS_COLUMNS["after"]: [_number_text(p.self_after) for p in changes],
        }
    )
    with st.expander(T.RUBRIC_POINTS_DETAIL):
        st.dataframe(table, hide_index=True, width="stretch")


def _show_differences(differences: tuple[rubric_changes.CriterionDiff, ...]) -> None:
    """Field-level differences of each changed criterion, with the organisations it affects."""
    for d in differences:
        label = T.RUBRIC_DIFF_TITLE.format(code=d.code)
        if d.previous != d.code:
            label += T.RUBRIC_DIFF_FROM.format(previous=d.previous)
        if d.meaning_changed and d.organisations and not d.mapped:
            label = ":red[" + label + T.RUBRIC_DIFF_MEANING + "]"
        with st.expander(label):
            st.dataframe(
                pd.DataFrame(
                    {
                        T.RUBRIC_DIFF_COLUMNS["field"]: [f.field for f in d.fields],
                        T.RUBRIC_DIFF_COLUMNS["before"]: [f.before for f in d.fields],
                        T.RUBRIC_DIFF_COLUMNS["after"]: [f.after for f in d.fields],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
            if d.organisations:
                st.caption(
                    T.RUBRIC_DIFF_ORGS.format(
                        n=len(d.organisations), files=d.files, names="、".join(d.organisations)
                    )
                )


def _number_text(value: object) -> str:
    """A Decimal as people write it (20, 19.5); a dash for none."""
    if value is None:
        return "—"
    text = format(value, "f") if not isinstance(value, str) else value
    return text.rstrip("0").rstrip(".") if "." in text else text


# ============================================================================= grades


def grades_tab(actor: Actor) -> None:
    st.caption(T.GRADES_INTRO)
    with shown_errors(stop=True):
        rows = years.list_years(actor)
    if not rows:
        return
    year = st.selectbox(
        T.PICK_YEAR,
        [r.year for r in rows],
        format_func=lambda y: T.YEAR_LABEL.format(year=y),
        key="admin:grades-year",
    )
    with shown_errors(stop=True):
        frame = grades.grades_table(actor, year=int(year))
    missing = int(frame["grade"].isna().sum())
    if missing:
        st.warning(T.GRADES_MISSING.format(n=missing, year=year))
    table = frame.assign(
        grade=frame["grade"].fillna("—"),
        updated_at=[china_time(t) for t in frame["updated_at"]],
    )
    table_or_list(
        table[list(T.GRADES_COLUMNS)],
        "admin-grades",
        "name",
        labels=T.GRADES_COLUMNS,
        limit=PHONE_LIMIT,
        height=_height(len(table), 320),
    )
    import_block(actor, "grades", grades.import_grades, year=int(year))


__all__ = [
    "grades_tab",
    "import_block",
    "orgs_tab",
    "rubric_tab",
    "users_tab",
    "years_tab",
]
