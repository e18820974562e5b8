"""review levels: the department's 初审 before the region's 复核

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

A handed-in assessment goes first to its department's 机关党委 (status first_review), then to
the region's 机关工委 (status submitted, as before). Adds who passed an assessment on and when,
a deadline per level on the year, the step history of every assessment and the per-year
per-region switch of the first level. Existing assessments keep their status: one submitted
before this revision waits for the 复核 as it did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends (batch mode would rebuild the tables that others point
    # at, which their foreign keys forbid on SQLite).
    op.add_column("cycle", sa.Column("first_review_deadline", sa.Date(), nullable=True))
    op.add_column("cycle", sa.Column("review_deadline", sa.Date(), nullable=True))
    op.add_column(
        "assessment",
        sa.Column("first_reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot ALTER in a constraint but takes REFERENCES inline in ADD COLUMN.
        op.execute(
            'ALTER TABLE assessment ADD COLUMN first_reviewer_id INTEGER REFERENCES "user" (id)'
        )
    else:
        op.add_column("assessment", sa.Column("first_reviewer_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "assessment_first_reviewer_id_fkey",
            "assessment",
            "user",
            ["first_reviewer_id"],
            ["id"],
        )
    op.create_table(
        "review_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_review_step_assessment_id"), "review_step", ["assessment_id"])
    op.create_table(
        "first_review_setting",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["updated_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("cycle_id", "region"),
    )


def downgrade() -> None:
    op.drop_table("first_review_setting")
    op.drop_index(op.f("ix_review_step_assessment_id"), table_name="review_step")
    op.drop_table("review_step")
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("first_reviewer_id")
        batch.drop_column("first_reviewed_at")
    with op.batch_alter_table("cycle") as batch:
        batch.drop_column("review_deadline")
        batch.drop_column("first_review_deadline")
