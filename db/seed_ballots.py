"""Demo 民主评议 ballots: the previous year's second-half round finished with its results, and
the current year's open round in which branch01 has printed its codes and some members have
voted.

- Finished round: the box of every organisation of branch01's department (the demo accounts'
  own: branch01, dept01) was issued under the year's rules (the rubric the seed installed), one
  code per member taking part; about nine in ten codes were used. (Every organisation of the
  city would be some 450,000 ratings: too many for a demo seeded at each first start.)
  Rows go in through the seed's bulk insert: each code stored as the SHA-256 of a fresh random
  code (as `ballots.issue_in` stores it), each ballot under a random key with a rating of every
  member taking part (a member's ratings cluster around a standing of their own, so results
  differ) and of the branch's work. No row says which code cast which ballot.
- Open round: branch01's codes are issued by `ballots.issue_in` and some of them cast by
  `ballots.cast_in`, the building blocks the page and the phone route use, in the seed's
  transaction.

Called by db.seed.seed_city when it makes the demo accounts.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection
from sqlmodel import Session

from db.models import Ballot, BallotBox, BallotCode, BallotRating, Organisation, VanguardRound
from db.services.ballots import SCALE_SEPARATOR, cast_in, code_hash, issue_in, new_code
from rubric import BallotRules
from vanguard import takes_part

# How likely each position on the scale is, best first, before a member's own standing moves
# it; cut to the scale's length and made to sum to 1.
RATING_WEIGHTS = (0.55, 0.37, 0.06, 0.02, 0.0, 0.0)
USED_SHARE = 0.9  # codes used in the finished round
VOTED_SHARE = 0.6  # branch01's codes used so far in the open round


def _weights(rules: BallotRules) -> np.ndarray:
    weights: np.ndarray = np.array(RATING_WEIGHTS[: len(rules.scale)], dtype=float)
    weights /= weights.sum()
    return weights


def finished_round_rows(
    members: Sequence[dict[str, Any]],
    orgs: Collection[int],
    round_id: int,
    half: int,
    rules: BallotRules,
    seed: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], pd.DataFrame]:
    """(boxes, codes, ballots, ratings) of a finished round for each of `orgs` whose members
    take part."""
    rng = np.random.default_rng(seed)
    by_org: dict[int, list[int]] = {}
    for m in members:
        if m["org_id"] in orgs and takes_part(m["service"], half):
            by_org.setdefault(m["org_id"], []).append(m["id"])
    weights = _weights(rules)
    size = len(rules.scale)
    boxes: list[dict[str, Any]] = []
    codes: list[dict[str, Any]] = []
    ballots: list[dict[str, Any]] = []
    rating_parts: list[pd.DataFrame] = []
    for org_id, ids in by_org.items():
        n = len(ids)
        used = int((rng.random(n) < USED_SHARE).sum())
        boxes.append(
            {
                "round_id": round_id,
                "org_id": org_id,
                "issued": n,
                "scale": SCALE_SEPARATOR.join(rules.scale),
                "passing": rules.passing,
                "minimum_ballots": rules.minimum_ballots,
                "rate_branch": rules.rate_branch,
                "version": 1,
            }
        )
        codes += [
            {
                "code_hash": code_hash(new_code()),
                "round_id": round_id,
                "org_id": org_id,
                "used": k < used,
            }
            for k in range(n)
        ]
        if not used:
            continue
        keys = [uuid.uuid4().hex for _ in range(used)]
        branch = rng.choice(size, size=used, p=weights) if rules.rate_branch else None
        ballots += [
            {
                "id": key,
                "round_id": round_id,
                "org_id": org_id,
                "branch_rating": None if branch is None else int(branch[k]),
            }
            for k, key in enumerate(keys)
        ]
        # Each member's standing shifts their ratings by up to a position either way.
        standing = rng.choice((-1, 0, 0, 0, 1), size=n)
        drawn = rng.choice(size, size=(used, n), p=weights) + standing
        rating_parts.append(
            pd.DataFrame(
                {
                    "ballot_id": np.repeat(keys, n),
                    "member_id": np.tile(np.array(ids, dtype=np.int64), used),
                    "rating": np.clip(drawn, 0, size - 1).ravel().astype(np.int64),
                }
            )
        )
    ratings = (
        pd.concat(rating_parts, ignore_index=True)
        if rating_parts
        else pd.DataFrame(columns=["ballot_id", "member_id", "rating"])
    )
    # In key order: the tables are kept in key order (WITHOUT ROWID on SQLite), and appending
    # is much faster than inserting all over the tree.
    ballots.sort(key=lambda b: b["id"])
    codes.sort(key=lambda c: c["code_hash"])
    ratings = ratings.sort_values(["ballot_id", "member_id"], ignore_index=True)
    return boxes, codes, ballots, ratings


def seed_ballots(
    conn: Connection,
    members: Sequence[dict[str, Any]],
    rounds: dict[tuple[int, int], int],
    rules: BallotRules,
    last_year: int,
    seed: int,
    branch01: int | None,
    department: Collection[int],
) -> None:
    """The previous year's second half finished with ballots in the organisations of
    `department` (branch01's); branch01's codes and some of its ballots in the open round of
    `last_year` (see the module's docstring)."""
    from db.seed import bulk_insert

    finished = rounds.get((last_year - 1, 2))
    if finished is not None and department:
        boxes, codes, ballots, ratings = finished_round_rows(
            members, department, finished, 2, rules, seed
        )
        bulk_insert(conn, BallotBox, boxes)
        bulk_insert(conn, BallotCode, codes)
        bulk_insert(conn, Ballot, ballots)
        bulk_insert(conn, BallotRating, ratings)
    current = rounds.get((last_year, 2)) or rounds.get((last_year, 1))
    if branch01 is None or current is None:
        return
    with Session(bind=conn, expire_on_commit=False) as session:
        round_ = session.get(VanguardRound, current)
        org = session.get(Organisation, branch01)
        if round_ is None or round_.status != "open" or org is None:
            return
        issued = issue_in(session, None, round_, org)  # printed, handed out at random
        taking_part = [
            m["id"]
            for m in members
            if m["org_id"] == branch01 and takes_part(m["service"], round_.half)
        ]
        rng = random.Random(seed * 13 + 5)
        for code in issued.codes[: int(len(issued.codes) * VOTED_SHARE)]:
            # mostly 优秀 or 合格 (positions 0 and 1 exist on every scale)
            ratings = {i: int(rng.random() < 0.35) for i in taking_part}
            cast_in(session, code, ratings, rng.randrange(2))
        session.flush()
        session.commit()


__all__ = ["finished_round_rows", "seed_ballots"]
