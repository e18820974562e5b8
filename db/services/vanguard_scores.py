"""先锋指数 sheets: the branch's figures (支部考评) and the members' declarations (个人申报)
per round, and each member's index and grade.

The arithmetic is `vanguard.score` (pure). The peer part comes from the anonymous ballot
(`peer_averages_in`): a member's average rating once the round is closed and at least the
ballot's minimum number of ratings came in; otherwise none, and `vanguard.score` follows the
base items' rate instead. Results are for the branch, and for the accounts whose scope covers
it (VIEW_MEMBERS); they never appear on a public list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import (
    BallotBox,
    Organisation,
    PartyMember,
    RoundStatus,
    VanguardEntry,
    VanguardRound,
    VanguardSheet,
    utcnow,
)
from db.services.ballots import peer_results_in, rules_of
from db.services.common import (
    Actor,
    InvalidInput,
    NotFound,
    StaleVersion,
    audit,
    bump_change_counter,
    invalid,
    record_target,
    require,
)
from db.services.cycles import from_tenths, to_tenths
from db.services.members import members_taking_part, round_label, rules_of_round
from formatting import decimal_text
from permissions import Action, Target, can
from scoring import is_half_step, to_decimal
from texts import members as T
from vanguard import (
    ItemKind,
    VanguardItem,
    VanguardRules,
    VanguardScore,
    counted_points,
    score,
    takes_part,
)

DEFAULT_SCALE_SIZE = 4


@dataclass(frozen=True)
class PeerAverage:
    """A member's ballot result usable in the index: the average on the scale's points."""

    average: Decimal
    scale_size: int


def peer_averages_in(session: Session, round_id: int, org_id: int) -> dict[int, PeerAverage]:
    """Building block: member id → ballot average for the organisation's members in the round,
    only where the ballot shows one (round closed, at least the minimum ratings)."""
    results, _branch = peer_results_in(session, round_id, org_id)
    box = session.get(BallotBox, (round_id, org_id))
    size = len(rules_of(box).scale) if box is not None else DEFAULT_SCALE_SIZE
    return {
        member_id: PeerAverage(result.average, size)
        for member_id, result in results.items()
        if result.average is not None
    }


@dataclass(frozen=True)
class MemberSheet:
    member_id: int
    name: str
    service: str
    status: str
    version: int | None  # None: nothing saved yet
    declared: dict[str, Decimal]
    assessed: dict[str, Decimal]
    complete: bool  # the branch has given every base item a figure
    peer: PeerAverage | None
    score: VanguardScore | None  # once complete

    @property
    def grade(self) -> str | None:
        return None if self.score is None else self.score.grade


@dataclass(frozen=True)
class RoundView:
    round_id: int
    label: str
    year: int
    half: int
    open: bool
    version: int
    org_id: int
    org_name: str
    rules: VanguardRules
    editable: bool  # open, and the actor enters this organisation's figures (ENTER_VANGUARD)
    sheets: tuple[MemberSheet, ...] = field(default_factory=tuple)

    @property
    def taking_part(self) -> int:
        return len(self.sheets)

    @property
    def evaluated(self) -> int:
        return sum(s.complete for s in self.sheets)

    @property
    def passing(self) -> int:
        return sum(self.rules.passes(s.grade) for s in self.sheets)


def _sheets_in(
    session: Session, round_: VanguardRound, org_id: int
) -> dict[int, tuple[VanguardSheet, dict[str, VanguardEntry]]]:
    sheets = session.exec(
        select(VanguardSheet).where(
            VanguardSheet.round_id == round_.id, VanguardSheet.org_id == org_id
        )
    ).all()
    by_id = {s.id: s for s in sheets}
    entries: dict[int, dict[str, VanguardEntry]] = {s.member_id: {} for s in sheets}
    if by_id:
        for e in session.exec(
            select(VanguardEntry).where(col(VanguardEntry.sheet_id).in_(list(by_id)))
        ).all():
            entries[by_id[e.sheet_id].member_id][e.code] = e
    return {s.member_id: (s, entries[s.member_id]) for s in sheets}


def _figures(entries: Mapping[str, VanguardEntry], attr: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for code, entry in entries.items():
        value = from_tenths(getattr(entry, attr))
        if value is not None:
            out[code] = value
    return out


def member_sheets_in(
    session: Session, round_: VanguardRound, org_id: int, *, with_peers: bool = True
) -> tuple[MemberSheet, ...]:
    """Building block: every member taking part in the round with figures and index (members
    who have a sheet but left the roster since keep it)."""
    assert round_.id is not None
    rules = rules_of_round(round_)
    saved = _sheets_in(session, round_, org_id)
    members = members_taking_part(session, round_, org_id)
    gone = set(saved) - {m.id for m in members}
    if gone:
        members += list(
            session.exec(select(PartyMember).where(col(PartyMember.id).in_(sorted(gone)))).all()
        )
    peers = peer_averages_in(session, round_.id, org_id) if with_peers else {}
    out = []
    for m in members:
        assert m.id is not None
        sheet, entries = saved.get(m.id, (None, {}))
        declared, assessed = (
            _figures(entries, "declared_tenths"),
            _figures(entries, "assessed_tenths"),
        )
        complete = sheet is not None and sheet.complete
        peer = peers.get(m.id)
        result = None
        if complete:
            points = counted_points(rules, declared, assessed)
            result = score(
                rules,
                points,
                peer_average=None if peer is None else peer.average,
                scale_size=DEFAULT_SCALE_SIZE if peer is None else peer.scale_size,
            )
        out.append(
            MemberSheet(
                m.id,
                m.name,
                m.service,
                m.status,
                None if sheet is None else sheet.version,
                declared,
                assessed,
                complete,
                peer,
                result,
            )
        )
    return tuple(out)


def _round_and_org(
    session: Session, actor: Actor | None, action: Action, round_id: int, org_id: int
) -> tuple[VanguardRound, Organisation]:
    org = session.get(Organisation, org_id)
    require(actor, action, record_target(session, org_id, "organisation", org_id))
    round_ = session.get(VanguardRound, round_id)
    if round_ is None or org is None:
        raise NotFound(T.ERR_ROUND_NOT_FOUND if round_ is None else T.ERR_MEMBER_ORG)
    return round_, org


def round_view(actor: Actor | None, *, round_id: int, org_id: int) -> RoundView:
    """A round as the organisation's members stand in it: figures, index and grade each."""
    with read_session() as session:
        round_, org = _round_and_org(session, actor, Action.VIEW_MEMBERS, round_id, org_id)
        assert round_.id is not None
        assert org.id is not None
        return RoundView(
            round_.id,
            round_label(round_),
            round_.year,
            round_.half,
            round_.status == RoundStatus.OPEN,
            round_.version,
            org.id,
            org.name,
            rules_of_round(round_),
            round_.status == RoundStatus.OPEN
            and can(actor, Action.ENTER_VANGUARD, Target.org(org)),
            member_sheets_in(session, round_, org.id),
        )


