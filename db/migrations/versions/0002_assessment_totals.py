"""assessment totals: one summary row per assessment and basis, for the rankings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

The rankings used to add up every score entry of the year on each read (about 3 s for
50,000 organisations). The summary table is filled here from the entries already stored, and
from now on kept in step by each write (db/services/totals.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STARS = ("learning", "standard", "service", "democracy", "innovation")
POINTS = {
    "self": "e.self_tenths",
    "reviewed": "COALESCE(e.reviewed_tenths, e.self_tenths)",
}


def _backfill_sql(basis: str) -> str:
    """Plain SQL on purpose: a migration must not change when the app's code does."""
    points = POINTS[basis]

    def total(condition: str) -> str:
        return f"COALESCE(SUM(CASE WHEN {condition} THEN {points} END), 0)"

    sums = [total(f"c.kind = 'criterion' AND c.star = '{star}'") for star in STARS]
    sums += [total(f"c.kind = '{kind}'") for kind in ("bonus", "deduction", "veto")]
    columns = [f"{star}_tenths" for star in STARS]
    columns += ["bonus_tenths", "deduction_tenths", "veto_tenths"]
    return (
        "INSERT INTO assessment_total (assessment_id, basis, cycle_id, org_id, "
        f"{', '.join(columns)}, scored) "
        f"SELECT a.id, '{basis}', a.cycle_id, a.org_id, {', '.join(sums)}, "
        "COUNT(CASE WHEN c.kind = 'criterion' THEN e.self_tenths END) "
        "FROM score_entry e JOIN assessment a ON a.id = e.assessment_id "
        "JOIN criterion c ON c.id = e.criterion_id "
        "GROUP BY a.id, a.cycle_id, a.org_id"
    )


def upgrade() -> None:
    op.create_table(
        "assessment_total",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("basis", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        *(sa.Column(f"{star}_tenths", sa.Integer(), nullable=False) for star in STARS),
        sa.Column("bonus_tenths", sa.Integer(), nullable=False),
        sa.Column("deduction_tenths", sa.Integer(), nullable=False),
        sa.Column("veto_tenths", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("assessment_id", "basis"),
    )
    with op.batch_alter_table("assessment_total", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessment_total_cycle_basis", ["cycle_id", "basis"], unique=False
        )
    for basis in POINTS:
        op.execute(_backfill_sql(basis))


def downgrade() -> None:
    with op.batch_alter_table("assessment_total", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_total_cycle_basis")
    op.drop_table("assessment_total")
