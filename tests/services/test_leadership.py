"""Leadership per scope on a city whose figures are set by hand (tests/services/small_city.py):
the regions side by side, the rank within the city and within the region, and a department's
own branches. Every expected figure below is worked out by hand from small_city's table."""

from __future__ import annotations

import dataclasses
import io

import pytest
from openpyxl import load_workbook

from db.services import comparison, exports, readmodels
from db.services.common import Actor
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
    rows = table.set_index("region")  # type: ignore[attr-defined]
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
    assert table["up"].isna().all() and table["down"].isna().all()
    # 2025 as published: 4 five-star of 6 (P1, G1, B3, P2); target 90% → 2 more needed
    total = table.set_index("region").loc["全市"]
    assert (total["total"], total["five_star"], total["needed"]) == (6, 4, 2)
    assert total["submitted"] == 6 and total["reviewed"] == 6


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
    # reviewed composites 2026: P2 97, B3 95, P1 90, G1 88, B2 83, B1 0
    city = {"P2": 1, "B3": 2, "P1": 3, "G1": 4, "B2": 5, "B1": 6}
    region = {"P1": 1, "G1": 2, "B1": 3, "P2": 1, "B3": 2, "B2": 3}
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
