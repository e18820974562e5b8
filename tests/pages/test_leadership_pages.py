"""AppTest of the leadership pages: allowed roles see working screens, refused roles can't open
them, and the main interactions (filters, drill-down, 双优 confirmation, panels) work."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from db.services import excellence, readmodels
from tests.services.cycle_helpers import approve_all_submitted
from tests.utils import actor, leader, open_page, phone_list_entries
from ui import data

PAGES = [
    "pages/rankings.py",
    "pages/dashboard.py",
    "pages/trends.py",
    "pages/excellence.py",
    "pages/report.py",
    "pages/screen.py",
]
ALLOWED = ["reviewer", "leader", "admin"]


def _texts(at) -> str:
    parts = [
        e.value
        for e in (
            *at.title,
            *at.subheader,
            *at.caption,
            *at.markdown,
            *at.info,
            *at.success,
            *at.warning,
        )
    ]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("username", ALLOWED)
def test_allowed_roles_render(demo_city: str, page: str, username: str) -> None:
    at = open_page(username, page, timeout=90)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("username", ["branch01", None])
def test_refused_roles_cannot_open(demo_city: str, page: str, username: str | None) -> None:
    with pytest.raises(ValueError, match="Could not find"):
        open_page(username, page)


def _ranks(column: pd.Series) -> list[int | None]:
    return [None if pd.isna(v) else int(v) for v in column]


def test_rankings_filters_and_detail(demo_city: str) -> None:
    at = open_page("leader", "pages/rankings.py", timeout=90)
    frame = readmodels.load_city_frame(leader(), 2026)
    assert f"显示 {len(frame)} / {len(frame)} 个组织" in _texts(at)
    table = at.dataframe[0].value
    assert len(table) == len(frame)
    # Organisations that have not handed in are listed after the others, with no rank shown.
    handed_in = frame["status"].map(readmodels.ranked)
    assert _ranks(table["全市排名"]) == _ranks(frame["rank"].where(handed_in))

    region = frame["region"].value_counts().index[0]
    at.multiselect(key="rk_regions").set_value([region]).run()
    n = int((frame["region"] == region).sum())
    assert f"显示 {n} / {len(frame)} 个组织" in _texts(at)
    assert len(at.dataframe[0].value) == n

    at.multiselect(key="rk_regions").set_value([]).run()
    at.text_input(key="rk_query").set_value("不存在的组织名").run()
    assert f"显示 0 / {len(frame)} 个组织" in _texts(at)
    at.text_input(key="rk_query").set_value("").run()

    org_id = actor("branch01").org_id
    at.selectbox(key="rk_detail").set_value(org_id).run()
    assert not at.exception
    text = _texts(at)
    assert frame.at[org_id, "name"] in text
    assert "细则得分" in text
    assert "佐证材料" in text
    assert any("距五星级" in t or "已达到五星级" in t for t in text.splitlines())
    detail = at.dataframe[1].value
    assert {"自评分", "审核分", "情况说明"} <= set(detail.columns)

    at.segmented_control(key="rk_basis").set_value("self").run()
    self_frame = readmodels.load_city_frame(leader(), 2026, "self")
    self_handed_in = self_frame["status"].map(readmodels.ranked)
    assert _ranks(at.dataframe[0].value["全市排名"]) == _ranks(
        self_frame["rank"].where(self_handed_in)
    )


def test_rankings_table_follows_a_filter_box_that_was_emptied(demo_city: str) -> None:
    """The table is drawn from the filters' state before the boxes: a chosen value that is no
    longer an option (the box empties itself) must not leave the table filtered by it."""
    at = open_page("leader", "pages/rankings.py", timeout=90)
    total = len(at.dataframe[0].value)
    at.session_state["rk_regions"] = ["不存在的地区"]
    at.run()
    assert not at.exception
    assert at.multiselect(key="rk_regions").value == []
    assert len(at.dataframe[0].value) == total
    assert f"显示 {total} / {total} 个组织" in _texts(at)


def test_dashboard_shows_target_and_chase_list(demo_city: str) -> None:
    at = open_page("leader", "pages/dashboard.py", timeout=90)
    frame = readmodels.load_city_frame(leader(), 2026)
    five = int(frame["five_star"].sum())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["五星级占比"] == f"{five / len(frame):.1%}"
    assert metrics["五星级组织"] == f"{five} / {len(frame)}"
    # One section is drawn at a time: the target first, then each tab as it is opened.
    assert "尚未提交的组织（催报名单）" not in _texts(at)
    specs = []
    for tab in ("目标达成", "等级分布", "点亮率", "薄弱环节", "填报进度与催报"):
        at.session_state["db:tab"] = tab
        at.run()
        assert not at.exception
        specs += [
            json.dumps(json.loads(c.proto.spec), ensure_ascii=False)
            for c in at.get("vega_lite_chart")
        ]
    text = _texts(at)
    assert "尚未提交的组织（催报名单）" in text
    scope = readmodels.load_year_scope(actor("leader"), 2026)
    assert f"统计全部 {scope.counted} 个在册参评组织（草稿 {scope.by_status['draft']} 个" in text
    chase = next(d.value for d in at.dataframe if "联系人" in d.value.columns)
    assert frame.at[actor("branch01").org_id, "name"] in chase["组织名称"].tolist()
    assert len(specs) >= 6
    # The weakest-criteria chart keeps all its names; the heat map spans 0–100% and marks 85%.
    weakest = next(s for s in specs if "得分率最低的细则" in s)
    assert '"labelOverlap": false' in weakest
    heat = next(s for s in specs if "各地区各星点亮率" in s)
    assert '"domain": [0, 0.8499, 0.85, 1]' in heat
    assert "点亮率达到 85%" in heat


def test_dashboard_tables_are_lists_on_a_phone(demo_city: str) -> None:
    """Each region of the side-by-side table is also one entry of a list (ui.phone), its
    shares written as percentages: fourteen columns scrolled sideways on a phone."""
    at = open_page("leader", "pages/dashboard.py", timeout=90)
    table = next(d.value for d in at.dataframe if "完成率" in d.value.columns)
    entries = phone_list_entries(at, "完成率")
    assert len(entries) == len(table)
    first = table.iloc[0]
    assert entries[0].startswith(f"- **{first['地区']}** 组织数 {first['组织数']} · ")
    assert f"完成率 {first['完成率']:.1f}%" in entries[0]


def test_excellence_candidates_are_a_list_on_a_phone(demo_city: str) -> None:
    """The read-only candidate table (a reviewer's) is also a list, one entry per organisation
    (the first 30), its composite with one decimal and its ticks as 是/否."""
    at = open_page("reviewer", "pages/excellence.py", timeout=90)
    table = next(d.value for d in at.dataframe if "推荐" in d.value.columns)
    assert len(table) > 0
    entries = phone_list_entries(at, "推荐 ")
    assert len(entries) == min(len(table), 30)
    first = table.iloc[0]
    assert entries[0].startswith(f"- **{first['组织名称']}** ")
    assert f"综合得分 {first['综合得分']:.1f}" in entries[0]
    assert f"推荐 {'是' if first['推荐'] else '否'}" in entries[0]


def test_excellence_editor_puts_the_decision_beside_the_pinned_name(demo_city: str) -> None:
    """A leader's confirmation editor shows the name (pinned), 推荐, 入选 and 调整理由 first: on
    a phone they are in sight without scrolling sideways; the figures follow."""
    at = open_page("leader", "pages/excellence.py", timeout=90)
    editor = next(d for d in at.dataframe if d.proto.column_order)
    assert list(editor.proto.column_order)[:4] == ["组织名称", "推荐", "入选", "调整理由"]
    assert "_org_id" not in editor.proto.column_order
    assert '"pinned":true' in editor.proto.columns.replace(" ", "")


def test_excellence_roles(demo_city: str) -> None:
    reviewer = open_page("reviewer", "pages/excellence.py", timeout=90)
    assert "确认最终名单" not in [b.label for b in reviewer.button]
    assert "审核员可查看推荐名单" in _texts(reviewer)

    leader = open_page("leader", "pages/excellence.py", timeout=90)
    view = excellence.excellence_view(actor("leader"), year=2026)
    assert {m.label: m.value for m in leader.metric}["推荐名额（25%）"] == str(view.quota)
    # Submissions still wait for review: the button is off and the page says why, with counts.
    waiting = view.progress.unreviewed
    assert waiting > 0
    confirm = next(b for b in leader.button if b.label == "确认最终名单")
    assert confirm.disabled
    assert any(f"还有 {waiting} 个组织已提交、待审核" in w.value for w in leader.warning)
    assert f"已提交待审核 {waiting} 个" in _texts(leader)

    approve_all_submitted(actor("reviewer"))
    # The change counter is polled every 2 s; read it afresh, as a page does after its write.
    data.changed_here()
    view = excellence.excellence_view(actor("leader"), year=2026)
    leader = open_page("leader", "pages/excellence.py", timeout=90)
    assert not any("审核尚未完成" in w.value for w in leader.warning)
    if view.progress.not_handed_in:
        early = f"还有 {view.progress.not_handed_in} 个组织未提交"
        assert any(early in w.value for w in leader.warning)
    confirm = next(b for b in leader.button if b.label == "确认最终名单")
    assert not confirm.disabled
    confirm.click().run()
    # One click only opens the confirmation, naming what it rests on; nothing is written yet.
    assert not leader.exception
    assert not excellence.excellence_view(actor("leader"), year=2026).confirmed
    asked = _texts(leader)
    assert f"入选 **{len(view.recommended)} 个**" in asked
    assert f"五星级 {view.basis_count} 个" in asked
    next(b for b in leader.button if b.label == "取消").click().run()
    assert not [b for b in leader.button if b.label == "确认名单"]
    assert not excellence.excellence_view(actor("leader"), year=2026).confirmed

    next(b for b in leader.button if b.label == "确认最终名单").click().run()
    next(b for b in leader.button if b.label == "确认名单").click().run()
    assert not leader.exception
    assert any("双优名单已确认" in s.value for s in leader.success)
    assert excellence.excellence_view(actor("leader"), year=2026).confirmed
    assert not [e for e in leader.expander if e.label == "业绩等次"]

    admin = open_page("admin", "pages/excellence.py", timeout=90)
    assert [e for e in admin.expander if e.label == "业绩等次"]


def test_screen_panels_cycle_and_fix(demo_city: str) -> None:
    at = open_page("leader", "pages/screen.py", timeout=90)
    assert "总体进度" in _texts(at)
    at.run()
    assert "排行榜" in _texts(at)
    at.query_params["panel"] = "4"
    at.run()
    assert "问题导向" in _texts(at)
    at.run()
    assert "问题导向" in _texts(at)


def test_report_page_offers_the_printable_report(demo_city: str) -> None:
    at = open_page("leader", "pages/report.py", timeout=90)
    org_id = actor("branch01").org_id
    at.selectbox(key="rp_org").set_value(org_id).run()
    assert not at.exception
    assert "星级评定报告" in "".join(h.proto.body for h in at.get("html"))
    labels = [d.proto.label for d in at.get("download_button")]
    assert any("打印版" in label for label in labels)
    assert "导出 Excel" in labels


def test_trends_org_tab(demo_city: str) -> None:
    at = open_page("reviewer", "pages/trends.py", timeout=90)
    org_id = actor("branch01").org_id
    at.selectbox(key="tr_org").set_value(org_id).run()
    assert not at.exception
    assert "历年结果" in _texts(at)


def test_trends_tables_are_lists_on_a_phone(demo_city: str) -> None:
    """历年趋势's four tables are also lists (ui.phone), one entry per year or organisation,
    shares and composites written as the tables format them."""
    at = open_page("reviewer", "pages/trends.py", timeout=90)
    at.selectbox(key="tr_org").set_value(actor("branch01").org_id).run()
    assert not at.exception
    tables = [d.value for d in at.dataframe]

    city = next(t for t in tables if "五星级占比" in t.columns)
    entries = phone_list_entries(at, "五星级占比 ")
    assert len(entries) == len(city)
    first = city.iloc[0]
    assert entries[0].startswith(f"- **{first['年度']}** 组织数 {first['组织数']} · ")
    assert f"五星级占比 {first['五星级占比']:.1f}%" in entries[0]
    assert f"平均综合得分 {first['平均综合得分']:.1f}" in entries[0]

    years = next(t for t in tables if "点亮星数" in t.columns)
    entries = phone_list_entries(at, "点亮星数 ")
    assert len(entries) == len(years)
    assert entries[0].startswith(f"- **{years.iloc[0]['年度']}** ")
    assert f"综合得分 {years.iloc[0]['综合得分']:.1f}" in entries[0]

    # The demo's organisations not five-star twice are 2026's; its moves between levels 2025's.
    not_five = next(t for t in tables if "组织编码" in t.columns)
    _organisations_listed(not_five, phone_list_entries(at, "所属部门 "))
    at.selectbox(key="tr_year").set_value(2025).run()
    moved = next(d.value for d in at.dataframe if "组织名称" in d.value.columns)
    assert "变化" in moved.columns
    _organisations_listed(moved, phone_list_entries(at, "上年等级 "))


def _organisations_listed(table: pd.DataFrame, entries: list[str]) -> None:
    """One entry per organisation (the first 30), headed by its name, without its code."""
    assert len(entries) == min(len(table), 30) > 0
    first = table.iloc[0]
    assert entries[0].startswith(f"- **{first['组织名称']}** 地区 {first['地区']} · ")
    assert f"综合得分 {first['综合得分']:.1f}" in entries[0]
    assert "组织编码" not in entries[0]


def test_rankings_phone_list_pages_through_the_filtered_rows(
    demo_city: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import rankings
    from ui.text import plain

    monkeypatch.setattr(rankings, "PHONE_PAGE", 10)
    at = open_page("leader", "pages/rankings.py", timeout=90)
    frame = readmodels.load_city_frame(leader(), 2026)
    assert len(frame) > 20

    def entries() -> list[str]:
        lists = [m.value for m in at.markdown if m.value.startswith("- **")]
        assert len(lists) == 1
        return lists[0].splitlines()

    # The first ten in ranking order, each with both ranks (once handed in) and its level.
    lines = entries()
    assert len(lines) == 10
    first = frame.iloc[0]
    assert lines[0].startswith(
        f"- **{plain(first['name'])}** 全市排名 {int(first['rank'])} · 地区排名"
    )
    assert "等级 " in lines[0]
    assert f"还有 {len(frame) - 10} 个组织未列出" in _texts(at)
    at.button(key="rk_phone_more").click().run()
    assert len(entries()) == 20
    # A filter narrows the list as it narrows the table; an entry without a rank shows none.
    at.multiselect(key="rk_statuses").set_value(["draft"]).run()
    drafts = frame[frame["status"] == "draft"]
    lines = entries()
    assert len(lines) == min(20, len(drafts))
    assert not any("排名" in line for line in lines)


def test_report_page_prints_no_rank_before_hand_in(demo_city: str) -> None:
    at = open_page("leader", "pages/report.py", timeout=90)
    not_started = actor("branch02").org_id
    at.selectbox(key="rp_org").set_value(not_started).run()
    assert not at.exception
    body = "".join(h.proto.body for h in at.get("html"))
    assert "尚未提交，不参与排名" in body
    assert "名 / 共" not in body
