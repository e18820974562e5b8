"""管理: years, organisation tree, accounts and rubrics, for administrators only."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from db.engine import read_session
from db.models import Assessment, Criterion, Cycle, Organisation, ScoreEntry, User
from db.services import assessment as A
from db.services import auth, editing, grades, organisations, readmodels, rubrics, users, years
from db.services.common import InvalidInput, PermissionDenied, ServiceError, StaleVersion
from db.services.cycles import current_cycle, rubric_of_cycle, to_tenths
from rubric import Rubric, dump_rubric, parse_rubric
from tests.assessment_helpers import full_entries
from tests.services.cycle_helpers import audit_rows
from tests.utils import STRONG_PASSWORD, actor, leader

NEW_PASSWORD = "Yuecheng#Branch-2027"


@pytest.fixture
def boss(city: str):
    return actor("admin")


def _org(code: str) -> Organisation:
    with read_session() as session:
        return session.exec(select(Organisation).where(Organisation.code == code)).one()


def _year_row(boss, year: int) -> years.YearRow:
    return next(r for r in years.list_years(boss) if r.year == year)


# ----------------------------------------------------------------------------- years


def test_next_year_copies_the_rubric_and_opens_an_assessment_per_organisation(boss) -> None:
    latest = current_cycle(leader())
    cycle_id = years.create_year(boss, deadline=date(latest.year + 1, 12, 20))
    row = _year_row(boss, latest.year + 1)
    assert (row.cycle_id, row.status, row.deadline) == (
        cycle_id,
        "open",
        date(latest.year + 1, 12, 20),
    )
    assert (
        rubric_of_cycle(leader(), cycle_id).criteria
        == rubric_of_cycle(leader(), latest.id).criteria
    )
    evaluated = [o for o in _orgs() if o.org_type != "department" and o.active]
    assert row.assessments == len(evaluated)
    with pytest.raises(InvalidInput) as twice:
        years.create_year(boss, year=latest.year + 1)
    assert "已经存在" in twice.value.message
    assert audit_rows("year_created")[-1].target_id == str(cycle_id)


def _orgs() -> list[Organisation]:
    with read_session() as session:
        return list(session.exec(select(Organisation)).all())


def test_open_close_and_deadline_use_the_version_and_refuse_published_years(boss) -> None:
    year = current_cycle(leader()).year
    row = _year_row(boss, year)
    years.set_year_status(boss, cycle_id=row.cycle_id, version=row.version, status="closed")
    with pytest.raises(StaleVersion):
        years.set_deadline(boss, cycle_id=row.cycle_id, version=row.version, deadline=None)
    row = _year_row(boss, year)
    assert row.status == "closed"
    years.set_deadline(
        boss, cycle_id=row.cycle_id, version=row.version, deadline=date(year + 1, 1, 10)
    )
    assert _year_row(boss, year).deadline == date(year + 1, 1, 10)
    with pytest.raises(InvalidInput):
        years.set_year_status(
            boss, cycle_id=row.cycle_id, version=row.version + 1, status="published"
        )
    final = _year_row(boss, year - 1)
    with pytest.raises(InvalidInput):
        years.set_year_status(boss, cycle_id=final.cycle_id, version=final.version, status="open")
    log = audit_rows("year_status_changed")[-1]
    assert '"before": {"status": "open"}' in log.detail
    assert '"after": {"status": "closed"}' in log.detail


# ----------------------------------------------------------------------------- organisations


def test_organisation_tree_editing_keeps_departments_right(boss) -> None:
    dept = organisations.save_organisation(
        boss,
        org_id=None,
        item=organisations.OrgInput(code="D09001", name="市示例局", org_type="部门", region="市直"),
    )
    committee = organisations.save_organisation(
        boss,
        org_id=None,
        item=organisations.OrgInput(
            code="P09001",
            name="中共市示例局机关委员会",
            org_type="机关党委",
            region="市直",
            parent_code="D09001",
            member_count="60",
        ),
    )
    branch = organisations.save_organisation(
        boss,
        org_id=None,
        item=organisations.OrgInput(
            code="B0900101",
            name="中共市示例局第一党支部",
            org_type="branch",
            region="市直",
            parent_code="P09001",
            member_count=12,
        ),
    )
    assert _org("B0900101").department_id == dept
    # A new evaluated organisation gets an assessment in the open year.
    with read_session() as session:
        assert session.exec(
            select(Assessment).where(
                Assessment.org_id == branch, Assessment.cycle_id == current_cycle(leader()).id
            )
        ).first()
    # Moving the committee under another department moves its branch too.
    other = _org("D00002")
    organisations.save_organisation(
        boss,
        org_id=committee,
        item=organisations.OrgInput(
            code="P09001",
            name="中共市示例局机关委员会",
            org_type="party_committee",
            region="市直",
            parent_code=other.code,
        ),
    )
    assert _org("B0900101").department_id == other.id
    assert _org("P09001").department_id == other.id
    problems = [
        organisations.OrgInput(
            code="B0900102", name="x", org_type="党支部", region="市直", parent_code="B0900101"
        ),  # under a branch
        organisations.OrgInput(
            code="P09001", name="x", org_type="机关党委", region="市直", parent_code="B0900101"
        ),  # cycle
        organisations.OrgInput(code="x y", name="", org_type="支部X", region="火星"),
        organisations.OrgInput(
            code="B0900103", name="x", org_type="党支部", region="市直"
        ),  # no parent
        organisations.OrgInput(
            code="D09002", name="x", org_type="部门", region="市直", parent_code="D09001"
        ),
    ]
    for item in problems:
        org_id = committee if item.code == "P09001" else None
        with pytest.raises(InvalidInput):
            organisations.save_organisation(boss, org_id=org_id, item=item)
    with pytest.raises(InvalidInput) as taken:
        organisations.save_organisation(
            boss,
            org_id=branch,
            item=organisations.OrgInput(
                code="P09001", name="x", org_type="党支部", region="市直", parent_code="P09001"
            ),
        )
    assert "已被" in taken.value.message
    with pytest.raises(InvalidInput) as children:
        organisations.save_organisation(
            boss,
            org_id=committee,
            item=organisations.OrgInput(
                code="P09001",
                name="中共市示例局机关委员会",
                org_type="机关党委",
                region="市直",
                parent_code=other.code,
                active=False,
            ),
        )
    assert "下级" in children.value.message
    changed = audit_rows("organisation_changed")[0]
    assert f'"parent_id": {dept}' in changed.detail
    assert f'"parent_id": {other.id}' in changed.detail
    assert _org("P09001").active


def test_deactivating_an_organisation_with_active_accounts_is_refused(boss) -> None:
    branch01 = actor("branch01")
    with read_session() as session:
        org = session.get(Organisation, branch01.org_id)
        parent = session.get(Organisation, org.parent_id)
    with pytest.raises(InvalidInput) as refused:
        organisations.save_organisation(
            boss,
            org_id=org.id,
            item=organisations.OrgInput(
                code=org.code,
                name=org.name,
                org_type=org.org_type,
                region=org.region,
                parent_code=parent.code,
                active=False,
            ),
        )
    assert "账号" in refused.value.message


# ----------------------------------------------------------------------------- users


def test_accounts_follow_the_password_rules_and_roles(boss) -> None:
    org_id = actor("branch02").org_id
    with pytest.raises(InvalidInput) as weak:
        users.create_user(
            boss,
            username="wangwu",
            display_name="王五",
            role="branch",
            org_id=org_id,
            password="wangwu123",
        )
    assert any("用户名" in p for p in weak.value.errors)
    with pytest.raises(InvalidInput) as no_org:
        users.create_user(
            boss,
            username="wangwu",
            display_name="王五",
            role="支部书记",
            org_id=None,
            password=NEW_PASSWORD,
        )
    assert "党组织" in no_org.value.message
    with pytest.raises(InvalidInput):
        users.create_user(
            boss,
            username="reviewer",
            display_name="",
            role="reviewer",
            org_id=None,
            password=NEW_PASSWORD,
        )
    user_id = users.create_user(
        boss,
        username="wangwu",
        display_name="王五",
        role="支部书记",
        org_id=org_id,
        password=NEW_PASSWORD,
    )
    who, _token = auth.login("wangwu", NEW_PASSWORD)
    assert (who.id, who.role, who.org_id) == (user_id, "branch", org_id)
    created = audit_rows("user_created")[-1]
    assert NEW_PASSWORD not in created.detail
    assert "wangwu" in created.detail


def test_changing_role_or_organisation_ends_the_sessions(boss) -> None:
    _, token = auth.login("leader", "demo123456")
    row = users.list_users(boss).set_index("username").loc["leader"]
    users.update_user(
        boss,
        user_id=int(row["id"]),
        version=int(row["version"]),
        display_name="领导",
        role="reviewer",
        org_id=None,
    )
    assert auth.resolve_session(token) is None
    assert actor("leader").role == "reviewer"
    with pytest.raises(StaleVersion):
        users.update_user(
            boss,
            user_id=int(row["id"]),
            version=int(row["version"]),
            display_name="x",
            role="leader",
            org_id=None,
        )


def test_admins_cannot_lock_themselves_out(boss) -> None:
    row = users.list_users(boss).set_index("username").loc["admin"]
    with pytest.raises(InvalidInput):
        users.set_user_active(boss, user_id=boss.id, active=False)
    with pytest.raises(InvalidInput):
        users.update_user(
            boss,
            user_id=boss.id,
            version=int(row["version"]),
            display_name="x",
            role="reviewer",
            org_id=None,
        )
    second = users.create_user(
        boss, username="admin2", display_name="", role="admin", org_id=None, password=NEW_PASSWORD
    )
    admin2 = actor("admin2")
    users.set_user_active(admin2, user_id=boss.id, active=False)
    with pytest.raises(InvalidInput) as last:
        users.set_user_active(admin2, user_id=second, active=False)
    assert "最后" in last.value.message or "自己" in last.value.message


def test_reset_password_unlocks_and_ends_sessions(boss) -> None:
    _, token = auth.login("branch02", "demo123456")
    for _ in range(5):
        with pytest.raises(auth.LoginFailed):
            auth.login("branch02", "wrong-password")
    user_id = actor("branch02").id
    assert bool(users.list_users(boss).set_index("id").loc[user_id, "locked"])
    with pytest.raises(InvalidInput):
        users.reset_password(boss, user_id=user_id, password="123")
    users.reset_password(boss, user_id=user_id, password=NEW_PASSWORD)
    assert auth.resolve_session(token) is None
    assert auth.login("branch02", NEW_PASSWORD)[0].username == "branch02"
    entry = audit_rows("password_reset")[-1]
    assert NEW_PASSWORD not in entry.detail


def test_unlock_lifts_a_lockout(boss) -> None:
    for _ in range(5):
        with pytest.raises(auth.LoginFailed):
            auth.login("leader", "wrong-password")
    with pytest.raises(auth.LoginFailed):
        auth.login("leader", "demo123456")
    users.unlock_user(boss, user_id=actor("leader").id)
    assert auth.login("leader", "demo123456")[0].username == "leader"


def test_generated_passwords_meet_the_rules() -> None:
    for _ in range(50):
        password = users.generate_password()
        assert len(password) == 12
        assert not auth.password_problems(password, "someone")


# ----------------------------------------------------------------------------- rubric


def test_rubric_export_is_reimported_unchanged(boss) -> None:
    cycle = current_cycle(leader())
    text = rubrics.export_rubric(boss, cycle_id=cycle.id)
    change = rubrics.check_rubric(boss, cycle_id=cycle.id, text=text)
    assert change.empty
    assert not change.problems
    row = _year_row(boss, cycle.year)
    assert rubrics.import_rubric(boss, cycle_id=cycle.id, version=row.version, text=text).empty


def _scored_max(cycle_id: int, code: str) -> int:
    with read_session() as session:
        values = session.exec(
            select(ScoreEntry.self_tenths)
            .join(Criterion, Criterion.id == ScoreEntry.criterion_id)
            .where(Criterion.cycle_id == cycle_id, Criterion.code == code)
        ).all()
    return max(v or 0 for v in values)


def test_a_rubric_cannot_invalidate_given_scores(boss) -> None:
    cycle = current_cycle(leader())
    text = rubrics.export_rubric(boss, cycle_id=cycle.id)
    assert _scored_max(cycle.id, "L1.1") == 30  # someone gave the full 3 points
    # Keep the star's total: L1.1 3 → 2.5, L2.1 2 → 2.5.
    rubric = parse_rubric(text)
    new_max = {"L1.1": Decimal("2.5"), "L2.1": Decimal("2.5")}
    lowered = dump_rubric(
        replace(
            rubric,
            criteria=tuple(
                replace(c, max_points=new_max[c.code]) if c.code in new_max else c
                for c in rubric.criteria
            ),
        )
    )
    change = rubrics.check_rubric(boss, cycle_id=cycle.id, text=lowered)
    assert change.changed == ("L1.1", "L2.1")
    assert any("L1.1" in p and "3" in p for p in change.problems)
    row = _year_row(boss, cycle.year)
    with pytest.raises(InvalidInput):
        rubrics.import_rubric(boss, cycle_id=cycle.id, version=row.version, text=lowered)
    assert rubric_of_cycle(leader(), cycle.id).criterion("L1.1").max_points == 3
    with pytest.raises(InvalidInput) as broken:
        rubrics.check_rubric(boss, cycle_id=cycle.id, text=text.replace("max_points: 3\n", "", 1))
    assert "行" in broken.value.message


def test_a_rubric_change_that_keeps_scores_valid_is_applied_and_versioned(boss) -> None:
    cycle = current_cycle(leader())
    row = _year_row(boss, cycle.year)
    text = rubrics.export_rubric(boss, cycle_id=cycle.id)
    edited = text.replace("title: 党的政治建设和贯彻落实决策部署", "title: 党的政治建设", 1)
    with read_session() as session:
        before_ids = dict(
            session.exec(
                select(Criterion.code, Criterion.id).where(Criterion.cycle_id == cycle.id)
            ).all()
        )
    refused = rubrics.check_rubric(boss, cycle_id=cycle.id, text=edited)
    assert [d.code for d in refused.meaning_changes] == ["L1.1"]
    # the file says it is the same criterion reworded: the scores stay
    edited = _map(edited, "L1.1", "L1.1")
    change = rubrics.import_rubric(boss, cycle_id=cycle.id, version=row.version, text=edited)
    assert change.changed == ("L1.1",)
    assert not change.added
    assert not change.removed
    assert change.differences[0].mapped
    assert rubric_of_cycle(leader(), cycle.id).criterion("L1.1").title == "党的政治建设"
    with read_session() as session:
        after_ids = dict(
            session.exec(
                select(Criterion.code, Criterion.id).where(Criterion.cycle_id == cycle.id)
            ).all()
        )
        assert session.get(Cycle, cycle.id).version == row.version + 1
    assert after_ids == before_ids  # scores stay attached to their criteria
    with pytest.raises(StaleVersion):
        rubrics.import_rubric(boss, cycle_id=cycle.id, version=row.version, text=text)


def _entries(cycle_id: int, code: str) -> dict[int, tuple[int | None, int | None]]:
    with read_session() as session:
        rows = session.exec(
            select(ScoreEntry.assessment_id, ScoreEntry.self_tenths, ScoreEntry.reviewed_tenths)
            .join(Criterion, Criterion.id == ScoreEntry.criterion_id)
            .where(Criterion.cycle_id == cycle_id, Criterion.code == code)
        ).all()
    return {a: (own, reviewed) for a, own, reviewed in rows}


def _map(text: str, code: str, previous: str) -> str:
    """The file says item `code` continues the current criterion `previous` (原编号)."""
    head = re.search(rf"^( *)- code: {re.escape(code)}\n", text, re.M)
    assert head is not None
    indent = head.group(1) + "  "
    return text.replace(head.group(0), f"{head.group(0)}{indent}previous_code: {previous}\n", 1)


def _swap_meanings(rubric: Rubric, pairs: dict[str, str]) -> Rubric:
    """The same codes for other criteria: each code takes another's title and standard."""
    by_code = {c.code: c for c in rubric.criteria}
    return replace(
        rubric,
        criteria=tuple(
            replace(c, title=by_code[pairs[c.code]].title, standard=by_code[pairs[c.code]].standard)
            if c.code in pairs
            else c
            for c in rubric.criteria
        ),
    )


