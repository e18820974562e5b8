"""Shared, cached read models for the pages.

Only data that is the same for every viewer is cached (st.cache_data is shared by all
sessions of a process). Keys include the database change counter, polled at most every
couple of seconds, so a write in any server process shows up everywhere within seconds.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db.services import readmodels
from db.services.common import Actor, change_counter

COUNTER_POLL_SECONDS = 2


@st.cache_data(ttl=COUNTER_POLL_SECONDS, show_spinner=False)
def data_version() -> int:
    """The database change counter, read at most every COUNTER_POLL_SECONDS per process."""
    return change_counter()


@st.cache_data(max_entries=32, show_spinner=False)
def _city_frame(year: int, basis: str, version: int) -> pd.DataFrame:
    return readmodels.load_city_frame(year, basis)


@st.cache_data(max_entries=8, show_spinner=False)
def _history(version: int) -> pd.DataFrame:
    return readmodels.load_history()


@st.cache_data(max_entries=4, show_spinner=False)
def _years(version: int) -> list[int]:
    return readmodels.load_years()


def city_frame(actor: Actor | None, year: int, basis: str = "reviewed") -> pd.DataFrame:
    """The whole city's standing (city roles only)."""
    readmodels.authorize_city_view(actor)
    return _city_frame(year, basis, data_version())


def city_history(actor: Actor | None) -> pd.DataFrame:
    """Every organisation × every year, reviewed basis (city roles only)."""
    readmodels.authorize_city_view(actor)
    return _history(data_version())


def years() -> list[int]:
    return _years(data_version())


def org_standing(
    actor: Actor | None, org_id: int, year: int, basis: str = "reviewed"
) -> pd.Series | None:
    """One organisation's row of the city frame (its own branch user, or city roles)."""
    readmodels.authorize_org_view(actor, org_id)
    frame = _city_frame(year, basis, data_version())
    return frame.loc[org_id] if org_id in frame.index else None
