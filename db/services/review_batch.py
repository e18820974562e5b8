"""批量审核通过: several submitted assessments approved at once, each on its own.

Every assessment goes through `reviewing.approve_assessment` exactly as a single 通过 does: its
own status, freeze and version checks, its own transaction and its own audit entry. One that
fails (returned meanwhile, saved by someone else, year frozen) is reported by name with the
reason and does not stop the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import col, select

from db.engine import read_session
from db.models import Assessment, Organisation
from db.query import pk
from db.services import review, reviewing
from db.services.common import Actor, PermissionDenied, ServiceError, invalid
from texts import review as T

BATCH_MAX = 500  # one form post; more than the largest city's queue on one screen


@dataclass(frozen=True)
class BatchOutcome:
    """Which assessments were approved, and why each of the others was not."""

    approved: tuple[int, ...]
    failed: tuple[tuple[int, str], ...]  # (assessment id, Chinese sentence naming it)


def _names(assessment_ids: list[int]) -> dict[int, str]:
    with read_session() as session:
        rows = session.exec(
            select(col(Assessment.id), col(Organisation.name))
            .join(Organisation, col(Organisation.id) == Assessment.org_id)
            .where(col(Assessment.id).in_(assessment_ids))
        ).all()
    return {pk(i): name for i, name in rows}


def approve_many(actor: Actor | None, *, versions: Mapping[int, int]) -> BatchOutcome:
    """通过 each assessment (id → the version the reviewer saw) unchanged, one by one."""
    actor = review.authorize_review(actor)
    if not versions:
        raise invalid([T.ERR_BATCH_EMPTY])
    if len(versions) > BATCH_MAX:
        message = T.ERR_BATCH_TOO_MANY.format(n=BATCH_MAX)
        raise invalid([message])
    ids = [int(a) for a in versions]
    names = _names(ids)
    approved: list[int] = []
    failed: list[tuple[int, str]] = []
    for assessment_id in ids:
        name = names.get(assessment_id, T.BATCH_UNKNOWN.format(id=assessment_id))
        try:
            reviewing.approve_assessment(
                actor, assessment_id=assessment_id, version=int(versions[assessment_id])
            )
        except PermissionDenied as exc:
            # out of the reviewer's scope: its name is not the reviewer's to learn
            unnamed = T.BATCH_UNKNOWN.format(id=assessment_id)
            failed.append(
                (assessment_id, T.BATCH_FAILED_ONE.format(name=unnamed, reason=exc.message))
            )
        except ServiceError as exc:
            failed.append((assessment_id, T.BATCH_FAILED_ONE.format(name=name, reason=exc.message)))
        else:
            approved.append(assessment_id)
    return BatchOutcome(approved=tuple(approved), failed=tuple(failed))


__all__ = ["BATCH_MAX", "BatchOutcome", "approve_many"]
