"""No text the system writes into a spreadsheet can run as a formula (issue 12, item 4).

Every organisation and user name, and audit entries, start with one of the characters Excel
and WPS read as the start of a formula; every workbook and CSV the system writes is read back.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import select

from db.engine import write_session
from db.models import AuditLog, Organisation, User, utcnow
from db.services import audit, exports, imports, publication
from db.services.cycles import current_cycle
from tests.services.cycle_helpers import approve_all_submitted, confirm_recommended
from tests.utils import actor

STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOAD = 'HYPERLINK("http://example.invalid","x")'


def _risky(i: int, what: str) -> str:
    return f"{STARTS[i % len(STARTS)]}{PAYLOAD}{what}{i}"


def _poison() -> None:
    """Every organisation and display name, and some audit entries, start like a formula."""
    with write_session() as session:
        orgs = session.exec(select(Organisation).order_by(Organisation.id)).all()
        for i, org in enumerate(orgs):
            org.name = _risky(i, "组织")
            session.add(org)
        users = session.exec(select(User).order_by(User.id)).all()
        for i, user in enumerate(users):
            user.display_name = _risky(i, "用户")
            session.add(user)
        for i, start in enumerate(STARTS):
            session.add(
                AuditLog(
                    at=utcnow(),
                    actor_name=f"{start}cmd|' /C calc'!A0",
                    action="login_failed",
                    target_type="user",
                    target_id=f"{start}1",
                    detail=json.dumps({"username": _risky(i, "账号")}, ensure_ascii=False),
                )
            )


def _check_sheet(sheet: Worksheet, what: str) -> set[str]:
    """No formula anywhere; text that looks like one is marked as text. Returns starts seen."""
    seen: set[str] = set()
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (what, sheet.title, cell.coordinate, cell.value)
            value = cell.value
            if isinstance(value, str) and value.startswith((*STARTS, "\n")):
                assert cell.data_type == "s", (what, sheet.title, cell.coordinate)
                if value.startswith("\n"):
                    # XML reads a written CR back as LF; only a marked cell started with one
                    if not cell.quotePrefix:
                        continue
                    value = "\r" + value[1:]
                assert cell.quotePrefix, (what, sheet.title, cell.coordinate, value)
                seen.add(value[0])
    return seen


def _check_workbook(content: bytes, what: str) -> set[str]:
    book = load_workbook(io.BytesIO(content))
    return set().union(*(_check_sheet(sheet, what) for sheet in book.worksheets))


def _check_csv(content: bytes, what: str) -> set[str]:
    seen: set[str] = set()
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")):
        for value in row:
            assert not value.startswith(STARTS), (what, value)
            if value.startswith("'") and value[1:].startswith(STARTS):
                seen.add(value[1])
    return seen


def test_no_export_writes_a_formula(city: str) -> None:
    _poison()
    admin, leader, reviewer = actor("admin"), actor("leader"), actor("reviewer")
    cycle = current_cycle(leader)
    year = cycle.year

    every = set(STARTS)
    main = exports.export_workbook(leader, year=year)
    assert _check_workbook(main, "export") == every
    book = load_workbook(io.BytesIO(main))
    ranking_names = {c.value for c in book["排名"]["D"][1:]}
    assert all(isinstance(n, str) and PAYLOAD in n for n in ranking_names)  # kept as written
    for title in ("排名", "分星得分", "细则明细"):
        assert _check_sheet(book[title], "export") == every, title
    assert _check_workbook(exports.chase_workbook(reviewer, year=year), "催报") & every

    approve_all_submitted(reviewer, cycle.id)
    confirm_recommended(leader, year)
    excellence_sheet = load_workbook(io.BytesIO(exports.export_workbook(leader, year=year)))
    names = [c.value for c in excellence_sheet["双优名单"]["C"] if isinstance(c.value, str)]
    assert any(n.startswith(STARTS) for n in names)
    publication.publish_year(admin, cycle_id=cycle.id, include_unfinished=True)
    assert _check_workbook(publication.list_xlsx(admin, cycle_id=cycle.id), "公示") == every

    assert _check_workbook(imports.export_organisations(admin), "组织导出") == every
    for kind in ("organisations", "users", "grades"):
        _check_workbook(imports.template(kind, "xlsx"), f"模板 {kind}")
        _check_csv(imports.template(kind, "csv"), f"模板 {kind}")

    assert _check_workbook(audit.export_audit(admin, fmt="xlsx"), "审计 xlsx") == every
    assert _check_csv(audit.export_audit(admin, fmt="csv"), "审计 csv") == every


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])  # imports trim leading whitespace
def test_a_risky_name_reads_back_exactly(city: str, start: str) -> None:
    """Marked as text, not altered (no apostrophe added): the export imports back unchanged."""
    admin = actor("admin")
    with write_session() as session:
        org = session.exec(select(Organisation).order_by(Organisation.id)).first()
        assert org is not None
        org.name = f"{start}SUM(1,2)党支部"
        session.add(org)
    data = imports.export_organisations(admin)
    result = imports.import_organisations(admin, data=data, filename="组织.xlsx")
    assert result.created == result.updated == 0
