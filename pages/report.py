"""导出与打印: the year's Excel workbook and a one-page printable report per organisation."""

import streamlit as st

from db.services import exports
from documents.org_report import REPORT_CSS
from permissions import Action
from texts import leadership as T
from ui import dashboard, data, rankings
from ui.feedback import shown_errors
from ui.session import require_actor
from ui.url_org import org_from_url

actor = require_actor(Action.VIEW_RESULTS)

st.title(dashboard.scoped_title(actor, T.REPORT_TITLE))
st.caption(T.REPORT_CAPTION.format(scope=dashboard.scope_words(actor)))

with shown_errors(stop=True):
    year, basis = rankings.year_and_basis(actor, "rp")
    frame = data.city_frame(actor, year, basis)

st.subheader(T.REPORT_WORKBOOK)
st.caption(T.EXPORT_HELP)
rankings.export_button(actor, year, key="rp_export")

st.subheader(T.REPORT_ORG)
if frame.empty:
    st.info(T.NO_DATA)
    st.stop()
ordered = frame.sort_values("code")
labels = dict(zip(ordered.index, ordered["name"] + "（" + ordered["code"] + "）", strict=True))
# ?org=ID in the address picks that organisation (the Chinese answer when there is none such).
asked = org_from_url(actor, "report", {int(o) for o in labels})
if asked is not None and st.session_state.get("rp_url_org") != asked:
    st.session_state["rp_url_org"] = asked
    st.session_state["rp_org"] = asked
org_id = st.selectbox(T.REPORT_ORG_PICK, list(labels), format_func=labels.__getitem__, key="rp_org")
if org_id is not None:
    with shown_errors():
        report = exports.org_report(
            actor,
            org_id=int(org_id),
            year=year,
            basis=basis,
            frame_of=lambda y, b: data.ranked_in_city(actor, int(org_id), y, b),
        )
        st.download_button(
            T.REPORT_DOWNLOAD,
            data=report.document.encode("utf-8"),
            file_name=report.filename,
            mime="text/html",
            on_click="ignore",
            icon=":material/print:",
            key="rp_download",
        )
        st.markdown(f"**{T.REPORT_PREVIEW}**")
        # The body is built from escaped values and static markup only.
        st.html(f"<style>{REPORT_CSS}</style>{report.body}")