# --------------------------------------------------------------------------- saving


def _value(item: VanguardItem, raw: Any, problems: list[str]) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    args = {"code": item.code, "title": item.title, "value": raw}
    if item.kind is ItemKind.ZERO:
        if isinstance(raw, bool) or raw in (0, 1):
            return Decimal(1) if raw else Decimal(0)
        problems.append(T.ERR_ZERO_FLAG.format(**args))
        return None
    try:
        value = to_decimal(raw)
    except ValueError:
        problems.append(T.ERR_VALUE_NUMBER.format(**args))
        return None
    args["value"] = decimal_text(value)
    if not 0 <= value <= item.max_points:
        problems.append(T.ERR_VALUE_RANGE.format(**args, max=decimal_text(item.max_points)))
        return None
    if not is_half_step(value):
        problems.append(T.ERR_VALUE_HALF.format(**args))
        return None
    return value


def check_sheet(
    rules: VanguardRules, declared: Mapping[str, Any], assessed: Mapping[str, Any]
) -> tuple[dict[str, Decimal | None], dict[str, Decimal | None], list[str]]:
    """Validated figures per code (None: left empty) and every problem, in Chinese."""
    codes = rules.codes
    problems = [T.ERR_ITEM_UNKNOWN.format(code=c) for c in (*declared, *assessed) if c not in codes]
    out_declared: dict[str, Decimal | None] = {}
    out_assessed: dict[str, Decimal | None] = {}
    for code, raw in declared.items():
        item = codes.get(code)
        if item is None:
            continue
        if not item.declare and raw not in (None, ""):
            problems.append(T.ERR_NO_DECLARE.format(code=code, title=item.title))
            continue
        out_declared[code] = _value(item, raw, problems)
    for code, raw in assessed.items():
        item = codes.get(code)
        if item is not None:
            out_assessed[code] = _value(item, raw, problems)
    return out_declared, out_assessed, problems


