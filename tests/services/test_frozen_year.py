"""A published year never moves: every export of it is the same before and after the
organisations change (an import, a rename, a move between regions, a new organisation)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from db.engine import read_session
from db.models import Organisation
from db.services import attainment, exports, imports, publication, readmodels
from tests.services.cycle_helpers import (
    Clock,
    approve_all_submitted,
    confirm_recommended,
    open_cycle_id,
)
from tests.utils import actor, change_org

GENERATED = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock(city: str, monkeypatch: pytest.MonkeyPatch) -> Clock:
    monkeypatch.setattr(exports, "utcnow", lambda: GENERATED)
    return Clock(monkeypatch)


def _cells(content: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook as its cell values, row by row."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def _figures(years: list[int], org_ids: list[int]) -> dict[str, Any]:
    """Everything a published year shows: each export, the 公示 list, reports, read models."""
    admin, leader = actor("admin"), actor("leader")
    out: dict[str, Any] = {}
    for year in years:
        cycle_id = publication.cycle_id_of(admin, year)
        out[f"workbook {year}"] = _cells(exports.export_workbook(leader, year=year))
        out[f"chase {year}"] = _cells(exports.chase_workbook(leader, year=year))
        out[f"list {year}"] = _cells(publication.list_xlsx(admin, cycle_id=cycle_id))
        out[f"print {year}"] = publication.print_html(admin, cycle_id=cycle_id).decode()
        for basis in ("reviewed", "self"):
            frame = readmodels.load_city_frame(actor("leader"), year, basis)
            out[f"frame {year} {basis}"] = frame.to_csv()
            for org_id in org_ids:
                if org_id in frame.index:
                    report = exports.org_report(leader, org_id=org_id, year=year, basis=basis)
                    out[f"report {year} {basis} {org_id}"] = report.document
        out[f"counted {year}"] = readmodels.load_org_table(actor("leader"), year).to_csv()
    history = readmodels.load_history(actor("leader"))
    out["attainment"] = attainment.attainment_table(history, "全市").to_csv()
    return out


def _org_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["编码", "名称", "类型", "区域", "上级编码", "党员人数"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_a_published_year_is_the_same_after_any_organisation_change(clock: Clock) -> None:
    """Before: regions, names and departments were read from today's data, so an import after
    定档 moved B0001403 from 市直 to 越城区 and the published region shares moved with it."""
    cycle_id = open_cycle_id()
    approve_all_submitted(actor("reviewer"), cycle_id)
    year = publication.publication_info(actor("admin"), cycle_id=cycle_id).year
    confirm_recommended(actor("leader"), year)
    publication.publish_year(actor("admin"), cycle_id=cycle_id, include_unfinished=True)
    years = readmodels.load_years(actor("leader"))
    frame = readmodels.load_city_frame(actor("leader"), year)
    rated = list(frame.index)
    with read_session() as session:
        orgs = {o.id: o for o in session.exec(select(Organisation)).all()}
    moved, renamed, imported = (orgs[i] for i in rated[:3])
    shown = [moved.id, renamed.id, imported.id]
    before = _figures(years, shown)

    boss = actor("admin")
    other_region = next(r for r in ("越城区", "市直") if r != moved.region)
    change_org(boss, moved.id, region=other_region)
    change_org(boss, renamed.id, name=renamed.name + "（更名）")
    parent = orgs[imported.parent_id]
    type_names = {"branch": "党支部", "general_branch": "党总支", "party_committee": "机关党委"}
    imports.import_organisations(
        boss,
        data=_org_csv(
            [
                [
                    imported.code,
                    "中共导入后改名的党支部",
                    type_names[imported.org_type],
                    next(r for r in ("柯桥区", "上虞区") if r != imported.region),
                    parent.code,
                    str(imported.member_count + 7),
                ],
                ["B9999001", "中共新成立的第一党支部", "党支部", moved.region, parent.code, "9"],
            ]
        ),
        filename="组织.csv",
    )
    after = _figures(years, shown)

    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], key
    # the changes did happen: the open screens of today read the new names and places
    current = readmodels.load_org_attributes(actor("leader"))
    assert current.loc[moved.id, "region"] == other_region
    assert current.loc[renamed.id, "name"].endswith("（更名）")


def test_review_header_and_objections_show_the_organisation_as_published(clock: Clock) -> None:
    """Before: the 审核 page header (name, code, region, department) and the objection list
    of a published year read today's organisation, so a rename or a move after publication
    showed there while every published figure kept the old one."""
    from db.services import objections, review

    cycle_id = open_cycle_id()
    approve_all_submitted(actor("reviewer"), cycle_id)
    year = publication.publication_info(actor("admin"), cycle_id=cycle_id).year
    confirm_recommended(actor("leader"), year)
    publication.publish_year(actor("admin"), cycle_id=cycle_id, include_unfinished=True)
    frame = readmodels.load_city_frame(actor("leader"), year)
    org_id = int(frame.index[0])
    assessment_id = int(frame.at[org_id, "assessment_id"])
    boss = actor("admin")
    objections.record_objection(boss, cycle_id=cycle_id, org_id=org_id, content="得分有误")
    before = review.load_review(boss, assessment_id=assessment_id)
    listed_before = objections.objections(boss, cycle_id=cycle_id)

    other_region = next(r for r in ("越城区", "市直") if r != before.region)
    change_org(boss, org_id, region=other_region)
    change_org(boss, org_id, name=before.org_name + "（更名）")
    with read_session() as session:
        today = session.get(Organisation, org_id)
        assert today is not None
        assert (today.name, today.region) == (before.org_name + "（更名）", other_region)

    after = review.load_review(boss, assessment_id=assessment_id)
    shown = ("org_code", "org_name", "org_type", "region", "department")
    assert [getattr(after, f) for f in shown] == [getattr(before, f) for f in shown]
    assert (after.org_name, after.region) == (frame.at[org_id, "name"], frame.at[org_id, "region"])
    listed = objections.objections(boss, cycle_id=cycle_id)
    assert listed[["org_name", "region"]].equals(listed_before[["org_name", "region"]])
    assert listed.iloc[0]["org_name"] == frame.at[org_id, "name"]
    assert listed.iloc[0]["region"] == frame.at[org_id, "region"]
