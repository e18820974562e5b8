"""民主评议: the branch secretary issues a round's one-time ballot codes (shown once, on screen
and as a printable sheet) and sees participation and, once the round is closed, the results."""

import streamlit as st

from db.services import ballots, members
from permissions import Action
from texts import ballot as T
from ui.ballots import public_url, results_table, show_codes
from ui.feedback import shown_errors
from ui.session import require_actor

actor = require_actor(Action.ISSUE_BALLOTS)
st.title(T.TITLE)
st.caption(T.INTRO)
if actor.org_id is None:
    st.info(T.NO_ORG)
    st.stop()

with shown_errors(stop=True):
    rounds = members.list_rounds(actor)
if not rounds:
    st.info(T.NO_ROUNDS)
    st.stop()

labels = {
    r.id: ballots.round_label(r) + (T.ROUND_OPEN if r.status == "open" else T.ROUND_CLOSED)
    for r in rounds
}
round_id = st.selectbox(T.ROUND_SELECT, list(labels), format_func=labels.__getitem__)
assert round_id is not None
chosen = next(r for r in rounds if r.id == round_id)

with shown_errors(stop=True):
    view = ballots.peer_results(actor, round_id=round_id, org_id=actor.org_id)
share = view.participation
if share.issued:
    st.markdown(T.PARTICIPATION.format(used=share.used, issued=share.issued))
else:
    st.info(T.NOT_ISSUED)

key = f"ballots:issued:{round_id}"
if chosen.status == "open":
    st.caption(T.ISSUE_HELP)
    if share.issued:
        # Replacing voids every printed code not yet used: asked first, with the count.
        with st.popover(T.REISSUE_BUTTON, icon=":material/autorenew:"):
            st.markdown(T.REISSUE_CONFIRM.format(unused=share.issued - share.used))
            wanted = st.button(T.REISSUE_YES, type="primary", key=f"ballots:issue:{round_id}")
    else:
        wanted = st.button(T.ISSUE_BUTTON, type="primary", key=f"ballots:issue:{round_id}")
    if wanted:
        with shown_errors():
            st.session_state[key] = ballots.issue_codes(
                actor, round_id=round_id, org_id=actor.org_id
            )
            st.rerun()

issued = st.session_state.get(key)
if issued is not None and chosen.status == "open":
    show_codes(issued, public_url())

st.subheader(T.RESULTS_HEADING)
st.caption(T.RESULTS_WAIT.format(n=view.rules.minimum_ballots))
results_table(view)
