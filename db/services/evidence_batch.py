"""Many evidence files at once: each file is checked and held, then assigned and saved together.

A branch drops files on a star page or 我的支部. Every file passes the same checks as a single
upload (`evidence.check_file`: name, type by content, size) before it is held in
`evidence_upload`; the page then shows which criterion each file goes to (the code in its name,
or the branch's choice) and `save_staged` moves them into `evidence` in one transaction, or
refuses the whole set with a Chinese reason per file and writes nothing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import Assessment, Criterion, Evidence, EvidenceUpload, utcnow
from db.query import pk, select_columns
from db.services.assessment import EvidenceInfo, recheck_editable, writable_target
from db.services.common import Actor, InvalidInput, bump_change_counter
from db.services.evidence import CONTENT_TYPES, _store_evidence, check_file
from settings import get_settings
from texts import assessment as T

STAGED_MAX_FILES = 60  # files waiting at once per assessment
STAGED_MAX_AGE = timedelta(days=7)  # forgotten previews are dropped on the next upload
EVIDENCE_KINDS = ("criterion", "bonus")


@dataclass(frozen=True)
class StagedFile:
    """A checked file waiting for its criterion; `suggested` is the code found in its name."""

    id: int
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime
    suggested: str | None


def _fold(text: str) -> str:
    # NFKC folds full-width input (Ｌ２．３) to ASCII; casefold makes l2.3 match L2.3.
    return unicodedata.normalize("NFKC", text).casefold()


def code_in_name(filename: str, codes: Iterable[str]) -> str | None:
    """The one criterion code a file name carries ("L2.3-学时登记表.pdf" → "L2.3"), else None.

    A code counts only as a whole token (L2.3 is not found in L2.31 or XL2.3); a name that
    carries two different codes is ambiguous and gets None, so the branch chooses.
    """
    name = _fold(filename)
    stem = name.rpartition(".")[0] or name
    found: set[str] = set()
    for code in codes:
        token = _fold(code)
        if not token:
            continue
        pattern = r"(?<![0-9a-z.])" + re.escape(token) + r"(?![0-9a-z]|\.[0-9])"
        if re.search(pattern, stem):
            found.add(code)
    return next(iter(found)) if len(found) == 1 else None


def _evidence_targets(assessment_id: int) -> list[tuple[str, int]]:
    """(code, criterion id) of every item of the assessment's year that takes evidence."""
    with read_session() as session:
        rows = session.exec(
            select(Criterion.code, Criterion.id)
            .join(Assessment, col(Assessment.cycle_id) == Criterion.cycle_id)
            .where(Assessment.id == assessment_id, col(Criterion.kind).in_(EVIDENCE_KINDS))
            .order_by(col(Criterion.sort_order), col(Criterion.id))
        ).all()
    return [(str(code), pk(cid)) for code, cid in rows]


