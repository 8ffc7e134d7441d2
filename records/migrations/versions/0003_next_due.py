"""The next due date of each case and journey, for "overdue now" in the report.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("next_due_on", sa.Date))
    with op.batch_alter_table("journeys") as batch:
        batch.add_column(sa.Column("next_due_on", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.drop_column("next_due_on")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("next_due_on")
