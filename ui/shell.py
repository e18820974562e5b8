"""The frame around every page: database readiness and the sidebar."""

from __future__ import annotations

import streamlit as st

from db.bootstrap import prepare_database
from db.services.common import Actor
from settings import get_settings
from texts import auth as T
from texts import common as C
from ui.login_form import logout_form_html
from ui.text import plain


@st.cache_resource(show_spinner=T.PREPARING_DATABASE)
def _prepared(database_url: str) -> bool:  # noqa: ARG001 - cache key only: once per database
    prepare_database()
    return True


def prepare() -> None:
    """Migrate (and seed the demo) once per server process and database."""
    _prepared(get_settings().database_url)


# On a phone the sidebar covers the page; Streamlit leaves it open after a tap on a menu entry.
# This closes it (its own collapse button) once the tap has been handled. Added once per tab.
PHONE_WIDTH = 768  # Streamlit's own breakpoint between the overlay and the side-by-side sidebar
CLOSE_SIDEBAR_SCRIPT = """<script>
(() => {
  if (window.__wxSidebarCloses) return;
  window.__wxSidebarCloses = true;
  document.addEventListener("click", (event) => {
    if (window.innerWidth >= PHONE_WIDTH) return;
    if (!event.target.closest('[data-testid="stSidebarNavLink"]')) return;
    setTimeout(() => {
      const bar = document.querySelector('[data-testid="stSidebar"]');
      if (!bar || bar.getAttribute("data-collapsed") === "true") return;
      const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (close) close.click();
    }, 50);
  }, true);
})();
</script>""".replace("PHONE_WIDTH", str(PHONE_WIDTH))


def _names_role(word: str, role: str) -> bool:
    """Whether a word of a display name is the role or its first or last part (管理员 of
    系统管理员, 机关工委 of 机关工委审核员)."""
    return len(word) > 1 and (role.startswith(word) or role.endswith(word))


def signed_in_as(actor: Actor) -> str:
    """ "当前用户：王芳（支部书记）" — the role once, also when the display name already says it:
    a name that is the role, begins or ends with it ("支部书记 王芳", "柯桥区机关工委 领导": that
    word dropped), ends with it written in one ("柯桥区机关工委 审核员" of a 机关工委审核员: the
    name alone) or begins or ends with its first or last part ("柯桥区机关工委 管理员" of a
    系统管理员: that word dropped)."""
    role = C.ROLE_NAMES[actor.role]
    name = actor.label.strip()
    if name == role:
        return T.SIGNED_IN_AS_ROLE_ONLY.format(role=role)
    words = name.split()
    joined = "".join(words)
    if len(words) > 1 and role in (words[0], words[-1]):
        name = " ".join(words[1:] if words[0] == role else words[:-1])
    elif joined.startswith(role) or joined.endswith(role):
        return T.SIGNED_IN_AS_NAME_ONLY.format(name=plain(name))
    elif len(words) > 1 and _names_role(words[0], role):
        name = " ".join(words[1:])
    elif len(words) > 1 and _names_role(words[-1], role):
        name = " ".join(words[:-1])
    return T.SIGNED_IN_AS.format(name=plain(name), role=role)


def sidebar(actor: Actor | None) -> None:
    if actor is None:
        return
    with st.sidebar:
        st.caption(signed_in_as(actor))
        st.html(logout_form_html())
        st.html(CLOSE_SIDEBAR_SCRIPT, unsafe_allow_javascript=True)
