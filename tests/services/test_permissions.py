"""The permission table, role × scope × action × expected, on SQLite and PostgreSQL.

Every action of permissions.py is called through a real service as every kind of user: allowed
calls must not be refused (they may still fail on their input), refused calls raise
PermissionDenied and leave an `access_denied` entry naming the action. The expectations are
written out here, independently of permissions.RULES, so that a change to the table that lets a
role do what it must not fails this test.

The reviewer, leader and admin come city-wide and scoped: to branch01's region or department
(in scope) and to another region or department (out of scope). A call about branch01's record
is refused out of scope; a list (the standings, the progress table, the accounts, the
organisations, the grades) is allowed in every scope and must hold branch01's organisation
(or account) exactly when branch01 lies in the caller's scope. What belongs to a whole region
(publishing its list) is refused to a department's account; what belongs to the whole city
(the year, its rubric, the 双优 confirmation) to every scoped account.
A department's 机关党委 (dept01) comes bound to branch01's department (in scope), to another
department (out of scope) and unbound ("department@city", which may do nothing: fail closed).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import select

from db.engine import dispose_engines, read_session
from db.models import (
    REGIONS,
    Assessment,
    AuditLog,
    Cycle,
    Organisation,
    OrgType,
    PartyMember,
    User,
    VanguardRound,
)
from db.services import (
    assessment,
    audit,
    auth,
    ballots,
    cycles,
    excellence,
    first_review,
    grades,
    guidance,
    member_import,
    members,
    organisations,
    publication,
    readmodels,
    region_publication,
    registrations,
    reminders,
    review,
    robots,
    rubrics,
    statistics,
    users,
    vanguard_scores,
    years,
)
from db.services.common import Actor, PermissionDenied, ServiceError, require
from permissions import Action, allowed_roles
from tests.conftest import BACKENDS, _clone_pg, _drop_pg, _fresh_sqlite, _use
from tests.utils import actor

YEAR = 2026
ROLES = ("reviewer", "leader", "admin")
# Where a scoped account answers for: branch01's region or department (in scope), or another.
IN_SCOPES = ("region", "department")
OUT_SCOPES = ("other_region", "other_department")
# Who calls: nobody, the organisation the targeted record belongs to (branch01), another
# branch (branch02), the three roles city-wide ("reviewer"), and each scoped ("reviewer@region").
WHO = (
    "anonymous",
    "branch01",
    "branch02",
    *ROLES,
    *(f"{role}@{scope}" for role in ROLES for scope in (*IN_SCOPES, *OUT_SCOPES)),
    "department@department",
    "department@other_department",
    "department@city",
)
CITY = set(ROLES)
ALL = set(WHO) - {"anonymous"}


def scoped(*roles: str, scopes: tuple[str, ...] = IN_SCOPES) -> set[str]:
    """The callers of `roles` with one of `scopes`."""
    return {f"{role}@{scope}" for role in roles for scope in scopes}


IN = scoped(*ROLES)  # every role, scoped to branch01's region or department
OUT = scoped(*ROLES, scopes=OUT_SCOPES)
ADMINS = {"admin"} | scoped("admin", scopes=(*IN_SCOPES, *OUT_SCOPES))  # every admin, any scope
DEPT_IN = {"department@department"}  # branch01's department's 机关党委
DEPT_OUT = {"department@other_department"}
ALL = ALL - {"department@city"}  # an unbound 机关党委 account may do nothing at all


@dataclass(frozen=True)
class World:
    """Ids the calls need, read from the demo city once per test."""

    own_org: int
    own_user: int
    own_user_version: int
    own_assessment: int
    cycle_id: int
    cycle_version: int
    region: str
    other_region: str
    department: int
    other_department: int
    open_round: int
    own_member: int


Call = Callable[[Actor | None, World], Any]

# action → (a service call doing it, who may) — branch01's records are the targets.
TABLE: dict[Action, tuple[Call, set[str]]] = {
    Action.SELF_ASSESS: (
        lambda who, w: assessment.my_assessment(who),
        {"branch01", "branch02"},
    ),
    Action.VIEW_ASSESSMENT: (
        lambda who, w: assessment.get_assessment(who, assessment_id=w.own_assessment),
        CITY | IN | DEPT_IN | {"branch01"},
    ),
    Action.VIEW_ORG: (
        lambda who, w: guidance.past_results(who, org_id=w.own_org),
        CITY | IN | DEPT_IN | {"branch01"},
    ),
    Action.READ_STANDINGS: (
        lambda who, w: readmodels.load_city_frame(who, YEAR),
        CITY | IN | OUT | DEPT_IN | DEPT_OUT | {"branch01", "branch02"},
    ),
    Action.VIEW_RESULTS: (
        lambda who, w: statistics.load_progress(who, YEAR),
        CITY | IN | OUT | DEPT_IN | DEPT_OUT,
    ),
    # branch01's assessment is not waiting for the 初审: allowed callers are told so.
    Action.FIRST_REVIEW: (
        lambda who, w: first_review.pass_on(who, assessment_id=w.own_assessment, version=1),
        {"admin"} | scoped("admin") | DEPT_IN,
    ),
    Action.REVIEW: (
        lambda who, w: review.load_review(who, assessment_id=w.own_assessment),
        {"reviewer", "admin"} | scoped("reviewer", "admin"),
    ),
    # The year's state, counted in the caller's scope.
    Action.VIEW_PUBLICATION: (
        lambda who, w: publication.publication_info(who, cycle_id=w.cycle_id),
        CITY | IN | OUT,
    ),
    # Publishing branch01's region (a region-wide act: not a department's); allowed callers are
    # then stopped by the number of days, nothing is written.
    Action.MANAGE_PUBLICATION: (
        lambda who, w: region_publication.publish_region(
            who, cycle_id=w.cycle_id, region=w.region, days=0
        ),
        {"admin", "admin@region"},
    ),
    # A stale cycle version: allowed callers are refused for staleness, nothing is written.
    Action.CONFIRM_EXCELLENCE: (
        lambda who, w: excellence.confirm_excellence(
            who, year=YEAR, selected=[], reasons={}, cycle_version=w.cycle_version - 1
        ),
        {"leader", "admin"},
    ),
    # branch01's grade (an unknown grade: allowed callers get InvalidInput, nothing changes).
    Action.MANAGE_GRADES: (
        lambda who, w: grades.set_grades(who, year=YEAR, grades={w.own_org: "没有这个等次"}),
        {"admin"} | scoped("admin"),
    ),
    # 催报 to branch01's organisation: an in-app notice at most (no channel is configured).
    Action.SEND_REMINDERS: (
        lambda who, w: reminders.chase_now(who, YEAR, [w.own_org]),
        CITY | IN,
    ),
    Action.VIEW_MEMBERS: (
        lambda who, w: members.list_members(who, org_id=w.own_org),
        CITY | IN | DEPT_IN | {"branch01"},
    ),
    # An empty name: allowed callers get InvalidInput, nothing is written.
    Action.MANAGE_MEMBERS: (
        lambda who, w: members.save_member(
            who, org_id=w.own_org, item=members.MemberInput("", "在职", "正式", "2001-07-01")
        ),
        {"branch01", "admin"} | scoped("admin"),
    ),
    # A file with no rows: allowed callers get ImportRejected, nothing is written.
    Action.IMPORT_MEMBERS: (
        lambda who, w: member_import.import_members(who, data=b"", filename="a.csv"),
        # A branch imports its own roster (another organisation's rows are refused by row).
        {"admin", "branch01", "branch02"} | scoped("admin", scopes=(*IN_SCOPES, *OUT_SCOPES)),
    ),
    # A member of branch01 with a figure out of range: allowed callers get InvalidInput.
    Action.ENTER_VANGUARD: (
        lambda who, w: vanguard_scores.save_sheet(
            who,
            round_id=w.open_round,
            member_id=w.own_member,
            version=None,
            declared={},
            assessed={"P1": "999"},
        ),
        {"branch01"},
    ),
    # A year that does not exist: allowed callers are told so, nothing is written.
    Action.MANAGE_ROUNDS: (
        lambda who, w: members.open_round(who, year=2099, half=1),
        {"admin"},
    ),
    # No such round: branch01 is then told so (NotFound), nothing is issued.
    Action.ISSUE_BALLOTS: (
        lambda who, w: ballots.issue_codes(who, round_id=999_999, org_id=w.own_org),
        {"branch01"},
    ),
    Action.ADMINISTER: (lambda who, w: require(who, Action.ADMINISTER), ADMINS),
    Action.MANAGE_YEARS: (lambda who, w: years.list_years(who), {"admin"}),
    # Switching branch01's region's 初审 to what it is (on): a region's admin may, a
    # department's may not (the region is not in its scope).
    Action.MANAGE_LEVELS: (
        lambda who, w: first_review.set_first_level(who, year=YEAR, region=w.region, enabled=True),
        {"admin", "admin@region"},
    ),
    # branch01's organisation (an empty name: allowed callers get InvalidInput).
    Action.MANAGE_ORGANISATIONS: (
        lambda who, w: organisations.save_organisation(
            who,
            org_id=w.own_org,
            item=organisations.OrgInput(code="", name="", org_type="branch", region=w.region),
        ),
        {"admin"} | scoped("admin"),
    ),
    # branch01's account (a stale version: allowed callers get StaleVersion, nothing changes).
    Action.MANAGE_USERS: (
        lambda who, w: users.update_user(
            who,
            user_id=w.own_user,
            version=w.own_user_version - 1,
            display_name="x",
            role="branch",
            org_id=w.own_org,
        ),
        {"admin"} | scoped("admin"),
    ),
    # Approving a registration into branch01's organisation (branch01's own account is not
    # waiting: allowed callers are told it is gone, nothing changes).
    Action.APPROVE_REGISTRATIONS: (
        lambda who, w: registrations.approve_registration(
            who, user_id=w.own_user, version=w.own_user_version, org_id=w.own_org
        ),
        {"admin"} | scoped("admin"),
    ),
    # branch01's region's group robot (a bad address: allowed callers get InvalidInput); a
    # region-wide act, not a department's.
    Action.MANAGE_ROBOTS: (
        lambda who, w: robots.set_robot(who, region=w.region, url="不是地址", version=0),
        {"admin", "admin@region"},
    ),
    Action.MANAGE_RUBRIC: (
        lambda who, w: rubrics.export_rubric(who, cycle_id=w.cycle_id),
        {"admin"},
    ),
    Action.VIEW_AUDIT: (lambda who, w: audit.audit_actions(who), ADMINS),
    Action.VIEW_YEARS: (lambda who, w: cycles.list_cycles(who), ALL),
    # The wrong current password: allowed callers get InvalidInput, nothing changes.
    Action.CHANGE_OWN_PASSWORD: (
        lambda who, w: auth.change_password(who, "not-the-password", "Another#Pass-2026"),
        ALL,
    ),
    # Not an address: allowed callers get InvalidInput, nothing changes.
    Action.CHANGE_OWN_EMAIL: (lambda who, w: users.set_own_email(who, email="@"), ALL),
}
CASES = [(action, who) for action in TABLE for who in WHO]

# The lists: a function telling whether the result holds branch01's organisation, and who sees
# it there (every branch reads the city's standings to learn its own rank; scoped accounts see
# only their scope's organisations).
LISTS: dict[Action, tuple[Callable[[Any, World], bool], set[str]]] = {
    Action.READ_STANDINGS: (
        lambda frame, w: w.own_org in frame.index,
        CITY | IN | DEPT_IN | {"branch01", "branch02"},
    ),
    Action.VIEW_RESULTS: (lambda frame, w: w.own_org in frame.index, CITY | IN | DEPT_IN),
}
# The administration's lists, called by every admin: (the call, whether it holds branch01's
# organisation or account, who sees it there).
ADMIN_LISTS: dict[str, tuple[Call, Callable[[Any, World], bool], set[str]]] = {
    "users": (
        lambda who, w: users.list_users(who),
        lambda frame, w: w.own_user in set(frame["id"]),
        {"admin"} | scoped("admin"),
    ),
    "organisations": (
        lambda who, w: organisations.list_organisations(who),
        lambda frame, w: w.own_org in set(frame["id"]),
        {"admin"} | scoped("admin"),
    ),
    "grades": (
        lambda who, w: grades.grades_table(who, year=YEAR),
        lambda frame, w: w.own_org in set(frame["org_id"]),
        {"admin"} | scoped("admin"),
    ),
    "evaluated_organisations": (
        lambda who, w: organisations.evaluated_organisations(who),
        lambda rows, w: w.own_org in {i for i, _, _ in rows},
        {"admin"} | scoped("admin"),
    ),
}
ADMIN_WHO = sorted(ADMINS)


@pytest.fixture(scope="module", params=BACKENDS)
def one_city(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One demo city per backend for the whole table: allowed calls write nothing that another
    case reads (a draft for branch02 at most), refusals only add audit entries."""
    if request.param == "sqlite":
        template = request.getfixturevalue("demo_city_template")
        url = _fresh_sqlite(template, tmp_path_factory.mktemp("permissions"))
    else:
        url = _clone_pg(request.getfixturevalue("pg_city_template"))
    with pytest.MonkeyPatch.context() as patch:
        _use(url, patch)
        yield url
        dispose_engines()
    if request.param != "sqlite":
        _drop_pg(url)


