"""Rosters from one file: xlsx and CSV (UTF-8, GBK), all or nothing; many organisations for
an admin, its own for a branch, which downloads its roster in the same layout and imports it
back."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlmodel import col, select

from db.engine import read_session
from db.models import AuditLog, Organisation, PartyMember
from db.services import imports, member_import, members
from db.services.common import PermissionDenied
from db.services.imports import ImportRejected
from tests.utils import actor

HEADER = "组织编码,姓名,在职或离退休,党员类别,入党日期"


def _codes() -> tuple[str, str, int, int]:
    one, two = actor("branch01"), actor("branch02")
    assert one.org_id is not None
    assert two.org_id is not None
    with read_session() as session:
        a, b = session.get(Organisation, one.org_id), session.get(Organisation, two.org_id)
        assert a is not None
        assert b is not None
        return a.code, b.code, one.org_id, two.org_id


def _roster(org_id: int) -> list[tuple[str, str, str, str, bool]]:
    with read_session() as session:
        rows = session.exec(
            select(PartyMember).where(PartyMember.org_id == org_id).order_by(col(PartyMember.id))
        ).all()
    return [(m.name, m.service, m.status, m.joined_on.isoformat(), m.active) for m in rows]


def _snapshot() -> list[tuple]:
    with read_session() as session:
        members_ = session.exec(select(PartyMember).order_by(col(PartyMember.id))).all()
        orgs = session.exec(select(Organisation).order_by(col(Organisation.id))).all()
    return [tuple(m.model_dump().values()) for m in members_] + [
        (o.id, o.member_count) for o in orgs
    ]


def test_a_gbk_csv_replaces_the_rosters_it_names(city: str) -> None:
    one, two, one_id, two_id = _codes()
    untouched = _roster(actor("reviewer").org_id or 0)
    kept = _roster(one_id)[0]
    text = "\n".join(
        [
            HEADER,
            f"{one},{kept[0]},{'在职' if kept[1] == 'in_service' else '离退休'},"
            f"{'正式党员' if kept[2] == 'full' else '预备党员'},{kept[3]}",
            f"{one},欧阳新党员,在职,预备,2025年7月1日",
            f"{two},钱离休,离退休,正式党员,1975/6/1",
        ]
    )
    result = member_import.import_members(
        actor("admin"), data=text.encode("gbk"), filename="名册.csv"
    )
    assert (result.created, result.unchanged) == (2, 1)
    roster = _roster(one_id)
    active = [r for r in roster if r[4]]
    assert [r[0] for r in active] == [kept[0], "欧阳新党员"]
    assert active[1][1:4] == ("in_service", "probationary", "2025-07-01")
    assert result.updated == len(roster) - 2 + len(_roster(two_id)) - 1  # the rest go off
    assert [r[0] for r in _roster(two_id) if r[4]] == ["钱离休"]
    with read_session() as session:
        counts = {
            o.id: o.member_count
            for o in session.exec(
                select(Organisation).where(col(Organisation.id).in_([one_id, two_id]))
            ).all()
        }
    assert counts == {one_id: 2, two_id: 1}
    assert untouched == _roster(actor("reviewer").org_id or 0)
    assert members.list_members(actor("branch01"), org_id=one_id)[1].name == "欧阳新党员"


def test_an_xlsx_file_imports_too(city: str) -> None:
    one, _two, one_id, _ = _codes()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append([one, "孙一", "在职", "正式党员", "2001-07-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = member_import.import_members(
        actor("admin"), data=buffer.getvalue(), filename="名册.xlsx"
    )
    assert result.created == 1
    assert [r[0] for r in _roster(one_id) if r[4]] == ["孙一"]


def test_one_bad_row_refuses_the_whole_file(city: str) -> None:
    one, two, _, _ = _codes()
    before = _snapshot()
    text = "\n".join(
        [
            HEADER,
            f"{one},赵一,在职,正式党员,2001-07-01",
            f"{two},钱二,兼职,正式党员,2001-07-01",
            "NOPE,孙三,在职,正式党员,2001-07-01",
            f"{one},赵一,在职,正式党员,2001-07-01",
        ]
    )
    with pytest.raises(ImportRejected) as caught:
        member_import.import_members(
            actor("admin"), data=text.encode("utf-8-sig"), filename="a.csv"
        )
    assert caught.value.errors == [
        "第 3 行：在职或离退休“兼职”无法识别（可填：在职、离退休）",
        "第 4 行：组织编码“NOPE”不存在或不在你的管理范围内",
        "第 5 行：“赵一 2001-07-01”与第 2 行重复",
    ]
    assert _snapshot() == before
    with read_session() as session:
        rejected = session.exec(select(AuditLog).where(AuditLog.action == "import_rejected")).all()
    assert [r.target_type for r in rejected] == ["members"]


def test_a_file_without_the_columns_is_named(city: str) -> None:
    with pytest.raises(ImportRejected, match="缺少"):
        member_import.import_members(actor("admin"), data="姓名\n张三\n".encode(), filename="a.csv")


def test_admins_import_in_scope_and_a_branch_its_own_roster_only(city: str) -> None:
    import dataclasses

    one, _two, _, _ = _codes()
    data = f"{HEADER}\n{one},赵一,在职,正式党员,2001-07-01\n".encode()
    # branch02 may import its own roster, never branch01's: the row is refused, nothing written.
    before = _snapshot()
    with pytest.raises(ImportRejected) as other:
        member_import.import_members(actor("branch02"), data=data, filename="a.csv")
    assert other.value.errors == [f"第 2 行：组织编码“{one}”不存在或不在你的管理范围内"]
    assert _snapshot() == before
    for who in ("reviewer", "leader"):
        with pytest.raises(PermissionDenied):
            member_import.import_members(actor(who), data=data, filename="a.csv")
    with read_session() as session:
        org = session.exec(select(Organisation).where(Organisation.code == one)).one()
    other_region = next(r for r in ("市直", "越城区") if r != org.region)
    scoped = dataclasses.replace(actor("admin"), scope_region=other_region)
    with pytest.raises(ImportRejected) as caught:
        member_import.import_members(scoped, data=data, filename="a.csv")
    assert caught.value.errors == [f"第 2 行：组织编码“{one}”不存在或不在你的管理范围内"]


def test_the_template_has_the_columns() -> None:
    csv_text = imports.template("members", "csv").decode("utf-8-sig")
    assert csv_text.strip() == "组织编码*,姓名*,在职或离退休*,党员类别*,入党日期*"


def test_a_branch_downloads_its_roster_edits_it_in_excel_and_imports_it_back(city: str) -> None:
    from openpyxl import load_workbook

    one, _two, one_id, _ = _codes()
    branch = actor("branch01")
    before = [r for r in _roster(one_id) if r[4]]
    assert len(before) >= 2
    book = load_workbook(io.BytesIO(member_import.export_roster(branch, org_id=one_id)))
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [f"{h}*" for h in HEADER.split(",")]
    assert [r[1] for r in rows[1:]] == sorted(r[0] for r in before)
    assert {r[0] for r in rows[1:]} == {one}
    # Unchanged, the file changes nothing.
    again = member_import.import_members(branch, data=_xlsx_bytes(rows), filename="名册.xlsx")
    assert (again.created, again.updated) == (0, 0)
    assert [r for r in _roster(one_id) if r[4]] == before
    # Edited in Excel: one member gone, one new.
    gone = rows[1][1]
    edited = [rows[0], *rows[2:], [one, "欧阳新", "在职", "预备党员", "2025-07-01"]]
    result = member_import.import_members(branch, data=_xlsx_bytes(edited), filename="名册.xlsx")
    assert result.created == 1
    active = {r[0] for r in _roster(one_id) if r[4]}
    assert "欧阳新" in active
    assert gone not in active


def test_only_the_roster_s_keepers_download_it(city: str) -> None:
    _one, _two, one_id, _ = _codes()
    for who in ("branch02", "reviewer", "leader"):
        with pytest.raises(PermissionDenied):
            member_import.export_roster(actor(who), org_id=one_id)
    assert member_import.export_roster(actor("admin"), org_id=one_id)[:2] == b"PK"


def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
