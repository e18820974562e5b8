"""Factories shared by the tests."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from db.engine import read_session
from db.models import Assessment, Cycle, Organisation, User
from db.seed import DEMO_PASSWORD, CityPlan, seed_city
from db.services import auth, organisations
from db.services.common import Actor
from ui.navigation import pages_for
from ui.session import TEST_TOKEN_KEY

ROOT_APP = str(Path(__file__).resolve().parent.parent / "app.py")
STRONG_PASSWORD = "Shaoxing#2026-Star"


def make_city(orgs: int = 24, first_year: int = 2024, last_year: int = 2026, seed: int = 7) -> dict:
    """A small city with demo accounts; the last year is open."""
    return seed_city(CityPlan(orgs=orgs, first_year=first_year, last_year=last_year, seed=seed))


def actor(username: str) -> Actor:
    with read_session() as session:
        user = session.exec(select(User).where(User.username == username)).one()
    return auth.actor_of(user)


def leader() -> Actor:
    """The demo city's leader: may read every result, for tests that call the read models."""
    return actor("leader")


def make_user(role: str, *, username: str | None = None, org_id: int | None = None) -> Actor:
    name = username or f"{role}_{org_id or 'x'}"
    auth.create_user(username=name, password=STRONG_PASSWORD, role=role, org_id=org_id)
    return actor(name)


def token_for(username: str, password: str = DEMO_PASSWORD) -> str:
    return auth.login(username, password)[1]


def app_test(username: str | None = None, timeout: float = 30) -> AppTest:
    """The whole app under AppTest, logged in as `username` (anonymous when None)."""
    at = AppTest.from_file(ROOT_APP, default_timeout=timeout)
    if username:
        at.session_state[TEST_TOKEN_KEY] = token_for(username)
    return at


def open_page(username: str | None, page_file: str, timeout: float = 30) -> AppTest:
    """`page_file` opened by `username` (anonymous when None); ValueError if it is not in the
    user's menu.

    The menu is read from the navigation table app.py builds st.navigation from (ui.navigation.
    pages_for; tests/pages/test_access_matrix.py checks that the drawn menu registers exactly
    those files), so no home page is drawn first. Under AppTest a switched-to page runs as its
    own script (the pages/ folder), as it did after a first run of app.py.
    """
    who = actor(username) if username else None
    if page_file not in {p.file for p in pages_for(who)}:
        raise ValueError(
            f"Could not find a navigation page {page_file} for {username or 'a visitor'}"
        )
    at = app_test(username, timeout)
    return at.switch_page(page_file).run()


def phone_list_entries(at: AppTest, marker: str) -> list[str]:
    """The phone's list (ui.phone.table_or_list) whose text holds `marker`, one entry a line,
    markdown escapes removed (as shown)."""
    listed = next(str(m.value) for m in at.markdown if marker in str(m.value))
    return listed.replace("\\", "").splitlines()


def current_assessment_id(username: str) -> int:
    """The open-year assessment of a branch user's organisation."""
    who = actor(username)
    with read_session() as session:
        return session.exec(
            select(Assessment.id)
            .join(Cycle, Cycle.id == Assessment.cycle_id)
            .where(Assessment.org_id == who.org_id, Cycle.status == "open")
        ).one()


def org_ids() -> list[int]:
    with read_session() as session:
        return list(
            session.exec(select(Organisation.id).where(Organisation.org_type != "department")).all()
        )


def change_org(boss: Actor, org_id: int, **changes: object) -> None:
    """Save an organisation through the admin service with some fields changed."""
    with read_session() as session:
        org = session.get(Organisation, org_id)
        parent = session.get(Organisation, org.parent_id)
    fields = {
        "code": org.code,
        "name": org.name,
        "org_type": org.org_type,
        "region": org.region,
        "parent_code": parent.code,
        "member_count": org.member_count,
        "staff_count": org.staff_count,
        "active": org.active,
    }
    organisations.save_organisation(
        boss, org_id=org_id, item=organisations.OrgInput(**{**fields, **changes})
    )


def pass_first_level(assessment_id: int, by: str = "dept01") -> int:
    """The 初审: `by` (the 机关党委 of branch01's department) passes a handed-in assessment on to
    the 复核; returns the assessment's new version."""
    from db.services import first_review

    with read_session() as session:
        version = session.exec(
            select(Assessment.version).where(Assessment.id == assessment_id)
        ).one()
    return first_review.pass_on(actor(by), assessment_id=assessment_id, version=version)