def _world() -> World:
    own = actor("branch01")
    assert own.org_id is not None
    with read_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == YEAR)).one()
        assessment_id = session.exec(
            select(Assessment.id).where(
                Assessment.org_id == own.org_id, Assessment.cycle_id == cycle.id
            )
        ).one()
        org = session.get(Organisation, own.org_id)
        assert org is not None
        assert org.department_id is not None
        user = session.get(User, own.id)
        assert user is not None
        other_department = session.exec(
            select(Organisation.id).where(
                Organisation.org_type == OrgType.DEPARTMENT,
                Organisation.id != org.department_id,
            )
        ).first()
    assert cycle.id is not None
    assert assessment_id is not None
    assert other_department is not None
    other_region = next(r for r in REGIONS if r != org.region)
    with read_session() as session:
        open_round = session.exec(
            select(VanguardRound.id).where(VanguardRound.status == "open")
        ).first()
        own_member = session.exec(
            select(PartyMember.id).where(
                PartyMember.org_id == own.org_id, PartyMember.service == "in_service"
            )
        ).first()
    assert open_round is not None
    assert own_member is not None
    return World(
        own.org_id,
        own.id,
        user.version,
        assessment_id,
        cycle.id,
        cycle.version,
        org.region,
        other_region,
        org.department_id,
        other_department,
        open_round,
        own_member,
    )


