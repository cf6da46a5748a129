"""Storage on a real SQLite file and a real PostgreSQL server (``db_url``): round trips,
validation, retried writes stored once, concurrent writers."""

import threading

import pytest

from chatbot.storage.store import Feedback, Rating, Store, Turn


@pytest.fixture
def store(db_url):
    return Store(db_url)


def test_turn_feedback_and_rating_round_trip(store, db_url):
    conv = store.new_conversation("session-1")
    tid = store.add_turn(conv, question="Q?", standalone_question="Q?", answer="A [1].",
                         passages=[{"n": 1, "doc_id": "d1", "text": "A."}],
                         judge={"score": 0.9, "verdict": "faithful", "sentences": []},
                         judge_score=0.9, judge_verdict="faithful", provider="local",
                         model="m", retrieval_ms=5.0, generation_ms=900.0, judge_ms=80.0,
                         prompt_tokens=300, completion_tokens=20, notes=["n"],
                         relevance={"verdict": "partly", "score": 0.7, "topic": "Asthma"})
    (t,) = store.turns(conv)
    assert t["id"] == tid and t["passages"][0]["doc_id"] == "d1" and t["judge"]["score"] == 0.9
    assert t["relevance"] == {"verdict": "partly", "score": 0.7, "topic": "Asthma"}
    store.add_feedback(tid, thumbs=1, stars=4, comment="clear", session_id="session-1")
    (f,) = store.feedback()
    assert (f["turn_id"], f["thumbs"], f["stars"], f["comment"]) == (tid, 1, 4, "clear")
    store.add_rating("ann", tid, "A [1].", ["A."], 5, question="Q?",
                     unsupported_sentences=[0], helpfulness=4)
    assert store.rated_items("ann") == {tid} and store.rated_items("bob") == set()
    # A second Store on the same file sees everything (nothing only in memory).
    again = Store(db_url)
    assert again.count(Turn) == again.count(Feedback) == again.count(Rating) == 1


def test_bad_feedback_and_ratings_are_refused_and_nothing_is_written(store):
    tid = store.add_turn(store.new_conversation(), question="Q", answer="A")
    with pytest.raises(ValueError):
        store.add_feedback(tid, thumbs=3)
    with pytest.raises(KeyError):
        store.add_feedback("no-such-turn", thumbs=1)
    with pytest.raises(ValueError, match="rater"):
        store.add_rating(" ", tid, "A", [], 3)
    with pytest.raises(ValueError, match="faithfulness"):
        store.add_rating("ann", tid, "A", [], 6)
    assert store.count(Feedback) == store.count(Rating) == 0


def test_a_retried_write_is_stored_once(store):
    tid = store.add_turn(store.new_conversation(), question="Q", answer="A")
    first = store.add_feedback(tid, thumbs=1, request_id="req-1")
    assert store.add_feedback(tid, thumbs=1, request_id="req-1") == first
    store.add_feedback(tid, thumbs=0, request_id="req-2")
    store.add_feedback(tid, thumbs=0)  # no request id: every call is a new row
    store.add_feedback(tid, thumbs=0)
    r = store.add_rating("ann", tid, "A", ["P"], 4, request_id="rate-1")
    assert store.add_rating("ann", tid, "A", ["P"], 4, request_id="rate-1") == r
    assert store.count(Feedback) == 4 and store.count(Rating) == 1


def test_a_retried_turn_save_is_stored_once_with_its_conversation(store):
    from chatbot.turn import ChatTurn

    turn = ChatTurn(question="Was ist Metformin?", answer="Ein Medikament.")
    conv = store.record_turn(turn, "conv-1", "session-9", turn_id="turn-1")
    again = ChatTurn(question="Was ist Metformin?", answer="Ein Medikament.")
    assert store.record_turn(again, "conv-1", "session-9", turn_id="turn-1") == conv
    assert turn.turn_id == again.turn_id == "turn-1" and store.count(Turn) == 1
    with store.session() as s:
        from chatbot.storage.store import Conversation

        assert s.get(Conversation, "conv-1").session_id == "session-9"


def test_every_verdict_the_judge_gives_fits(store):
    for verdict in ("faithful", "unfaithful", "unsupported_language"):
        store.add_turn("c1", question="Q", answer="A", judge_verdict=verdict)
    assert {t["judge_verdict"] for t in store.turns("c1")} == {"faithful", "unfaithful",
                                                             "unsupported_language"}


def test_two_writers_at_once_lose_nothing(db_url):
    url = db_url
    tid = Store(url).add_turn("c1", question="Q", answer="A")
    errors = []

    def writer(k):
        s = Store(url)  # each thread its own engine, as separate app processes would have
        try:
            for i in range(40):
                s.add_feedback(tid, thumbs=i % 2, comment=f"w{k}-{i}")
                s.add_rating(f"rater{k}", f"item{i}", "A", ["P"], 1 + i % 5)
        except Exception as e:  # pragma: no cover - the assertion below reports it
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s = Store(url)
    assert not errors
    assert s.count(Feedback) == 80 and s.count(Rating) == 80
    assert {f["comment"] for f in s.feedback()} == {f"w{k}-{i}" for k in range(2)
                                                     for i in range(40)}


def test_export_round_trips_into_the_benchmark_reader(store, tmp_path):
    from eval.datasets import ratings

    for rater, score in (("ann", 5), ("bob", 4)):
        store.add_rating(rater, "t1", "Metformin treats diabetes.", ["Metformin treats "
                         "type 2 diabetes."], score, question="What does metformin treat?")
    store.add_rating("ann", "t2", "It cures cancer.", ["Metformin treats diabetes."], 1)
    for suffix in (".jsonl", ".csv"):
        path = tmp_path / f"ratings{suffix}"
        assert store.export_ratings(path) == 3
        items = {i.id: i for i in ratings(path)}
        assert items["rating-t1"].label == 1 and items["rating-t1"].meta["raters"] == 2
        assert items["rating-t2"].label == 0
        assert items["rating-t1"].passages == ["Metformin treats type 2 diabetes."]
