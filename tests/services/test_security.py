"""Security a government system needs: lockout, password rules, idle sessions, disabled users,
an audit entry for every kind of event and never a password in it."""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from db.bootstrap import prepare_database
from db.engine import read_session
from db.models import AuditLog, User
from db.services import auth, imports, publication, review, reviewing, users
from db.services.common import InvalidInput, PermissionDenied
from settings import get_settings
from tests.services.cycle_helpers import (
    Clock,
    approve_all_submitted,
    assessments_with,
    audit_rows,
    confirm_recommended,
    first_criterion,
    open_cycle_id,
)
from tests.utils import STRONG_PASSWORD, actor, make_user

ROOT = Path(__file__).resolve().parents[2]
WRONG = "Wrong-Guess#7731"


@pytest.fixture
def clock(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def test_five_failures_lock_the_account_for_fifteen_minutes(clock: Clock) -> None:
    settings = get_settings()
    assert (settings.login_max_failures, settings.lockout_minutes) == (5, 15)
    make_user("leader", username="lingdao")
    for _ in range(settings.login_max_failures - 1):
        with pytest.raises(auth.LoginFailed):
            auth.login("lingdao", WRONG)
    assert auth.login("lingdao", STRONG_PASSWORD)[0].username == "lingdao"  # resets the count
    for _ in range(settings.login_max_failures):
        with pytest.raises(auth.LoginFailed):
            auth.login("lingdao", WRONG)
    locked_at = clock.now
    with pytest.raises(auth.AccountLocked) as locked:
        auth.login("lingdao", STRONG_PASSWORD)
    assert "15" in locked.value.message  # the same words as a wrong password (see above)
    clock.now = locked_at + timedelta(minutes=15) - timedelta(seconds=1)
    with pytest.raises(auth.AccountLocked):
        auth.login("lingdao", STRONG_PASSWORD)
    clock.now = locked_at + timedelta(minutes=15, seconds=1)
    assert auth.login("lingdao", STRONG_PASSWORD)[0].username == "lingdao"
    actions = [r.action for r in audit_rows()]
    assert actions.count("login_failed") == 9
    assert "login_refused_locked" in actions


def test_sessions_expire_after_the_idle_time_and_slide_while_used(clock: Clock) -> None:
    idle = get_settings().session_idle_minutes
    make_user("leader", username="lingdao")
    _, token = auth.login("lingdao", STRONG_PASSWORD)
    clock.advance(minutes=idle - 1)
    assert auth.resolve_session(token) is not None  # used: the idle clock restarts
    clock.advance(minutes=idle - 1)
    assert auth.resolve_session(token) is not None
    clock.advance(minutes=idle + 1)
    assert auth.resolve_session(token) is None


def test_a_disabled_users_sessions_end_at_once(clock: Clock) -> None:
    boss = make_user("admin", username="guanli")
    target = make_user("reviewer", username="shenhe")
    tokens = [auth.login("shenhe", STRONG_PASSWORD)[1] for _ in range(2)]
    assert all(auth.resolve_session(t) == target for t in tokens)
    users.set_user_active(boss, user_id=target.id, active=False)
    assert all(auth.resolve_session(t) is None for t in tokens)
    with pytest.raises(auth.LoginFailed):
        auth.login("shenhe", STRONG_PASSWORD)
    assert '"sessions_ended": 2' in audit_rows("user_disabled")[-1].detail


@pytest.mark.parametrize(
    ("password", "fragment"),
    [("Ab1!", "至少"), ("password", "常见"), ("12345678", "常见"), ("xiaoming-2026!", "用户名")],
)
def test_password_rules_apply_to_changes_and_new_accounts(
    db_url: str, password: str, fragment: str
) -> None:
    user = make_user("leader", username="xiaoming")
    with pytest.raises(InvalidInput) as refused:
        auth.change_password(user, STRONG_PASSWORD, password)
    assert any(fragment in p for p in refused.value.errors)
    boss = make_user("admin", username="guanli")
    with pytest.raises(InvalidInput) as created:
        users.create_user(
            boss,
            username="xiaoming2",
            display_name="",
            role="leader",
            org_id=None,
            password=password.replace("xiaoming", "xiaoming2"),
        )
    assert any(fragment in p for p in created.value.errors)


def test_changing_a_password_needs_the_current_one(db_url: str) -> None:
    user = make_user("leader", username="xiaoming")
    with pytest.raises(InvalidInput) as wrong:
        auth.change_password(user, WRONG, "Another#Good-Pass-9")
    assert "当前密码" in wrong.value.message
    auth.change_password(user, STRONG_PASSWORD, "Another#Good-Pass-9")
    assert auth.login("xiaoming", "Another#Good-Pass-9")[0].id == user.id


def test_no_default_admin_outside_demo_mode(db_url: str) -> None:
    assert not get_settings().demo_mode
    prepare_database()
    with read_session() as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_tracebacks_are_not_shown_to_users() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


MY_SCREENS = [
    "pages/review.py",
    "pages/publication.py",
    "pages/admin.py",
    "pages/audit.py",
    "pages/account.py",
    "ui/review.py",
    "ui/publication.py",
    "ui/admin.py",
    "ui/audit.py",
]


@pytest.mark.parametrize("path", MY_SCREENS)
def test_screens_render_no_user_text_as_html(path: str) -> None:
    source = (ROOT / path).read_text(encoding="utf-8")
    assert "unsafe_allow_html" not in source
    assert not re.search(r"\bst\.html\(", source)


def test_every_kind_of_event_is_audited_and_no_password_is_ever_recorded(
    city: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(monkeypatch)
    secrets = [
        "Login#Secret-2026",
        "Wrong#Secret-2026",
        "Reset#Secret-2026",
        "Created#Secret-2026",
        "Changed#Secret-2026",
        "Imported#Secret-2026",
    ]
    boss, reviewer = actor("admin"), actor("reviewer")
    # login and failed login
    auth.change_password(actor("leader"), "demo123456", secrets[0])
    auth.login("leader", secrets[0])
    with pytest.raises(auth.LoginFailed):
        auth.login("leader", secrets[1])
    # refused access
    with pytest.raises(PermissionDenied):
        users.list_users(actor("branch01"))
    # data changes with before → after
    user_id = users.create_user(
        boss,
        username="new.user",
        display_name="新用户",
        role="leader",
        org_id=None,
        password=secrets[3],
    )
    users.reset_password(boss, user_id=user_id, password=secrets[2])
    auth.change_password(actor("new.user"), secrets[2], secrets[4])
    # review decisions
    aid = assessments_with("submitted")[0]
    view = review.load_review(reviewer, assessment_id=aid)
    line = first_criterion(view)
    reviewing.return_assessment(
        reviewer,
        assessment_id=aid,
        version=view.version,
        comment="请补充材料",
        lines=[review.ReviewLine(line.code, None, "缺签到表")],
    )
    approve_all_submitted(reviewer)
    # import
    users_csv = f"用户名,姓名,角色,组织编码,初始密码\nimp.user,导入,领导,,{secrets[5]}\n".encode()
    imports.import_users(boss, data=users_csv, filename="账号.csv")
    # publication
    cycle_id = open_cycle_id()
    confirm_recommended(actor("leader"), publication.publication_info(boss, cycle_id=cycle_id).year)
    publication.publish_year(boss, cycle_id=cycle_id, include_unfinished=True)
    clock.advance(days=6)
    publication.publication_info(boss, cycle_id=cycle_id)  # the period is over: final

    rows = audit_rows()
    actions = {r.action for r in rows}
    for expected in (
        "login",
        "login_failed",
        "access_denied",
        "user_created",
        "password_reset",
        "password_changed",
        "review_returned",
        "review_approved",
        "import_users",
        "publication_published",
        "publication_finalized",
    ):
        assert expected in actions, expected
    changed = next(r for r in rows if r.action == "user_created" and "new.user" in r.detail)
    assert '"before": null' in changed.detail
    assert '"after"' in changed.detail
    returned = next(r for r in rows if r.action == "review_returned")
    assert '"before": {"status": "submitted"' in returned.detail
    assert all(r.at is not None and r.at.tzinfo is not None for r in rows)
    with read_session() as session:
        everything = " ".join(
            f"{r.actor_name} {r.action} {r.target_type} {r.target_id} {r.detail}"
            for r in session.exec(select(AuditLog)).all()
        )
    assert [s for s in secrets if s in everything] == []
