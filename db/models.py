"""All database tables, in one file.

Points are stored as integer tenths (`*_tenths`), so the database never rounds them and
SQLite and PostgreSQL agree to the digit; the service layer converts to Decimal.
Roles and states are StrEnums stored as their plain string values (the columns stay VARCHAR),
so `Assessment.status == AssessmentStatus.SUBMITTED` works in Python and in SQL alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class Role(StrEnum):
    """A user's role; what each may do is the table in permissions.py."""

    BRANCH = "branch"
    REVIEWER = "reviewer"
    LEADER = "leader"
    ADMIN = "admin"
    # A department's 机关党委 (部门党委): the first review (初审) of its own branches; the
    # account is bound to its department by scope_department_id.
    DEPARTMENT = "department"


class OrgType(StrEnum):
    DEPARTMENT = "department"
    PARTY_COMMITTEE = "party_committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"


# A department is the tree root; the three kinds of party organisation below it are evaluated.
EVALUATED_ORG_TYPES = (OrgType.PARTY_COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH)


class CycleStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    FINAL = "final"


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    # Handed in and waiting for the department's 机关党委 (初审, db/services/first_review.py).
    FIRST_REVIEW = "first_review"
    # Handed in and waiting for the region's 机关工委 (复核): passed on by the 初审, or handed in
    # by an organisation without a first level.
    SUBMITTED = "submitted"
    RETURNED = "returned"
    REVIEWED = "reviewed"
    PUBLISHED = "published"


class CriterionKind(StrEnum):
    CRITERION = "criterion"
    BONUS = "bonus"
    DEDUCTION = "deduction"
    VETO = "veto"


class MemberService(StrEnum):
    """Whether a party member is in service (在职) or retired (离退休); the 先锋指数 rounds
    each takes part in follow from it (vanguard.takes_part)."""

    IN_SERVICE = "in_service"
    RETIRED = "retired"


class MemberStatus(StrEnum):
    """正式党员 (full) or 预备党员 (probationary)."""

    FULL = "full"
    PROBATIONARY = "probationary"


class RoundStatus(StrEnum):
    """A 先锋指数 round is open (entries and ballots accepted) or closed."""

    OPEN = "open"
    CLOSED = "closed"


REGIONS = ("市直", "越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县")
# What every "已提交" count counts: handed in and not sent back. A 已退回 assessment is with
# the branch again (its scores may still change), so it is not submitted.
SUBMITTED_STATUSES = (
    AssessmentStatus.FIRST_REVIEW,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.REVIEWED,
    AssessmentStatus.PUBLISHED,
)
# A reviewed result: the reviewer has approved it (and it may since be published). 双优 and
# every "已审核" figure rest on these alone, never on drafts, pending or returned self-scores.
REVIEWED_STATUSES = (AssessmentStatus.REVIEWED, AssessmentStatus.PUBLISHED)
# Handed in and not yet decided, at either level (初审 or 复核): what "待审" counts and what
# blocks publishing the year or confirming 双优.
AWAITING_REVIEW_STATUSES = (AssessmentStatus.FIRST_REVIEW, AssessmentStatus.SUBMITTED)


class ReviewLevel(StrEnum):
    """Who acted on an assessment's way through the review (ReviewStep.level)."""

    BRANCH = "branch"  # the branch handed it in
    FIRST = "first"  # 初审: the department's 机关党委
    SECOND = "second"  # 复核: the region's 机关工委


class StepAction(StrEnum):
    SUBMITTED = "submitted"
    PASSED = "passed"  # 初审通过, passed on to 复核
    RETURNED = "returned"
    APPROVED = "approved"


GRADES = ("优秀", "良好", "一般", "较差")


def utcnow() -> datetime:
    """Aware UTC timestamp (sqlmodel stores datetimes as UTC on both backends)."""
    return datetime.now(UTC)


