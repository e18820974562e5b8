"""The 初审 page as dept01 (the 机关党委 of branch01's department) and the levels on 审核."""

from __future__ import annotations

from db.services import assessment as A
from db.services import editing
from tests.assessment_helpers import fill_all
from tests.utils import actor, open_page
from texts import review as T


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [i.value for i in at.info] + [e.value for e in at.error] + [s.value for s in at.success]
    )
    return "\n".join(str(p) for p in parts)


def _submit_branch01() -> A.AssessmentView:
    branch = actor("branch01")
    view = fill_all(branch)
    editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    return A.get_assessment(branch, assessment_id=view.id)


def test_the_department_passes_a_submission_on(demo_city: str) -> None:
    view = _submit_branch01()
    at = open_page("dept01", "pages/first_review.py", timeout=90)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == T.FIRST_TITLE
    assert "待初审" in _texts(at)
    assert "最久已等待" in _texts(at)
    at.selectbox(key="first:pick").set_value(view.id).run()
    assert at.subheader[0].value == view.org_name
    # 退回 without a comment: refused in Chinese, nothing written.
    at.button(key=f"first:{view.id}:return").click().run()
    assert any(T.ERR_RETURN_COMMENT in e.value for e in at.error)
    assert A.get_assessment(actor("branch01"), assessment_id=view.id).status == "first_review"
    at.text_area(key=f"first:{view.id}:comment").input("材料齐全。")
    at.button(key=f"first:{view.id}:pass").click().run()
    assert not at.exception
    assert A.get_assessment(actor("branch01"), assessment_id=view.id).status == "submitted"
    assert T.FIRST_PASSED.format(name=view.org_name) in _texts(at)


def test_the_department_sees_only_its_first_review_queue(demo_city: str) -> None:
    at = open_page("dept01", "pages/first_review.py", timeout=90)
    assert not at.exception
    # The 复核 is not the department's: no 审核 page in its menu.
    try:
        open_page("dept01", "pages/review.py")
    except ValueError:
        pass
    else:  # pragma: no cover - the page must not be in the menu
        raise AssertionError("dept01 opened the 复核 page")


def test_the_reviewer_sees_both_levels_and_the_history(demo_city: str) -> None:
    view = _submit_branch01()
    at = open_page("reviewer", "pages/review.py", timeout=90)
    assert not at.exception
    shown = _texts(at)
    assert T.LEVELS_HEADER in shown
    assert "待初审" in shown
    assert "待复核" in shown
    at.multiselect(key="review:status").set_value(["first_review", "submitted"]).run()
    at.selectbox(key="review:pick").set_value(view.id).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(T.READ_ONLY.format(status="待初审") in i.value for i in at.info)
    assert "支部 · 提交" in _texts(at)


def test_the_admin_sets_the_deadlines_and_a_region_without_first_level(demo_city: str) -> None:
    from datetime import date

    from db.services import first_review

    year = A.my_assessment(actor("branch01")).year
    at = open_page("admin", "pages/review.py", timeout=90)
    assert not at.exception
    at.date_input(key=f"levels:{year}:first").set_value(date(year, 12, 25))
    at.date_input(key=f"levels:{year}:review").set_value(date(year, 12, 20))
    at.button(key=f"levels:{year}:save-dates").click().run()
    assert any(T.ERR_DEADLINE_ORDER in e.value for e in at.error), "初审 after 复核 is refused"
    at.date_input(key=f"levels:{year}:review").set_value(date(year, 12, 31))
    at.button(key=f"levels:{year}:save-dates").click().run()
    at.multiselect(key=f"levels:{year}:off").set_value(["柯桥区"])
    at.button(key=f"levels:{year}:save-regions").click().run()
    assert not at.exception
    assert not at.error
    settings = first_review.level_settings(actor("admin"), year=year)
    assert (settings.first_review_deadline, settings.review_deadline) == (
        date(year, 12, 25),
        date(year, 12, 31),
    )
    assert settings.regions_off == ("柯桥区",)
    assert "初审截止：" in _texts(at)
    assert "复核截止：" in _texts(at)
    # A reviewer sees the deadlines but may not change them.
    reviewer = open_page("reviewer", "pages/review.py", timeout=90)
    assert not reviewer.exception
    assert not [d for d in reviewer.date_input if d.key and d.key.startswith("levels:")]


def test_the_department_sees_where_a_computed_figure_comes_from(demo_city: str) -> None:
    """初审 shows the figures the system computes from the members' data (民主星 D12.3 from
    branch01's ballot, D12.4 from its 先锋指数) as the branch's star page shows them."""
    view = _submit_branch01()
    at = open_page("dept01", "pages/first_review.py", timeout=90)
    at.selectbox(key="first:pick").set_value(view.id).run()
    at.session_state[f"first:{view.id}:tabs"] = "民主星"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _texts(at)
    assert "数据来源：民主评议参评率" in shown
    assert "已使用投票码" in shown
    assert "数据来源：先锋指数合格及以上比例" in shown
    assert "该数值由系统计算，支部不能修改" in shown
    links = [str(link.proto.label) for link in at.get("page_link")]
    assert "查看先锋指数评价" in links


def test_the_reviewer_sees_where_a_computed_figure_comes_from(demo_city: str) -> None:
    """审核 shows under 民主星 D12.3 and D12.4 the figure's source as the branch's page does."""
    view = _submit_branch01()
    at = open_page("reviewer", "pages/review.py", timeout=90)
    at.multiselect(key="review:status").set_value(["first_review", "submitted"]).run()
    at.selectbox(key="review:pick").set_value(view.id).run()
    at.session_state[f"review:{view.id}:tabs"] = "民主星"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _texts(at)
    assert "数据来源：民主评议参评率" in shown
    assert "已使用投票码" in shown
    assert "数据来源：先锋指数合格及以上比例" in shown
    assert "该数值由系统计算，支部不能修改" in shown
