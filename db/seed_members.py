"""Demo rosters and 先锋指数 rounds: generated names for every demo organisation, the year
before the current one finished (both halves closed), and the current year with its first half
closed and its second half open, about half of the members entered.

Called by db.seed.seed_city inside its transaction; rows go in through the seed's bulk insert,
so a city of 150 organisations gains its ~6,000 members and their sheets in about a second.
Figures are generated; every index and grade is computed by vanguard.score when read.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from db.models import (
    MemberService,
    MemberStatus,
    PartyMember,
    RoundStatus,
    VanguardEntry,
    VanguardRound,
    VanguardSheet,
)
from rubric import Rubric
from rubric_vanguard import rules_to_json
from texts import members as T
from vanguard import ItemKind, VanguardRules, takes_part


@dataclass(frozen=True)
class SeedOrg:
    id: int
    name: str
    member_count: int


@dataclass(frozen=True)
class SeededMembers:
    """What seed_members wrote that the demo's ballots build on: the roster rows and the round
    ids by (year, half)."""

    members: list[dict[str, Any]]
    rounds: dict[tuple[int, int], int]


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(T.DEMO_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(T.DEMO_SURNAMES) + given


def member_rows(orgs: Sequence[SeedOrg], rng: random.Random, first_id: int) -> list[dict[str, Any]]:
    """One roster row per member of every organisation (its member_count of them)."""
    rows: list[dict[str, Any]] = []
    for org in orgs:
        all_retired = T.DEMO_RETIRED_BRANCH in org.name
        for _ in range(org.member_count):
            retired = all_retired or rng.random() < 0.12
            born = rng.randint(1940, 1960) if retired else rng.randint(1965, 2000)
            joined = date(min(born + rng.randint(20, 35), 2024), rng.randint(1, 12), 1)
            rows.append(
                {
                    "id": first_id + len(rows),
                    "org_id": org.id,
                    "name": _name(rng),
                    "service": MemberService.RETIRED if retired else MemberService.IN_SERVICE,
                    "status": MemberStatus.PROBATIONARY
                    if not retired and rng.random() < 0.04
                    else MemberStatus.FULL,
                    "joined_on": joined,
                    "active": True,
                    "updated_at": datetime(2024, 1, 5, tzinfo=UTC),
                    "version": 1,
                }
            )
    return rows


def _points(rng: random.Random, top: int) -> int:
    """Tenths on the 0.5 grid, mostly near the top."""
    return max(0, top - 5 * int(rng.expovariate(0.5)))


def sheet_rows(
    rules: VanguardRules,
    members: Sequence[dict[str, Any]],
    round_id: int,
    half: int,
    rng: random.Random,
    first_sheet: int,
    share: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Sheets and entries for `share` of the members taking part in a round."""
    sheets: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for m in members:
        if not takes_part(m["service"], half) or rng.random() >= share:
            continue
        sheet_id = first_sheet + len(sheets)
        sheets.append(
            {
                "id": sheet_id,
                "round_id": round_id,
                "member_id": m["id"],
                "org_id": m["org_id"],
                "complete": True,
                "updated_at": datetime(2025, 7, 1, tzinfo=UTC),
                "version": 1,
            }
        )
        for item in rules.items:
            top = int(item.max_points * 10)
            if item.kind is ItemKind.BASE:
                assessed = _points(rng, top)
            elif item.kind is ItemKind.ADD:
                assessed = 10 * rng.randint(1, int(item.max_points)) if rng.random() < 0.15 else 0
            elif item.kind is ItemKind.MINUS:
                assessed = 10 * rng.randint(1, 3) if rng.random() < 0.08 else 0
            else:
                assessed = 10 if rng.random() < 0.003 else 0
            if assessed == 0 and item.kind is not ItemKind.BASE:
                continue
            declared = min(top, assessed + 5 * rng.randint(0, 2)) if item.declare else None
            entries.append(
                {
                    "sheet_id": sheet_id,
                    "code": item.code,
                    "declared_tenths": declared,
                    "assessed_tenths": assessed,
                }
            )
    return sheets, entries


def seed_members(
    conn: Connection,
    orgs: Sequence[SeedOrg],
    years: Sequence[int],
    rubric: Rubric,
    seed: int,
    *,
    current_open: bool,
) -> SeededMembers:
    """Rosters for `orgs`, and the rounds of the last two years when the rubric defines the
    index (see the module's docstring)."""
    from db.seed import _next_id, bulk_insert

    rng = random.Random(seed * 7 + 1)
    members = member_rows(orgs, rng, _next_id(conn, PartyMember))
    bulk_insert(conn, PartyMember, members)
    seeded = SeededMembers(members, {})
    if rubric.vanguard is None or len(years) < 2:
        return seeded
    rules = rubric.vanguard
    last = years[-1]
    plan = [(last - 1, 1, False), (last - 1, 2, False), (last, 1, False)]
    plan.append((last, 2, current_open))
    round_id = _next_id(conn, VanguardRound)
    sheet_id = _next_id(conn, VanguardSheet)
    all_sheets: list[dict[str, Any]] = []
    all_entries: list[dict[str, Any]] = []
    for offset, (year, half, is_open) in enumerate(plan):
        rid = round_id + offset
        seeded.rounds[(year, half)] = rid
        opened = datetime(year, 1 if half == 1 else 7, 5, tzinfo=UTC)
        bulk_insert(
            conn,
            VanguardRound,
            [
                {
                    "id": rid,
                    "year": year,
                    "half": half,
                    "status": RoundStatus.OPEN if is_open else RoundStatus.CLOSED,
                    "opened_at": opened,
                    "closed_at": None if is_open else opened.replace(month=opened.month + 5),
                    "version": 1,
                    "rules": rules_to_json(rules),
                }
            ],
        )
        share = 0.5 if is_open else 1.0
        sheets, entries = sheet_rows(
            rules, members, rid, half, rng, sheet_id + len(all_sheets), share
        )
        all_sheets += sheets
        all_entries += entries
    bulk_insert(conn, VanguardSheet, all_sheets)
    bulk_insert(conn, VanguardEntry, all_entries)
    return seeded


__all__ = ["SeedOrg", "SeededMembers", "seed_members"]