class OrganisationBase(SQLModel):
    code: str = Field(min_length=1, max_length=32, index=True, unique=True)
    name: str = Field(min_length=1, max_length=120)
    org_type: str = Field(max_length=20)
    region: str = Field(max_length=8, index=True)
    member_count: int = Field(default=0, ge=0, le=100_000)
    staff_count: int = Field(default=0, ge=0, le=1_000_000)
    active: bool = True


class Organisation(OrganisationBase, table=True):
    """A department (tree root) or an evaluated 机关党委 / 党总支 / 党支部."""

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    department_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    sort_order: int = 0


class UserBase(SQLModel):
    username: str = Field(min_length=1, max_length=64, index=True, unique=True)
    display_name: str = Field(default="", max_length=64)
    role: str = Field(max_length=16)
    org_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    # The scope of a reviewer, leader or admin (permissions.Scope): both empty is the whole
    # city, a region (one of REGIONS) or a department (an Organisation of type department).
    # A branch account is bound to `org_id` instead and leaves both empty.
    scope_region: str | None = Field(default=None, max_length=8)
    scope_department_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    # Where reminders are e-mailed (empty: in-app notices only).
    email: str = Field(default="", max_length=200)
    active: bool = True


class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime | None = None
    version: int = 1
    # Registered by its own single sign-on (OIDC_SELF_REGISTRATION): a branch account without
    # an organisation that cannot sign in until an admin approves it (and places it).
    awaiting_approval: bool = False


