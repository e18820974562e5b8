"""A region's accounts open their pages and see their region only; the city's pages stay shut."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from db.engine import write_session
from db.models import User
from tests.utils import open_page
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
    assert "全市机关" not in captions and "全市五星级" not in captions
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
    assert len(regions) > 2 and REGION in regions
    assert table[TL.COL_ORG_COUNT].iloc[-1] == table[TL.COL_ORG_COUNT].iloc[:-1].sum()


def test_a_region_reviewer_has_the_queue_and_no_city_pages(demo_city: str) -> None:
    _scope("reviewer", REGION)
    _scope("admin", REGION)
    at = open_page("reviewer", "pages/review.py", timeout=90)
    assert not at.exception
    with pytest.raises(ValueError):
        open_page("admin", "pages/admin.py", timeout=90)
    with pytest.raises(ValueError):
        open_page("admin", "pages/publication.py", timeout=90)
