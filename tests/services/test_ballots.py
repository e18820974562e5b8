"""民主评议 by anonymous ballot, on SQLite and PostgreSQL: what is stored cannot tie a ballot to
its code, its voter, its time or its place in the order of casting; one code stores one ballot,
also when eight requests race for it; results show only from the minimum number of ballots on,
once the round is closed."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError
from sqlmodel import col, func, select

from db.engine import get_engine, is_sqlite, read_session
from db.models import AuditLog, Ballot, BallotCode, BallotRating, RoundStatus
from db.services import ballots as B
from db.services.common import InvalidInput, PermissionDenied
from tests.ballot_helpers import BallotBranch, ballot_branch, set_round_status
from tests.utils import actor
from texts import ballot as T

BALLOT_TABLES = {
    "ballot_code": {"code_hash", "round_id", "org_id", "used"},
    "ballot": {"id", "round_id", "org_id", "branch_rating"},
    "ballot_rating": {"ballot_id", "member_id", "rating"},
}


def _count(model: type, org_id: int | None = None) -> int:
    """Rows of `model`, only the organisation's when given (the demo city has ballots of its
    own)."""
    query = select(func.count()).select_from(model)
    if org_id is not None and model is BallotRating:
        query = query.join(Ballot, col(Ballot.id) == col(BallotRating.ballot_id)).where(
            col(Ballot.org_id) == org_id
        )
    elif org_id is not None:
        query = query.where(model.org_id == org_id)
    with read_session() as session:
        return int(session.exec(query).one())


def _pattern(k: int, members: int) -> list[int]:
    """Ratings that spell k in base 4 over the members: each cast is recognisable later."""
    return [(k // 4**i) % 4 for i in range(members)]


def _ratings(branch: BallotBranch, k: int) -> dict[int, int]:
    return dict(zip(branch.member_ids, _pattern(k, len(branch.member_ids)), strict=True))


def _issue(branch: BallotBranch) -> tuple[str, ...]:
    return B.issue_codes(branch.secretary, round_id=branch.round_id, org_id=branch.org_id).codes


def test_codes_are_random_unguessable_and_typed_loosely() -> None:
    codes = {B.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == B.CODE_LENGTH and set(c) <= set(B.CODE_ALPHABET) for c in codes)
    code = next(iter(codes))
    printed = B.format_code(code)
    assert printed.count("-") == 3
    assert B.normalise_code(printed.lower()) == code
    assert B.normalise_code(" " + printed.replace("-", " ") + " ") == code
    assert B.normalise_code("O" + code[1:]) is None  # a letter the alphabet leaves out
    assert B.normalise_code(code[:-1]) is None
    assert B.normalise_code(None) is None


def test_stored_ballots_cannot_be_tied_to_code_voter_time_or_order(city: str) -> None:
    branch = ballot_branch(members=12)
    codes = _issue(branch)
    assert len(codes) == 12
    audit_before = _count(AuditLog)
    for k, code in enumerate(codes):
        B.cast_ballot(code, _ratings(branch, k), branch_rating=k % 4)
    assert _count(Ballot, branch.org_id) == 12
    assert _count(BallotRating, branch.org_id) == 144
    # Casting writes nothing else: no audit entry (it would hold the time).
    assert _count(AuditLog) == audit_before

    engine = get_engine()
    inspector = inspect(engine)
    for table, columns in BALLOT_TABLES.items():
        found = {c["name"]: c for c in inspector.get_columns(table)}
        # Only these columns: no member on a code; no code, voter or time on a ballot.
        assert set(found) == columns, table
        for column in found.values():
            kind = str(column["type"]).lower()
            assert "date" not in kind, (table, column["name"])
            assert "time" not in kind, (table, column["name"])
    for table in ("ballot", "ballot_rating"):
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert "ballot_code" not in targets
    code_targets = {fk["referred_table"] for fk in inspector.get_foreign_keys("ballot_code")}
    assert code_targets == {"vanguard_round", "organisation"}

    with read_session() as session:
        stored = session.exec(select(Ballot).where(Ballot.org_id == branch.org_id)).all()
        ratings = session.exec(
            select(BallotRating).where(col(BallotRating.ballot_id).in_([b.id for b in stored]))
        ).all()
        hashes = set(
            session.exec(select(BallotCode.code_hash).where(BallotCode.org_id == branch.org_id))
        )
        used = session.exec(select(BallotCode.used).where(BallotCode.org_id == branch.org_id)).all()
    assert all(used)
    assert len(used) == 12
    # Which stored ballot was which cast, as only this test knows (the rating patterns).
    given: dict[str, dict[int, int]] = {}
    for r in ratings:
        given.setdefault(r.ballot_id, {})[r.member_id] = r.rating
    cast_of = {
        ballot_id: next(k for k in range(12) if _ratings(branch, k) == by_member)
        for ballot_id, by_member in given.items()
    }
    assert sorted(cast_of.values()) == list(range(12))
    casting = sorted(cast_of, key=cast_of.__getitem__)
    # Keys are random (uuid4), unrelated to any code's hash.
    for ballot in stored:
        assert len(ballot.id) == 32
        assert int(ballot.id, 16) >= 0
        assert not any(h.startswith(ballot.id) or ballot.id in h for h in hashes)
    # The order rows come back in, unordered or by key, is not the order of casting
    # (a chance of 1 in 12! that random keys fall in that order).
    with engine.connect() as conn:
        mine = {"org": branch.org_id}
        unordered = [
            row[0] for row in conn.execute(text("SELECT id FROM ballot WHERE org_id = :org"), mine)
        ]
        keyed = [
            row[0]
            for row in conn.execute(
                text("SELECT id FROM ballot WHERE org_id = :org ORDER BY id"), mine
            )
        ]
        if is_sqlite(engine):
            # WITHOUT ROWID: no hidden row number keeps the order of insertion, and a table
            # scan returns the rows in key order.
            for table in BALLOT_TABLES:
                with pytest.raises(OperationalError):
                    conn.execute(text(f"SELECT rowid FROM {table}"))
            assert unordered == keyed
    assert keyed != casting
    if is_sqlite(engine):
        assert unordered != casting


def test_a_code_used_twice_stores_one_ballot(city: str) -> None:
    branch = ballot_branch(members=5)
    code = _issue(branch)[0]
    form = B.open_ballot(B.format_code(code).lower())
    assert [name for _id, name in form.members] == [f"党员{n:02d}" for n in range(1, 6)]
    assert form.scale == ("优秀", "合格", "基本合格", "不合格")
    assert form.rate_branch
    B.cast_ballot(code, _ratings(branch, 1), branch_rating=0)
    with pytest.raises(B.BallotRefused) as second:
        B.cast_ballot(code, _ratings(branch, 2), branch_rating=1)
    assert second.value.message == T.ERR_CODE_USED
    with pytest.raises(B.BallotRefused) as reopened:
        B.open_ballot(code)
    assert reopened.value.message == T.ERR_CODE_USED
    assert _count(Ballot, branch.org_id) == 1
    assert _count(BallotRating, branch.org_id) == 5


@pytest.mark.parametrize("threads", [8])
def test_one_code_raced_by_eight_threads_stores_one_ballot(city: str, threads: int) -> None:
    branch = ballot_branch(members=5)
    code = _issue(branch)[0]
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def vote(k: int) -> None:
        barrier.wait(timeout=30)
        try:
            B.cast_ballot(code, _ratings(branch, k), branch_rating=k % 4)
            result = "stored"
        except B.BallotRefused as exc:
            result = exc.message
        with lock:
            outcomes.append(result)

    workers = [threading.Thread(target=vote, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert sorted(outcomes) == sorted(["stored"] + [T.ERR_CODE_USED] * (threads - 1))
    assert _count(Ballot, branch.org_id) == 1
    assert _count(BallotRating, branch.org_id) == 5


def test_unknown_expired_and_malformed_codes_say_so_and_nothing_else(city: str) -> None:
    branch = ballot_branch(members=5)
    code = _issue(branch)[0]
    for wrong in ("", "ABCD", "2" * B.CODE_LENGTH):
        with pytest.raises(B.BallotRefused) as unknown:
            B.open_ballot(wrong)
        assert unknown.value.message == T.ERR_CODE_UNKNOWN
    set_round_status(branch.round_id, RoundStatus.CLOSED)
    for attempt in (
        lambda: B.open_ballot(code),
        lambda: B.cast_ballot(code, _ratings(branch, 0), 0),
    ):
        with pytest.raises(B.BallotRefused) as expired:
            attempt()
        assert expired.value.message == T.ERR_CODE_EXPIRED
    assert _count(Ballot, branch.org_id) == 0


def test_an_incomplete_ballot_writes_nothing_and_keeps_the_code(city: str) -> None:
    branch = ballot_branch(members=5)
    code = _issue(branch)[0]
    partial = dict(list(_ratings(branch, 0).items())[:4])
    with pytest.raises(InvalidInput) as missing:
        B.cast_ballot(code, partial, branch_rating=0)
    assert missing.value.message == T.ERR_RATING_MISSING
    with pytest.raises(InvalidInput) as no_branch:
        B.cast_ballot(code, _ratings(branch, 0), branch_rating=None)
    assert no_branch.value.message == T.ERR_BRANCH_MISSING
    with pytest.raises(InvalidInput):
        B.cast_ballot(code, {**_ratings(branch, 0), branch.member_ids[0]: 4}, branch_rating=0)
    with pytest.raises(InvalidInput) as stranger:
        B.cast_ballot(code, {**_ratings(branch, 0), 999_999: 0}, branch_rating=0)
    assert stranger.value.message == T.ERR_ROSTER_CHANGED
    assert _count(Ballot, branch.org_id) == 0
    B.cast_ballot(code, _ratings(branch, 0), branch_rating=0)  # the code still works
    assert _count(Ballot, branch.org_id) == 1


def test_reissuing_replaces_the_unused_codes_only(city: str) -> None:
    branch = ballot_branch(members=6)
    first = _issue(branch)
    for k, code in enumerate(first[:2]):
        B.cast_ballot(code, _ratings(branch, k), branch_rating=0)
    second = B.issue_codes(branch.secretary, round_id=branch.round_id, org_id=branch.org_id)
    assert len(second.codes) == 4
    assert second.used == 2
    assert second.issued == 6
    assert not set(second.codes) & set(first)
    with pytest.raises(B.BallotRefused) as old:
        B.open_ballot(first[3])
    assert old.value.message == T.ERR_CODE_UNKNOWN
    with pytest.raises(B.BallotRefused) as spent:
        B.open_ballot(first[0])
    assert spent.value.message == T.ERR_CODE_USED
    share = B.participation(branch.secretary, round_id=branch.round_id, org_id=branch.org_id)
    assert (share.used, share.issued, share.share) == (2, 6, Decimal("0.3333"))
    with read_session() as session:
        assert B.participation_in(session, branch.round_id)[branch.org_id] == share
    for k, code in enumerate(second.codes):
        B.cast_ballot(code, _ratings(branch, k), branch_rating=0)
    with pytest.raises(InvalidInput) as done:
        B.issue_codes(branch.secretary, round_id=branch.round_id, org_id=branch.org_id)
    assert done.value.message == T.ERR_ALL_VOTED


def test_codes_are_issued_only_by_the_branch_itself_in_an_open_round(city: str) -> None:
    branch = ballot_branch(members=5)
    for who in (actor("branch02"), actor("admin"), actor("reviewer"), None):
        with pytest.raises(PermissionDenied):
            B.issue_codes(who, round_id=branch.round_id, org_id=branch.org_id)
    set_round_status(branch.round_id, RoundStatus.CLOSED)
    with pytest.raises(InvalidInput) as closed:
        _issue(branch)
    assert closed.value.message == T.ERR_ROUND_CLOSED
    assert _count(BallotCode, branch.org_id) == 0


def test_results_show_only_from_the_minimum_number_of_ballots_once_closed(city: str) -> None:
    branch = ballot_branch(members=5)
    codes = _issue(branch)
    first = branch.member_ids[0]
    # Member one: 优秀, 优秀, 合格, 不合格 (4 ballots: below the minimum of 5).
    for code, rating in zip(codes[:4], (0, 0, 1, 3), strict=True):
        B.cast_ballot(code, {**_ratings(branch, 0), first: rating}, branch_rating=rating)
    set_round_status(branch.round_id, RoundStatus.CLOSED)
    view = B.peer_results(branch.secretary, round_id=branch.round_id, org_id=branch.org_id)
    assert view.closed
    assert view.rules.minimum_ballots == 5
    rows = {member_id: result for member_id, _name, result in view.members}
    assert rows[first] == B.PeerResult(4, None, None)
    assert view.branch == B.PeerResult(4, None, None)
    # The fifth ballot (基本合格), cast while the round is open: still hidden until it closes.
    set_round_status(branch.round_id, RoundStatus.OPEN)
    B.cast_ballot(codes[4], {**_ratings(branch, 0), first: 2}, branch_rating=2)
    with read_session() as session:
        members, _branch = B.peer_results_in(session, branch.round_id, branch.org_id)
    assert members[first] == B.PeerResult(5, None, None)
    set_round_status(branch.round_id, RoundStatus.CLOSED)
    with read_session() as session:
        members, branch_result = B.peer_results_in(session, branch.round_id, branch.org_id)
    # Points 4, 4, 3, 1, 2 → 14 / 5; 合格 or better: 3 of 5.
    assert members[first] == B.PeerResult(5, Decimal("2.80"), Decimal("0.6000"))
    assert members[branch.member_ids[1]] == B.PeerResult(5, Decimal("4.00"), Decimal("1.0000"))
    assert branch_result == B.PeerResult(5, Decimal("2.80"), Decimal("0.6000"))
    # Who may read them: the branch and accounts whose scope covers it, not another branch.
    assert B.peer_results(actor("reviewer"), round_id=branch.round_id, org_id=branch.org_id)
    with pytest.raises(PermissionDenied):
        B.peer_results(actor("branch02"), round_id=branch.round_id, org_id=branch.org_id)
