"""Leadership per scope on a city whose figures are set by hand (tests/services/small_city.py):
the regions side by side, the rank within the city and within the region, and a department's
own organisations. Every expected figure below is worked out by hand from small_city's table."""

from __future__ import annotations

import dataclasses
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from db.engine import write_session
from db.models import Organisation
from db.services import comparison, department, exports, readmodels
from db.services.common import Actor, NotFound, PermissionDenied, bump_change_counter
from tests.services.small_city import PREVIOUS, YEAR, SmallCity, make_small_city
from tests.utils import actor
from texts import leadership as TL
from ui import data


@pytest.fixture
def small(db_url: str) -> SmallCity:
    return make_small_city()


def _as(username: str, *, region: str | None = None, department: int | None = None) -> Actor:
    return dataclasses.replace(actor(username), scope_region=region, scope_department_id=department)


# region → (total, submitted, five-star, needed for 90%, reviewed, inflation, up, down, same)
EXPECTED = {
    # 越城区: P1 reviewed and G1 submitted of 3; only P1 five-star (90); (1+2)/3 ≥ 90% needs 2;
    # P1 reviewed 95 → 90: 5.0; P1 5→5 same, G1 5→4 down, B1 (draft) not compared.
    "越城区": (3, 2, 1, 2, 1, 5.0, 0, 1, 1),
    # 柯桥区: B2 and P2 reviewed, B3 returned (not submitted); B3 (95) and P2 (97) five-star;
    # (2+1)/3 ≥ 90% needs 1; B2 90 → 83: 7.0, P2 99 → 97: 2.0, mean 4.5;
    # B2 0→4 up, P2 5→5 same, B3 (returned) not compared.
    "柯桥区": (3, 2, 2, 1, 2, 4.5, 1, 0, 1),
    # the city: 4 of 6 submitted, 3 five-star, (3+3)/6 ≥ 90% needs 3; (5+7+2)/3 = 14/3.
    "全市": (6, 4, 3, 3, 3, 14 / 3, 1, 1, 2),
}


def _check(table: object) -> None:
    rows = table.set_index("region")
    assert list(rows.index) == ["柯桥区", "越城区", "全市"]
    assert rows["is_total"].tolist() == [False, False, True]
    for region, (total, sub, five, needed, rev, infl, up, down, same) in EXPECTED.items():
        row = rows.loc[region]
        assert (row["total"], row["submitted"], row["five_star"]) == (total, sub, five), region
        assert row["completion"] == pytest.approx(sub / total)
        assert row["share"] == pytest.approx(five / total)
        assert row["target"] == pytest.approx(0.9)
        assert not row["met"]
        assert row["needed"] == needed, region
        assert row["reviewed"] == rev, region
        assert row["inflation"] == pytest.approx(infl), region
        assert (row["up"], row["down"], row["same"]) == (up, down, same), region
        assert row["compared"] == up + down + same
        assert row["prev_year"] == PREVIOUS


def test_the_regions_side_by_side_match_the_hand_figures(small: SmallCity) -> None:
    _check(comparison.region_comparison(actor("leader"), YEAR, "全市"))
    # the cached table of the 总览 page is the same table
    _check(data.region_comparison(actor("leader"), YEAR, "全市"))


def test_a_region_sees_its_own_row_and_no_other(small: SmallCity) -> None:
    table = comparison.region_comparison(_as("leader", region="柯桥区"), YEAR, "柯桥区")
    assert table["region"].tolist() == ["柯桥区", "柯桥区"]
    assert table["five_star"].tolist() == [2, 2]
    assert table["inflation"].tolist() == pytest.approx([4.5, 4.5])


def test_without_a_published_previous_year_nothing_is_compared(small: SmallCity) -> None:
    table = comparison.region_comparison(actor("leader"), PREVIOUS, "全市")
    assert table["prev_year"].isna().all()
    assert table["up"].isna().all()
    assert table["down"].isna().all()
    # 2025 as published: 4 five-star of 6 (P1, G1, B3, P2); target 90% → 2 more needed
    total = table.set_index("region").loc["全市"]
    assert (total["total"], total["five_star"], total["needed"]) == (6, 4, 2)
    assert total["submitted"] == 6
    assert total["reviewed"] == 6


def test_the_city_workbook_carries_the_comparison(small: SmallCity) -> None:
    book = load_workbook(io.BytesIO(exports.export_workbook(actor("leader"), year=YEAR)))
    assert TL.SHEET_COMPARISON in book.sheetnames
    rows = list(book[TL.SHEET_COMPARISON].iter_rows(values_only=True))
    assert rows[0][:4] == (TL.COL_REGION, TL.COL_ORG_COUNT, TL.COL_SUBMITTED, TL.COL_COMPLETION)
    by_region = {r[0]: r for r in rows[1:]}
    assert set(by_region) == {"越城区", "柯桥区", "全市"}
    assert by_region["柯桥区"][1:3] == (3, 2)
    assert by_region["全市"][-3:] == (1, 1, 2)
    scoped = exports.export_workbook(_as("leader", region="柯桥区"), year=YEAR)
    assert TL.SHEET_COMPARISON not in load_workbook(io.BytesIO(scoped)).sheetnames


