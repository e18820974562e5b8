"""先锋指数 sheets: each member's figures per round, and the rules a year and a round use

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

cycle.vanguard_rules keeps the rubric's 先锋指数 block (JSON; "" for years installed before,
which then take the shipped rubric's when a round opens); vanguard_round.rules the block a
round was opened with; criterion.auto_source names the member data an auto-scored
criterion's figure comes from (None: the branch enters it). vanguard_sheet / vanguard_entry hold the branch's figures and the
members' declarations. Nothing existing changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN with a default on both backends (batch mode would rebuild the tables,
    # which the foreign keys pointing at cycle forbid on SQLite).
    op.add_column(
        "cycle",
        sa.Column(
            "vanguard_rules",
            sqlmodel.sql.sqltypes.AutoString(length=20_000),
            nullable=False,
            server_default="",
        ),
    )
    op.add_column(
        "vanguard_round",
        sa.Column(
            "rules",
            sqlmodel.sql.sqltypes.AutoString(length=20_000),
            nullable=False,
            server_default="",
        ),
    )
    op.add_column(
        "criterion",
        sa.Column("auto_source", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    )
    op.create_table(
        "vanguard_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["party_member.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["vanguard_round.id"]),
        sa.ForeignKeyConstraint(["updated_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "member_id"),
    )
    op.create_index("ix_vanguard_sheet_round_org", "vanguard_sheet", ["round_id", "org_id"])
    op.create_index(op.f("ix_vanguard_sheet_member_id"), "vanguard_sheet", ["member_id"])
    op.create_table(
        "vanguard_entry",
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("declared_tenths", sa.Integer(), nullable=True),
        sa.Column("assessed_tenths", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["sheet_id"], ["vanguard_sheet.id"]),
        sa.PrimaryKeyConstraint("sheet_id", "code"),
    )


def downgrade() -> None:
    op.drop_table("vanguard_entry")
    op.drop_index(op.f("ix_vanguard_sheet_member_id"), table_name="vanguard_sheet")
    op.drop_index("ix_vanguard_sheet_round_org", table_name="vanguard_sheet")
    op.drop_table("vanguard_sheet")
    with op.batch_alter_table("vanguard_round") as batch:
        batch.drop_column("rules")
    with op.batch_alter_table("criterion") as batch:
        batch.drop_column("auto_source")
    with op.batch_alter_table("cycle") as batch:
        batch.drop_column("vanguard_rules")
