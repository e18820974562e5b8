"""Evidence files (佐证材料): upload with content checks, list, download, delete.

Files live in the Evidence table (bytes in the database, so backups and replicas hold them).
The type is decided by the file's content (magic bytes; for .docx/.xlsx the zip's parts), never
by the browser's declared type, and must agree with the extension.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from db.engine import read_session, write_session
from db.models import Assessment, Criterion, CriterionKind, Evidence, utcnow
from db.query import pk, select_columns
from db.services.assessment import EvidenceInfo, recheck_editable, writable_target
from db.services.common import (
    Actor,
    InvalidInput,
    NotFound,
    audit,
    audit_now,
    bump_change_counter,
    record_target,
    require,
    require_missing,
)
from permissions import Action, Target, can
from settings import get_settings
from texts import assessment as T

ALLOWED_EXTENSIONS = {
    "pdf": "pdf",
    "jpg": "jpg",
    "jpeg": "jpg",
    "png": "png",
    "docx": "docx",
    "xlsx": "xlsx",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
UPLOAD_TYPES = tuple(ALLOWED_EXTENSIONS)  # for st.file_uploader(type=…)
FILENAME_MAX = 200
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_OOXML_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    content: bytes


def human_size(size: int) -> str:
    """1.2 MB, 350 KB, 12 B."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def detect_kind(content: bytes) -> str | None:
    """The real type of a file from its bytes: pdf, jpg, png, docx, xlsx, or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(PNG_SIGNATURE):
        return "png"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        for kind, part in _OOXML_PART.items():
            if part in names:
                return kind
    return None


def clean_filename(name: str) -> str:
    """The file's own name (no folders, no control characters), at most 200 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(base) > FILENAME_MAX:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: FILENAME_MAX - len(ext) - 1] + dot + ext) if dot else base[:FILENAME_MAX]
    return base


def check_size(filename: str, size: int) -> None:
    """InvalidInput when a file is larger than UPLOAD_MAX_MB (also used before reading a body)."""
    limit = get_settings().upload_max_bytes
    if size > limit:
        raise InvalidInput(
            T.ERR_FILE_TOO_LARGE.format(
                name=clean_filename(filename) or filename,
                size=human_size(size),
                limit=human_size(limit),
            )
        )


def check_file(filename: str, content: bytes) -> tuple[str, str]:
    """(clean name, kind) for an acceptable file; InvalidInput with a Chinese reason otherwise."""
    name = clean_filename(filename)
    if not name:
        raise InvalidInput(T.ERR_FILE_NAME)
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    kind = ALLOWED_EXTENSIONS.get(ext)
    if kind is None:
        raise InvalidInput(T.ERR_FILE_TYPE.format(name=name))
    if not content:
        raise InvalidInput(T.ERR_FILE_EMPTY.format(name=name))
    check_size(name, len(content))
    if detect_kind(content) != kind:
        raise InvalidInput(
            T.ERR_FILE_DISGUISED.format(name=name, ext=ext, kind=T.KIND_LABELS[kind])
        )
    return name, kind


def _criterion_of(assessment_id: int, code: str) -> Criterion:
    with read_session() as session:
        row = session.exec(
            select(Criterion)
            .join(Assessment, col(Assessment.cycle_id) == Criterion.cycle_id)
            .where(Assessment.id == assessment_id, Criterion.code == code)
        ).first()
    if row is None:
        raise NotFound()
    if row.kind not in (CriterionKind.CRITERION, CriterionKind.BONUS):
        raise InvalidInput(T.ERR_EVIDENCE_TARGET)
    return row


def upload_evidence(
    actor: Actor | None, *, assessment_id: int, code: str, filename: str, content: bytes
) -> EvidenceInfo:
    """Store one file for a criterion (or 加分项) of the branch's own, editable assessment.

    It does not change the assessment's version: uploading never makes an open page stale.
    """
    target = writable_target(actor, assessment_id)
    assert actor is not None
    criterion = _criterion_of(assessment_id, code)
    assert criterion.id is not None
    name, kind = check_file(filename, content)
    limit = get_settings().upload_max_files
    with write_session() as session:
        # Serialises uploads to one assessment (PostgreSQL row lock; SQLite locks on BEGIN).
        session.exec(select(Assessment.id).where(Assessment.id == assessment_id).with_for_update())
        recheck_editable(session, target)
        count = session.exec(
            select(func.count())
            .select_from(Evidence)
            .where(Evidence.assessment_id == assessment_id, Evidence.criterion_id == criterion.id)
        ).one()
        if count >= limit:
            raise InvalidInput(T.ERR_FILE_COUNT.format(code=code, count=count, limit=limit))
        info = _store_evidence(
            session,
            actor,
            assessment_id=assessment_id,
            criterion_id=criterion.id,
            code=code,
            filename=name,
            content_type=CONTENT_TYPES[kind],
            content=content,
        )
        bump_change_counter(session)
        return info


