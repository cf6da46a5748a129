"""Deleting conversations and the retention period on a real database (SQLite and
PostgreSQL): everything stored about a conversation goes, nothing else does."""

from datetime import UTC, datetime, timedelta

from chatbot.access import delete_conversation, expired, purge
from chatbot.storage.store import Conversation, Feedback, Rating, Store, Turn


def conversation(store: Store, n_turns: int = 2) -> tuple[str, list[str]]:
    cid = store.new_conversation("session")
    tids = [store.add_turn(cid, question=f"Q{k}", answer=f"A{k}", passages=[{"text": "P"}])
            for k in range(n_turns)]
    store.add_feedback(tids[0], thumbs=1, comment="private words")
    store.add_rating("ann", tids[0], "A0", ["P"], 5, question="Q0")
    return cid, tids


def test_deleting_a_conversation_removes_turns_feedback_and_ratings_only_of_it(db_url):
    store = Store(db_url)
    gone, _ = conversation(store)
    kept, kept_turns = conversation(store)
    store.add_rating("ann", "halueval-qa-1", "A", ["P"], 3)  # a benchmark item's rating
    counts = delete_conversation(store, gone)
    assert counts == {"conversations": 1, "turns": 2, "feedback": 1, "ratings": 1}
    assert {t["conversation_id"] for t in store.turns()} == {kept}
    assert [f["turn_id"] for f in store.feedback()] == [kept_turns[0]]
    assert sorted(r["item_id"] for r in store.ratings()) == sorted([kept_turns[0],
                                                                     "halueval-qa-1"])
    assert store.count(Conversation) == 1
    assert delete_conversation(store, gone)["conversations"] == 0  # twice: nothing more
    assert delete_conversation(store, "no-such-id") == dict.fromkeys(counts, 0)


def test_purge_deletes_only_conversations_quiet_for_the_retention_period(db_url):
    store = Store(db_url)
    old, _ = conversation(store)
    recent, _ = conversation(store)
    revived, _ = conversation(store)
    now = datetime.now(UTC)
    with store.session() as s, s.begin():  # age them: old and revived began 100 days ago
        for cid in (old, revived):
            s.get(Conversation, cid).created_at = now - timedelta(days=100)
            for t in s.query(Turn).filter_by(conversation_id=cid):
                t.created_at = now - timedelta(days=100)
        s.add(Turn(conversation_id=revived, question="again", answer="B",
                   created_at=now - timedelta(days=2)))  # one new answer: kept
    assert expired(store, 90) == [old]
    assert purge(store, 0)["conversations"] == 0  # 0: kept forever
    counts = purge(store, 90)
    assert counts["conversations"] == 1 and counts["turns"] == 2
    assert {t["conversation_id"] for t in store.turns()} == {recent, revived}
    assert store.count(Feedback) == 2 and store.count(Rating) == 2
    assert purge(store, 1)["conversations"] == 1  # a shorter period: revived goes too
    assert {t["conversation_id"] for t in store.turns()} == {recent}
