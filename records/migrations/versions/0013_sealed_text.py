"""The records' free text sealed with the case's key (#26 point 1): room for the sealed
values where a column was sized for the plain text, and the employer's keyed pseudonym
that the figures count (core/sealed.py).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

WIDENED = {"cases": ("employer_name", 200), "journeys": ("candidate_ref", 40), "notifications": ("subject", 200)}


def upgrade() -> None:
    for table, (column, _) in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.Text(), existing_nullable=False)
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("employer_pseudonym", sa.String(32)))


def downgrade() -> None:
    # Sealed values do not fit the old columns, and an erased case's pseudonym is all that
    # counts it: going back would fail half-way or lose figures. Only an unused 0013 goes.
    bind = op.get_bind()
    used = bind.execute(
        sa.text("SELECT count(*) FROM cases WHERE employer_pseudonym IS NOT NULL OR employer_name LIKE 'sealed1:%'")
    ).scalar_one()
    if used:
        raise RuntimeError("records revision 0013 cannot be downgraded: the records hold sealed values")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("employer_pseudonym")
    for table, (column, length) in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.String(length), existing_nullable=False)