def test_a_code_reused_for_another_criterion_is_refused(boss) -> None:
    """Before: only type, star and maximum were compared, so reusing L2.1 and L3.1 for each
    other's meaning was listed as 修改细则 and every score silently changed meaning."""
    cycle = current_cycle(leader())
    row = _year_row(boss, cycle.year)
    text = rubrics.export_rubric(boss, cycle_id=cycle.id)
    swapped = dump_rubric(_swap_meanings(parse_rubric(text), {"L2.1": "L3.1", "L3.1": "L2.1"}))
    change = rubrics.check_rubric(boss, cycle_id=cycle.id, text=swapped)
    assert [d.code for d in change.meaning_changes] == ["L2.1", "L3.1"]
    first = change.meaning_changes[0]
    assert first.organisations
    assert {f.field for f in first.fields} == {"名称", "评价标准"}
    assert any("L2.1" in p and "previous_code" in p for p in change.problems)
    before = _entries(cycle.id, "L2.1")
    with pytest.raises(InvalidInput):
        rubrics.import_rubric(boss, cycle_id=cycle.id, version=row.version, text=swapped)
    assert _entries(cycle.id, "L2.1") == before

    # the admin confirms: the reused codes start empty, nothing else moves
    other = _entries(cycle.id, "L2.2")
    dropped = rubrics.import_rubric(
        boss, cycle_id=cycle.id, version=row.version, text=swapped, drop_scores=True
    )
    assert dropped.dropped == ("L2.1", "L3.1")
    assert _entries(cycle.id, "L2.1") == {}
    assert _entries(cycle.id, "L3.1") == {}
    assert _entries(cycle.id, "L2.2") == other
    assert (
        rubric_of_cycle(leader(), cycle.id).criterion("L2.1").title
        == parse_rubric(text).criterion("L3.1").title
    )
    assert json.loads(audit_rows("rubric_imported")[-1].detail)["dropped"] == ["L2.1", "L3.1"]


