"""Who may do what: every action of the system and the roles allowed to do it, in one table.

Pure (no Streamlit, no database). Services ask `can` through `db.services.common.require`,
which logs and raises a refusal; the navigation asks `can` to build each role's menu; pages
never test a role themselves.

A rule names the roles allowed on any target in their scope and the roles allowed only on
their own organisation. Callers pass the `Target` an action concerns (the organisation, with its
region and department); `can` compares it with the actor's `Scope` (the city, one region or one
department), and `Scope.condition` is the same comparison for frames and SQL, so that every
list a reader returns is cut by the rule that refuses an id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from db.models import Role


class Action(StrEnum):
    """Everything a user can ask the system to do; the value is what the audit log records."""

    # The branch's own self-assessment.
    SELF_ASSESS = "self_assess"  # open, fill in, upload evidence, submit
    VIEW_ASSESSMENT = "view_assessment"  # one assessment with its entries and evidence
    VIEW_ORG = "view_org"  # one organisation's standing, detail and past results
    # The city's results.
    READ_STANDINGS = "read_standings"  # the year's standings every results view is cut from
    VIEW_RESULTS = "view_results"  # rankings, overview, trends, statistics, exports, 双优 list
    FIRST_REVIEW = "first_review"  # 初审 by the department's 机关党委: queue, pass on, return
    REVIEW = "review"  # 复核 by the 机关工委: queue, adjust, return, approve
    VIEW_PUBLICATION = "view_publication"
    MANAGE_PUBLICATION = "manage_publication"  # publish, objections, finalize
    CONFIRM_EXCELLENCE = "confirm_excellence"
    MANAGE_GRADES = "manage_grades"  # 业绩 grades: edit and import
    SEND_REMINDERS = "send_reminders"  # 催报: remind organisations that have not submitted
    # Party members and the 先锋指数 rounds.
    VIEW_MEMBERS = "view_members"  # an organisation's roster and its members' results
    MANAGE_MEMBERS = "manage_members"  # add, edit, take off the roster
    IMPORT_MEMBERS = "import_members"  # rosters of many organisations from one file
    ENTER_VANGUARD = "enter_vanguard"  # 支部考评 and the members' 个人申报 in a round
    MANAGE_ROUNDS = "manage_rounds"  # open and close the half-year 先锋指数 rounds
    # 民主评议: print a round's one-time ballot codes (casting needs a code, no account).
    ISSUE_BALLOTS = "issue_ballots"
    # Administration.
    ADMINISTER = "administer"  # open the administration page
    MANAGE_YEARS = "manage_years"
    MANAGE_LEVELS = "manage_levels"  # switch a region's 初审 on or off for a year
    MANAGE_ORGANISATIONS = "manage_organisations"
    MANAGE_USERS = "manage_users"
    # Accounts that registered through single sign-on: list them, approve one into an
    # organisation of one's scope, or refuse it.
    APPROVE_REGISTRATIONS = "approve_registrations"
    MANAGE_ROBOTS = "manage_robots"  # a region's group robot for reminders (webhook address)
    MANAGE_RUBRIC = "manage_rubric"
    VIEW_AUDIT = "view_audit"  # search and export the audit log
    # Every logged-in user.
    VIEW_YEARS = "view_years"  # the list of years and their rubric
    CHANGE_OWN_PASSWORD = "change_own_password"
    CHANGE_OWN_EMAIL = "change_own_email"  # where one's own reminders are e-mailed


class ScopeKind(StrEnum):
    """How much of the city an account answers for."""

    CITY = "city"
    REGION = "region"  # 市直 or one 区县 (db.models.REGIONS)
    DEPARTMENT = "department"  # one department (an Organisation of type department)


@dataclass(frozen=True)
class Scope:
    """The part of the city a reviewer, leader or admin account answers for.

    Neither field set is the whole city; at most one is set (db.services.users checks it).
    """

    region: str | None = None
    department_id: int | None = None

    @property
    def kind(self) -> ScopeKind:
        if self.department_id is not None:
            return ScopeKind.DEPARTMENT
        if self.region is not None:
            return ScopeKind.REGION
        return ScopeKind.CITY

    def condition(self, region: Any, department_id: Any, org_id: Any) -> Any:
        """Whether an organisation lies in this scope, or None for the city (no limit).

        The one definition of "in scope": an organisation is in a region's scope when its
        region is that region, in a department's scope when it belongs to that department or is
        the department itself. Built from `==` and `|` only, so the arguments may be plain
        values (a bool comes back), pandas Series (a mask) or SQL columns (a WHERE clause).
        """
        kind = self.kind
        if kind is ScopeKind.CITY:
            return None
        if kind is ScopeKind.REGION:
            return region == self.region
        return (department_id == self.department_id) | (org_id == self.department_id)

    def covers(self, target: Target) -> bool:
        """Whether `target` lies in this scope; a target of no known organisation lies only in
        the city's (fail closed: a scoped account never reaches what it cannot place)."""
        condition = self.condition(target.region, target.department_id, target.org_id)
        return condition is None or bool(condition)


