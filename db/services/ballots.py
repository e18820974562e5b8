"""民主评议 by anonymous ballot: one-time codes per 先锋指数 round, casting, and the results.

Anonymity is a property of what is stored (docs/architecture.md, "Anonymous ballots"):
- a code is stored as its SHA-256 only, with its round and organisation and whether it is used;
  it names no member (the branch hands the printed slips out at random) and holds no time;
- a ballot has a random key (uuid4), its round and organisation and, when the rubric asks, the
  branch's rating; its ratings name the member rated. Nothing names the code, the voter, the
  time or the order of casting (the tables are WITHOUT ROWID on SQLite);
- the code is marked used by a conditional UPDATE in the transaction that stores the ballot, so
  one code stores one ballot however many requests race for it;
- a member's result is shown only once the round is closed (no running tally whose steps would
  give away a single ballot) and only from the box's minimum number of ratings on.

Casting takes no acting user: the code is the voter's only credential (like a login).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import (
    Ballot,
    BallotBox,
    BallotCode,
    BallotRating,
    Organisation,
    PartyMember,
    RoundStatus,
    VanguardRound,
)
from db.services.ballot_casting import BallotForm, cast_ballot, cast_in, open_ballot
from db.services.ballot_codes import (
    CODE_ALPHABET,
    CODE_GROUP,
    CODE_LENGTH,
    SCALE_SEPARATOR,
    BallotRefused,
    code_hash,
    format_code,
    new_code,
    normalise_code,
    round_label,
    rules_of,
)
from db.services.common import (
    Actor,
    InvalidInput,
    NotFound,
    StaleVersion,
    audit,
    bump_change_counter,
    record_target,
    require,
    require_missing,
)
from db.services.members import members_taking_part, year_ballot_rules
from permissions import Action
from rubric import BallotRules
from texts import ballot as T

PERCENT = Decimal("0.0001")
AVERAGE = Decimal("0.01")


# --------------------------------------------------------------------------- rules


# --------------------------------------------------------------------------- issuing


@dataclass(frozen=True)
class IssuedCodes:
    """Codes just issued: the only moment they exist in clear (the database keeps hashes)."""

    org_id: int
    org_code: str
    org_name: str
    round_id: int
    round_label: str
    codes: tuple[str, ...]
    used: int
    issued: int


def _round_and_org(
    session: Session, actor: Actor | None, action: Action, round_id: int, org_id: int
) -> tuple[VanguardRound, Organisation]:
    org = session.get(Organisation, org_id)
    if org is None:
        require_missing(actor, action, "organisation", org_id)
    require(actor, action, record_target(session, org_id, "organisation", org_id))
    round_ = session.get(VanguardRound, round_id)
    if round_ is None:
        raise NotFound(T.ERR_ROUND_NOT_FOUND)
    return round_, org


def issue_codes(actor: Actor | None, *, round_id: int, org_id: int) -> IssuedCodes:
    """Issue one code per member of `org_id` taking part in the open round who has not voted:
    the first time for everyone, later in place of the unused codes (which stop working)."""
    with read_session() as session:  # refusals are logged outside the write transaction
        _round_and_org(session, actor, Action.ISSUE_BALLOTS, round_id, org_id)
    with write_session() as session:
        round_ = session.get(VanguardRound, round_id)
        org = session.get(Organisation, org_id)
        if round_ is None or org is None:
            raise NotFound(T.ERR_ROUND_NOT_FOUND)
        return issue_in(session, actor, round_, org)


def issue_in(
    session: Session, actor: Actor | None, round_: VanguardRound, org: Organisation
) -> IssuedCodes:
    """Building block of issue_codes in the caller's transaction, without the permission check
    (the command line's operator, `python -m db ballots`, acts as 系统)."""
    assert round_.id is not None
    assert org.id is not None
    round_id, org_id = round_.id, org.id
    if round_.status != RoundStatus.OPEN:
        raise InvalidInput(T.ERR_ROUND_CLOSED)
    members = members_taking_part(session, round_, org_id)
    if not members:
        raise InvalidInput(T.ERR_NO_MEMBERS)
    box = session.get(BallotBox, (round_id, org_id))
    if box is None:  # the box takes the rules of the round's year as its rubric has them now
        rules = year_ballot_rules(session, round_.year)
        box = BallotBox(
            round_id=round_id,
            org_id=org_id,
            issued=0,
            scale=SCALE_SEPARATOR.join(rules.scale),
            passing=rules.passing,
            minimum_ballots=rules.minimum_ballots,
            rate_branch=rules.rate_branch,
        )
        session.add(box)
        try:
            session.flush()
        except IntegrityError:  # another issuer created it a moment ago
            raise StaleVersion() from None
    version = box.version
    used = _count_codes(session, round_id, org_id, used=True)
    wanted = len(members) - used
    if wanted <= 0:
        raise InvalidInput(T.ERR_ALL_VOTED)
    # Two secretaries issuing at once: the second finds the version moved and stops.
    moved = session.exec(
        update(BallotBox)
        .where(
            col(BallotBox.round_id) == round_id,
            col(BallotBox.org_id) == org_id,
            col(BallotBox.version) == version,
        )
        .values(version=version + 1, issued=used + wanted)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise StaleVersion()
    replaced = session.exec(
        delete(BallotCode).where(
            col(BallotCode.round_id) == round_id,
            col(BallotCode.org_id) == org_id,
            col(BallotCode.used).is_(False),
        )
    ).rowcount
    codes: set[str] = set()
    while len(codes) < wanted:
        codes.add(new_code())
    ordered = sorted(codes)  # no order of issue either
    session.add_all(
        BallotCode(code_hash=code_hash(c), round_id=round_id, org_id=org_id, used=False)
        for c in ordered
    )
    audit(
        session,
        actor,
        "ballot_codes_issued",
        "organisation",
        org_id,
        {
            "org_id": org_id,
            "round_id": round_id,
            "round": round_label(round_),
            "count": wanted,
            "used": used,
            "replaced": replaced,
        },
    )
    bump_change_counter(session)
    return IssuedCodes(
        org_id=org_id,
        org_code=org.code,
        org_name=org.name,
        round_id=round_id,
        round_label=round_label(round_),
        codes=tuple(ordered),
        used=used,
        issued=used + wanted,
    )


def _count_codes(session: Session, round_id: int, org_id: int, *, used: bool) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(BallotCode)
            .where(
                col(BallotCode.round_id) == round_id,
                col(BallotCode.org_id) == org_id,
                col(BallotCode.used).is_(used),
            )
        ).one()
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PeerResult:
    """One member's (or the branch's) ratings in a round: the count always; the average on the
    scale's points (best = len(scale), worst = 1) and the share rated at the passing label or
    better only when the round is closed and at least the minimum number came in."""

    ratings: int
    average: Decimal | None
    passing_share: Decimal | None

    @property
    def shown(self) -> bool:
        return self.average is not None


@dataclass(frozen=True)
class Participation:
    """Codes used against codes issued for one organisation in one round."""

    used: int
    issued: int

    @property
    def share(self) -> Decimal | None:
        if self.issued == 0:
            return None
        return (Decimal(self.used) / Decimal(self.issued)).quantize(PERCENT)


def _result(counts: Mapping[int, int], rules: BallotRules, closed: bool) -> PeerResult:
    """A PeerResult from rating position → count."""
    total = sum(counts.values())
    if not closed or total < rules.minimum_ballots or total == 0:
        return PeerResult(total, None, None)
    points = sum(rules.points(r) * n for r, n in counts.items())
    passing = sum(n for r, n in counts.items() if rules.passes(r))
    return PeerResult(
        total,
        (Decimal(points) / Decimal(total)).quantize(AVERAGE),
        (Decimal(passing) / Decimal(total)).quantize(PERCENT),
    )


def peer_results_in(
    session: Session, round_id: int, org_id: int
) -> tuple[dict[int, PeerResult], PeerResult | None]:
    """Building block (no permission check): member id → result for the organisation's members
    rated in the round, and the branch's result (None when the ballot does not rate it).
    Members taking part but rated by nobody are absent; the caller decides how to show them."""
    box = session.get(BallotBox, (round_id, org_id))
    round_ = session.get(VanguardRound, round_id)
    if box is None or round_ is None:
        return {}, None
    rules = rules_of(box)
    closed = round_.status != RoundStatus.OPEN
    per_member: dict[int, dict[int, int]] = {}
    rows = session.exec(
        select(BallotRating.member_id, BallotRating.rating, func.count())
        .join(Ballot, col(Ballot.id) == col(BallotRating.ballot_id))
        .where(col(Ballot.round_id) == round_id, col(Ballot.org_id) == org_id)
        .group_by(col(BallotRating.member_id), col(BallotRating.rating))
    ).all()
    for member_id, rating, n in rows:
        per_member.setdefault(int(member_id), {})[int(rating)] = int(n)
    members = {m: _result(c, rules, closed) for m, c in per_member.items()}
    branch = None
    if rules.rate_branch:
        counts = {
            int(r or 0): int(n)
            for r, n in session.exec(
                select(Ballot.branch_rating, func.count())
                .where(
                    col(Ballot.round_id) == round_id,
                    col(Ballot.org_id) == org_id,
                    col(Ballot.branch_rating).is_not(None),
                )
                .group_by(col(Ballot.branch_rating))
            ).all()
        }
        branch = _result(counts, rules, closed)
    return members, branch


@dataclass(frozen=True)
class PeerResults:
    """What the branch's page shows of a round's ballot."""

    round_label: str
    closed: bool
    rules: BallotRules
    participation: Participation
    members: tuple[tuple[int, str, PeerResult], ...]  # every member taking part, roster order
    branch: PeerResult | None


def peer_results(actor: Actor | None, *, round_id: int, org_id: int) -> PeerResults:
    """The organisation's ballot in a round: participation and each member's result (shown
    only once the round is closed and from the minimum number of ratings on)."""
    with read_session() as session:
        round_, _org = _round_and_org(session, actor, Action.VIEW_MEMBERS, round_id, org_id)
        box = session.get(BallotBox, (round_id, org_id))
        rules = rules_of(box) if box is not None else year_ballot_rules(session, round_.year)
        results, branch = peer_results_in(session, round_id, org_id)
        members = members_taking_part(session, round_, org_id)
        rated_ids = set(results) - {m.id for m in members}
        gone: list[PartyMember] = []
        if rated_ids:  # rated, since left the roster: still part of the round's result
            gone = list(
                session.exec(select(PartyMember).where(col(PartyMember.id).in_(rated_ids))).all()
            )
        empty = _result({}, rules, round_.status != RoundStatus.OPEN)
        return PeerResults(
            round_label=round_label(round_),
            closed=round_.status != RoundStatus.OPEN,
            rules=rules,
            participation=participation_in(session, round_id).get(org_id, Participation(0, 0)),
            members=tuple(
                (m.id, m.name, results.get(m.id, empty))
                for m in [*members, *gone]
                if m.id is not None
            ),
            branch=branch,
        )


def participation_in(session: Session, round_id: int) -> dict[int, Participation]:
    """Building block (no permission check): organisation id → codes used / issued in the
    round, for every organisation that issued codes (rubric auto-scoring reads it)."""
    used = dict(
        session.exec(
            select(BallotCode.org_id, func.count())
            .where(col(BallotCode.round_id) == round_id, col(BallotCode.used).is_(True))
            .group_by(col(BallotCode.org_id))
        ).all()
    )
    boxes = session.exec(select(BallotBox).where(col(BallotBox.round_id) == round_id)).all()
    return {b.org_id: Participation(int(used.get(b.org_id, 0)), b.issued) for b in boxes}


def participation(actor: Actor | None, *, round_id: int, org_id: int) -> Participation:
    """Codes used / issued for one organisation in a round (0 / 0 before any were issued)."""
    with read_session() as session:
        _round_and_org(session, actor, Action.VIEW_MEMBERS, round_id, org_id)
        return participation_in(session, round_id).get(org_id, Participation(0, 0))


# Re-exported: what the routes, the pages and the seed use of the codes and of casting.
__all__ = [
    "CODE_ALPHABET",
    "CODE_GROUP",
    "CODE_LENGTH",
    "SCALE_SEPARATOR",
    "BallotForm",
    "BallotRefused",
    "cast_ballot",
    "cast_in",
    "code_hash",
    "format_code",
    "new_code",
    "normalise_code",
    "open_ballot",
    "round_label",
    "rules_of",
]
