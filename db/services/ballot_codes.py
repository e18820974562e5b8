"""民主评议 ballot codes, pure: making, printing, reading back and hashing a one-time code, and
the refusal a code that cannot vote gets. db/services/ballots.py builds on it (and re-exports
it); no database here."""

from __future__ import annotations

import hashlib
import secrets

from db.models import BallotBox, VanguardRound
from db.services.common import ServiceError
from rubric import BallotRules
from texts import ballot as T

# 31 letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16  # 31 ** 16 ≈ 2 ** 79: unguessable, and short enough to type from the slip
CODE_GROUP = 4
SCALE_SEPARATOR = "|"


class BallotRefused(ServiceError):
    """A code that cannot cast a ballot (unknown, expired, used): the message says which, and
    the page shows it and nothing else."""


# --------------------------------------------------------------------------- codes (pure)


def new_code() -> str:
    """A fresh random code (secrets), CODE_LENGTH characters of CODE_ALPHABET."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """The code as printed: groups of four joined by "-"."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalise_code(text: object) -> str | None:
    """A code as typed (any case, with or without dashes and spaces), or None if it cannot be
    one."""
    raw = str(text or "")[:64].upper().replace("-", "").replace(" ", "").strip()
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return raw


def code_hash(code: str) -> str:
    """What is stored of a code. A plain SHA-256 suffices: the code has ~79 random bits."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def rules_of(box: BallotBox) -> BallotRules:
    """The rules a box was issued under."""
    return BallotRules(
        scale=tuple(box.scale.split(SCALE_SEPARATOR)),
        passing=box.passing,
        minimum_ballots=box.minimum_ballots,
        rate_branch=box.rate_branch,
    )


def round_label(round_: VanguardRound) -> str:
    return label(round_.year, round_.half)


def label(year: int, half: int) -> str:
    """A round named by its year and half, as every ballot page says it."""
    return T.ROUND_LABEL.format(year=year, half=T.HALF_NAMES.get(half, ""))


__all__ = [
    "CODE_ALPHABET",
    "CODE_GROUP",
    "CODE_LENGTH",
    "SCALE_SEPARATOR",
    "BallotRefused",
    "code_hash",
    "format_code",
    "label",
    "new_code",
    "normalise_code",
    "round_label",
    "rules_of",
]