def _caller(who: str, world: World) -> Actor | None:
    """The acting user: a demo account, scoped as `who` says (role@scope)."""
    if who == "anonymous":
        return None
    role, _, scope = who.partition("@")
    base = actor("dept01" if role == "department" else role)
    if scope == "city":
        return dataclasses.replace(base, scope_department_id=None)
    if scope in ("region", "other_region"):
        return dataclasses.replace(base, scope_region=getattr(world, scope))
    if scope in ("department", "other_department"):
        return dataclasses.replace(base, scope_department_id=getattr(world, scope))
    return base


def _refusals(action: Action) -> int:
    with read_session() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.action == "access_denied")).all()
    return sum(json.loads(r.detail).get("attempted") == action for r in rows)


def test_the_table_covers_every_action_and_matches_the_rules() -> None:
    assert set(TABLE) == set(Action)
    for action, (_call, allowed) in TABLE.items():
        roles = {"branch" if who.startswith("branch") else who.partition("@")[0] for who in allowed}
        assert roles == set(allowed_roles(action)), action


@pytest.mark.parametrize(("action", "who"), CASES, ids=[f"{a.value}-{w}" for a, w in CASES])
def test_permission(one_city: str, action: Action, who: str) -> None:
    call, allowed = TABLE[action]
    world = _world()
    caller = _caller(who, world)
    before = _refusals(action)
    if who in allowed:
        result = None
        try:
            result = call(caller, world)
        except PermissionDenied:
            pytest.fail(f"{who} was refused {action}")
        except ServiceError:
            pass  # allowed, and then stopped by its input: the point is it was not refused
        assert _refusals(action) == before
        if action in LISTS:
            holds, seen_by = LISTS[action]
            assert holds(result, world) == (who in seen_by), f"{who} sees branch01: wrong"
    else:
        with pytest.raises(PermissionDenied):
            call(caller, world)
        assert _refusals(action) == before + 1


@pytest.mark.parametrize(
    ("kind", "who"),
    [(k, w) for k in ADMIN_LISTS for w in ADMIN_WHO],
    ids=[f"{k}-{w}" for k in ADMIN_LISTS for w in ADMIN_WHO],
)
def test_admin_lists_hold_only_the_scope(one_city: str, kind: str, who: str) -> None:
    """Every admin may read the administration's lists; each holds branch01 exactly when
    branch01 lies in the admin's scope."""
    call, holds, seen_by = ADMIN_LISTS[kind]
    world = _world()
    result = call(_caller(who, world), world)
    assert holds(result, world) == (who in seen_by), f"{who} sees branch01 in {kind}: wrong"