CITY_SCOPE = Scope()


class Principal(Protocol):
    """The acting user as the rules see it (db.services.common.Actor)."""

    @property
    def role(self) -> str: ...

    @property
    def org_id(self) -> int | None: ...

    @property
    def scope(self) -> Scope: ...


@dataclass(frozen=True)
class Target:
    """What an action is done to.

    `org_id`, `region` and `department_id` say whose it is (scopes will compare them with the
    actor's); `kind` and `id` name the record in a logged refusal.
    """

    org_id: int | None = None
    region: str | None = None
    department_id: int | None = None
    kind: str = "organisation"
    id: object = None

    @classmethod
    def org(cls, org: OrgLike, *, kind: str = "organisation", id: object = None) -> Target:
        """The target for a record of `org` (by default the organisation itself)."""
        return cls(org.id, org.region, org.department_id, kind, org.id if id is None else id)

    @classmethod
    def of_region(cls, region: str, *, kind: str = "region", id: object = None) -> Target:
        """What belongs to a whole region (its publication, a region-wide account): covered by
        the city's scope and that region's, never by a department's."""
        return cls(None, region, None, kind, region if id is None else id)

    @classmethod
    def whole_city(cls, *, kind: str = "city", id: object = None) -> Target:
        """What belongs to the whole city (the year's publication, a city-wide account):
        covered by the city's scope only."""
        return cls(None, None, None, kind, id)


