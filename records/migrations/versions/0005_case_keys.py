"""One data key per case, wrapped by the master payload key (#13): destroying it makes the
case's histories unreadable (crypto-shredding).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_keys",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("master_key_id", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_keys")