def stage_evidence(
    actor: Actor | None, *, assessment_id: int, filename: str, content: bytes
) -> StagedFile:
    """Check one dropped file and hold it until the branch confirms its criterion."""
    target = writable_target(actor, assessment_id)
    assert actor is not None
    name, kind = check_file(filename, content)
    codes = [code for code, _ in _evidence_targets(assessment_id)]
    now = utcnow()
    with write_session() as session:
        session.exec(select(Assessment.id).where(Assessment.id == assessment_id).with_for_update())
        recheck_editable(session, target)
        session.exec(
            delete(EvidenceUpload).where(
                col(EvidenceUpload.assessment_id) == assessment_id,
                col(EvidenceUpload.uploaded_at) < now - STAGED_MAX_AGE,
            )
        )
        waiting = session.exec(
            select(func.count())
            .select_from(EvidenceUpload)
            .where(EvidenceUpload.assessment_id == assessment_id)
        ).one()
        if waiting >= STAGED_MAX_FILES:
            raise InvalidInput(T.ERR_STAGED_FULL.format(n=waiting))
        row = EvidenceUpload(
            assessment_id=assessment_id,
            filename=name,
            content_type=CONTENT_TYPES[kind],
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_at=now,
            uploaded_by=actor.id,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return StagedFile(row.id, name, row.content_type, row.size, now, code_in_name(name, codes))


def list_staged(actor: Actor | None, *, assessment_id: int) -> list[StagedFile]:
    """The files waiting on the branch's own, editable assessment, oldest first."""
    writable_target(actor, assessment_id)
    codes = [code for code, _ in _evidence_targets(assessment_id)]
    with read_session() as session:
        rows = session.exec(
            select_columns(
                col(EvidenceUpload.id),
                col(EvidenceUpload.filename),
                col(EvidenceUpload.content_type),
                col(EvidenceUpload.size),
                col(EvidenceUpload.uploaded_at),
            )
            .where(col(EvidenceUpload.assessment_id) == assessment_id)
            .order_by(col(EvidenceUpload.id))
        ).all()
    return [
        StagedFile(file_id, name, content_type, size, at, code_in_name(name, codes))
        for file_id, name, content_type, size, at in rows
    ]


def save_staged(
    actor: Actor | None, *, assessment_id: int, plan: Mapping[int, str | None]
) -> list[EvidenceInfo]:
    """Store the held files under the criteria given (staged id → code): all of them or none.

    Each file is checked again (the limits may have changed since it was dropped), and no
    criterion may end up with more than UPLOAD_MAX_FILES files.
    """
    target = writable_target(actor, assessment_id)
    assert actor is not None
    targets = dict(_evidence_targets(assessment_id))
    limit = get_settings().upload_max_files
    with write_session() as session:
        session.exec(select(Assessment.id).where(Assessment.id == assessment_id).with_for_update())
        recheck_editable(session, target)
        rows = {
            r.id: r
            for r in session.exec(
                select(EvidenceUpload).where(
                    EvidenceUpload.assessment_id == assessment_id,
                    col(EvidenceUpload.id).in_(list(plan)),
                )
            ).all()
        }
        if len(rows) != len(plan):
            raise InvalidInput(T.ERR_STAGED_GONE)
        problems: list[str] = []
        for staged_id, code in plan.items():
            row = rows[staged_id]
            if not code:
                problems.append(T.ERR_STAGED_NO_TARGET.format(name=row.filename))
            elif code not in targets:
                problems.append(T.ERR_STAGED_BAD_TARGET.format(name=row.filename, code=code))
            else:
                try:
                    check_file(row.filename, bytes(row.content))
                except InvalidInput as exc:
                    problems.append(exc.message)
        adding = Counter(code for code in plan.values() if code in targets)
        if adding:
            have = dict(
                session.exec(
                    select(col(Evidence.criterion_id), func.count())
                    .where(
                        col(Evidence.assessment_id) == assessment_id,
                        col(Evidence.criterion_id).in_([targets[c] for c in adding]),
                    )
                    .group_by(col(Evidence.criterion_id))
                ).all()
            )
            for code, n in adding.items():
                count = int(have.get(targets[code], 0))
                if count + n > limit:
                    problems.append(
                        T.ERR_STAGED_COUNT.format(code=code, count=count, adding=n, limit=limit)
                    )
        if problems:
            raise InvalidInput(T.ERR_STAGED_SUMMARY.format(n=len(problems)), errors=problems)
        stored: list[EvidenceInfo] = []
        for staged_id, code in plan.items():
            assert code is not None
            staged = rows[staged_id]
            stored.append(
                _store_evidence(
                    session,
                    actor,
                    assessment_id=assessment_id,
                    criterion_id=targets[code],
                    code=code,
                    filename=staged.filename,
                    content_type=staged.content_type,
                    content=bytes(staged.content),
                )
            )
        session.exec(delete(EvidenceUpload).where(col(EvidenceUpload.id).in_(list(plan))))
        bump_change_counter(session)
    return stored


def drop_held(session: Session, assessment_id: int) -> int:
    """Delete every held file of an assessment inside the caller's transaction (on submission:
    a file dropped but never saved is not part of what was handed in); returns how many."""
    result = session.exec(
        delete(EvidenceUpload).where(col(EvidenceUpload.assessment_id) == assessment_id)
    )
    return int(result.rowcount or 0)


def discard_staged(
    actor: Actor | None, *, assessment_id: int, ids: Iterable[int] | None = None
) -> int:
    """Drop held files of the branch's own assessment (all of them when ids is None)."""
    writable_target(actor, assessment_id)
    with write_session() as session:
        query = delete(EvidenceUpload).where(col(EvidenceUpload.assessment_id) == assessment_id)
        if ids is not None:
            query = query.where(col(EvidenceUpload.id).in_(list(ids)))
        result = session.exec(query)
        return int(result.rowcount or 0)


__all__ = [
    "STAGED_MAX_FILES",
    "StagedFile",
    "code_in_name",
    "discard_staged",
    "drop_held",
    "list_staged",
    "save_staged",
    "stage_evidence",
]