def test_rank_within_the_city_and_the_region(small: SmallCity) -> None:
    ids = small.ids
    # reviewed composites 2026: P2 97, B3 95, P1 90, G1 88, B2 83, B1 0; only what has been
    # handed in competes (B3 was returned, B1 is a draft), the rest follow: P2 P1 G1 B2 | B3 B1
    city = {"P2": 1, "P1": 2, "G1": 3, "B2": 4, "B3": 5, "B1": 6}
    region = {"P1": 1, "G1": 2, "B1": 3, "P2": 1, "B2": 2, "B3": 3}
    frame = readmodels.load_city_frame(actor("leader"), YEAR)
    for key, org_id in ids.items():
        assert int(frame.loc[org_id, "rank"]) == city[key], key
        assert int(frame.loc[org_id, "region_rank"]) == region[key], key
    # a region's account sees the city's ranks of its organisations, not re-ranked
    scoped = readmodels.load_city_frame(_as("leader", region="柯桥区"), YEAR)
    assert {int(o): int(r) for o, r in scoped["rank"].items()} == {
        ids[k]: city[k] for k in ("B2", "B3", "P2")
    }
    # 2025 as published: 95 (P1, B3), 90 (G1, P2), 85 (B1), 80 (B2) → 1, 1, 3, 3, 5, 6
    published = readmodels.load_city_frame(actor("leader"), PREVIOUS)
    assert {k: int(published.loc[ids[k], "rank"]) for k in ids} == {
        "P1": 1, "B3": 1, "G1": 3, "P2": 3, "B1": 5, "B2": 6
    }  # fmt: skip
    assert {k: int(published.loc[ids[k], "region_rank"]) for k in ids} == {
        "P1": 1, "G1": 2, "B1": 3, "B3": 1, "P2": 2, "B2": 3
    }  # fmt: skip


def test_a_departments_overview_matches_the_hand_figures(small: SmallCity) -> None:
    ids, d1 = small.ids, small.departments["D1"]
    for who in (actor("leader"), _as("leader", department=d1)):
        view = department.department_view(who, YEAR, d1)
        b = view.branches
        # not started first, then returned, submitted, reviewed (by code within a state)
        assert [k for o in b.index for k, v in ids.items() if v == o][:3] == ["B1", "B3", "G1"]
        assert set(b.index) == {ids[k] for k in ("P1", "G1", "B1", "B2", "B3")}
        state = {k: b.loc[ids[k], "state"] for k in ("P1", "G1", "B1", "B2", "B3")}
        assert state == {
            "P1": "reviewed", "G1": "submitted", "B1": "not_started", "B2": "reviewed",
            "B3": "returned",
        }  # fmt: skip
        assert view.not_started.index.tolist() == [ids["B1"]]
        assert view.handed_in == 3
        assert int(b["five_star"].sum()) == 2  # P1 (90) and B3 (95, returned)
        # points still missing: G1 88 → 2; B2 83 → 7; B1 nothing → 90 (five 17s and 90 overall)
        gaps = {k: b.loc[ids[k], "gap"] for k in ("P1", "G1", "B1", "B2", "B3")}
        assert gaps == {"P1": 0.0, "G1": 2.0, "B1": 90.0, "B2": 7.0, "B3": 0.0}
        # ranks only once handed in: the city's and the region's
        ranks = {k: b.loc[ids[k], "rank"] for k in ("P1", "G1", "B2")}
        assert ranks == {"P1": 2, "G1": 3, "B2": 4}
        assert {k: b.loc[ids[k], "region_rank"] for k in ("P1", "G1", "B2")} == {
            "P1": 1, "G1": 2, "B2": 2
        }  # fmt: skip
        assert b.loc[[ids["B1"], ids["B3"]], "rank"].isna().all()
        assert b.loc[ids["G1"], "lit"] == "学规服民创"
        assert b.loc[ids["B1"], "lit"] == "·····"
        assert b.loc[ids["B1"], "progress"] == 0
        assert b.loc[ids["G1"], "scored"] == 25
        counts = dict(zip(view.counts["state"], view.counts["orgs"], strict=True))
        assert counts == {
            "not_started": 1, "in_progress": 0, "returned": 1, "first_review": 0, "submitted": 1,
            "reviewed": 2, "published": 0,
        }  # fmt: skip
        cached = data.department_view(who, YEAR, d1)
        assert cached.branches.equals(b)


def test_a_department_lies_in_the_viewers_scope_or_is_refused(small: SmallCity) -> None:
    d1, d2 = small.departments["D1"], small.departments["D2"]
    assert [d.id for d in department.departments(actor("leader"))] == [d1, d2]
    assert [d.id for d in department.departments(_as("leader", department=d2))] == [d2]
    for who in (_as("leader", department=d2), _as("leader", region="柯桥区")):
        with pytest.raises(PermissionDenied):
            department.department_view(who, YEAR, d1)
        with pytest.raises(PermissionDenied):
            data.department_view(who, YEAR, d1)
    with pytest.raises(NotFound):
        department.department_view(actor("leader"), YEAR, small.ids["P1"])
    # a region's account sees the department's organisations in its region only
    with write_session() as session:
        session.execute(update(Organisation).where(Organisation.id == d1).values(region="柯桥区"))
        bump_change_counter(session)
    view = department.department_view(_as("leader", region="柯桥区"), YEAR, d1)
    assert set(view.branches.index) == {small.ids["B2"], small.ids["B3"]}
    assert [d.id for d in department.departments(_as("leader", region="柯桥区"))] == [d1]
