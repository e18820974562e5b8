"""published_result: a published year's organisations and reviewed sums, frozen at publication

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Published years used to join today's organisation names, regions and departments, so an
import after 定档 moved published region shares. From now on publish_year records each
counted organisation as it was, with its status and reviewed sums. Years already published
are filled here from what is stored now (the closest record of publication there is).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUMS = (
    "learning_tenths",
    "standard_tenths",
    "service_tenths",
    "democracy_tenths",
    "innovation_tenths",
    "bonus_tenths",
    "deduction_tenths",
    "veto_tenths",
    "scored",
)

# Plain SQL on purpose: a migration must not change when the app's code does.
BACKFILL = (
    "INSERT INTO published_result (assessment_id, cycle_id, org_id, code, name, org_type, "
    "region, department, member_count, status, " + ", ".join(SUMS) + ") "
    "SELECT a.id, a.cycle_id, a.org_id, o.code, o.name, o.org_type, o.region, d.name, "
    "o.member_count, a.status, "
    + ", ".join(f"COALESCE(t.{column}, 0)" for column in SUMS)
    + " FROM assessment a "
    "JOIN cycle c ON c.id = a.cycle_id "
    "JOIN organisation o ON o.id = a.org_id "
    "LEFT JOIN organisation d ON d.id = o.department_id "
    "LEFT JOIN assessment_total t ON t.assessment_id = a.id AND t.basis = 'reviewed' "
    "WHERE c.status IN ('published', 'final') AND a.counted = :counted "
    "AND o.org_type <> 'department'"
)


def upgrade() -> None:
    op.create_table(
        "published_result",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("org_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        *(sa.Column(column, sa.Integer(), nullable=False) for column in SUMS),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("assessment_id"),
    )
    with op.batch_alter_table("published_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_published_result_cycle_id"), ["cycle_id"], unique=False
        )
    op.get_bind().execute(sa.text(BACKFILL), {"counted": True})


def downgrade() -> None:
    with op.batch_alter_table("published_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_result_cycle_id"))
    op.drop_table("published_result")
