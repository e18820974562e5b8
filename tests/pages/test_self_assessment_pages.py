"""AppTest of 我的支部 and the five star pages, as branch01 (and refused for everyone else)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

import scoring
from db.services import assessment as A
from db.services import editing, reviewing
from tests.assessment_helpers import fill_all
from tests.utils import actor, open_page, pass_first_level
from texts import assessment as T
from texts import common as C

STAR_PAGES = {key: f"pages/{key}.py" for key in scoring.STAR_KEYS}
MY_PAGES = ["pages/overview.py", *STAR_PAGES.values()]


def texts_of(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [s.value for s in at.success]
    return "\n".join(str(p) for p in parts)


def save_key(view: A.AssessmentView, page: str) -> str:
    return f"form:{view.id}:{page}:save"


def points_input(at: AppTest, code: str):
    return next(n for n in at.number_input if n.key.endswith(f":{code}:p"))


def figure_input(at: AppTest, code: str):
    return next(n for n in at.number_input if n.key.endswith(f":{code}:f"))


@pytest.mark.parametrize("star", scoring.STAR_KEYS)
def test_each_star_page_renders_its_criteria(demo_city: str, star: str) -> None:
    at = open_page("branch01", STAR_PAGES[star])
    assert not at.exception
    assert at.title[0].value == scoring.STAR_NAMES[star]
    view = A.my_assessment(actor("branch01"))
    text = texts_of(at)
    for c in view.rubric.by_star(star):
        assert c.code in text
        assert (
            f"满分 {c.max_points.normalize():f} 分" in text
            or f"满分 {int(c.max_points)} 分" in text
        )
    inputs = {n.key.rsplit(":", 2)[1] for n in at.number_input}
    assert inputs == {c.code for c in view.rubric.by_star(star)}
    assert len(at.text_area) == len(view.rubric.by_star(star))
    sidebar = [m.value for m in at.sidebar.metric]
    assert any(f"/ {int(view.rubric.bases[star])}" in v for v in sidebar)


def test_overview_renders(demo_city: str) -> None:
    at = open_page("branch01", "pages/overview.py")
    assert not at.exception
    assert at.title[0].value == T.OVERVIEW_TITLE
    labels = [m.label for m in at.metric]
    for star in scoring.STAR_NAMES.values():
        assert any(star in label for label in labels)
    assert T.COMPOSITE_SELF in labels
    assert T.RANK_CITY in labels
    text = texts_of(at)
    assert "距五星级最少还需增加" in text
    assert "尚未评分" in text  # the missing list
    submit = at.button(key="overview:submit")
    assert submit.disabled
    assert len(at.dataframe) >= 2  # completion per star, history


def test_saving_via_the_page(demo_city: str) -> None:
    view = A.my_assessment(actor("branch01"))
    at = open_page("branch01", STAR_PAGES["learning"])
    points_input(at, "L1.1").set_value(1.5)
    at.text_area(key=f"form:{view.id}:learning:{view.version}:L1.1:n").set_value("传达学习 6 次")
    figure_input(at, "L2.3").set_value(20.0)
    at.run()
    assert "按细则自动计分：**1.5** / 2.5 分" in texts_of(at)
    assert any(T.UNSAVED in w.value for w in at.sidebar.warning)
    at.button(key=save_key(view, "learning")).click().run()
    assert not at.exception
    after = A.my_assessment(actor("branch01"))
    assert after.version == view.version + 1
    assert after.entries["L1.1"].self_points == Decimal("1.5")
    assert after.entries["L1.1"].note == "传达学习 6 次"
    assert after.entries["L2.3"].self_points == Decimal("1.5")
    assert points_input(at, "L1.1").value == 1.5  # the reloaded page shows what was saved
    assert not at.sidebar.warning


def test_summary_follows_the_inputs_before_saving(demo_city: str) -> None:
    view = A.my_assessment(actor("branch01"))
    at = open_page("branch01", STAR_PAGES["learning"])
    for c in view.rubric.by_star("learning"):
        if c.auto is None:
            points_input(at, c.code).set_value(float(c.max_points))
        else:
            minimum = c.auto.minimum if c.auto.minimum is not None else Decimal(0)
            figure_input(at, c.code).set_value(float(minimum))
    at.run()
    score = at.sidebar.metric[0]
    assert score.value == "20 / 20"
    assert "已点亮" in score.delta
    points_input(at, "L1.1").set_value(0.0)
    points_input(at, "L2.1").set_value(0.0)
    at.run()
    score = at.sidebar.metric[0]
    assert score.value == "15 / 20"
    assert "还差 2 分" in score.delta
    assert A.my_assessment(actor("branch01")).version == view.version  # nothing saved


@pytest.mark.parametrize(
    ("value", "phrase"),
    [(1.3, "0.5 的整数倍"), (-1.0, "不能为负数"), (9.0, "超过了本项满分")],
)
def test_bad_input_shows_the_chinese_message(demo_city: str, value: float, phrase: str) -> None:
    view = A.my_assessment(actor("branch01"))
    at = open_page("branch01", STAR_PAGES["learning"])
    points_input(at, "L1.1").set_value(value)
    at.run()
    assert any(phrase in e.value for e in at.error)  # shown under the field at once
    at.button(key=save_key(view, "learning")).click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("本次没有保存任何内容" in e for e in errors)
    assert phrase in texts_of(at)
    after = A.my_assessment(actor("branch01"))
    assert after.version == view.version
    assert after.entries["L1.1"].self_points == view.entries["L1.1"].self_points


def test_a_stale_save_is_refused_and_reload_shows_the_latest(demo_city: str) -> None:
    branch = actor("branch01")
    view = A.my_assessment(branch)
    at = open_page("branch01", STAR_PAGES["learning"])
    points_input(at, "L1.1").set_value(0.5)
    at.run()
    # Meanwhile the same assessment is saved elsewhere.
    editing.save_star_page(
        branch,
        assessment_id=view.id,
        version=view.version,
        star="learning",
        entries={"L1.1": {"points": "3", "note": "另一窗口"}},
    )
    at.run()
    assert any("其他人已保存" in w.value for w in at.warning)  # warned before saving
    at.button(key=save_key(view, "learning")).click().run()
    assert any(C.ERR_STALE in e.value for e in at.error)
    assert A.my_assessment(branch).entries["L1.1"].self_points == Decimal(3)  # not overwritten
    at.button(key=f"form:{view.id}:learning:reload").click().run()
    assert not at.exception
    assert points_input(at, "L1.1").value == 3.0
    assert not any(C.ERR_STALE in e.value for e in at.error)


def test_submit_on_overview_when_complete(demo_city: str) -> None:
    fill_all(actor("branch01"))
    at = open_page("branch01", "pages/overview.py")
    assert T.SUBMIT_READY in texts_of(at)
    submit = at.button(key="overview:submit")
    assert not submit.disabled
    submit.click().run()
    at.button(key="overview:submit-yes").click().run()
    assert not at.exception
    assert A.my_assessment(actor("branch01")).status == "first_review"
    assert T.SUBMITTED_FIRST in texts_of(at)
    at = open_page("branch01", STAR_PAGES["learning"])
    assert all(n.disabled for n in at.number_input)
    assert not [b for b in at.button if b.key and b.key.endswith(":save")]
    assert "已提交" in texts_of(at)


def test_return_comment_is_shown_on_the_pages(demo_city: str) -> None:
    branch = actor("branch01")
    view = fill_all(branch)
    editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    version = pass_first_level(view.id)
    reviewing.return_assessment(
        actor("reviewer"),
        assessment_id=view.id,
        version=version,
        comment="请补充 *主题党日* 签到表。",
    )
    for page in ("pages/overview.py", STAR_PAGES["standard"]):
        at = open_page("branch01", page)
        assert not at.exception
        shown = [w.value for w in at.warning]
        assert any(T.RETURN_COMMENT in w and r"请补充 \*主题党日\* 签到表" in w for w in shown)
    # editable again; a figure computed from the members' data (S6.2, key …:s) is never typed
    typed = [n for n in at.number_input if not str(n.key).endswith(":s")]
    assert typed
    assert all(not n.disabled for n in typed)
    sourced = [n for n in at.number_input if str(n.key).endswith(":S6.2:s")]
    assert len(sourced) == 1
    assert sourced[0].disabled


@pytest.mark.parametrize("page", MY_PAGES)
@pytest.mark.parametrize("username", [None, "reviewer", "leader", "admin"])
def test_other_roles_have_no_self_assessment_pages(
    demo_city: str, page: str, username: str | None
) -> None:
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(username, page)


def test_branch02_sees_its_own_empty_assessment(demo_city: str) -> None:
    at = open_page("branch02", STAR_PAGES["learning"])
    assert not at.exception
    assert all(n.value is None for n in at.number_input)
    mine = A.my_assessment(actor("branch02"))
    assert mine.org_id == actor("branch02").org_id
    assert at.sidebar.metric[0].value.startswith("0 /")


def test_the_democracy_page_says_where_its_figures_come_from(demo_city: str) -> None:
    """branch01's 民主星: D12.3 from its codes (printed, some used), D12.4 from its members'
    先锋指数; read-only, with the counts and a link to the page behind each."""
    at = open_page("branch01", STAR_PAGES["democracy"])
    assert not at.exception
    shown = texts_of(at)
    assert "数据来源：民主评议参评率" in shown
    assert "已使用投票码" in shown
    assert "数据来源：先锋指数合格及以上比例" in shown
    sourced = [n for n in at.number_input if str(n.key).endswith(":s")]
    assert {str(n.key).split(":")[-2] for n in sourced} == {"D12.3", "D12.4"}
    assert all(n.disabled for n in sourced)
    links = [str(link.proto.label) for link in at.get("page_link")]
    assert "查看民主评议" in links
    assert "查看先锋指数评价" in links
