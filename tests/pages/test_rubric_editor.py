"""AppTest of the rubric editor (管理 → 评价细则): tables per star for an open year without
scores, checked by the file's rules and messages, saved through the import service as a new
version; refused for a year with scores; the YAML file import has no Streamlit uploader."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from db.services import rubrics, years
from rubric import parse_rubric
from tests.utils import actor, open_page


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    st.cache_data.clear()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [t.value for t in at.text]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def _new_year() -> tuple[int, int]:
    """A new open year (copy of the latest rubric, nothing scored): (cycle id, version)."""
    admin = actor("admin")
    cycle_id = years.create_year(admin)
    row = next(r for r in years.list_years(admin) if r.cycle_id == cycle_id)
    return cycle_id, row.version


def _open_editor(cycle_id: int) -> AppTest:
    at = open_page("admin", "pages/admin.py", timeout=120)
    at.session_state["admin:tab"] = "评价细则"  # only the open tab runs
    at.run()
    at.selectbox(key="admin:rubric-year").set_value(cycle_id).run()
    assert not at.exception
    return at


def _edit(at: AppTest, key: str, edited: dict, added: list | None = None) -> AppTest:
    at.session_state[key] = {"edited_rows": edited, "added_rows": added or [], "deleted_rows": []}
    return at.run()


def test_editing_a_title_saves_a_new_version(demo_city: str) -> None:
    cycle_id, version = _new_year()
    before = parse_rubric(rubrics.export_rubric(actor("admin"), cycle_id=cycle_id))
    at = _open_editor(cycle_id)
    prefix = f"admin:rubric-edit:{cycle_id}:{version}"
    editors = [d for d in at.data_editor if d.key and d.key.startswith(prefix)]
    assert len(editors) == 6
    assert {d.editing_mode for d in editors} == {"dynamic"}
    learning = at.data_editor(key=f"{prefix}:learning").value
    assert list(learning["code"]) == [c.code for c in before.by_star("learning")]
    at = _edit(at, f"{prefix}:learning", {0: {"title": "党的政治建设（修订）"}})
    assert not at.exception
    assert "修改细则：L1.1" in _texts(at)
    label = f"保存为 {before_year(cycle_id)} 年度评价细则第 {before.version + 1} 版"
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception
    after = parse_rubric(rubrics.export_rubric(actor("admin"), cycle_id=cycle_id))
    assert after.version == before.version + 1
    assert after.criterion("L1.1").title == "党的政治建设（修订）"
    assert [c.code for c in after.criteria] == [c.code for c in before.criteria]


def before_year(cycle_id: int) -> int:
    return next(r.year for r in years.list_years(actor("admin")) if r.cycle_id == cycle_id)


def test_the_tables_are_checked_with_the_files_rules(demo_city: str) -> None:
    cycle_id, version = _new_year()
    before = rubrics.export_rubric(actor("admin"), cycle_id=cycle_id)
    at = _open_editor(cycle_id)
    prefix = f"admin:rubric-edit:{cycle_id}:{version}"
    # L1.1 worth 1 point more: 学习星 no longer adds up to its base (the file's message).
    learning = at.data_editor(key=f"{prefix}:learning").value
    l11 = float(learning.loc[learning["code"] == "L1.1", "max_points"].iloc[0])
    at = _edit(at, f"{prefix}:learning", {0: {"max_points": l11 + 1}})
    errors = [e.value for e in at.error]
    assert any("评价细则有误" in e and "应等于基本分 20 分" in e for e in errors), errors
    assert not any(b.label.startswith("保存为") for b in at.button)
    # A count (次) with a fractional lower bound.
    row = list(learning["code"]).index("L3.2")
    at = _edit(at, f"{prefix}:learning", {row: {"auto_minimum": 2.5}})
    errors = [e.value for e in at.error]
    assert any("L3.2" in e and "应为整数" in e for e in errors), errors
    # A duplicate code added as a new row.
    at = _edit(
        at,
        f"{prefix}:learning",
        {},
        [{"code": "L1.1", "task_no": 1, "title": "重复", "max_points": 0.5}],
    )
    assert any("重复" in e.value for e in at.error)
    assert rubrics.export_rubric(actor("admin"), cycle_id=cycle_id) == before


def test_a_year_with_scores_is_not_edited_in_the_browser(demo_city: str) -> None:
    admin = actor("admin")
    current = next(r for r in years.list_years(admin) if r.status == "open")
    assert current.scored_entries > 0
    at = _open_editor(current.cycle_id)
    assert "已有" in _texts(at)
    assert "不能再在浏览器中修改评价细则" in _texts(at)
    assert not [d for d in at.data_editor if d.key and d.key.startswith("admin:rubric-edit")]
    assert len(at.get("file_uploader")) == 0