def _store_evidence(
    session: Session,
    actor: Actor,
    *,
    assessment_id: int,
    criterion_id: int,
    code: str,
    filename: str,
    content_type: str,
    content: bytes,
) -> EvidenceInfo:
    """Add one checked file as Evidence in the caller's transaction and audit the upload
    (the single and the many-file upload both store through here)."""
    row = Evidence(
        assessment_id=assessment_id,
        criterion_id=criterion_id,
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_at=utcnow(),
        uploaded_by=actor.id,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    audit(
        session,
        actor,
        "upload_evidence",
        "evidence",
        row.id,
        {
            "assessment_id": assessment_id,
            "code": code,
            "filename": filename,
            "size": row.size,
            "sha256": row.sha256,
        },
    )
    return EvidenceInfo(
        row.id, criterion_id, code, filename, row.content_type, row.size, row.uploaded_at
    )


def list_evidence(actor: Actor | None, *, assessment_id: int) -> list[EvidenceInfo]:
    """Metadata of every file of an assessment (owner branch, or city roles)."""
    with read_session() as session:
        assessment = session.get(Assessment, assessment_id)
        target = None
        if assessment is not None:
            target = record_target(session, assessment.org_id, "assessment", assessment_id)
        allowed = target is not None and can(actor, Action.VIEW_ASSESSMENT, target)
        rows: Sequence[tuple[Any, ...]] = []
        if allowed:
            rows = session.exec(
                select_columns(
                    col(Evidence.id),
                    col(Evidence.criterion_id),
                    col(Criterion.code),
                    col(Evidence.filename),
                    col(Evidence.content_type),
                    col(Evidence.size),
                    col(Evidence.uploaded_at),
                )
                .join(Criterion, col(Criterion.id) == Evidence.criterion_id)
                .where(col(Evidence.assessment_id) == assessment_id)
                .order_by(col(Criterion.sort_order), col(Evidence.uploaded_at), col(Evidence.id))
            ).all()
    # Refusals are logged after the read session is closed (one connection at a time).
    if target is None:
        require_missing(actor, Action.VIEW_ASSESSMENT, "assessment", assessment_id)
    require(actor, Action.VIEW_ASSESSMENT, target)
    return [EvidenceInfo(*row) for row in rows]


def _evidence_owner(
    actor: Actor | None, evidence_id: int, action: Action
) -> tuple[int, Assessment, Target]:
    with read_session() as session:
        row = session.exec(
            select(Evidence.id, Assessment)
            .join(Assessment, col(Assessment.id) == Evidence.assessment_id)
            .where(Evidence.id == evidence_id)
        ).first()
        target = (
            None if row is None else record_target(session, row[1].org_id, "evidence", evidence_id)
        )
    if row is None or target is None:
        require_missing(actor, action, "evidence", evidence_id, T.ERR_EVIDENCE_NOT_FOUND)
    return pk(row[0]), row[1], target


def download_evidence(actor: Actor | None, *, evidence_id: int) -> Download:
    """A file's bytes: for its own branch, reviewers, leaders and admins."""
    _, assessment, target = _evidence_owner(actor, evidence_id, Action.VIEW_ASSESSMENT)
    require(actor, Action.VIEW_ASSESSMENT, target)
    with read_session() as session:
        row = session.get(Evidence, evidence_id)
        if row is None:
            raise NotFound(T.ERR_EVIDENCE_NOT_FOUND)
        download = Download(row.filename, row.content_type, bytes(row.content))
    # Internal documents: who fetched which file is on record.
    audit_now(
        actor,
        "download_evidence",
        "evidence",
        evidence_id,
        {"assessment_id": assessment.id, "filename": download.filename},
    )
    return download


def delete_evidence(actor: Actor | None, *, evidence_id: int) -> None:
    """Remove a file of the branch's own assessment while it is editable."""
    _, assessment, _target = _evidence_owner(actor, evidence_id, Action.SELF_ASSESS)
    assert assessment.id is not None
    target = writable_target(actor, assessment.id)
    with write_session() as session:
        recheck_editable(session, target)
        row = session.exec(
            select(Evidence.criterion_id, Evidence.filename, Evidence.size, Evidence.sha256).where(
                Evidence.id == evidence_id
            )
        ).first()
        if row is None:
            raise NotFound(T.ERR_EVIDENCE_NOT_FOUND)
        audit(
            session,
            actor,
            "delete_evidence",
            "evidence",
            evidence_id,
            {
                "assessment_id": assessment.id,
                "criterion_id": row[0],
                "filename": row[1],
                "size": row[2],
                "sha256": row[3],
            },
        )
        session.exec(delete(Evidence).where(col(Evidence.id) == evidence_id))
        bump_change_counter(session)


__all__ = [
    "UPLOAD_TYPES",
    "Download",
    "check_file",
    "check_size",
    "clean_filename",
    "delete_evidence",
    "detect_kind",
    "download_evidence",
    "human_size",
    "list_evidence",
    "upload_evidence",
]
