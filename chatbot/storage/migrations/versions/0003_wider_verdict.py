"""turns.judge_verdict from 16 to 32 characters: the judge's ``unsupported_language`` verdict
has 20 (PostgreSQL refused it; SQLite does not check lengths).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.alter_column("judge_verdict", type_=sa.String(32), existing_type=sa.String(16))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.alter_column("judge_verdict", type_=sa.String(16), existing_type=sa.String(32))
