"""An account's role as people write it in a form or an import file (account_fields.role_key)."""

from __future__ import annotations

import pytest

from db.services.account_fields import role_key


@pytest.mark.parametrize(
    ("written", "role"),
    [
        ("支部书记", "branch"),
        ("branch", "branch"),
        ("机关工委审核员", "reviewer"),
        ("机关党委", "department"),
        ("部门党委", "department"),
        # The role's name before it was shortened: files written then still import.
        ("机关党委（部门党委）", "department"),
        (" 领导 ", "leader"),
        ("系统管理员", "admin"),
        ("主任", None),
    ],
)
def test_a_role_is_read_by_its_name_or_an_alias(written: str, role: str | None) -> None:
    assert role_key(written) == role
