"""assessment.counted: whether a published year counts the assessment

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Publishing a year now records which organisations it counts (those still active then), so an
organisation dissolved before publication does not reappear in the published results.
Assessments already stored are counted, which is how published years were read so far.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: batch mode would rebuild the table on SQLite, which
    # the foreign keys from score_entry and assessment_total forbid.
    op.add_column(
        "assessment",
        sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("assessment", "counted")
