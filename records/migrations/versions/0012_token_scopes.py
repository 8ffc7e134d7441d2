"""What a token may be used for (#25): a command-line token, a browser session, a calendar feed.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("access_tokens") as table:
        table.add_column(sa.Column("scope", sa.String(16), nullable=False, server_default="command"))


def downgrade() -> None:
    with op.batch_alter_table("access_tokens") as table:
        table.drop_column("scope")