def test_a_file_may_carry_scores_to_a_new_code(boss) -> None:
    """L2.1 and L3.1 swap codes, each mapped to the criterion it continues: scores follow."""
    cycle = current_cycle(leader())
    row = _year_row(boss, cycle.year)
    text = rubrics.export_rubric(boss, cycle_id=cycle.id)
    swapped = dump_rubric(_swap_meanings(parse_rubric(text), {"L2.1": "L3.1", "L3.1": "L2.1"}))
    swapped = _map(swapped, "L2.1", "L3.1")
    swapped = _map(swapped, "L3.1", "L2.1")
    one, two = _entries(cycle.id, "L2.1"), _entries(cycle.id, "L3.1")
    change = rubrics.check_rubric(boss, cycle_id=cycle.id, text=swapped)
    assert not change.meaning_changes
    assert not change.problems
    rubrics.import_rubric(boss, cycle_id=cycle.id, version=row.version, text=swapped)
    assert _entries(cycle.id, "L2.1") == two
    assert _entries(cycle.id, "L3.1") == one


def test_an_auto_rule_change_recomputes_stored_points_everywhere(boss) -> None:
    """Before: L2.3's minimum 24 → 32 left the stored 2.5 of a branch that entered 30."""
    branch = actor("branch01")
    view = A.my_assessment(branch)
    entries = full_entries(view, "learning")
    entries["L2.3"] = editing.EntryInput(figure="30", note="测试")
    editing.save_star_page(
        branch, assessment_id=view.id, version=view.version, star="learning", entries=entries
    )
    cycle = current_cycle(leader())
    row = _year_row(boss, cycle.year)
    assert _entries(cycle.id, "L2.3")[view.id][0] == 25
    text = rubrics.export_rubric(boss, cycle_id=cycle.id)
    raised = text.replace("minimum: 24", "minimum: 32", 1)
    preview = rubrics.check_rubric(boss, cycle_id=cycle.id, text=raised)
    assert not preview.problems
    mine = [p for p in preview.point_changes if p.assessment_id == view.id]
    assert [(p.code, p.self_before, p.self_after) for p in mine] == [
        ("L2.3", Decimal("2.5"), Decimal("2"))
    ]
    expected = {
        p.assessment_id: to_tenths(p.self_after) for p in preview.point_changes if p.code == "L2.3"
    }
    before_frame = readmodels.load_city_frame(leader(), cycle.year, "self")
    rubrics.import_rubric(boss, cycle_id=cycle.id, version=row.version, text=raised)
    stored = _entries(cycle.id, "L2.3")
    assert {a: stored[a][0] for a in expected} == expected
    assert A.my_assessment(branch).entries["L2.3"].self_points == Decimal("2")
    frame = readmodels.load_city_frame(leader(), cycle.year, "self")
    org = branch.org_id
    assert frame.loc[org, "learning"] == before_frame.loc[org, "learning"] - 0.5
    recomputed = audit_rows("rubric_points_recomputed")
    assert {int(r.target_id) for r in recomputed} == set(expected)