def save_sheet(
    actor: Actor | None,
    *,
    round_id: int,
    member_id: int,
    version: int | None,
    declared: Mapping[str, Any],
    assessed: Mapping[str, Any],
) -> int:
    """Save a member's figures in an open round (the branch's own members only); the sheet's
    new version. `version` is the sheet's as read (None before its first save). Items not
    named keep their figures."""
    with read_session() as session:  # the refusal is logged before any write begins
        found = session.get(PartyMember, member_id)
        org_id = None if found is None else found.org_id
        target = record_target(session, org_id, "party_member", member_id)
    actor = require(actor, Action.ENTER_VANGUARD, target)
    with write_session() as session:
        member = session.get(PartyMember, member_id)
        round_ = session.get(VanguardRound, round_id)
        if member is None or round_ is None:
            raise NotFound(T.ERR_MEMBER_NOT_FOUND if member is None else T.ERR_ROUND_NOT_FOUND)
        if member.org_id != org_id:  # moved to another organisation since the check
            raise StaleVersion()
        label = round_label(round_)
        if round_.status != RoundStatus.OPEN:
            raise InvalidInput(T.ERR_ROUND_CLOSED.format(round=label))
        sheet = session.exec(
            select(VanguardSheet).where(
                VanguardSheet.round_id == round_id, VanguardSheet.member_id == member_id
            )
        ).first()
        if sheet is None and not (member.active and takes_part(member.service, round_.half)):
            raise InvalidInput(T.ERR_NOT_TAKING_PART.format(name=member.name, round=label))
        rules = rules_of_round(round_)
        new_declared, new_assessed, problems = check_sheet(rules, declared, assessed)
        if problems:
            raise invalid(problems)
        if sheet is None:
            if version is not None:
                raise StaleVersion()
            sheet = VanguardSheet(
                round_id=round_id, member_id=member_id, org_id=member.org_id, updated_by=actor.id
            )
            session.add(sheet)
            session.flush()
            entries: dict[str, VanguardEntry] = {}
        else:
            if version is None:
                raise StaleVersion()
            result = session.exec(
                update(VanguardSheet)
                .where(col(VanguardSheet.id) == sheet.id, col(VanguardSheet.version) == version)
                .values(version=version + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                raise StaleVersion()
            session.refresh(sheet)
            entries = {
                e.code: e
                for e in session.exec(
                    select(VanguardEntry).where(VanguardEntry.sheet_id == sheet.id)
                ).all()
            }
        assert sheet.id is not None
        changes = _write_entries(session, sheet.id, entries, new_declared, new_assessed)
        assessed_codes = {c for c, e in entries.items() if e.assessed_tenths is not None}
        sheet.complete = all(i.code in assessed_codes for i in rules.of_kind(ItemKind.BASE))
        sheet.updated_at, sheet.updated_by = utcnow(), actor.id
        session.add(sheet)
        if changes:
            audit(
                session,
                actor,
                "vanguard_sheet_saved",
                "party_member",
                member_id,
                {
                    "org_id": member.org_id,
                    "name": member.name,
                    "year": round_.year,
                    "half": round_.half,
                    "changes": changes,
                },
            )
            bump_change_counter(session)
        return sheet.version


def _write_entries(
    session: Session,
    sheet_id: int,
    entries: dict[str, VanguardEntry],
    declared: Mapping[str, Decimal | None],
    assessed: Mapping[str, Decimal | None],
) -> dict[str, dict[str, Any]]:
    changes: dict[str, dict[str, Any]] = {}
    for code in sorted({*declared, *assessed}):
        entry = entries.get(code) or VanguardEntry(sheet_id=sheet_id, code=code)
        before = {"declared": entry.declared_tenths, "assessed": entry.assessed_tenths}
        if code in declared:
            value = declared[code]
            entry.declared_tenths = None if value is None else to_tenths(value)
        if code in assessed:
            value = assessed[code]
            entry.assessed_tenths = None if value is None else to_tenths(value)
        after = {"declared": entry.declared_tenths, "assessed": entry.assessed_tenths}
        if before != after:
            changes[code] = {
                "before": {k: _shown(v) for k, v in before.items()},
                "after": {k: _shown(v) for k, v in after.items()},
            }
            session.add(entry)
            entries[code] = entry
    return changes


def _shown(tenths: int | None) -> str | None:
    value = from_tenths(tenths)
    return None if value is None else decimal_text(value)
