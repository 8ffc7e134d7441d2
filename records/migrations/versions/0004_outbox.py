"""The notifications outbox holds what it sends: body, recipient, claim and failure.

Records and emails are separate (#12): the record activity queues the email in this
table in the same transaction as the event; a delivery attempt claims the row for a
lease, so a slow SMTP server never sees two concurrent sends of one email; an email
that cannot be delivered is marked ``undeliverable`` with the reason.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("status", type_=sa.String(20), existing_nullable=False)
        batch.add_column(sa.Column("advisor", sa.String(64)))
        batch.add_column(sa.Column("body", sa.Text))
        batch.add_column(sa.Column("claim_token", sa.String(40)))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("last_error", sa.Text))
        batch.create_index("ix_notifications_status", ["status"])


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index("ix_notifications_status")
        for column in ("last_error", "claimed_until", "claim_token", "body", "advisor"):
            batch.drop_column(column)
        batch.alter_column("status", type_=sa.String(10), existing_nullable=False)
