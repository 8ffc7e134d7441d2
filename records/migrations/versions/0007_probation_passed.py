"""The day a journey's probation was passed: the report counts a placement from it (#24),
not from the journey's end (an integration course still open kept it unplaced).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.add_column(sa.Column("probation_passed_on", sa.Date))


def downgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.drop_column("probation_passed_on")
