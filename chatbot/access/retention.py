"""Deleting conversations: one on request (the visitor from the chat page, staff by id) and
every one older than the retention period (``GC_RETENTION_DAYS``).

A deleted conversation takes with it its turns (question, answer, passages, the judge's
result), the feedback on them and the ratings of them: ratings are removed, not kept as
anonymised numbers, because a rating row holds the question and answer it rated. Ratings of
benchmark items are not conversations and stay. Each deletion is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, exists, select

from chatbot.storage.store import Conversation, Feedback, Rating, Store, Turn


def delete_conversations(store: Store, ids: Iterable[str]) -> dict[str, int]:
    """Delete these conversations and everything stored about them; the counts deleted
    (``conversations``, ``turns``, ``feedback``, ``ratings``). Unknown ids are ignored."""
    ids = list(dict.fromkeys(ids))
    counts = dict.fromkeys(("conversations", "turns", "feedback", "ratings"), 0)
    if not ids:
        return counts
    with store.session() as s, s.begin():
        turns = select(Turn.id).where(Turn.conversation_id.in_(ids)).scalar_subquery()
        for name, stmt in (("feedback", delete(Feedback).where(Feedback.turn_id.in_(turns))),
                           ("ratings", delete(Rating).where(Rating.item_id.in_(turns))),
                           ("turns", delete(Turn).where(Turn.conversation_id.in_(ids))),
                           ("conversations",
                            delete(Conversation).where(Conversation.id.in_(ids)))):
            counts[name] = s.execute(stmt.execution_options(synchronize_session=False)).rowcount
    return counts


def delete_conversation(store: Store, conversation_id: str) -> dict[str, int]:
    """``delete_conversations`` for one id."""
    return delete_conversations(store, [conversation_id])


def expired(store: Store, days: float, now: datetime | None = None) -> list[str]:
    """Conversations with nothing newer than ``days`` days: begun before the cut-off and
    without a turn after it."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    newer = exists().where(Turn.conversation_id == Conversation.id, Turn.created_at >= cutoff)
    with store.session() as s:
        return list(s.scalars(select(Conversation.id)
                              .where(Conversation.created_at < cutoff, ~newer)))


def purge(store: Store, days: float | None, now: datetime | None = None) -> dict[str, int]:
    """Delete every conversation past the retention period (``days``; None or 0: keep them
    all); the counts deleted."""
    if not days:
        return delete_conversations(store, [])
    return delete_conversations(store, expired(store, days, now))


def describe(counts: dict[str, int]) -> str:
    """``counts`` in words, as the CLI and the Dashboard report a deletion:
    ``1 conversations, 2 turns, 0 feedback, 1 ratings``."""
    return ", ".join(f"{v} {k}" for k, v in counts.items())
