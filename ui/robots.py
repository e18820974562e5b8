"""管理 → 工作群机器人: a region's own group robot for reminders (db/services/robots.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.services import robots
from db.services.common import Actor
from formatting import china_time
from texts import reminders as T
from ui.admin import FLASH_KEY, TAB_KEY
from ui.data import changed_here
from ui.feedback import flash, shown_errors
from ui.phone import table_or_list

PICK_KEY = "admin:robot-region"


def robots_tab(actor: Actor) -> None:
    """Each region's robot in the admin's scope, and the form to set one."""
    st.caption(T.ROBOT_INTRO)
    with shown_errors(stop=True):
        current = robots.robot_settings(actor)
    st.caption(T.ROBOT_CITY_SET if current.city_default else T.ROBOT_CITY_UNSET)
    if not current.rows:
        st.info(T.ROBOT_NONE)
        return
    table_or_list(
        pd.DataFrame(
            {
                "region": [r.region for r in current.rows],
                "state": [
                    T.ROBOT_STATE_SET.format(address=robots.shown_address(r.url))
                    if r.url
                    else T.ROBOT_STATE_UNSET
                    for r in current.rows
                ],
                "updated": [china_time(r.updated_at, missing="—") for r in current.rows],
                "by": [r.updated_by or "—" for r in current.rows],
            }
        ),
        "admin-robots",
        "region",
        labels=T.ROBOT_COLUMNS,
    )
    by_region = {r.region: r for r in current.rows}
    region = (
        st.selectbox(T.ROBOT_PICK, list(by_region), key=PICK_KEY)
        if len(by_region) > 1
        else next(iter(by_region))
    )
    row = by_region[str(region)]
    with st.form(f"admin:robot:{row.region}:{row.version}", enter_to_submit=False):
        url = st.text_input(
            T.ROBOT_URL.format(region=row.region),
            value=row.url,
            max_chars=robots.URL_MAX,
            help=T.ROBOT_URL_HELP,
        )
        if st.form_submit_button(T.ROBOT_SAVE, type="primary", icon=":material/smart_toy:"):
            with shown_errors():
                robots.set_robot(actor, region=row.region, url=url, version=row.version)
                changed_here()
                done = T.ROBOT_SAVED if url.strip() else T.ROBOT_REMOVED
                flash(
                    FLASH_KEY, done.format(region=row.region), owner=st.session_state.get(TAB_KEY)
                )
                st.rerun()


__all__ = ["robots_tab"]
