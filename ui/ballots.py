"""The branch's 民主评议 page: codes just issued (on screen and as a printable sheet) and the
results table. Codes live only in this user's session state, never in a shared cache."""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from db.services.ballots import IssuedCodes, PeerResult, PeerResults, format_code
from documents.ballot_sheet import ballot_sheet_html, qr_svg
from settings import get_settings
from texts import ballot as T
from ui.phone import table_or_list
from web.ballot import ballot_link


def public_url() -> str:
    """Where members' phones reach the app: PUBLIC_URL, or the address this browser uses."""
    configured = get_settings().public_url.strip()
    if configured:
        return configured
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "http://localhost:8501"


def show_codes(issued: IssuedCodes, base: str) -> None:
    """The codes just issued: a download of the printable sheet and the slips on screen."""
    slips = [(ballot_link(base, c), format_code(c)) for c in issued.codes]
    st.success(T.ISSUED.format(n=len(slips)), icon=":material/qr_code_2:")
    st.download_button(
        T.SHEET_DOWNLOAD,
        ballot_sheet_html(issued.org_name, issued.round_label, slips).encode("utf-8"),
        file_name=T.SHEET_FILE.format(org=issued.org_name, round=issued.round_label),
        mime="text/html",
        icon=":material/print:",
    )
    st.subheader(T.CODES_HEADING)
    columns = st.columns(2)
    for n, (link, code) in enumerate(slips):
        with columns[n % 2], st.container(border=True):
            st.caption(T.SHEET_SLIP.format(n=n + 1))
            st.image(qr_svg(link), width=160)
            st.code(code, language=None)
            st.caption(link)


def _cells(result: PeerResult, view: PeerResults) -> tuple[object, object]:
    if result.average is not None and result.passing_share is not None:
        return f"{result.average:.2f}", f"{result.passing_share:.1%}"
    hidden = (
        T.RESULTS_HIDDEN.format(n=view.rules.minimum_ballots)
        if view.closed
        else T.RESULTS_WAIT_SHORT
    )
    return hidden, hidden


def results_frame(view: PeerResults) -> pd.DataFrame:
    """One row per member (and the branch's work): ratings received, average, passing share."""
    rules = view.rules
    average = T.RESULTS_AVERAGE.format(top=len(rules.scale))
    passing = T.RESULTS_PASSING.format(label=rules.scale[rules.passing])
    rows = []
    entries = [(name, result) for _id, name, result in view.members]
    if view.branch is not None:
        entries.append((T.RESULTS_BRANCH, view.branch))
    for name, result in entries:
        shown_average, shown_share = _cells(result, view)
        rows.append(
            {
                T.RESULTS_MEMBER: name,
                T.RESULTS_BALLOTS: result.ratings,
                average: shown_average,
                passing: shown_share,
            }
        )
    return pd.DataFrame(rows, columns=[T.RESULTS_MEMBER, T.RESULTS_BALLOTS, average, passing])


def results_table(view: PeerResults) -> None:
    """The results as a table, and on a phone one entry per member (the figures are already
    text)."""
    table_or_list(results_frame(view), "ballot-results", T.RESULTS_MEMBER)
