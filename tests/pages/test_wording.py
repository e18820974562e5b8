"""Wording a user reads: the role once, one name for the region rank, 未开始 / 已否决 / 未定星
kept apart, and no rank for an organisation that has not handed in."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
from sqlalchemy import update

import formatting
from db.engine import write_session
from db.models import AssessmentTotal, Role
from db.services import readmodels
from db.services.common import Actor
from tests.utils import actor, open_page
from ui.shell import signed_in_as


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_sidebar_names_the_role_once() -> None:
    def who(name: str, role: str) -> str:
        return signed_in_as(Actor(1, "u", name, Role(role)))

    assert who("支部书记 王芳", "branch") == "当前用户：王芳（支部书记）"
    assert who("王芳", "branch") == "当前用户：王芳（支部书记）"
    assert who("系统管理员", "admin") == "当前用户：系统管理员"
    assert who("机关党建工作领导小组", "leader") == "当前用户：机关党建工作领导小组（领导）"
    # A region's accounts: the name says the role already, or part of it.
    assert who("柯桥区机关工委 审核员", "reviewer") == "当前用户：柯桥区机关工委 审核员"
    assert who("柯桥区机关工委 领导", "leader") == "当前用户：柯桥区机关工委（领导）"
    assert who("柯桥区机关工委 管理员", "admin") == "当前用户：柯桥区机关工委（系统管理员）"
    assert who("机关党委 陈静", "department") == "当前用户：陈静（机关党委）"


def test_the_demo_region_accounts_read_their_role_once(demo_city: str) -> None:
    assert signed_in_as(actor("keqiao_reviewer")) == "当前用户：柯桥区机关工委 审核员"
    assert signed_in_as(actor("keqiao_leader")) == "当前用户：柯桥区机关工委（领导）"
    assert signed_in_as(actor("reviewer")) == "当前用户：市直机关工委 审核员"


def test_the_results_menu_is_headed_by_the_account_scope(demo_city: str) -> None:
    from texts import navigation as N
    from ui.navigation import section_title

    assert section_title(actor("leader"), N.SECTION_CITY) == "全市"
    assert section_title(actor("keqiao_leader"), N.SECTION_CITY) == "柯桥区"
    assert section_title(actor("keqiao_leader"), N.SECTION_ACCOUNT) == N.SECTION_ACCOUNT
    department = section_title(actor("dept01"), N.SECTION_CITY)
    assert department not in ("全市", "")
    assert department == readmodels.scope_name(actor("dept01"))


def test_trend_tables_and_charts_keep_not_started_vetoed_and_unrated_apart() -> None:
    from ui import charts, trends

    rows = pd.DataFrame(
        {
            "year": [2024, 2025, 2026],
            "composite": [92.0, 95.0, 0.0],
            "star_count": [5, 5, 0],
            "level": [0, 0, 0],
            "vetoed": [False, True, False],
            "status": ["published", "published", "draft"],
            "scored": [45, 45, 0],
            "rank": [3, 1, 40],
            "region_rank": [1, 1, 9],
        },
        index=pd.Index([7, 7, 7], name="org_id"),
    )
    table = trends.org_table(rows)
    assert table["等级"].tolist() == ["未定星", "已否决", "未开始"]
    # no rank for the year it has not handed in
    assert [None if pd.isna(v) else int(v) for v in table["全市排名"]] == [3, 1, None]
    assert [None if pd.isna(v) else int(v) for v in table["地区排名"]] == [1, 1, None]
    spec = json.dumps(
        charts.city_levels_chart(rows.reset_index(), "全市").to_dict(), ensure_ascii=False
    )
    for name in ("已否决", "未开始", "未定星"):
        assert name in spec
    trend = json.dumps(
        charts.org_trend_chart(rows, dict.fromkeys((2024, 2025, 2026), Decimal(90))).to_dict(),
        ensure_ascii=False,
    )
    assert "已否决" in trend
    assert "未开始" in trend


def test_a_branch_that_has_not_started_has_no_rank_and_reads_not_started(demo_city: str) -> None:
    frame = readmodels.load_city_frame(actor("leader"), 2026)
    org = actor("branch02").org_id
    assert frame.at[org, "status"] == "draft"
    assert frame.at[org, "scored"] == 0
    at = open_page("branch02", "pages/overview.py", timeout=90)
    assert not at.exception
    metrics = _metrics(at)
    region = f"地区排名（{frame.at[org, 'region']}）"
    # "—" as the figure and why beneath it: the sentence as the figure was cut on a desk's card.
    assert metrics["全市排名"] == metrics[region] == "—"
    why = {m.label: m.proto.delta for m in at.metric}
    assert why["全市排名"] == why[region] == "提交后参与排名"
    assert "自评等级" in metrics
    assert metrics["自评等级"] == "未开始"
    assert not any(v.startswith("第 ") for v in metrics.values())


def test_a_vetoed_organisation_reads_vetoed_not_unrated(demo_city: str) -> None:
    frame = readmodels.load_city_frame(actor("leader"), 2026)
    submitted = frame[frame["status"] == "submitted"].sort_values("composite", ascending=False)
    org = int(submitted.index[0])
    with write_session() as session:
        session.exec(
            update(AssessmentTotal).where(AssessmentTotal.org_id == org).values(veto_tenths=10)
        )
    keys = formatting.standing_keys(readmodels.load_city_frame(actor("leader"), 2026))
    assert keys[org] == "vetoed"
    not_started = readmodels.load_city_frame(actor("leader"), 2026)
    assert (
        keys[(not_started["status"] == "draft") & (not_started["scored"] == 0)] == "not_started"
    ).all()
    at = open_page("leader", "pages/rankings.py", timeout=90)
    table = at.dataframe[0].value
    name = frame.at[org, "name"]
    assert table.loc[table["组织名称"] == name, "等级"].tolist() == ["已否决"]
    levels = set(table["等级"])
    assert {"已否决", "未开始"} <= levels
    assert "地区排名" in table.columns
