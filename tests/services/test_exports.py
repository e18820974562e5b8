"""Exports: the Excel workbook opened with openpyxl, the 催报 list and the printable report."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlmodel import select

import scoring
from db.engine import read_session, write_session
from db.models import AuditLog, Organisation
from db.services import excellence, exports, readmodels, statistics
from db.services.common import PermissionDenied
from tests.utils import actor, leader

YEAR = 2026


def _open(content: bytes):
    return load_workbook(io.BytesIO(content))


def test_workbook_sheets_headers_values_and_frozen_panes(city: str) -> None:
    content = exports.export_workbook(actor("leader"), year=YEAR)
    wb = _open(content)
    assert wb.sheetnames == ["排名", "分星得分", "细则明细", "双优名单", "地区对比", "目标达成"]
    frame = readmodels.load_city_frame(leader(), YEAR)

    ranking = wb["排名"]
    headers = [c.value for c in ranking[1]]
    assert headers[:4] == ["全市排名", "地区排名", "组织编码", "组织名称"]
    assert {"综合得分", "等级", "五星级", "状态"} <= set(headers)
    assert ranking.freeze_panes == "E2"
    assert ranking.max_row == len(frame) + 1
    col = {h: i for i, h in enumerate(headers)}
    for excel_row, (_org, row) in zip(ranking.iter_rows(min_row=2), frame.iterrows(), strict=True):
        assert excel_row[col["组织编码"]].value == row["code"]
        # only an organisation that has handed in holds a rank (readmodels.ranked)
        rank = row["rank"] if readmodels.ranked(row["status"]) else None
        assert excel_row[col["全市排名"]].value == rank
        assert excel_row[col["综合得分"]].value == pytest.approx(row["composite"])
        assert excel_row[col["综合得分"]].number_format == "0.0"
        assert excel_row[col["五星级"]].value == ("是" if row["five_star"] else "否")
    assert ranking.column_dimensions["D"].width >= 30

    stars = wb["分星得分"]
    star_headers = [c.value for c in stars[1]]
    assert stars.freeze_panes == "D2"
    assert star_headers[3] == "学习星得分（基本分20）"
    assert star_headers[4] == "学习星点亮"
    assert star_headers[-1] == "地区排名"
    first = frame.iloc[0]
    assert readmodels.ranked(first["status"])
    values = [c.value for c in stars[2]]
    assert values[1] == first["code"]
    assert values[-1] == first["region_rank"]
    for i, key in enumerate(scoring.STAR_KEYS):
        assert values[3 + 2 * i] == pytest.approx(first[key])
        assert values[4 + 2 * i] == ("是" if first[f"lit_{key}"] else "否")

    criteria = wb["细则明细"]
    assert [c.value for c in criteria[1]] == [
        "组织编码",
        "组织名称",
        "所属星",
        "编号",
        "满分",
        "自评分",
        "审核分",
        "采用分",
    ]
    assert criteria.freeze_panes == "C2"
    entries = statistics.load_entries(leader(), YEAR)
    assert criteria.max_row == len(entries) + 1

    chosen = wb["双优名单"]
    view = excellence.build_view(leader(), YEAR)
    # What the list is comes above it: a reader sees "not confirmed" before the names.
    assert [c.value for c in chosen[1]][:2] == [
        "名单状态",
        "尚未确认：下表为系统推荐名单，不是最终名单",
    ]
    assert [c.value for c in chosen[2]][:2] == ["五星级组织数", view.basis_count]
    assert [c.value for c in chosen[3]][:2] == ["推荐名额", view.quota]
    assert [c.value for c in chosen[5]][:3] == ["全市排名", "组织编码", "组织名称"]
    assert [c.value for c in chosen[5]][-1] == "地区排名"
    shown_ranks = {r[1].value: r[-1].value for r in chosen.iter_rows(min_row=6)}
    assert shown_ranks == {
        frame.loc[o, "code"]: int(frame.loc[o, "region_rank"]) for o in view.recommended
    }
    assert chosen.freeze_panes == "D6"
    names = [r[2].value for r in chosen.iter_rows(min_row=6)]
    assert sorted(names) == sorted(frame.loc[list(view.recommended), "name"])

    targets = wb["目标达成"]
    assert [c.value for c in targets[1]][:6] == [
        "年度",
        "范围",
        "组织数",
        "五星级数",
        "五星级占比",
        "目标",
    ]
    city_rows = [r for r in targets.iter_rows(min_row=2, values_only=True) if r[1] == "全市"]
    assert [r[0] for r in city_rows] == readmodels.load_years(leader())
    row = next(
        r for r in targets.iter_rows(min_row=2) if r[0].value == YEAR and r[1].value == "全市"
    )
    assert row[3].value == int(frame["five_star"].sum())
    assert row[4].value == pytest.approx(frame["five_star"].mean())
    assert row[4].number_format == "0.0%"
    assert row[5].value == pytest.approx(0.9)

    with read_session() as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == "export_workbook")).first()


def test_exports_refuse_branch_users(city: str) -> None:
    with pytest.raises(PermissionDenied):
        exports.export_workbook(actor("branch01"), year=YEAR)
    with pytest.raises(PermissionDenied):
        exports.chase_workbook(actor("branch01"), year=YEAR)
    other = actor("branch02").org_id
    with pytest.raises(PermissionDenied):
        exports.org_report(actor("branch01"), org_id=other or 0, year=YEAR)


def test_chase_list_workbook(city: str) -> None:
    wb = _open(exports.chase_workbook(actor("reviewer"), year=YEAR))
    ws = wb["催报名单"]
    assert ws.freeze_panes == "C2"
    frame = readmodels.load_city_frame(leader(), YEAR)
    codes = {r[0] for r in ws.iter_rows(min_row=2, values_only=True)}
    pending = frame[frame["status"].isin(["draft", "returned"])]
    assert codes == set(pending["code"])


def test_org_report_is_one_self_contained_page(city: str) -> None:
    org_id = actor("branch01").org_id
    assert org_id is not None
    with write_session() as session:  # a name that would break unescaped HTML
        org = session.get(Organisation, org_id)
        assert org is not None
        org.name = "第一支部<script>alert(1)</script>"
        session.add(org)
    report = exports.org_report(actor("leader"), org_id=org_id, year=YEAR)
    frame = readmodels.load_city_frame(leader(), YEAR)
    row = frame.loc[org_id]
    doc = report.document
    assert "<script>" not in doc
    assert "&lt;script&gt;" in doc
    assert "http://" not in doc
    assert "https://" not in doc
    assert "<link" not in doc
    assert "@page{size:A4" in doc
    if readmodels.ranked(row["status"]):
        assert f"第 {int(row['rank'])} 名 / 共 {readmodels.ranked_count(frame)} 个" in doc
    else:
        assert "尚未提交，不参与排名" in doc
    assert "五星级" in doc or "星级" in doc
    for key in scoring.STAR_KEYS:
        assert scoring.STAR_NAMES[key] in doc
    assert "距五星级" in doc
    assert report.filename.endswith(f"_{YEAR}.html")
    # The branch user may print its own organisation's report.
    own = exports.org_report(actor("branch01"), org_id=org_id, year=YEAR)
    assert "综合得分" in own.body


def test_criteria_sheet_values_and_awkward_names(city: str) -> None:
    org_id = actor("branch01").org_id
    with write_session() as session:
        org = session.get(Organisation, org_id)
        assert org is not None
        org.name = " A&B <支部>\x01 "
        session.add(org)
    wb = _open(exports.export_workbook(actor("admin"), year=YEAR))
    rows = list(wb["细则明细"].iter_rows(min_row=2, values_only=True))
    frame = readmodels.load_city_frame(leader(), YEAR)
    code = frame.at[org_id, "code"]
    mine = [r for r in rows if r[0] == code]
    assert mine
    assert {r[1] for r in mine} == {" A&B <支部> "}
    entries = statistics.load_entries(leader(), YEAR)
    expected = entries[entries["org_id"] == org_id].set_index("code")
    assert len(mine) == len(expected)
    for _code, _name, _star, crit, _max, self_p, reviewed_p, used in mine:
        e = expected.loc[crit]
        assert self_p == (None if e["self_tenths"] is pd.NA else e["self_tenths"] / 10)
        assert reviewed_p == (None if e["reviewed_tenths"] is pd.NA else e["reviewed_tenths"] / 10)
        assert used == (reviewed_p if reviewed_p is not None else self_p)


def _sheet_rows(ws) -> tuple[list[str], dict[str, tuple]]:
    headers = [c.value for c in ws[1]]
    rows = {r[headers.index("组织编码")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    return headers, rows


def test_no_rank_printed_for_an_organisation_that_has_not_handed_in(city: str) -> None:
    frame = readmodels.load_city_frame(leader(), YEAR)
    handed_in = frame["status"].map(readmodels.ranked).astype(bool)
    waiting, ranked = frame[~handed_in], frame[handed_in]
    assert len(waiting)
    assert len(ranked)

    wb = _open(exports.export_workbook(actor("leader"), year=YEAR))
    for sheet in ("排名", "分星得分"):
        headers, rows = _sheet_rows(wb[sheet])
        city_col, region_col = headers.index("全市排名"), headers.index("地区排名")
        for code in waiting["code"]:
            assert rows[code][city_col] is None, (sheet, code)
            assert rows[code][region_col] is None, (sheet, code)
        for _org, row in ranked.iterrows():
            assert rows[row["code"]][city_col] == row["rank"]
            assert rows[row["code"]][region_col] == row["region_rank"]
        # ranks 1..k go to the k organisations that have handed in
        assert max(rows[c][city_col] for c in ranked["code"]) <= len(ranked)

    not_started = actor("branch02").org_id
    assert not readmodels.ranked(frame.at[not_started, "status"])
    body = exports.org_report(actor("leader"), org_id=not_started, year=YEAR).body
    assert body.count("尚未提交，不参与排名") == 2  # 全市排名 and 地区排名
    assert "名 / 共" not in body
    # this year's line of the history: its level read 未开始, and no rank
    assert "<td>未开始</td><td>—</td></tr>" in body

    org = int(ranked.index[-1])
    row = frame.loc[org]
    body = exports.org_report(actor("leader"), org_id=org, year=YEAR).body
    in_region = ranked[ranked["region"] == row["region"]]
    assert f"第 {int(row['rank'])} 名 / 共 {len(ranked)} 个" in body
    assert f"第 {int(row['region_rank'])} 名 / 共 {len(in_region)} 个" in body
