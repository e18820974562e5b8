"""登录: the only page an anonymous visitor sees."""

import streamlit as st

from settings import get_settings
from texts import auth as T
from texts import common as C
from ui.login_form import login_form_html

st.title(C.APP_TITLE)
st.caption(C.APP_SUBTITLE)

left, right = st.columns([1, 1], gap="large")
with left:
    st.subheader(T.LOGIN_TITLE)
    outcome = st.query_params.get("login")
    if outcome == "failed":
        st.error(T.LOGIN_FAILED.format(minutes=get_settings().lockout_minutes))
    elif outcome == "throttled":
        st.error(T.LOGIN_THROTTLED)
    elif outcome == "expired":
        st.warning(T.SESSION_EXPIRED)
    st.html(login_form_html())

if get_settings().demo_mode:
    with right:
        st.info(T.DEMO_NOTICE.format(password="demo123456"))
        st.table({T.USERNAME: list(T.DEMO_ACCOUNTS), "身份": list(T.DEMO_ACCOUNTS.values())})
