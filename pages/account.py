"""我的账号: every role changes its own password (the current one is required) and sets the
address its reminders are e-mailed to."""

import streamlit as st

from db.services import account_fields, auth, users
from db.services.auth import MIN_PASSWORD_LENGTH
from permissions import Action
from texts import admin as T
from texts import common as C
from ui.feedback import shown_errors
from ui.session import require_actor, session_token
from ui.text import plain

actor = require_actor(Action.CHANGE_OWN_PASSWORD)
st.title(T.ACCOUNT_TITLE)
st.caption(T.ACCOUNT_INTRO)
st.markdown(T.ACCOUNT_USER.format(username=plain(actor.username), role=C.ROLE_NAMES[actor.role]))

st.subheader(T.PASSWORD_HEADER)
st.info(T.PASSWORD_RULES.format(n=MIN_PASSWORD_LENGTH), icon=":material/password:")
with st.form("account:password", clear_on_submit=True, enter_to_submit=False):
    current = st.text_input(T.CURRENT_PASSWORD, type="password", autocomplete="current-password")
    new = st.text_input(T.NEW_PASSWORD, type="password", autocomplete="new-password")
    again = st.text_input(T.NEW_PASSWORD_AGAIN, type="password", autocomplete="new-password")
    submitted = st.form_submit_button(T.CHANGE_BUTTON, type="primary")

if submitted:
    if new != again:
        st.error(T.MISMATCH)
    else:
        with shown_errors():
            auth.change_password(actor, current, new, keep_token=session_token())
            st.success(T.CHANGED, icon=":material/check_circle:")

st.subheader(T.EMAIL_HEADER)
st.caption(T.EMAIL_INTRO)
with shown_errors(stop=True):
    saved = users.own_email(actor)
with st.form("account:email", enter_to_submit=False):
    email = st.text_input(T.EMAIL, value=saved, max_chars=account_fields.EMAIL_MAX)
    if st.form_submit_button(T.EMAIL_SAVE):
        with shown_errors():
            users.set_own_email(actor, email=email)
            address = email.strip()
            if address:
                st.success(T.EMAIL_SAVED.format(email=plain(address)), icon=":material/mail:")
            else:
                st.success(T.EMAIL_CLEARED, icon=":material/mail:")