def test_an_unscored_year_may_drop_a_criterion(boss) -> None:
    cycle_id = years.create_year(boss)
    row = next(r for r in years.list_years(boss) if r.cycle_id == cycle_id)
    text = rubrics.export_rubric(boss, cycle_id=cycle_id)
    rubric = parse_rubric(text)
    dropped = dump_rubric(
        replace(rubric, criteria=tuple(c for c in rubric.criteria if c.code != "B1"))
    )
    change = rubrics.import_rubric(boss, cycle_id=cycle_id, version=row.version, text=dropped)
    assert change.removed == ("B1",)
    with pytest.raises(KeyError):
        rubric_of_cycle(leader(), cycle_id).criterion("B1")


def test_published_years_keep_their_rubric(boss) -> None:
    final = _year_row(boss, current_cycle(leader()).year - 1)
    text = rubrics.export_rubric(boss, cycle_id=final.cycle_id)
    with pytest.raises(ServiceError):
        rubrics.import_rubric(
            boss,
            cycle_id=final.cycle_id,
            version=final.version,
            text=text.replace("title: 党的政治建设和贯彻落实决策部署", "title: x"),
        )


# ----------------------------------------------------------------------------- access


@pytest.mark.parametrize("username", ["reviewer", "leader", "branch01", None])
def test_every_admin_function_is_for_admins_only(city: str, username) -> None:
    who = actor(username) if username else None
    cycle = current_cycle(leader())
    calls = [
        lambda: years.list_years(who),
        lambda: years.create_year(who),
        lambda: years.set_year_status(who, cycle_id=cycle.id, version=1, status="closed"),
        lambda: years.set_deadline(who, cycle_id=cycle.id, version=1, deadline=None),
        lambda: organisations.list_organisations(who),
        lambda: organisations.save_organisation(
            who,
            org_id=None,
            item=organisations.OrgInput(code="D1", name="x", org_type="部门", region="市直"),
        ),
        lambda: users.list_users(who),
        lambda: users.create_user(
            who, username="x1", display_name="", role="admin", org_id=None, password=STRONG_PASSWORD
        ),
        lambda: users.update_user(
            who, user_id=1, version=1, display_name="", role="admin", org_id=None
        ),
        lambda: users.set_user_active(who, user_id=1, active=False),
        lambda: users.reset_password(who, user_id=1, password=STRONG_PASSWORD),
        lambda: users.unlock_user(who, user_id=1),
        lambda: organisations.evaluated_organisations(who),
        lambda: rubrics.export_rubric(who, cycle_id=cycle.id),
        lambda: rubrics.check_rubric(who, cycle_id=cycle.id, text=""),
        lambda: rubrics.import_rubric(who, cycle_id=cycle.id, version=1, text=""),
        lambda: grades.grades_table(who, year=cycle.year),
    ]
    before = len(audit_rows("access_denied"))
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert len(audit_rows("access_denied")) - before == len(calls)
    with read_session() as session:
        assert session.exec(select(User).where(User.username == "x1")).first() is None
