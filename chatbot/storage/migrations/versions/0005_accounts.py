"""accounts: the people who may rate answers and see the staff pages (``chatbot.access``).

Passwords are stored only as Argon2id hashes; an account without one signs in through the
deployment's OpenID Connect provider (its user name is the e-mail address) or waits for
``python -m chatbot.access passwd``. Every rater id already in ``ratings`` becomes a rater
account without a password, so existing ratings keep their rater ids and the rater's queue
continues once the account has a password.

Revision ID: 0005
Revises: 0004
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    accounts = op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(128), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )
    raters = op.get_bind().execute(sa.text("SELECT DISTINCT rater FROM ratings")).scalars()
    now = datetime.now(UTC)
    op.bulk_insert(accounts, [{"username": r, "password_hash": None, "role": "rater",
                               "created_at": now, "failed_logins": 0}
                              for r in sorted(set(raters)) if r])


def downgrade() -> None:
    op.drop_table("accounts")
