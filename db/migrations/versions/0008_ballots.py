"""ballot_box, ballot_code, ballot and ballot_rating: 民主评议 by anonymous ballot

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

A branch prints one-time codes for a 先锋指数 round; a member rates the branch's members on a
phone with one of them. The tables hold no link between a code and a ballot, no voter and no
time: random keys, and WITHOUT ROWID on SQLite so that no hidden rowid keeps the order of
casting (docs/architecture.md, "Anonymous ballots"). Nothing existing changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ballot_box",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("scale", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("passing", sa.Integer(), nullable=False),
        sa.Column("minimum_ballots", sa.Integer(), nullable=False),
        sa.Column("rate_branch", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["vanguard_round.id"]),
        sa.PrimaryKeyConstraint("round_id", "org_id"),
    )
    op.create_index(op.f("ix_ballot_box_org_id"), "ballot_box", ["org_id"])
    op.create_table(
        "ballot_code",
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["vanguard_round.id"]),
        sa.PrimaryKeyConstraint("code_hash"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_ballot_code_box", "ballot_code", ["round_id", "org_id"])
    op.create_table(
        "ballot",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("branch_rating", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["org_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["vanguard_round.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_ballot_box", "ballot", ["round_id", "org_id"])
    op.create_table(
        "ballot_rating",
        sa.Column("ballot_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["ballot.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["party_member.id"]),
        sa.PrimaryKeyConstraint("ballot_id", "member_id"),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_ballot_rating_member_id"), "ballot_rating", ["member_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ballot_rating_member_id"), table_name="ballot_rating")
    op.drop_table("ballot_rating")
    op.drop_index("ix_ballot_box", table_name="ballot")
    op.drop_table("ballot")
    op.drop_index("ix_ballot_code_box", table_name="ballot_code")
    op.drop_table("ballot_code")
    op.drop_index(op.f("ix_ballot_box_org_id"), table_name="ballot_box")
    op.drop_table("ballot_box")
