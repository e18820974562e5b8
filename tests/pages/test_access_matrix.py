"""Every page × every role: allowed pages run without error, refused ones are not in the menu.

The expectations are written out here, independently of ui/navigation.py, so that a change to
the menu that lets a role see a page it must not see fails this test.
"""

from __future__ import annotations

import pytest

from tests.utils import app_test, open_page

USERS = {
    "anonymous": None,
    "branch": "branch01",
    "reviewer": "reviewer",
    "leader": "leader",
    "admin": "admin",
}
B, R, L, A = "branch", "reviewer", "leader", "admin"
ALLOWED: dict[str, set[str]] = {
    "pages/overview.py": {B},
    "pages/learning.py": {B},
    "pages/standard.py": {B},
    "pages/service.py": {B},
    "pages/democracy.py": {B},
    "pages/innovation.py": {B},
    "pages/dashboard.py": {R, L, A},
    "pages/rankings.py": {R, L, A},
    "pages/trends.py": {R, L, A},
    "pages/excellence.py": {R, L, A},
    "pages/report.py": {R, L, A},
    "pages/screen.py": {R, L, A},
    "pages/review.py": {R, A},
    "pages/publication.py": {R, L, A},
    "pages/admin.py": {A},
    "pages/audit.py": {A},
    "pages/account.py": {B, R, L, A},
}
CASES = [(page, role) for page in ALLOWED for role in USERS]


@pytest.mark.parametrize(("page", "role"), CASES, ids=[f"{p[6:-3]}-{r}" for p, r in CASES])
def test_page_access(demo_city: str, page: str, role: str) -> None:
    username = USERS[role]
    if role in ALLOWED[page]:
        at = open_page(username, page, timeout=60)
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error or all("权限" not in e.value for e in at.error)
    else:
        with pytest.raises(ValueError, match="Could not find"):
            open_page(username, page)


def test_anonymous_sees_only_the_login_form(demo_city: str) -> None:
    at = app_test(None).run()
    assert not at.exception
    assert at.title[0].value == "五星示范 · 双优引领"
    assert "登录" in [s.value for s in at.subheader]
    assert not at.sidebar.children
