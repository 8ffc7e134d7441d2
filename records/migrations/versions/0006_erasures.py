"""The record of each erasure on request (#13): who, when, on what basis; nothing erased.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_by", sa.String(64), nullable=False),
        sa.Column("basis", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erasures")
