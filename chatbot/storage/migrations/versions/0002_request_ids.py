"""Feedback and ratings get an optional client-made ``request_id`` (unique): a write retried
after a lost connection or a database outage is stored once, not twice.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("feedback", "ratings")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("request_id", sa.String(64)))
            batch.create_index(f"ix_{table}_request_id", ["request_id"], unique=True)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_request_id")
            batch.drop_column("request_id")
