"""each year keeps its rubric's 民主评议 and 先锋指数 blocks

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

cycle.ballot_rules keeps the year's `ballot:` block (JSON, like cycle.vanguard_rules): the
scale, the passing label, the minimum number of ballots. Until now every box took the shipped
rubric's block when its codes were issued and a year stored without a 先锋指数 block took the
shipped rubric's when a round opened; from here on both are read from the year alone. So that
nothing a stored year does changes, the upgrade writes into every year what it used: the
ballot block the shipped rubric had (the defaults), and, for a year whose 先锋指数 block is
empty, the shipped rubric's block; a round stored without rules takes its year's.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The block every box was issued under before this revision (the shipped rubric's).
BALLOT_BEFORE = json.dumps(
    {
        "scale": ["优秀", "合格", "基本合格", "不合格"],
        "passing": "合格",
        "minimum_ballots": 5,
        "rate_branch": True,
    },
    ensure_ascii=False,
)


def _shipped_vanguard() -> str:
    """The shipped rubric's 先锋指数 block as cycle.vanguard_rules keeps it."""
    from rubric import default_rubric_path, load_rubric
    from rubric_vanguard import stored_rules

    return stored_rules(load_rubric(default_rubric_path()).vanguard)


def upgrade() -> None:
    op.add_column(
        "cycle",
        sa.Column(
            "ballot_rules",
            sqlmodel.sql.sqltypes.AutoString(length=2_000),
            nullable=False,
            server_default="",
        ),
    )
    cycle = sa.table(
        "cycle",
        sa.column("year", sa.Integer()),
        sa.column("ballot_rules", sa.String()),
        sa.column("vanguard_rules", sa.String()),
    )
    round_ = sa.table(
        "vanguard_round", sa.column("year", sa.Integer()), sa.column("rules", sa.String())
    )
    op.execute(cycle.update().values(ballot_rules=BALLOT_BEFORE))
    bind = op.get_bind()
    if bind.execute(sa.select(sa.func.count()).where(cycle.c.vanguard_rules == "")).scalar():
        op.execute(
            cycle.update()
            .where(cycle.c.vanguard_rules == "")
            .values(vanguard_rules=_shipped_vanguard())
        )
    op.execute(
        round_.update()
        .where(round_.c.rules == "")
        .values(
            # A round of a year that is not stored (none can be opened so) keeps none.
            rules=sa.func.coalesce(
                sa.select(cycle.c.vanguard_rules)
                .where(cycle.c.year == round_.c.year)
                .scalar_subquery(),
                "",
            )
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("cycle") as batch:
        batch.drop_column("ballot_rules")
