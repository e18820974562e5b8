"""Imports: all or nothing, every bad row listed, Excel/WPS encodings, templates."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from db.engine import read_session
from db.models import AuditLog, Organisation, PerformanceGrade, User
from db.services import auth, imports, years
from db.services import grades as G
from db.services.common import PermissionDenied
from settings import get_settings
from tests.services.cycle_helpers import audit_rows
from tests.utils import actor

ORG_HEADER = ["编码", "名称", "类型", "地区", "上级编码", "党员人数", "在编人数"]


@pytest.fixture
def boss(city: str):
    return actor("admin")


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _count(model) -> int:
    with read_session() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _snapshot() -> tuple[int, int, int, int]:
    return (
        _count(Organisation),
        _count(User),
        _count(PerformanceGrade),
        len(
            [
                r
                for r in audit_rows()
                if r.action.startswith("import_") and r.action != "import_rejected"
            ]
        ),
    )


NEW_TREE = [
    ORG_HEADER,
    [
        "B0900101",
        "中共市示例局第一党支部",
        "党支部",
        "市直",
        "P09001",
        "15",
        "",
    ],  # before its parent
    ["D09001", "市示例局", "部门", "市直", "", "", "120"],
    ["P09001", "中共市示例局机关委员会", "机关党委", "市直", "D09001", "80", ""],
]


def test_a_valid_file_creates_the_tree_in_any_row_order(boss) -> None:
    result = imports.import_organisations(boss, data=_csv(NEW_TREE), filename="组织.csv")
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    with read_session() as session:
        dept = session.exec(select(Organisation).where(Organisation.code == "D09001")).one()
        branch = session.exec(select(Organisation).where(Organisation.code == "B0900101")).one()
    assert branch.department_id == dept.id
    assert branch.member_count == 15
    again = imports.import_organisations(boss, data=_csv(NEW_TREE), filename="组织.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    entry = audit_rows("import_organisations")[0]
    assert '"created": 3' in entry.detail
    assert "组织.csv" in entry.detail


def test_a_bad_row_in_the_middle_writes_nothing_and_every_bad_row_is_listed(boss) -> None:
    rows = [
        ORG_HEADER,
        ["D09001", "市示例局", "部门", "市直", "", "", ""],  # line 2: fine
        ["P09001", "", "党委会", "火星", "D09001", "abc", ""],  # line 3: 4 faults
        ["B0900101", "第一党支部", "党支部", "市直", "P09001", "12", ""],  # line 4: fine
        ["D09001", "重复的局", "部门", "市直", "", "", ""],  # line 5: duplicate
        ["B0900102", "第二党支部", "党支部", "市直", "NOPE", "", ""],  # line 6: unknown
        [],  # line 7: blank
        ["B0900103", "第三党支部", "党支部", "市直", "", "", ""],  # line 8: no parent
    ]
    before = _snapshot()
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_organisations(boss, data=_csv(rows), filename="组织.csv")
    errors = rejected.value.errors
    assert [e.split("：", 1)[0] for e in errors] == ["第 3 行", "第 5 行", "第 6 行", "第 8 行"]
    assert "名称不能为空" in errors[0]
    assert "党委会" in errors[0]
    assert "火星" in errors[0]
    assert "abc" in errors[0]
    assert "与第 2 行重复" in errors[1]
    assert "NOPE" in errors[2]
    assert "不存在" in errors[2]
    assert "上级编码" in errors[3]
    assert "4 处问题" in rejected.value.message
    assert "未导入任何数据" in rejected.value.message
    assert _snapshot() == before
    rejected_log = audit_rows("import_rejected")[-1]
    assert '"problems": 4' in rejected_log.detail


def test_gbk_and_utf8_bom_csv_from_excel_are_read(boss) -> None:
    gbk = imports.import_organisations(boss, data=_csv(NEW_TREE, "gbk"), filename="组织.csv")
    assert gbk.created == 3
    renamed = [row[:] for row in NEW_TREE]
    renamed[2][1] = "市示例局（更名）"
    bom = imports.import_organisations(boss, data=_csv(renamed, "utf-8-sig"), filename="a.CSV")
    assert (bom.updated, bom.unchanged) == (1, 2)
    with read_session() as session:
        assert (
            session.exec(
                select(Organisation).where(Organisation.name == "市示例局（更名）")
            ).first()
            is not None
        )


def test_xlsx_with_numbers_and_header_marks_is_read(boss) -> None:
    rows = [
        ["编码*", "名称*", "类型*", "区域*", "上级编码", "党员人数", "在编人数"],
        ["D09001", "市示例局", "部门", "市直", None, None, 120],
        ["P09001", "中共市示例局机关委员会", "机关党委", "市直", "D09001", 80.0, None],
    ]
    result = imports.import_organisations(boss, data=_xlsx(rows), filename="组织.xlsx")
    assert result.created == 2
    with read_session() as session:
        committee = session.exec(select(Organisation).where(Organisation.code == "P09001")).one()
    assert committee.member_count == 80


def test_missing_columns_are_named(boss) -> None:
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_organisations(
            boss, data=_csv([["编码", "名称"], ["D1", "x"]]), filename="x.csv"
        )
    assert "类型" in rejected.value.message
    assert "地区" in rejected.value.message


def test_old_excel_and_other_files_are_refused_with_advice(boss) -> None:
    with pytest.raises(imports.ImportRejected) as xls:
        imports.import_organisations(
            boss, data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 64, filename="组织.xls"
        )
    assert ".xlsx" in xls.value.message
    with pytest.raises(imports.ImportRejected):
        imports.import_organisations(boss, data=b"%PDF-1.4", filename="组织.pdf")
    with pytest.raises(imports.ImportRejected):
        imports.import_organisations(boss, data=b"PK\x03\x04broken", filename="组织.xlsx")
    with pytest.raises(imports.ImportRejected) as empty:
        imports.import_organisations(boss, data=_csv([ORG_HEADER]), filename="x.csv")
    assert "没有数据行" in empty.value.message


def test_users_import_checks_every_row_and_generates_missing_passwords(boss) -> None:
    branch_org = actor("branch02").org_id
    with read_session() as session:
        code = session.get(Organisation, branch_org).code
    header = ["用户名", "姓名", "角色", "组织编码", "初始密码"]
    bad = [
        header,
        ["zhang.san", "张三", "支部书记", code, ""],
        ["reviewer", "重名", "机关工委审核员", "", "Strong#Pass-2026"],  # exists
        ["li.si", "李四", "书记长", "", "short"],  # role, password
        ["wang.wu", "王五", "支部书记", "NOPE", ""],  # unknown org
        ["zhang.san", "张三", "支部书记", code, ""],  # duplicate
        ["zhao.liu", "赵六", "支部书记", "", ""],  # no org
    ]
    users_before = _count(User)
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.import_users(boss, data=_csv(bad), filename="账号.csv")
    lines = [e.split("：", 1)[0] for e in rejected.value.errors]
    assert lines == ["第 3 行", "第 4 行", "第 5 行", "第 6 行", "第 7 行"]
    assert _count(User) == users_before
    good = [header, bad[1], ["li.si", "审核员 李四", "审核员", "", "Strong#Pass-2026"]]
    result = imports.import_users(boss, data=_csv(good), filename="账号.csv")
    assert result.created == 2
    assert [u for u, _ in result.generated_passwords] == ["zhang.san"]
    generated = result.generated_passwords[0][1]
    who, _ = auth.login("zhang.san", generated)
    assert who.role == "branch"
    assert who.org_id == branch_org
    assert auth.login("li.si", "Strong#Pass-2026")[0].role == "reviewer"
    with read_session() as session:
        details = " ".join(r.detail + r.target_id for r in session.exec(select(AuditLog)).all())
    assert generated not in details
    assert "Strong#Pass-2026" not in details


def test_grades_import_upserts_and_refuses_frozen_years_and_unknown_orgs(boss) -> None:
    year = max(r.year for r in years.list_years(boss))
    with read_session() as session:
        branch = session.exec(select(Organisation).where(Organisation.org_type == "branch")).first()
        dept = session.exec(
            select(Organisation).where(Organisation.org_type == "department")
        ).first()
    header = ["组织编码", "组织名称", "年度", "业绩等次"]
    bad = [
        header,
        [branch.code, branch.name, str(year), "优秀"],
        ["NOPE", "", str(year), "良好"],  # unknown org
        [branch.code, "", str(year - 1), "良好"],  # final year
        [dept.code, "", str(year), "优秀"],  # a department
        [branch.code, "", "明年", "很好"],  # year and grade
        [branch.code, branch.name, f"{year}年", "优"],  # duplicate of line 2
    ]
    grades_before = _count(PerformanceGrade)
    with pytest.raises(imports.ImportRejected) as rejected:
        G.import_grades(boss, data=_csv(bad, "gbk"), filename="业绩.csv")
    errors = rejected.value.errors
    assert [e.split("：", 1)[0] for e in errors] == [
        "第 3 行",
        "第 4 行",
        "第 5 行",
        "第 6 行",
        "第 7 行",
    ]
    assert "定档" in errors[1]
    assert "部门" in errors[2]
    assert "很好" in errors[3]
    assert "重复" in errors[4]
    assert _count(PerformanceGrade) == grades_before
    result = G.import_grades(boss, data=_csv([header, bad[1]]), filename="业绩.csv")
    assert result.updated + result.unchanged == 1
    with read_session() as session:
        grade = session.exec(
            select(PerformanceGrade).where(
                PerformanceGrade.org_id == branch.id, PerformanceGrade.year == year
            )
        ).one()
    assert grade.grade == "优秀"
    # The 双优 page passes the year when the file has no 年度 column.
    no_year = _csv([["组织编码", "业绩等次"], [branch.code, "一般"]])
    G.import_grades(boss, data=no_year, filename="业绩.csv", year=year)
    with read_session() as session:
        grade = session.exec(
            select(PerformanceGrade).where(
                PerformanceGrade.org_id == branch.id, PerformanceGrade.year == year
            )
        ).one()
    assert grade.grade == "一般"
    log = audit_rows("import_grades")[-1]
    assert '"before": "优秀"' in log.detail
    assert '"after": "一般"' in log.detail


@pytest.mark.parametrize("kind", ["organisations", "users", "grades"])
def test_templates_have_the_expected_headers(kind: str) -> None:
    text = imports.template(kind, "csv")
    assert text.startswith(b"\xef\xbb\xbf")
    headers = next(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert [h.rstrip("*") for h in headers] == [c.header for c in imports.COLUMNS[kind]]
    book = load_workbook(io.BytesIO(imports.template(kind, "xlsx")))
    assert book.sheetnames == ["数据", "填写说明"]
    assert [c.value for c in book["数据"][1]] == headers
    table = imports.read_table(imports.template(kind, "xlsx"), "t.xlsx")
    assert imports.map_columns(kind, table)


def test_exported_organisations_import_back_unchanged(boss) -> None:
    data = imports.export_organisations(boss)
    result = imports.import_organisations(boss, data=data, filename="组织.xlsx")
    assert result.created == result.updated == 0
    assert result.unchanged == _count(Organisation)


@pytest.mark.parametrize("username", ["reviewer", "leader", "branch01"])
def test_imports_are_for_admins_only(city: str, username: str) -> None:
    who = actor(username)
    for call in (imports.import_organisations, imports.import_users, G.import_grades):
        with pytest.raises(PermissionDenied):
            call(who, data=_csv(NEW_TREE), filename="x.csv")
    with pytest.raises(PermissionDenied):
        imports.export_organisations(who)


def test_grades_import_refuses_a_name_that_is_not_the_codes(boss) -> None:
    """Before: only the code was read, so a row shifted by one gave 优秀 to the wrong branch."""
    year = max(r.year for r in years.list_years(boss))
    with read_session() as session:
        first, second = session.exec(
            select(Organisation).where(Organisation.org_type == "branch").limit(2)
        ).all()
    rows = [
        ["组织编码", "组织名称", "年度", "业绩等次"],
        [first.code, f" {first.name} ", str(year), "良好"],  # spaces are not a mismatch
        [first.code, second.name, str(year), "优秀"],
    ]
    grades_before = _count(PerformanceGrade)
    with pytest.raises(imports.ImportRejected) as rejected:
        G.import_grades(boss, data=_csv(rows), filename="业绩.csv")
    (error,) = rejected.value.errors
    assert error.startswith("第 3 行")
    assert second.name in error
    assert first.code in error
    assert first.name in error
    assert _count(PerformanceGrade) == grades_before
    G.import_grades(boss, data=_csv(rows[:2]), filename="业绩.csv")


def _bomb(padding_mb: int) -> bytes:
    """A valid users .xlsx plus a part that expands to `padding_mb` MB (compressed: a few KB)."""
    source = io.BytesIO(_xlsx([["用户名", "姓名", "角色", "组织编码", "初始密码"]]))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in original.infolist():
            z.writestr(item, original.read(item.filename))
        z.writestr("xl/media/padding.bin", b"\0" * (padding_mb * 1024 * 1024))
    return out.getvalue()


def test_an_xlsx_that_expands_past_the_limit_is_refused_before_it_is_read(
    boss, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPORT_MAX_UNCOMPRESSED_MB", "2")
    get_settings.cache_clear()
    bomb = _bomb(3)
    assert len(bomb) < 100_000

    def never(*_args: object, **_kw: object) -> None:
        raise AssertionError("openpyxl must not see the file")

    monkeypatch.setattr(imports, "load_workbook", never)
    before = _snapshot()
    with pytest.raises(imports.ImportRejected) as refused:
        imports.import_users(boss, data=bomb, filename="账号.xlsx")
    assert "解压后超过 2 MB" in refused.value.message
    assert _snapshot() == before
    monkeypatch.setattr(imports, "load_workbook", load_workbook)
    monkeypatch.delenv("IMPORT_MAX_UNCOMPRESSED_MB")
    get_settings.cache_clear()
    # Under the default limit (50 MB) a workbook of the same shape is read as usual.
    with pytest.raises(imports.ImportRejected) as empty:
        imports.import_users(boss, data=_bomb(1), filename="账号.xlsx")
    assert "没有数据行" in empty.value.message
