"""accounts registered by single sign-on wait for an admin's approval

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30

user.awaiting_approval marks a branch account that registered itself through the intranet's
OpenID Connect provider (OIDC_SELF_REGISTRATION): it cannot sign in until an admin approves it
on 管理 → 用户 and places it in its organisation. Every account stored before is not waiting.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN with a server default: no stored account is waiting.
    op.add_column(
        "user",
        sa.Column("awaiting_approval", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("awaiting_approval")
