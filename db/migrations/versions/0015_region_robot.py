"""region_robot: each region's own group robot for reminders

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

Each 区县's 机关工委 has its own DingTalk / 浙政钉-style group robot. A region admin sets its
webhook address in 管理; reminders for the region's organisations and reviewers go there, and
to REMINDER_WEBHOOK_URL (the city's) for regions without one. Empty after the upgrade: every
reminder goes where it went before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "region_robot",
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("webhook_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("region"),
    )


def downgrade() -> None:
    op.drop_table("region_robot")
