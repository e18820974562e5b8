"""Region administration on SQLite and PostgreSQL: a region admin manages the accounts,
organisations, grades, audit log and publication of its region only; the city sets any scope;
a region's published results never change when another region changes or republishes."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from sqlmodel import col, select

from db.engine import read_session
from db.models import Assessment, Cycle, Organisation, OrgType, PublishedResult, User
from db.services import (
    audit,
    grades,
    organisations,
    publication,
    region_publication,
    users,
    years,
)
from db.services.common import Actor, InvalidInput, PermissionDenied, ServiceError
from permissions import Scope
from tests.services.cycle_helpers import approve_all_submitted, audit_rows
from tests.utils import STRONG_PASSWORD, actor, change_org

YEAR = 2026
KEQIAO = "柯桥区"
YUECHENG = "越城区"


def _region_admin(region: str) -> Actor:
    return dataclasses.replace(actor("admin"), scope_region=region)


def _org_of(region: str, org_type: str | None = None) -> Organisation:
    with read_session() as session:
        query = select(Organisation).where(Organisation.region == region)
        if org_type is not None:
            query = query.where(Organisation.org_type == org_type)
        else:
            query = query.where(Organisation.org_type != OrgType.DEPARTMENT)
        org = session.exec(query.order_by(col(Organisation.id))).first()
    assert org is not None
    return org


def _refusals() -> int:
    return len(audit_rows("access_denied"))


def test_the_demo_city_has_the_keqiao_accounts(city: str) -> None:
    for name, role in (
        ("keqiao_admin", "admin"),
        ("keqiao_reviewer", "reviewer"),
        ("keqiao_leader", "leader"),
    ):
        who = actor(name)
        assert (who.role, who.scope) == (role, Scope(region=KEQIAO))
    assert actor("reviewer").scope == Scope()


def test_a_region_admin_creates_accounts_in_its_region_only(city: str) -> None:
    boss = actor("keqiao_admin")
    dept = _org_of(KEQIAO, OrgType.DEPARTMENT)
    branch = _org_of(KEQIAO)
    other_branch = _org_of(YUECHENG)
    # Its own region by default, a department of it, a branch account of its organisations.
    new = users.create_user(
        boss,
        username="kq_rev2",
        display_name="",
        role="reviewer",
        org_id=None,
        password=STRONG_PASSWORD,
    )
    dept_user = users.create_user(
        boss,
        username="kq_dept",
        display_name="",
        role="leader",
        org_id=None,
        password=STRONG_PASSWORD,
        scope=Scope(department_id=dept.id),
    )
    users.create_user(
        boss,
        username="kq_branch",
        display_name="",
        role="branch",
        org_id=branch.id,
        password=STRONG_PASSWORD,
    )
    with read_session() as session:
        stored = {u.username: u for u in session.exec(select(User)).all()}
    assert (stored["kq_rev2"].scope_region, stored["kq_rev2"].scope_department_id) == (KEQIAO, None)
    assert stored["kq_dept"].scope_department_id == dept.id
    assert stored["kq_dept"].scope_region is None
    assert new
    assert dept_user
    # Never a city-wide account, one of another region, or a branch account elsewhere.
    for scope, role, org_id in (
        (Scope(), "reviewer", None),
        (Scope(region=YUECHENG), "admin", None),
        (None, "branch", other_branch.id),
    ):
        before = _refusals()
        with pytest.raises(PermissionDenied):
            users.create_user(
                boss,
                username="kq_bad",
                display_name="",
                role=role,
                org_id=org_id,
                password=STRONG_PASSWORD,
                scope=scope,
            )
        assert _refusals() == before + 1
    with read_session() as session:
        assert session.exec(select(User).where(User.username == "kq_bad")).first() is None
    # A 机关党委 account answers for one department: without one it is refused in Chinese.
    with pytest.raises(InvalidInput, match="机关党委"):
        users.create_user(
            boss,
            username="kq_dept_bad",
            display_name="",
            role="department",
            org_id=None,
            password=STRONG_PASSWORD,
        )


def test_a_region_admin_edits_only_accounts_of_its_region(city: str) -> None:
    boss = actor("keqiao_admin")
    listed = users.list_users(boss)
    assert set(listed["username"]) >= {"keqiao_admin", "keqiao_reviewer", "keqiao_leader"}
    assert not {"admin", "reviewer", "leader", "branch01"} & set(listed["username"])
    assert set(listed["scope_name"]) <= {KEQIAO, ""}
    # Another region's or the city's account, by id: refused and logged, nothing changes.
    city_reviewer = actor("reviewer")
    before = _refusals()
    with pytest.raises(PermissionDenied):
        users.update_user(
            boss,
            user_id=city_reviewer.id,
            version=1,
            display_name="x",
            role="reviewer",
            org_id=None,
        )
    with pytest.raises(PermissionDenied):
        users.reset_password(boss, user_id=city_reviewer.id, password=STRONG_PASSWORD)
    with pytest.raises(PermissionDenied):
        users.set_user_active(boss, user_id=city_reviewer.id, active=False)
    assert _refusals() == before + 3
    # Its own reviewer may not be widened to the city or moved to another region.
    mine = actor("keqiao_reviewer")
    with read_session() as session:
        row = session.get(User, mine.id)
        assert row is not None
        version = row.version
    for scope in (Scope(), Scope(region=YUECHENG)):
        with pytest.raises(PermissionDenied):
            users.update_user(
                boss,
                user_id=mine.id,
                version=version,
                display_name="x",
                role="reviewer",
                org_id=None,
                scope=scope,
            )
    # The city admin sets any scope; a bad one is a Chinese message, nothing written.
    users.update_user(
        actor("admin"),
        user_id=mine.id,
        version=version,
        display_name="审核员",
        role="reviewer",
        org_id=None,
        scope=Scope(region=YUECHENG),
    )
    assert actor("keqiao_reviewer").scope == Scope(region=YUECHENG)
    with pytest.raises(InvalidInput, match="地区"):
        users.update_user(
            actor("admin"),
            user_id=mine.id,
            version=version + 1,
            display_name="审核员",
            role="reviewer",
            org_id=None,
            scope=Scope(region="火星区"),
        )


def test_a_region_admin_manages_organisations_and_grades_of_its_region(city: str) -> None:
    boss = _region_admin(YUECHENG)
    mine = _org_of(YUECHENG)
    other = _org_of("市直")
    listed = organisations.list_organisations(boss)
    assert set(listed["region"]) == {YUECHENG}
    assert set(grades.grades_table(boss, year=YEAR)["org_id"]) <= set(listed["id"])
    change_org(boss, mine.id, name="越城区改名后的支部")
    before = _refusals()
    with pytest.raises(PermissionDenied):
        change_org(boss, other.id, name="不该改的名字")
    with pytest.raises(PermissionDenied):
        grades.set_grades(boss, year=YEAR, grades={other.id: "优秀"})
    assert _refusals() == before + 2
    # Moving its own organisation out of its region is refused with a Chinese message.
    with pytest.raises(InvalidInput, match="超出本账号的管理范围"):
        change_org(boss, mine.id, region="市直")
    with read_session() as session:
        kept, untouched = session.get(Organisation, mine.id), session.get(Organisation, other.id)
        assert kept is not None
        assert untouched is not None
        assert kept.region == YUECHENG
        assert untouched.name != "不该改的名字"


def test_a_region_admin_reads_the_audit_log_of_its_region(city: str) -> None:
    yuecheng = _region_admin(YUECHENG)
    mine = _org_of(YUECHENG)
    other = _org_of("市直")
    change_org(actor("admin"), mine.id, name="越城区某支部（新名）")
    change_org(actor("admin"), other.id, name="市直某支部（新名）")
    frame, _ = audit.search_audit(yuecheng, audit.AuditFilter(actions=("organisation_changed",)))
    assert set(frame["target_id"]) == {str(mine.id)}
    whole, _ = audit.search_audit(
        actor("admin"), audit.AuditFilter(actions=("organisation_changed",))
    )
    assert {str(mine.id), str(other.id)} <= set(whole["target_id"])


def test_the_quota_mode_is_chosen_by_the_city_per_year(city: str) -> None:
    with read_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == YEAR)).one()
    assert cycle.excellence_quota == "city"
    with pytest.raises(PermissionDenied):
        years.set_excellence_quota(
            actor("keqiao_admin"), cycle_id=cycle.id, version=cycle.version, mode="region"
        )
    with pytest.raises(InvalidInput):
        years.set_excellence_quota(
            actor("admin"), cycle_id=cycle.id, version=cycle.version, mode="county"
        )
    years.set_excellence_quota(
        actor("admin"), cycle_id=cycle.id, version=cycle.version, mode="region"
    )
    row = next(y for y in years.list_years(actor("admin")) if y.year == YEAR)
    assert row.excellence_quota == "region"
    # A final year's mode cannot change.
    with read_session() as session:
        final = session.exec(select(Cycle).where(Cycle.year == YEAR - 1)).one()
    with pytest.raises(ServiceError, match="定档"):
        years.set_excellence_quota(
            actor("admin"), cycle_id=final.id, version=final.version, mode="region"
        )


def _frozen_rows(region: str) -> list[tuple]:
    with read_session() as session:
        rows = session.exec(
            select(PublishedResult)
            .where(PublishedResult.region == region)
            .order_by(col(PublishedResult.assessment_id))
        ).all()
    return [tuple(r.model_dump().items()) for r in rows]


def test_yuecheng_published_results_unchanged_after_keqiao_edits_and_republishes(
    city: str,
) -> None:
    """越城区 published results unchanged after 柯桥区 edits and republishes."""
    boss = actor("admin")
    with read_session() as session:
        cycle = session.exec(select(Cycle).where(Cycle.year == YEAR)).one()
        # Two submitted 市直 branches become 柯桥区's, so that both regions have results.
        moved = session.exec(
            select(Organisation.id)
            .join(Assessment, col(Assessment.org_id) == Organisation.id)
            .where(
                Assessment.cycle_id == cycle.id,
                Assessment.status == "submitted",
                Organisation.region == "市直",
            )
            .order_by(col(Organisation.id))
        ).all()[:2]
    for org_id in moved:
        change_org(boss, org_id, region=KEQIAO)
    approve_all_submitted(actor("reviewer"), cycle.id)
    yuecheng, keqiao = _region_admin(YUECHENG), actor("keqiao_admin")
    # A region admin publishes its own region only.
    with pytest.raises(PermissionDenied):
        region_publication.publish_region(
            keqiao, cycle_id=cycle.id, region=YUECHENG, include_unfinished=True
        )
    with pytest.raises(PermissionDenied):
        publication.publish_year(keqiao, cycle_id=cycle.id, without_excellence=True)
    region_publication.publish_region(
        yuecheng, cycle_id=cycle.id, region=YUECHENG, include_unfinished=True
    )
    region_publication.publish_region(
        keqiao, cycle_id=cycle.id, region=KEQIAO, include_unfinished=True
    )
    frozen = _frozen_rows(YUECHENG)
    shown = publication.publication_list(yuecheng, cycle_id=cycle.id)
    assert len(frozen) >= 4
    assert not shown.empty
    assert set(shown["region"]) == {YUECHENG}
    # Each region sees its own list; the city sees both.
    assert set(publication.publication_list(keqiao, cycle_id=cycle.id)["region"]) == {KEQIAO}
    assert set(publication.publication_list(boss, cycle_id=cycle.id)["region"]) == {
        YUECHENG,
        KEQIAO,
    }
    info = publication.publication_info(keqiao, cycle_id=cycle.id)
    assert info.state == "published"
    assert info.region == KEQIAO
    assert [r for r, _, _ in info.regions] == [KEQIAO]

    # 柯桥区 edits: renames its organisation; the city renames a 越城区 one and moves another
    # into 柯桥区; then 柯桥区 publishes again.
    keqiao_org = int(moved[0])
    change_org(keqiao, keqiao_org, name="柯桥区改名后的支部")
    yc_orgs = [o for o in shown["org_id"]]
    change_org(boss, int(yc_orgs[0]), name="越城区后来改的名字")
    if len(yc_orgs) > 1:
        change_org(boss, int(yc_orgs[-1]), region=KEQIAO)
    region_publication.publish_region(
        keqiao, cycle_id=cycle.id, region=KEQIAO, include_unfinished=True
    )

    assert _frozen_rows(YUECHENG) == frozen
    again = publication.publication_list(yuecheng, cycle_id=cycle.id)
    pd.testing.assert_frame_equal(again, shown)
    assert "柯桥区改名后的支部" in set(
        publication.publication_list(keqiao, cycle_id=cycle.id)["name"]
    )
    assert len(audit_rows("region_published")) == 3
