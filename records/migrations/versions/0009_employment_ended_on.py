"""The day a journey's employment ended: a permit to renew is listed only while the person
still works here (#24).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.add_column(sa.Column("employment_ended_on", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.drop_column("employment_ended_on")
