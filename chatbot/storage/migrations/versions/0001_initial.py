"""The first schema: conversations, turns, feedback, ratings (as before Alembic).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("session_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    op.create_table(
        "turns",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("conversation_id", sa.String(32), sa.ForeignKey("conversations.id"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("standalone_question", sa.Text),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("route", sa.String(32), nullable=False),
        sa.Column("passages", sa.JSON, nullable=False),
        sa.Column("judge", sa.JSON),
        sa.Column("judge_score", sa.Float),
        sa.Column("judge_verdict", sa.String(16)),
        sa.Column("provider", sa.String(32)),
        sa.Column("model", sa.String(128)),
        sa.Column("retrieval_ms", sa.Float),
        sa.Column("generation_ms", sa.Float),
        sa.Column("judge_ms", sa.Float),
        sa.Column("prompt_tokens", sa.Integer),
        sa.Column("completion_tokens", sa.Integer),
        sa.Column("notes", sa.JSON, nullable=False))
    op.create_index("ix_turns_conversation_id", "turns", ["conversation_id"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("turn_id", sa.String(32), sa.ForeignKey("turns.id"), nullable=False),
        sa.Column("thumbs", sa.Integer),
        sa.Column("stars", sa.Integer),
        sa.Column("comment", sa.Text),
        sa.Column("session_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    op.create_index("ix_feedback_turn_id", "feedback", ["turn_id"])
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("rater", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(128), nullable=False),
        sa.Column("question", sa.Text),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("passages", sa.JSON, nullable=False),
        sa.Column("faithfulness", sa.Integer, nullable=False),
        sa.Column("unsupported_sentences", sa.JSON, nullable=False),
        sa.Column("helpfulness", sa.Integer),
        sa.Column("safety_concern", sa.Boolean, nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    op.create_index("ix_ratings_rater", "ratings", ["rater"])
    op.create_index("ix_ratings_item_id", "ratings", ["item_id"])


def downgrade() -> None:
    for table in ("ratings", "feedback", "turns", "conversations"):
        op.drop_table(table)
