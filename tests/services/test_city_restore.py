"""The PostgreSQL demo city is put back between tests by copying back only the tables written
to (tests/conftest.py): after any write, a restore gives the very rows and sequence positions
of the city as seeded."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from db.engine import dispose_engines, make_engine
from db.services import editing
from tests.assessment_helpers import fill_all
from tests.conftest import PG_URL, TABLES, _restore_pg, _use
from tests.utils import actor

pytestmark = pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")


def _fingerprint(url: str) -> dict[str, str]:
    """Every table's rows (as one digest each) and every sequence's next value."""
    engine = make_engine(url)
    prints: dict[str, str] = {}
    with engine.connect() as conn:
        for table in TABLES:
            prints[table] = conn.execute(
                text(
                    f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    f'FROM "{table}" t'
                )
            ).scalar_one()
        sequences = conn.execute(
            text("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1")
        ).all()
        prints.update({f"seq {name}": str(value) for name, value in sequences})
    engine.dispose()
    return prints


def test_a_restore_undoes_every_write(pg_city: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(_restore_pg(pg_city), monkeypatch)
    seeded = _fingerprint(pg_city)

    # Writes through the app (scores, evidence, a submission, audit) and by hand (a delete and
    # an update).
    branch = actor("branch01")
    view = fill_all(branch)
    editing.submit_assessment(branch, assessment_id=view.id, version=view.version)
    engine = make_engine(pg_city)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM performance_grade"))
        conn.execute(text("UPDATE organisation SET name = name || '改'"))
    engine.dispose()
    dispose_engines()
    changed = _fingerprint(pg_city)
    assert {name for name in seeded if seeded[name] != changed[name]} >= {
        "score_entry",
        "assessment",
        "audit_log",
        "organisation",
    }

    _restore_pg(pg_city)
    assert _fingerprint(pg_city) == seeded
    _restore_pg(pg_city)  # nothing written since: nothing to copy, the same city
    assert _fingerprint(pg_city) == seeded
