"""E-mail addresses for reminders: an admin sets an account's in 管理 (a region's admin only for
the accounts of its region), every user sets its own in 我的账号; validated with Chinese
messages, nothing written on bad input, audited. On SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from db.services import account_fields, users
from db.services.common import InvalidInput, PermissionDenied
from tests.services.cycle_helpers import audit_rows
from tests.utils import STRONG_PASSWORD, actor


def _row(admin_name: str, username: str):
    return users.list_users(actor(admin_name)).set_index("username").loc[username]


def _set(admin_name: str, username: str, email: str) -> None:
    row = _row("admin", username)
    users.update_user(
        actor(admin_name),
        user_id=int(row["id"]),
        version=int(row["version"]),
        display_name=str(row["display_name"]),
        role=str(row["role"]),
        org_id=None if pd.isna(row["org_id"]) else int(row["org_id"]),
        email=email,
    )


@pytest.mark.parametrize(
    "address",
    ["wangfang", "wang fang@sx.gov.cn", "a@b", "a@sx.gov.cn,b@sx.gov.cn", "x" * 190 + "@sx.gov.cn"],
)
def test_check_email_refuses_what_is_not_one_address(address: str) -> None:
    _value, problems = account_fields.check_email(address)
    assert problems
    assert all("电子邮箱" in p for p in problems)


def test_check_email_takes_an_address_or_nothing() -> None:
    assert account_fields.check_email("  wang.fang@sx.gov.cn ") == ("wang.fang@sx.gov.cn", [])
    assert account_fields.check_email("") == ("", [])
    assert account_fields.check_email(None) == ("", [])


def test_an_admin_sets_an_accounts_email_and_it_is_audited(city: str) -> None:
    _set("admin", "branch01", "branch01@sx.gov.cn")
    assert _row("admin", "branch01")["email"] == "branch01@sx.gov.cn"
    changed = audit_rows("user_changed")[-1]
    detail = json.loads(changed.detail)
    assert (detail["before"]["email"], detail["after"]["email"]) == ("", "branch01@sx.gov.cn")
    # A bad address: told in Chinese, nothing written.
    version = int(_row("admin", "branch01")["version"])
    with pytest.raises(InvalidInput) as bad:
        _set("admin", "branch01", "不是邮箱")
    assert "电子邮箱" in bad.value.message
    assert int(_row("admin", "branch01")["version"]) == version
    assert _row("admin", "branch01")["email"] == "branch01@sx.gov.cn"
    # Saving other fields without an e-mail keeps the address.
    row = _row("admin", "branch01")
    users.update_user(
        actor("admin"),
        user_id=int(row["id"]),
        version=int(row["version"]),
        display_name="王芳书记",
        role="branch",
        org_id=int(row["org_id"]),
    )
    assert _row("admin", "branch01")["email"] == "branch01@sx.gov.cn"


def test_a_new_account_gets_its_email_checked(city: str) -> None:
    boss = actor("admin")
    org_id = actor("branch02").org_id
    with pytest.raises(InvalidInput) as bad:
        users.create_user(
            boss,
            username="zhaoliu",
            display_name="赵六",
            role="branch",
            org_id=org_id,
            password=STRONG_PASSWORD,
            email="zhaoliu@",
        )
    assert any("电子邮箱" in p for p in bad.value.errors)
    assert "zhaoliu" not in set(users.list_users(boss)["username"])
    users.create_user(
        boss,
        username="zhaoliu",
        display_name="赵六",
        role="branch",
        org_id=org_id,
        password=STRONG_PASSWORD,
        email="zhaoliu@sx.gov.cn",
    )
    assert _row("admin", "zhaoliu")["email"] == "zhaoliu@sx.gov.cn"


def test_a_region_admin_sets_emails_only_in_its_region(city: str) -> None:
    _set("keqiao_admin", "keqiao_reviewer", "kq.reviewer@sx.gov.cn")
    assert _row("admin", "keqiao_reviewer")["email"] == "kq.reviewer@sx.gov.cn"
    before = len(audit_rows("access_denied"))
    with pytest.raises(PermissionDenied):
        _set("keqiao_admin", "reviewer", "reviewer@sx.gov.cn")
    assert _row("admin", "reviewer")["email"] == ""
    assert len(audit_rows("access_denied")) == before + 1


def test_everyone_sets_its_own_email(city: str) -> None:
    own = actor("branch01")
    assert users.own_email(own) == ""
    with pytest.raises(InvalidInput) as bad:
        users.set_own_email(own, email="wangfang@@sx.gov.cn")
    assert "电子邮箱" in bad.value.message
    assert users.own_email(own) == ""
    assert not audit_rows("email_changed")
    users.set_own_email(own, email=" wangfang@sx.gov.cn ")
    assert users.own_email(own) == "wangfang@sx.gov.cn"
    entry = audit_rows("email_changed")[-1]
    assert entry.actor_id == own.id
    assert json.loads(entry.detail) == {"before": "", "after": "wangfang@sx.gov.cn"}
    users.set_own_email(own, email="wangfang@sx.gov.cn")  # unchanged: nothing recorded
    assert len(audit_rows("email_changed")) == 1
    users.set_own_email(own, email="")
    assert users.own_email(own) == ""
    with pytest.raises(PermissionDenied):
        users.set_own_email(None, email="x@sx.gov.cn")