class OrgLike(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def region(self) -> str: ...

    @property
    def department_id(self) -> int | None: ...


@dataclass(frozen=True)
class Rule:
    """Roles allowed on any target in their scope, roles allowed only on their own
    organisation, and whether only city-wide accounts may do it at all (what belongs to the
    whole city: the year, its rubric, the confirmation of the 双优 list)."""

    anywhere: frozenset[Role]
    own_org: frozenset[Role] = frozenset()
    city_only: bool = False


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


EVERYONE = _roles(*Role)
CITY = _roles(Role.REVIEWER, Role.LEADER, Role.ADMIN)
# Everyone who reads the results of a scope: the city's roles and a department's 机关党委.
VIEWERS = CITY | _roles(Role.DEPARTMENT)
REVIEWERS = _roles(Role.REVIEWER, Role.ADMIN)
ADMINS = _roles(Role.ADMIN)
BRANCH = _roles(Role.BRANCH)

RULES: Mapping[Action, Rule] = {
    Action.SELF_ASSESS: Rule(anywhere=frozenset(), own_org=BRANCH),
    Action.VIEW_ASSESSMENT: Rule(anywhere=VIEWERS, own_org=BRANCH),
    Action.VIEW_ORG: Rule(anywhere=VIEWERS, own_org=BRANCH),
    # A branch needs the standings to learn its own rank; what it is shown is VIEW_ORG.
    Action.READ_STANDINGS: Rule(anywhere=VIEWERS, own_org=BRANCH),
    Action.VIEW_RESULTS: Rule(anywhere=VIEWERS),
    # 初审: a department's 机关党委 on its own department's organisations (an admin may step in).
    Action.FIRST_REVIEW: Rule(anywhere=_roles(Role.DEPARTMENT, Role.ADMIN)),
    Action.REVIEW: Rule(anywhere=REVIEWERS),
    # A region (or department) publishes and administers its own organisations; the year, its
    # rubric and the confirmation of the 双优 list belong to the whole city.
    Action.VIEW_PUBLICATION: Rule(anywhere=CITY),
    Action.MANAGE_PUBLICATION: Rule(anywhere=ADMINS),
    Action.CONFIRM_EXCELLENCE: Rule(anywhere=_roles(Role.LEADER, Role.ADMIN), city_only=True),
    Action.MANAGE_GRADES: Rule(anywhere=ADMINS),
    # 催报 from the completion list: the organisations of one's scope.
    Action.SEND_REMINDERS: Rule(anywhere=CITY),
    # Members' results are seen by their branch and by accounts whose scope covers it, never
    # on a public list.
    Action.VIEW_MEMBERS: Rule(anywhere=VIEWERS, own_org=BRANCH),
    # A branch keeps its own roster and enters its members' 先锋指数; an admin may correct a
    # roster in its scope and import many at once. A branch imports its own roster too (kept
    # in Excel: the file's rows of any other organisation are refused).
    Action.MANAGE_MEMBERS: Rule(anywhere=ADMINS, own_org=BRANCH),
    Action.IMPORT_MEMBERS: Rule(anywhere=ADMINS, own_org=BRANCH),
    Action.ENTER_VANGUARD: Rule(anywhere=frozenset(), own_org=BRANCH),
    Action.MANAGE_ROUNDS: Rule(anywhere=ADMINS, city_only=True),
    # Only the branch prints its members' codes (fewest hands on them); an operator can issue
    # them from the command line (python -m db ballots).
    Action.ISSUE_BALLOTS: Rule(anywhere=frozenset(), own_org=BRANCH),
    Action.ADMINISTER: Rule(anywhere=ADMINS),
    Action.MANAGE_YEARS: Rule(anywhere=ADMINS, city_only=True),
    # A region's own choice: an admin whose scope holds the region.
    Action.MANAGE_LEVELS: Rule(anywhere=ADMINS),
    Action.MANAGE_ORGANISATIONS: Rule(anywhere=ADMINS),
    Action.MANAGE_USERS: Rule(anywhere=ADMINS),
    # A waiting account has no organisation yet: every admin sees the list; approving places it
    # in an organisation, which must lie in the admin's scope.
    Action.APPROVE_REGISTRATIONS: Rule(anywhere=ADMINS),
    # A region's robot belongs to the whole region: the city's admin or the region's own.
    Action.MANAGE_ROBOTS: Rule(anywhere=ADMINS),
    Action.MANAGE_RUBRIC: Rule(anywhere=ADMINS, city_only=True),
    Action.VIEW_AUDIT: Rule(anywhere=ADMINS),
    Action.VIEW_YEARS: Rule(anywhere=EVERYONE),
    Action.CHANGE_OWN_PASSWORD: Rule(anywhere=EVERYONE),
    Action.CHANGE_OWN_EMAIL: Rule(anywhere=EVERYONE),
}


# A role that only means something bound to a scope of this kind: a department's 机关党委
# account without its department may do nothing at all (fail closed, never the whole city).
ROLE_SCOPES: Mapping[Role, ScopeKind] = {Role.DEPARTMENT: ScopeKind.DEPARTMENT}


def can(actor: Principal | None, action: Action, target: Target | None = None) -> bool:
    """Whether `actor` may do `action` to `target` (no target: to anything at all)."""
    if actor is None:
        return False
    rule = RULES[action]
    if actor.role in rule.anywhere:
        scope = actor.scope
        bound = ROLE_SCOPES.get(actor.role)  # type: ignore[call-overload]  # a StrEnum key matches its str
        if bound is not None and scope.kind is not bound:
            return False
        if rule.city_only and scope.kind is not ScopeKind.CITY:
            return False
        return target is None or scope.covers(target)
    if actor.role in rule.own_org and actor.org_id is not None:
        return target is None or target.org_id == actor.org_id
    return False


def allowed_roles(action: Action) -> frozenset[Role]:
    """Every role that may do `action` to something (its own organisation at least)."""
    rule = RULES[action]
    return rule.anywhere | rule.own_org
