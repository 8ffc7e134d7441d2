"""Candidate journeys and their audit trail.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journeys",
        sa.Column("journey_id", sa.String(48), primary_key=True),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("candidate_ref", sa.String(40), nullable=False),
        sa.Column("origin_country", sa.String(2), nullable=False),
        sa.Column("occupation", sa.String(120), nullable=False),
        sa.Column("route", sa.String(10), nullable=False),
        sa.Column("procedure", sa.String(10), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(40)),
        sa.Column("outcome_reason", sa.Text),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("arrived_on", sa.Date),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Column("last_event_seq", sa.Integer, nullable=False),
    )
    op.create_index("ix_journeys_case_id", "journeys", ["case_id"])
    op.create_table(
        "journey_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("journey_id", sa.String(48), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("advisor", sa.String(64), nullable=False),
        sa.Column("from_stage", sa.String(40)),
        sa.Column("to_stage", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("journey_id", "seq", name="uq_journey_events_journey_seq"),
    )
    op.create_index("ix_journey_events_journey_id", "journey_events", ["journey_id"])
    op.create_index("ix_journey_events_case_id", "journey_events", ["case_id"])


def downgrade() -> None:
    op.drop_table("journey_events")
    op.drop_table("journeys")
