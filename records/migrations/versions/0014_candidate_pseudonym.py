"""The candidate's keyed pseudonym (#26 point 1): the figures count distinct people by it,
also after an erasure has made the sealed reference unreadable (core/sealed.py).
``python -m core.sealed seal-existing`` fills it for the rows written before.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("journeys") as batch:
        batch.add_column(sa.Column("candidate_pseudonym", sa.String(32)))


def downgrade() -> None:
    # An erased journey's pseudonym is all that counts its person: going back loses figures.
    used = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM journeys WHERE candidate_pseudonym IS NOT NULL"))
        .scalar_one()
    )
    if used:
        raise RuntimeError("records revision 0014 cannot be downgraded: journeys hold candidate pseudonyms")
    with op.batch_alter_table("journeys") as batch:
        batch.drop_column("candidate_pseudonym")
