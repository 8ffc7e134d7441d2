"""The day a journey's residence permit ends: its renewal is the office's next duty after the
placement, listed in the weekly digest (#24).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.add_column(sa.Column("permit_valid_until", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.drop_column("permit_valid_until")
