"""publication per region and the year's 双优 quota mode

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

Each 区县 publishes (公示) its own list: region_publication records when a region of a year
was published and until when, and published_result keeps its rows frozen from then on.
cycle.excellence_quota says whether the 25% 双优 quota of the year is counted over the whole
city ("city", every year stored before this revision) or per region ("region").
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN with a server default: every stored year keeps the city-wide quota.
    op.add_column(
        "cycle",
        sa.Column(
            "excellence_quota",
            sqlmodel.sql.sqltypes.AutoString(length=8),
            nullable=False,
            server_default="city",
        ),
    )
    op.create_table(
        "region_publication",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("publication_ends", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"]),
        sa.ForeignKeyConstraint(["published_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("cycle_id", "region"),
    )


def downgrade() -> None:
    op.drop_table("region_publication")
    with op.batch_alter_table("cycle") as batch:
        batch.drop_column("excellence_quota")
