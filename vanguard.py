"""先锋指数 rules that are not arithmetic: who takes part in which half-year round.

Pure (no Streamlit, no database). In-service members (在职) are evaluated twice a year,
retired members (离退休) once, in the second half
("推行在职党员每年2次、离退休党员每年1次的先锋指数评价管理").
"""

from __future__ import annotations

from db.models import MemberService

HALVES = (1, 2)


def takes_part(service: str, half: int) -> bool:
    """Whether a member of `service` (MemberService) is evaluated in a round of `half`."""
    if half not in HALVES:
        raise ValueError(f"half must be 1 or 2, not {half!r}")
    if service == MemberService.IN_SERVICE:
        return True
    if service == MemberService.RETIRED:
        return half == 2
    raise ValueError(f"unknown member service {service!r}")


def services_in_half(half: int) -> tuple[MemberService, ...]:
    """The member services taking part in a round of `half` (for SQL `IN`)."""
    return tuple(s for s in MemberService if takes_part(s, half))
