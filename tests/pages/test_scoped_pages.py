"""A region's accounts open their pages and see their region only; the city's tabs stay shut."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from db.engine import write_session
from db.models import User
from tests.utils import open_page

REGION = "柯桥区"


def _scope(username: str, region: str) -> None:
    with write_session() as session:
        session.exec(update(User).where(User.username == username).values(scope_region=region))


@pytest.mark.parametrize(
    "page", ["pages/rankings.py", "pages/dashboard.py", "pages/trends.py", "pages/report.py"]
)
def test_a_region_leader_sees_the_region_only(demo_city: str, page: str) -> None:
    _scope("leader", REGION)
    at = open_page("leader", page, timeout=90)
    assert not at.exception
    shown = " ".join(str(df.value.to_csv()) for df in at.dataframe)
    others = [r for r in ("越城区", "上虞区", "诸暨市", "嵊州市", "新昌县") if r in shown]
    assert not others, others


def test_a_region_reviewer_has_the_queue_and_a_region_admin_no_city_tabs(demo_city: str) -> None:
    _scope("reviewer", REGION)
    _scope("admin", REGION)
    at = open_page("reviewer", "pages/review.py", timeout=90)
    assert not at.exception
    with pytest.raises(ValueError):
        open_page("reviewer", "pages/admin.py", timeout=90)
    # The region's admin has the administration page without the year and rubric tabs.
    at = open_page("admin", "pages/admin.py", timeout=90)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["组织", "用户", "业绩等次"]
