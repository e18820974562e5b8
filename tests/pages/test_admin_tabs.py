"""管理 keeps the tab the admin works in, and shows each tab's messages on that tab only."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.utils import open_page


def _tab(at: AppTest, tab: str) -> AppTest:
    at.session_state["admin:tab"] = tab
    return at.run()


def test_only_the_open_tab_runs_and_it_stays_open_after_a_save(demo_city: str) -> None:
    at = open_page("admin", "pages/admin.py", timeout=90)
    assert not at.exception
    # 年度 is open first: the users tab's widgets are not drawn.
    assert not [s for s in at.selectbox if s.key == "admin:user-pick"]
    at = _tab(at, "用户")
    assert [s for s in at.selectbox if s.key == "admin:user-pick"]
    # A save reruns the page: the admin is still on 用户, with the message shown there.
    next(b for b in at.button if b.key == "admin:gen-new").click().run()
    assert not at.exception
    assert at.session_state["admin:tab"] == "用户"
    assert [s for s in at.selectbox if s.key == "admin:user-pick"]


def test_a_message_waits_for_its_own_tab(demo_city: str) -> None:
    at = open_page("admin", "pages/admin.py", timeout=90)
    # Stored as ui.feedback.flash stores it: (owner tab, kind, text).
    at.session_state["admin:flash"] = [("组织", "success", "已导入：新增 1 个")]
    at.run()
    assert not any("已导入" in s.value for s in at.success)  # 年度 is open
    at = _tab(at, "组织")
    assert any("已导入：新增 1 个" in s.value for s in at.success)
    at.run()
    assert not any("已导入" in s.value for s in at.success)  # shown once
