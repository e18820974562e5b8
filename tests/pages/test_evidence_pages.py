"""AppTest of the evidence drop zones: no Streamlit uploader on any page, files held after a
page-wide drop shown with their criterion, saved or removed from the page; 我的支部's unfinished
list names each criterion once."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import scoring
from db.services import assessment as A
from db.services import evidence_batch as B
from tests.assessment_helpers import JPG, PDF
from tests.utils import actor, open_page

STAR_PAGES = {key: f"pages/{key}.py" for key in scoring.STAR_KEYS}


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    st.cache_data.clear()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def _uploaders(at: AppTest) -> int:
    """Streamlit's own (English) uploader anywhere on the page."""
    return len(at.get("file_uploader"))


@pytest.mark.parametrize(
    ("user", "page"),
    [
        ("branch01", "pages/learning.py"),
        ("branch01", "pages/overview.py"),
        ("admin", "pages/admin.py"),
        ("admin", "pages/excellence.py"),
    ],
)
def test_no_streamlit_uploader_is_left(demo_city: str, user: str, page: str) -> None:
    at = open_page(user, page, timeout=90)
    assert not at.exception
    assert _uploaders(at) == 0
    if page == "pages/admin.py":  # only the open tab runs: look at each
        for tab in ("年度", "组织", "用户", "评价细则", "业绩等次"):
            at.session_state["admin:tab"] = tab
            at.run()
            assert not at.exception
            assert _uploaders(at) == 0


def test_held_files_show_where_they_go_and_are_saved_from_the_page(demo_city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    named = B.stage_evidence(
        branch, assessment_id=view.id, filename="L2.3-学时登记表.pdf", content=PDF
    )
    unnamed = B.stage_evidence(branch, assessment_id=view.id, filename="现场照片.jpg", content=JPG)
    at = open_page("branch01", STAR_PAGES["learning"])
    assert not at.exception
    text = _texts(at)
    assert "待保存的佐证材料（2 个）" in text
    picks = {s.key: s for s in at.selectbox if s.key and s.key.startswith("staged:")}
    assert picks[f"staged:{view.id}:{named.id}"].value == "L2.3"
    assert picks[f"staged:{view.id}:{unnamed.id}"].value is None
    assert "按文件名自动对应" in text
    # Saving with a file still unassigned: refused on the page, nothing stored.
    before = len(view.entries["L3.1"].evidence)
    at.button(key=f"staged-save:{view.id}").click().run()
    assert not at.exception
    assert "还没有选择对应的细则" in _texts(at)
    assert "现场照片.jpg" in _texts(at)
    assert len(B.list_staged(branch, assessment_id=view.id)) == 2
    # Choose a criterion from the list; the plan shows it; saving stores both files.
    at.selectbox(key=f"staged:{view.id}:{unnamed.id}").set_value("L3.1").run()
    assert "L3\\.1" in _texts(at)
    assert "← 现场照片" in _texts(at)
    at.button(key=f"staged-save:{view.id}").click().run()
    assert not at.exception
    after = A.my_assessment(branch)
    assert len(after.entries["L3.1"].evidence) == before + 1
    assert after.entries["L2.3"].evidence[-1].filename == "L2.3-学时登记表.pdf"
    assert B.list_staged(branch, assessment_id=view.id) == []
    assert "待保存的佐证材料" not in _texts(at)


def test_a_held_file_can_be_removed(demo_city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    held = B.stage_evidence(branch, assessment_id=view.id, filename="多余.pdf", content=PDF)
    at = open_page("branch01", "pages/overview.py", timeout=60)
    assert "待保存的佐证材料（1 个）" in _texts(at)
    at.button(key=f"staged-remove:{view.id}:{held.id}").click().run()
    assert not at.exception
    assert B.list_staged(branch, assessment_id=view.id) == []
    assert "待保存的佐证材料" not in _texts(at)


def test_the_unfinished_list_counts_each_criterion_once(demo_city: str) -> None:
    view = A.my_assessment(actor("branch02"))  # nothing scored, no evidence
    total = len(view.rubric.items("criterion"))
    at = open_page("branch02", "pages/overview.py", timeout=60)
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(f"还有 {total} 项未完成" in w for w in warnings), warnings
    assert "尚未评分、尚未上传佐证材料" in _texts(at)


def test_a_count_with_a_fraction_is_refused_on_the_page(demo_city: str) -> None:
    at = open_page("branch01", STAR_PAGES["learning"])
    figure = next(n for n in at.number_input if n.key.endswith(":L3.2:f"))
    figure.set_value(2.3).run()
    assert not at.exception
    assert any("只能填写整数" in e.value for e in at.error)