class AuthSession(SQLModel, table=True):
    """Server side of a login: the cookie holds the token, the table its hash."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, index=True, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    revoked: bool = False


class Cycle(SQLModel, table=True):
    """One evaluation year with its rubric header and thresholds."""

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(ge=2000, le=2100, index=True, unique=True)
    status: str = Field(default=CycleStatus.OPEN, max_length=16)
    deadline: date | None = None
    rubric_title: str = Field(default="", max_length=200)
    rubric_version: int = 1
    star_ratio: str = Field(default="0.85", max_length=16)
    five_star_composite: str = Field(default="90", max_length=16)
    bonus_cap: str = Field(default="5", max_length=16)
    excellence_ratio: str = Field(default="0.25", max_length=16)
    # Whether the 双优 quota is counted over the whole city or per region (scoring.QuotaMode).
    excellence_quota: str = Field(
        default="city", max_length=8, sa_column_kwargs={"server_default": "city"}
    )
    base_learning_tenths: int = 200
    base_standard_tenths: int = 200
    base_service_tenths: int = 200
    base_democracy_tenths: int = 200
    base_innovation_tenths: int = 200
    published_at: datetime | None = None
    publication_ends: datetime | None = None
    finalized_at: datetime | None = None
    excellence_confirmed_at: datetime | None = None
    # The rubric's 先锋指数 block as JSON (rubric_vanguard.rules_to_json); "" when it has none.
    vanguard_rules: str = Field(default="", max_length=20_000)
    # The rubric's 民主评议 block as JSON (rubric.ballot_to_json): the scale, the passing label,
    # the minimum number of ballots; a box takes them when its codes are first issued.
    ballot_rules: str = Field(default="", max_length=2_000)
    # The last day of each review level (None: no deadline); `deadline` is the branches'.
    first_review_deadline: date | None = None
    review_deadline: date | None = None
    version: int = 1


class RegionPublication(SQLModel, table=True):
    """A region's own 公示 of a year: its published_result rows are frozen from `published_at`
    and stay as they are whatever another region changes or republishes."""

    __tablename__ = "region_publication"

    cycle_id: int = Field(foreign_key="cycle.id", primary_key=True)
    region: str = Field(max_length=8, primary_key=True)
    published_at: datetime
    publication_ends: datetime
    published_by: int | None = Field(default=None, foreign_key="user.id")
    version: int = 1


class Criterion(SQLModel, table=True):
    """One rubric line of a cycle: a star criterion, bonus, deduction or veto item."""

    __table_args__ = (UniqueConstraint("cycle_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    code: str = Field(max_length=16)
    kind: str = Field(max_length=12)
    star: str | None = Field(default=None, max_length=12)
    task_no: int | None = None
    task_title: str = Field(default="", max_length=200)
    title: str = Field(max_length=200)
    standard: str = Field(default="", max_length=2000)
    deduction_rule: str = Field(default="", max_length=1000)
    max_tenths: int = Field(default=0, ge=0, le=10_000)
    evidence: str = Field(default="", max_length=1000)
    check_method: str = Field(default="", max_length=500)
    evidence_required: bool = False
    auto_unit: str | None = Field(default=None, max_length=16)
    auto_label: str | None = Field(default=None, max_length=100)
    auto_minimum: str | None = Field(default=None, max_length=16)
    auto_maximum: str | None = Field(default=None, max_length=16)
    auto_step: str | None = Field(default=None, max_length=16)
    auto_per_step: str | None = Field(default=None, max_length=16)
    # Where an auto-scored criterion's figure comes from when the system computes it from the
    # members' data (scoring.FIGURE_SOURCES); None: the branch enters it.
    auto_source: str | None = Field(default=None, max_length=32)
    sort_order: int = 0


class Assessment(SQLModel, table=True):
    """An organisation's evaluation in one cycle; `version` guards every write."""

    __table_args__ = (UniqueConstraint("org_id", "cycle_id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    status: str = Field(default=AssessmentStatus.DRAFT, max_length=16, index=True)
    version: int = 1
    submitted_at: datetime | None = None
    reviewed_at: datetime | None = None
    reviewer_id: int | None = Field(default=None, foreign_key="user.id")
    return_comment: str = Field(default="", max_length=2000)
    # Who passed it on at the 初审 and when (cleared when it is handed in again).
    first_reviewed_at: datetime | None = None
    first_reviewer_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    # Set when the year is published: False for organisations no longer active then, so a
    # published year keeps exactly the set it was published with (readmodels.taking_part).
    counted: bool = True


class ReviewStep(SQLModel, table=True):
    """One step of an assessment's way through the review: who did what at which level, when,
    with the comment given (handed in, passed on, returned, approved)."""

    __tablename__ = "review_step"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    level: str = Field(max_length=8)
    action: str = Field(max_length=12)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_name: str = Field(default="", max_length=64)
    comment: str = Field(default="", max_length=2000)
    at: datetime = Field(default_factory=utcnow)


class FirstReviewSetting(SQLModel, table=True):
    """Whether a region runs the 初审 in a year; no row means it does (the default)."""

    __tablename__ = "first_review_setting"

    cycle_id: int = Field(foreign_key="cycle.id", primary_key=True)
    region: str = Field(primary_key=True, max_length=8)
    enabled: bool = True
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class ScoreEntry(SQLModel, table=True):
    """The branch's own points (and figure, note) and the reviewer's, for one criterion."""

    __tablename__ = "score_entry"
    __table_args__ = (UniqueConstraint("assessment_id", "criterion_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    criterion_id: int = Field(foreign_key="criterion.id", index=True)
    self_tenths: int | None = Field(default=None, ge=0, le=10_000)
    figure: str | None = Field(default=None, max_length=16)
    note: str = Field(default="", max_length=2000)
    reviewed_tenths: int | None = Field(default=None, ge=0, le=10_000)
    reviewer_comment: str = Field(default="", max_length=2000)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = None
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")


class AssessmentTotal(SQLModel, table=True):
    """An assessment's summed points per star, bonus, deduction and veto, on one basis.

    Written in the same transaction as the score entries it sums (db/services/totals.py), so a
    ranking reads one row per organisation instead of adding up the year's entries.
    basis "self" sums the branch's own points, "reviewed" the reviewer's where given.
    """

    __tablename__ = "assessment_total"
    __table_args__ = (Index("ix_assessment_total_cycle_basis", "cycle_id", "basis"),)

    assessment_id: int = Field(foreign_key="assessment.id", primary_key=True)
    basis: str = Field(primary_key=True, max_length=8)
    cycle_id: int = Field(foreign_key="cycle.id")
    org_id: int = Field(foreign_key="organisation.id")
    learning_tenths: int = 0
    standard_tenths: int = 0
    service_tenths: int = 0
    democracy_tenths: int = 0
    innovation_tenths: int = 0
    bonus_tenths: int = 0
    deduction_tenths: int = 0
    veto_tenths: int = 0
    scored: int = 0  # star criteria the branch has given points to


class PublishedResult(SQLModel, table=True):
    """One organisation of a published year, frozen as it was at publication.

    publish_year writes one row per assessment the year counts: the organisation's code, name,
    type, region, department and member count, its assessment status (status "published" is
    rated; a draft or returned one is 不参加评定) and its reviewed sums (as assessment_total's
    "reviewed" row). Every figure of a published year is read from here, so later imports,
    renames and moves between regions change nothing published; a correction during 公示 is
    the one sanctioned change and refreshes its row (db/services/published.py).
    """

    __tablename__ = "published_result"

    assessment_id: int = Field(foreign_key="assessment.id", primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    org_id: int = Field(foreign_key="organisation.id")
    code: str = Field(max_length=32)
    name: str = Field(max_length=120)
    org_type: str = Field(max_length=20)
    region: str = Field(max_length=8)
    department: str | None = Field(default=None, max_length=120)
    member_count: int = 0
    status: str = Field(max_length=16)
    learning_tenths: int = 0
    standard_tenths: int = 0
    service_tenths: int = 0
    democracy_tenths: int = 0
    innovation_tenths: int = 0
    bonus_tenths: int = 0
    deduction_tenths: int = 0
    veto_tenths: int = 0
    scored: int = 0


class Evidence(SQLModel, table=True):
    """An uploaded supporting document, kept in the database so backups and replicas hold it."""

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    criterion_id: int = Field(foreign_key="criterion.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int = Field(ge=0)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(default_factory=utcnow)
    uploaded_by: int | None = Field(default=None, foreign_key="user.id")


class EvidenceUpload(SQLModel, table=True):
    """A file dropped on a page and checked, not yet assigned to a criterion (佐证待保存).

    Kept in the database, not in a server process, so a preview survives reruns, page switches
    and replicas; `db.services.evidence_batch.save_staged` moves it into Evidence.
    """

    __tablename__ = "evidence_upload"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int = Field(ge=0)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(default_factory=utcnow)
    uploaded_by: int | None = Field(default=None, foreign_key="user.id")


class PerformanceGrade(SQLModel, table=True):
    """The 业绩 grade of an organisation in a year (basis of 业绩优)."""

    __tablename__ = "performance_grade"
    __table_args__ = (UniqueConstraint("org_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    year: int = Field(ge=2000, le=2100, index=True)
    grade: str = Field(max_length=8)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class ExcellenceDecision(SQLModel, table=True):
    """The leadership's confirmed 双优 list; a change from the recommendation has a reason."""

    __tablename__ = "excellence_decision"
    __table_args__ = (UniqueConstraint("cycle_id", "org_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    recommended: bool = False
    selected: bool = False
    reason: str = Field(default="", max_length=1000)
    decided_at: datetime = Field(default_factory=utcnow)
    decided_by: int | None = Field(default=None, foreign_key="user.id")


class Objection(SQLModel, table=True):
    """An 异议 raised during the 公示 period, and its recorded outcome."""

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    raised_by: str = Field(default="", max_length=100)
    content: str = Field(max_length=2000)
    outcome: str = Field(default="", max_length=16)
    outcome_note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    recorded_by: int | None = Field(default=None, foreign_key="user.id")
    resolved_at: datetime | None = None
    resolved_by: int | None = Field(default=None, foreign_key="user.id")


class ReminderChannel(StrEnum):
    NOTICE = "notice"  # the in-app banner (always)
    EMAIL = "email"  # through the SMTP relay
    WEBHOOK = "webhook"  # a DingTalk / 浙政钉-style group robot


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Reminder(SQLModel, table=True):
    """One reminder on one channel: what went (or is to go) to whom, and whether it went.

    A reminder is its (cycle, kind, slot, recipient); the unique key makes each one go out once
    per channel (reminders.due_reminders leaves out the keys already here). A failed delivery
    is retried by the next run up to REMINDER_MAX_ATTEMPTS; `attempts` also claims a row.
    """

    __table_args__ = (UniqueConstraint("cycle_id", "kind", "slot", "recipient", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    kind: str = Field(max_length=16)  # reminders.Kind
    slot: str = Field(max_length=32)  # days before the deadline, the day, or the 催报's time
    recipient: str = Field(max_length=32)  # "org:ID" or "user:ID"
    channel: str = Field(max_length=16)
    org_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    address: str = Field(default="", max_length=2000)  # e-mail addresses, comma separated
    subject: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    status: str = Field(default=ReminderStatus.PENDING, max_length=16, index=True)
    attempts: int = Field(default=0, ge=0)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    sent_by: int | None = Field(default=None, foreign_key="user.id")


class RegionRobot(SQLModel, table=True):
    """A region's own group robot (its 机关工委's DingTalk / 浙政钉 group): reminders for the
    region's organisations and reviewers go there instead of REMINDER_WEBHOOK_URL (the city's,
    still used for regions without one). No row: the region has none."""

    __tablename__ = "region_robot"

    region: str = Field(max_length=8, primary_key=True)
    webhook_url: str = Field(min_length=1, max_length=500)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    version: int = 1


class AuditLog(SQLModel, table=True):
    """Who did what, when (UTC); never a password."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor_name: str = Field(default="", max_length=64)
    action: str = Field(max_length=40, index=True)
    target_type: str = Field(default="", max_length=40)
    target_id: str = Field(default="", max_length=64)
    detail: str = Field(default="", max_length=20_000)


class ChangeCounter(SQLModel, table=True):
    """A single row bumped by every write; shared read caches are keyed by it."""

    __tablename__ = "change_counter"

    id: int = Field(default=1, primary_key=True)
    value: int = 0


class PartyMember(SQLModel, table=True):
    """One member on an organisation's roster (党员名册).

    Only what the evaluation needs: name, in service or retired, 正式/预备, the date of joining
    and whether the member is still on the roster. No national ID number, phone number,
    address or any other personal data is stored (docs/architecture.md, "Party members").
    An organisation's `member_count` is its count of active members (db/services/members.py).
    """

    __tablename__ = "party_member"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(min_length=1, max_length=50)
    service: str = Field(default=MemberService.IN_SERVICE, max_length=16)
    status: str = Field(default=MemberStatus.FULL, max_length=16)
    joined_on: date
    active: bool = True
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    version: int = 1


class VanguardRound(SQLModel, table=True):
    """A half-year 先锋指数 round, opened by the admin.

    In-service members take part in both halves of a year, retired members in the second only
    (vanguard.takes_part, the one definition).
    """

    __tablename__ = "vanguard_round"
    __table_args__ = (UniqueConstraint("year", "half"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(ge=2000, le=2100, index=True)
    half: int = Field(ge=1, le=2)
    status: str = Field(default=RoundStatus.OPEN, max_length=16)
    opened_at: datetime = Field(default_factory=utcnow)
    opened_by: int | None = Field(default=None, foreign_key="user.id")
    closed_at: datetime | None = None
    version: int = 1
    # The 先锋指数 rules the round was opened with (rubric_vanguard JSON): a later rubric change
    # never re-scores a round already running or finished.
    rules: str = Field(default="", max_length=20_000)


class VanguardSheet(SQLModel, table=True):
    """A member's 先锋指数 in one round: the figures per item live in vanguard_entry.

    `complete` is true once the branch has given a figure to every base item (支部考评 done):
    that member counts as evaluated in the round. `version` guards every save.
    """

    __tablename__ = "vanguard_sheet"
    __table_args__ = (
        UniqueConstraint("round_id", "member_id"),
        Index("ix_vanguard_sheet_round_org", "round_id", "org_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="vanguard_round.id")
    member_id: int = Field(foreign_key="party_member.id", index=True)
    org_id: int = Field(foreign_key="organisation.id")
    complete: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    version: int = 1


class VanguardEntry(SQLModel, table=True):
    """One item of a sheet: the member's declaration (个人申报, entered by the branch where the
    rubric allows it) and the branch's figure (支部考评), in tenths. For a 清零 item a figure
    above 0 means it applies."""

    __tablename__ = "vanguard_entry"

    sheet_id: int = Field(foreign_key="vanguard_sheet.id", primary_key=True)
    code: str = Field(max_length=16, primary_key=True)
    declared_tenths: int | None = Field(default=None, ge=0, le=10_000)
    assessed_tenths: int | None = Field(default=None, ge=0, le=10_000)


# --------------------------------------------------------------------------- 民主评议 ballots
# Anonymity is a property of these tables (docs/architecture.md, "Anonymous ballots"): a code
# names no member and no time; a ballot names no code, no member who cast it and no time; the
# keys are random, and on SQLite the tables are WITHOUT ROWID so that not even the hidden rowid
# keeps the order of casting. A rating names the member rated, never the one rating.


class BallotBox(SQLModel, table=True):
    """An organisation's ballot in one 先锋指数 round: how many codes were issued and the rules
    (the rubric's scale and minimum) it was issued under, fixed for the round."""

    __tablename__ = "ballot_box"

    round_id: int = Field(foreign_key="vanguard_round.id", primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", primary_key=True, index=True)
    issued: int = Field(default=0, ge=0, le=10_000)  # codes issued: used + still valid
    scale: str = Field(max_length=100)  # the labels, best first, joined by "|"
    passing: int = Field(ge=0, le=10)
    minimum_ballots: int = Field(ge=1, le=100)
    rate_branch: bool = True
    version: int = 1


class BallotCode(SQLModel, table=True):
    """A one-time ballot code, stored as its SHA-256 only; it names no member (the sheet is
    handed out slip by slip) and holds no time. `used` turns true in the transaction that
    stores the ballot."""

    __tablename__ = "ballot_code"
    __table_args__ = (
        Index("ix_ballot_code_box", "round_id", "org_id"),
        {"sqlite_with_rowid": False},
    )

    code_hash: str = Field(max_length=64, primary_key=True)
    round_id: int = Field(foreign_key="vanguard_round.id")
    org_id: int = Field(foreign_key="organisation.id")
    used: bool = False


class Ballot(SQLModel, table=True):
    """One cast ballot: a random key, the round and organisation, the branch's rating (when
    the rubric asks for it). No code, no voter, no time, no sequence."""

    __tablename__ = "ballot"
    __table_args__ = (
        Index("ix_ballot_box", "round_id", "org_id"),
        {"sqlite_with_rowid": False},
    )

    id: str = Field(max_length=32, primary_key=True)  # uuid4().hex
    round_id: int = Field(foreign_key="vanguard_round.id")
    org_id: int = Field(foreign_key="organisation.id")
    branch_rating: int | None = Field(default=None, ge=0, le=10)


class BallotRating(SQLModel, table=True):
    """A ballot's rating of one member (position on the box's scale, 0 = best)."""

    __tablename__ = "ballot_rating"
    __table_args__ = {"sqlite_with_rowid": False}

    ballot_id: str = Field(foreign_key="ballot.id", primary_key=True, max_length=32)
    member_id: int = Field(foreign_key="party_member.id", primary_key=True, index=True)
    rating: int = Field(ge=0, le=10)
