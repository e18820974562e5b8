"""Who takes part in which 先锋指数 round: in service both halves, retired the second only."""

from __future__ import annotations

import pytest

from db.models import MemberService
from vanguard import services_in_half, takes_part


@pytest.mark.parametrize(
    ("service", "half", "expected"),
    [
        (MemberService.IN_SERVICE, 1, True),
        (MemberService.IN_SERVICE, 2, True),
        (MemberService.RETIRED, 1, False),
        (MemberService.RETIRED, 2, True),
    ],
)
def test_takes_part(service: MemberService, half: int, expected: bool) -> None:
    assert takes_part(service, half) is expected
    assert (service in services_in_half(half)) is expected


@pytest.mark.parametrize("half", [0, 3, -1])
def test_a_half_is_one_or_two(half: int) -> None:
    with pytest.raises(ValueError, match="half must be 1 or 2"):
        takes_part(MemberService.IN_SERVICE, half)


def test_an_unknown_service_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown member service"):
        takes_part("在职", 1)
