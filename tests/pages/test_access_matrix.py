"""Every page × every role: allowed pages open with their title and no error; refused ones are
not in the menu (checked against the navigation table, without rendering anything).

The expectations are written out here, independently of ui/navigation.py and permissions.py, so
that a change that lets a role see a page it must not see fails this test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.utils import actor, app_test, open_page
from ui.navigation import PAGES, pages_for

USERS = {
    "anonymous": None,
    "branch": "branch01",
    "reviewer": "reviewer",
    "leader": "leader",
    "admin": "admin",
    "department": "dept01",
}
B, R, L, A, D = "branch", "reviewer", "leader", "admin", "department"
ALLOWED: dict[str, set[str]] = {
    "pages/overview.py": {B},
    "pages/learning.py": {B},
    "pages/standard.py": {B},
    "pages/service.py": {B},
    "pages/democracy.py": {B},
    "pages/innovation.py": {B},
    "pages/ballots.py": {B},
    "pages/members.py": {B, R, L, A, D},
    "pages/vanguard_index.py": {B, R, L, A, D},
    "pages/dashboard.py": {R, L, A, D},
    "pages/department.py": {R, L, A, D},
    "pages/rankings.py": {R, L, A, D},
    "pages/trends.py": {R, L, A, D},
    "pages/excellence.py": {R, L, A, D},
    "pages/report.py": {R, L, A, D},
    "pages/screen.py": {R, L, A, D},
    "pages/first_review.py": {D, A},
    "pages/review.py": {R, A},
    "pages/publication.py": {R, L, A},
    "pages/admin.py": {A},
    "pages/audit.py": {A},
    "pages/account.py": {B, R, L, A, D},
}
CASES = [(page, role) for page in ALLOWED for role in USERS]


@pytest.mark.parametrize(("page", "role"), CASES, ids=[f"{p[6:-3]}-{r}" for p, r in CASES])
def test_page_access(demo_city: str, page: str, role: str) -> None:
    username = USERS[role]
    if role in ALLOWED[page]:
        at = open_page(username, page, timeout=60)
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        assert at.title, "the page shows its title"
        assert at.title[0].value, "the page shows its title"
    else:
        who = actor(username) if username else None
        assert page not in {p.file for p in pages_for(who)}


@pytest.mark.parametrize("role", USERS)
def test_the_drawn_menu_registers_exactly_the_tables_pages(demo_city: str, role: str) -> None:
    """The app, drawn once per role, registers as pages the files of ui.navigation.pages_for
    (which the rows above, and tests.utils.open_page, read without drawing anything)."""
    username = USERS[role]
    at = app_test(username).run()
    assert not at.exception, [e.value for e in at.exception]
    registered = set()
    for spec in PAGES:
        try:
            at.switch_page(spec.file)
        except ValueError:
            continue  # not registered: another role's page answers there with "no access"
        registered.add(spec.file)
    who = actor(username) if username else None
    assert registered == {p.file for p in pages_for(who)}
    assert registered == {p for p in ALLOWED if role in ALLOWED[p]}


def test_every_page_checks_the_action_the_menu_lists_it_under() -> None:
    root = Path(__file__).resolve().parents[2]
    for spec in PAGES:
        source = (root / spec.file).read_text(encoding="utf-8")
        if spec.action.name == "SELF_ASSESS":
            continue  # the six 自评 pages open through ui/star_page.py and ui/overview.py
        assert f"require_actor(Action.{spec.action.name})" in source, spec.file


def test_anonymous_sees_only_the_login_form(demo_city: str) -> None:
    at = app_test(None).run()
    assert not at.exception
    assert at.title[0].value == "五星示范 · 双优引领"
    assert "登录" in [s.value for s in at.subheader]
    assert not at.sidebar.children
