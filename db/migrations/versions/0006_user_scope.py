"""user scope: a reviewer's, leader's or admin's region or department

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Each 区县 and each department's 机关党委 answers for its own organisations, so an account is
limited to the whole city, one region or one department. Both columns empty is the city:
every account stored before this revision keeps seeing what it saw.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends (batch mode would rebuild user on SQLite, which the
    # foreign keys pointing at it forbid).
    op.add_column(
        "user",
        sa.Column("scope_region", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot ALTER in a constraint but takes REFERENCES inline in ADD COLUMN.
        op.execute(
            'ALTER TABLE "user" ADD COLUMN scope_department_id INTEGER '
            "REFERENCES organisation (id)"
        )
    else:
        op.add_column("user", sa.Column("scope_department_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            "user_scope_department_id_fkey",
            "user",
            "organisation",
            ["scope_department_id"],
            ["id"],
        )
    op.create_index(op.f("ix_user_scope_department_id"), "user", ["scope_department_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_user_scope_department_id"), table_name="user")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("scope_department_id")
        batch.drop_column("scope_region")
