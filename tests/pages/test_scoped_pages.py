"""A region's accounts open their pages and see their region only; the city's tabs stay shut."""

from __future__ import annotations

import pyarrow as pa
import pytest
from sqlalchemy import update
from sqlmodel import select

from db.engine import read_session, write_session
from db.models import Organisation, User
from tests.utils import app_test, open_page, phone_list_entries
from texts import leadership as TL

REGION = "柯桥区"


def _scope(username: str, region: str) -> None:
    with write_session() as session:
        session.exec(update(User).where(User.username == username).values(scope_region=region))


OTHERS = ("越城区", "上虞区", "诸暨市", "嵊州市", "新昌县")


@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("pages/rankings.py", TL.RANKINGS_TITLE),
        ("pages/dashboard.py", TL.DASHBOARD_TITLE),
        ("pages/trends.py", TL.TRENDS_TITLE),
        ("pages/report.py", TL.REPORT_TITLE),
        ("pages/excellence.py", TL.EXCELLENCE_TITLE),
        ("pages/screen.py", TL.SCREEN_TITLE),
    ],
)
def test_a_region_leader_sees_the_region_only(demo_city: str, page: str, title: str) -> None:
    _scope("leader", REGION)
    at = open_page("leader", page, timeout=90)
    assert not at.exception
    assert at.title[0].value == f"{REGION} · {title}", "the title names the region"
    shown = " ".join(str(df.value.to_csv()) for df in at.dataframe)
    shown += " ".join(str(t.value) for t in at.table)
    others = [r for r in OTHERS if r in shown]
    assert not others, others
    captions = " ".join(str(c.value) for c in at.caption)
    assert "全市机关" not in captions
    assert "全市五星级" not in captions
    # the regions side by side are the city's: a region's leader has no such table
    assert TL.SECTION_COMPARISON not in [s.value for s in at.subheader]


def test_a_city_leader_sees_the_regions_side_by_side(demo_city: str) -> None:
    at = open_page("leader", "pages/dashboard.py", timeout=90)
    assert not at.exception
    assert at.title[0].value == TL.DASHBOARD_TITLE
    assert TL.SECTION_COMPARISON in [s.value for s in at.subheader]
    table = next(df.value for df in at.dataframe if TL.COL_INFLATION in df.value.columns)
    regions = table[TL.COL_REGION].tolist()
    assert regions[-1] == TL.CITY_SCOPE
    assert len(regions) > 2
    assert REGION in regions
    assert table[TL.COL_ORG_COUNT].iloc[-1] == table[TL.COL_ORG_COUNT].iloc[:-1].sum()


def test_a_region_reviewer_has_the_queue_and_a_region_admin_no_city_tabs(demo_city: str) -> None:
    _scope("reviewer", REGION)
    _scope("admin", REGION)
    at = open_page("reviewer", "pages/review.py", timeout=90)
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page("reviewer", "pages/admin.py", timeout=90)
    # The region's admin has the administration page without the year and rubric tabs.
    at = open_page("admin", "pages/admin.py", timeout=90)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["组织", "用户", "业绩等次", "工作群机器人"]


def _department_of(username: str) -> tuple[int, str, set[str]]:
    """The department of `username`'s organisation: id, name, its organisations' names."""
    with read_session() as session:
        org_id = session.exec(select(User.org_id).where(User.username == username)).one()
        org = session.get(Organisation, org_id)
        dept = session.get(Organisation, org.department_id)
        names = session.exec(
            select(Organisation.name).where(
                Organisation.department_id == dept.id, Organisation.org_type != "department"
            )
        ).all()
    return int(dept.id), dept.name, set(names)


def test_a_department_account_lands_on_its_departments_progress(demo_city: str) -> None:
    dept_id, dept_name, names = _department_of("branch01")
    with write_session() as session:
        session.exec(
            update(User).where(User.username == "leader").values(scope_department_id=dept_id)
        )
    at = app_test("leader", timeout=90).run()
    assert not at.exception
    assert at.title[0].value == f"{dept_name} · {TL.DEPT_TITLE}", "lands on 部门进度"
    assert "dp_dept" not in [s.key for s in at.selectbox], "its own department, no choice"
    table = next(df.value for df in at.dataframe if TL.COL_GAP_FIVE in df.value.columns)
    assert set(table[TL.COL_NAME]) <= names
    assert len(table) > 0
    assert {TL.COL_RANK, TL.COL_REGION_RANK, TL.COL_LIT, TL.COL_STATUS} <= set(table.columns)


def test_a_city_leader_chooses_a_department(demo_city: str) -> None:
    dept_id, dept_name, names = _department_of("branch01")
    at = open_page("leader", "pages/department.py", timeout=90)
    assert not at.exception
    assert at.title[0].value == TL.DEPT_TITLE
    at.selectbox(key="dp_dept").set_value(dept_id).run()
    assert not at.exception
    assert dept_name in [s.value for s in at.subheader]
    table = next(df.value for df in at.dataframe if TL.COL_GAP_FIVE in df.value.columns)
    assert set(table[TL.COL_NAME]) == names


def test_department_table_is_a_list_on_a_phone(demo_city: str) -> None:
    """Each organisation of 部门进度's table is also one entry of a list (ui.phone), its
    progress and points written as the table formats them: eleven columns scrolled sideways."""
    dept_id, _name, _names = _department_of("branch01")
    at = open_page("leader", "pages/department.py", timeout=90)
    at.selectbox(key="dp_dept").set_value(dept_id).run()
    table = next(df.value for df in at.dataframe if TL.COL_GAP_FIVE in df.value.columns)
    entries = phone_list_entries(at, f"{TL.COL_PROGRESS} ")
    assert len(entries) == min(len(table), 30)
    first = table.iloc[0]
    assert entries[0].startswith(f"- **{first[TL.COL_NAME]}** {TL.COL_STATUS} ")
    assert f"{TL.COL_PROGRESS} {first[TL.COL_PROGRESS]:.0f}%" in entries[0]  # points, whole
    scored = int(table[TL.COL_COMPOSITE].notna().argmax())  # the first with a composite
    assert f"{TL.COL_COMPOSITE} {table[TL.COL_COMPOSITE].iloc[scored]:.1f}" in entries[scored]


def _chart_text(proto: object) -> str:
    """A chart's spec and data (Streamlit sends the datasets apart, as Arrow) as text."""
    parts = [str(proto.spec)]
    tables = [proto.data] + [d.data for d in proto.datasets]
    for table in tables:
        if table.data:
            parts.append(pa.ipc.open_stream(table.data).read_pandas().to_csv())
    return " ".join(parts)


def test_charts_drawn_for_the_city_never_reach_a_region(demo_city: str) -> None:
    """The chart specs are shared by every session: the city's, drawn first, must not be what
    a region's leader is shown."""
    city = open_page("leader", "pages/dashboard.py", timeout=90)
    assert not city.exception
    _scope("reviewer", REGION)
    at = open_page("reviewer", "pages/dashboard.py", timeout=90)
    assert not at.exception
    charts = at.get("vega_lite_chart")
    assert charts, "the page draws charts"
    shown = " ".join(_chart_text(c.proto) for c in charts)
    assert REGION in shown
    others = [r for r in OTHERS if r in shown]
    assert not others, others
