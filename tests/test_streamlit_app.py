"""The app with Streamlit's AppTest: the real judge, a real FAISS index and SQLite file, and
LangChain's fake chat model at the LLM boundary."""

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")
ANSWER = "Metformin is used to treat type 2 diabetes [1]. It often causes hair loss [1]."


def test_chat_question_gets_answer_sources_verdict_and_feedback(app_env, monkeypatch):
    from chatbot.storage.store import Feedback, Store, Turn

    monkeypatch.setenv("GC_QUOTE_SENTENCES", "4")  # the default: the source's words follow
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["chat_model"] = FakeListChatModel(responses=[ANSWER])
    at.run()
    assert not at.exception
    from app import resources

    kb = resources.knowledge_base(str(app_env))
    assert kb._bm25 is not None  # loaded while the user types: keyword index, judge, model
    at.chat_input[0].set_value("What is metformin used for?").run()
    assert not at.exception
    assert resources.knowledge_base(str(app_env)) is kb
    text = " ".join(m.value for m in at.markdown)
    assert "Metformin is used to treat type 2 diabetes" in text
    assert ":red-badge[unfaithful]" in text or ":green-badge[faithful]" in text
    assert "unsupported" in text  # the hair-loss sentence is marked, with a text label
    assert any(e.label.startswith("[1] Metformin") for e in at.expander)
    store = Store(f"sqlite:///{app_env / 'groundedchat.db'}")
    (turn,) = store.turns()
    answer, quotes = turn["answer"].split("\n\n")
    assert answer == ANSWER and turn["judge_verdict"] in {"faithful", "unfaithful"}
    assert "500 mg twice a day" in quotes  # a leaflet sentence the answer did not say
    assert any("that the answer did not already say" in c.value for c in at.caption)
    at.feedback[0].set_value(1).run()  # thumbs up
    assert not at.exception
    assert store.count(Feedback) == 1 and store.feedback()[0]["thumbs"] == 1
    assert store.count(Turn) == 1
    assert any("Feedback saved" in c.value for c in at.caption)


CUT = ("Metformin is used to treat type 2 diabetes [1]. Metformin is used to treat type 2 "
       "diabetes [1]. Metformin is")


def ask_cut_answer() -> AppTest:
    """The chat page after one question whose fake answer repeats and breaks off."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["chat_model"] = FakeListChatModel(responses=[CUT])
    at.run()
    at.chat_input[0].set_value("What is metformin used for?").run()
    assert not at.exception
    return at


def test_cut_off_and_repeated_sentences_are_removed_and_said_in_the_chat(app_env):
    at = ask_cut_answer()
    text = " ".join(m.value for m in at.markdown)
    assert text.count("Metformin is used to treat type 2 diabetes") == 2  # answer + its verdict
    assert ":violet-badge[incomplete]" not in text and ":gray-badge[repeated]" not in text
    notes = " ".join(c.value for c in at.caption)
    assert "removed 1 repeated sentence" in notes and "unfinished last sentence" in notes


def test_cut_off_and_repeated_sentences_are_labelled_when_not_tidied(app_env, monkeypatch):
    monkeypatch.setenv("GC_TIDY_ANSWERS", "false")
    at = ask_cut_answer()
    text = " ".join(m.value for m in at.markdown)
    assert ":violet-badge[incomplete] Metformin is" in text
    assert ":gray-badge[repeated]" in text


def test_safety_message_gets_the_fixed_answer(app_env):
    at = AppTest.from_file(APP, default_timeout=180)
    fake = FakeListChatModel(responses=["must not be used"])
    at.session_state["chat_model"] = fake
    at.run()
    at.chat_input[0].set_value("I want to kill myself").run()
    assert not at.exception
    assert any("emergency" in m.value for m in at.markdown) and fake.i == 0


def test_playground_page_gives_a_verdict(app_env):
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("app/pages/playground.py").run()
    assert not at.exception
    at.text_area[0].set_value("The pharmacy is closed on Sundays.")
    at.text_input[0].set_value("Nobody works at the pharmacy on Sundays because it is shut.")
    at.button[0].click().run()
    assert at.subheader[0].value.startswith("Verdict: ")
    at.text_input[0].set_value("The pharmacy is closed on Sundays.")
    at.button[0].click().run()
    assert at.subheader[0].value == "Verdict: entailment"
    at.text_input[0].set_value("   ")
    at.button[0].click().run()
    assert at.error[0].value == "Enter both the evidence and the claim."


def seed_turn(var, answer=ANSWER):
    from chatbot.storage.store import Store

    store = Store(f"sqlite:///{var / 'groundedchat.db'}")
    sentences = [{"text": "Metformin is used to treat type 2 diabetes [1].", "label": "supported",
                  "score": 0.9},
                 {"text": "It often causes hair loss [1].", "label": "unsupported", "score": 0.1}]
    return store, store.add_turn(
        store.new_conversation(), question="What is metformin for?", answer=answer,
        passages=[{"n": 1, "text": "Metformin treats type 2 diabetes.", "title": "Metformin"}],
        judge={"score": 0.5, "verdict": "unfaithful", "sentences": sentences},
        judge_score=0.5, judge_verdict="unfaithful", route="rag", provider="local")


PASSWORD = "a long enough password"


def add_account(var, name: str, role: str):
    from chatbot.access import Accounts
    from chatbot.storage.store import Store

    Accounts(Store(f"sqlite:///{var / 'groundedchat.db'}")).add(name, role, PASSWORD)


def sign_in(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    """Fill in the sidebar's sign-in form and send it."""
    at.text_input(key="signin-name").set_value(name)
    at.text_input(key="signin-password").set_value(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception
    return at


def test_rating_lands_with_its_rater_and_exports_for_the_benchmark(app_env, tmp_path):
    from eval import run

    store, tid = seed_turn(app_env)
    add_account(app_env, "ann", "rater")
    at = sign_in(AppTest.from_file(APP, default_timeout=180).run(), "ann")
    at.switch_page("app/pages/rate.py").run()
    assert not at.exception
    assert any("Rating as **ann**" in c.value for c in at.caption)
    assert not [t for t in at.text_input if t.label == "Your rater id"]  # no typed names
    assert "unfaithful" not in " ".join(m.value for m in at.markdown)  # blind to the judge
    next(c for c in at.checkbox if "hair loss" in c.label).check()
    next(b for b in at.button if b.label == "Submit").click().run()  # no score yet: refused
    assert any("Choose a faithfulness score" in e.value for e in at.error)
    assert next(c for c in at.checkbox if "hair loss" in c.label).value  # input kept
    assert store.ratings() == []
    at.radio[0].set_value(3)
    at.radio[1].set_value(4)
    next(b for b in at.button if b.label == "Submit").click().run()
    assert not at.exception
    (r,) = store.ratings()
    assert (r["rater"], r["item_id"], r["faithfulness"], r["helpfulness"]) == ("ann", tid, 3, 4)
    assert r["unsupported_sentences"] == [1]
    assert any("Nothing left to rate" in s.value for s in at.success)  # not shown twice
    for k in range(5):  # more rated items, so the benchmark has some to score
        store.add_rating("bob", f"extra-{k}", "Metformin treats type 2 diabetes.",
                         ["Metformin treats type 2 diabetes."], 5 if k % 2 else 1)
    out = tmp_path / "ratings.jsonl"
    assert store.export_ratings(out) == 6
    payload = run.main(["--judges", "lexical", "--datasets", "begin", "--limit", "4",
                        "--ratings", str(out), "--output", str(tmp_path / "rep"),
                        "--no-mlflow", "--latency-items", "1"])
    assert [r["dataset"] for r in payload["results"]] == ["begin", "ratings"]


def test_dashboard_computes_kappa_on_seeded_ratings(app_env, on_this_machine):
    from sklearn.metrics import cohen_kappa_score

    store, tid = seed_turn(app_env)
    _, tid2 = seed_turn(app_env, answer="Another answer.")
    for item, (a, b) in ((tid, (5, 4)), (tid2, (2, 3))):
        store.add_rating("ann", item, "x", ["p"], a)
        store.add_rating("bob", item, "x", ["p"], b)
    store.add_feedback(tid, thumbs=0)
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("app/pages/dashboard.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    expected = cohen_kappa_score([5, 2], [4, 3], weights="quadratic")
    assert metrics["Raters: weighted kappa"] == f"{expected:.2f}"
    assert metrics["Judge vs thumbs: accuracy"] == "1.00"  # unfaithful verdict, thumbs down


def test_dashboard_recalibrates_from_ratings_and_applies_it(app_env, on_this_machine):
    from chatbot.settings import ChatSettings
    from chatbot.storage.store import Store

    store = Store(f"sqlite:///{app_env / 'groundedchat.db'}")
    passage = ("Metformin is a medicine used to treat type 2 diabetes. The usual starting "
               "dose is 500 mg.")
    store.add_rating("ann", "only-one", "Metformin treats type 2 diabetes.", [passage], 5)
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("app/pages/dashboard.py").run()
    at.button(key="recal_preview").click().run()
    assert not at.exception
    assert any("at least 20 are needed" in i.value for i in at.info)  # refused, says why
    for k in range(12):
        store.add_rating("ann", f"good-{k}", "Metformin is used to treat type 2 diabetes.",
                         [passage], 5)
        store.add_rating("ann", f"bad-{k}", "Metformin cures type 1 diabetes in a week.",
                         [passage], 1)
    at.button(key="recal_preview").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert "Agreement after (held out)" in metrics and "Threshold" in metrics
    settings = ChatSettings(var_dir=app_env)
    assert settings.judge_calibration_dir is None        # nothing applied yet
    at.button(key="recal_apply").click().run()
    assert not at.exception
    assert settings.judge_calibration_dir == settings.applied_calibration_dir
    # once accounts exist, a rater cannot open the Dashboard, nor preview or apply
    add_account(app_env, "ann", "rater")
    at = sign_in(AppTest.from_file(APP, default_timeout=180).run(), "ann")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app/pages/dashboard.py")
    from app import resources

    judge = resources.judge(settings.judge_backend)  # reloaded with the applied calibration
    assert judge.version["calibration"] == "ratings: the app's ratings"
    assert judge.settings.threshold == pytest.approx(float(metrics["Threshold"]), abs=1e-3)


def test_documents_page_adds_files_reports_bad_ones_and_summarises(app_env, on_this_machine):
    from chatbot.retrieval.ingest import open_saved_index
    from chatbot.settings import ChatSettings

    flu = ("Flu is an infection of the nose, throat and lungs. Flu vaccines are offered every "
           "autumn to people at higher risk. Most people recover within a week.")
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["chat_model"] = FakeListChatModel(
        responses=["Flu is a lung infection; most people recover within a week.",
                   "Who should get a flu vaccine?\nHow long does flu last?"])
    at.run()
    at.switch_page("app/pages/documents.py").run()
    assert not at.exception
    at.file_uploader[0].set_value([("flu.txt", flu.encode(), "text/plain"),
                                   ("empty.txt", b"  ", "text/plain")]).run()
    next(b for b in at.button if b.label == "Add to the knowledge base").click().run()
    assert not at.exception
    assert any("empty.txt: the file is empty" in e.value for e in at.error)
    assert any("1 added" in s.value for s in at.success)
    kb = open_saved_index(ChatSettings(var_dir=app_env))
    assert len(kb.documents()) == 4  # three leaflets + flu.txt, saved to disk
    at.file_uploader[1].set_value(("flu.txt", flu.encode(), "text/plain")).run()
    next(b for b in at.button if b.label == "Summarise").click().run()
    assert not at.exception
    shown = " ".join(t.value for t in at.text)
    assert "most people recover within a week" in shown
    assert "Who should get a flu vaccine?" in shown
    assert any("Judge:" in m.value for m in at.markdown)
    assert at.session_state["suggested_questions"][0] == "Who should get a flu vaccine?"


def test_a_database_outage_keeps_answers_and_feedback_and_saves_them_later(app_env,
                                                                          monkeypatch):
    """A real PostgreSQL server stopped mid-session and started again: the answer given
    while it was down stays on screen marked 'not saved yet', feedback sent meanwhile is
    kept, and both are written once when the database is back."""
    from chatbot.storage.store import Feedback, Store, Turn
    from chatbot.storage.temp_postgres import PostgresServer, find_bin

    if find_bin() is None:
        pytest.skip("PostgreSQL server binaries not found (make setup installs them)")
    with PostgresServer(find_bin()) as pg:
        url = pg.new_database()
        monkeypatch.setenv("DATABASE_URL", url)
        at = AppTest.from_file(APP, default_timeout=180)
        at.session_state["chat_model"] = FakeListChatModel(responses=[ANSWER])
        at.run()
        at.chat_input[0].set_value("What is metformin used for?").run()
        assert not at.exception and Store(url).count(Turn) == 1

        pg.halt()  # the database goes away
        at.feedback[0].set_value(1).run()  # thumbs up on the saved answer
        assert not at.exception
        assert any("feedback is not saved yet" in w.value for w in at.warning)
        at.chat_input[0].set_value("How much metformin do I take?").run()
        assert not at.exception
        assert any("answer is not saved yet" in w.value for w in at.warning)
        assert sum("Metformin is used to treat" in m.value for m in at.markdown) >= 2

        pg.resume()  # back: the next action saves what was kept
        at.run()
        assert not at.exception and not at.warning
        store = Store(url)
        assert store.count(Turn) == 2 and store.count(Feedback) == 1
        assert store.feedback()[0]["thumbs"] == 1
        at.run()  # nothing is written twice
        assert store.count(Turn) == 2 and store.count(Feedback) == 1


def test_an_answer_not_in_english_is_shown_as_not_judged(app_env):
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["chat_model"] = FakeListChatModel(
        responses=["Metformin wird zur Behandlung von Typ-2-Diabetes eingesetzt [1]."])
    at.run()
    at.chat_input[0].set_value("What is metformin used for?").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert ":gray-badge[not judged: not English]" in text  # the verdict and the sentence
    assert ":green-badge[faithful]" not in text and ":red-badge[unfaithful]" not in text
    notes = " ".join(c.value for c in at.caption)
    assert "sentence 1 is not in English \\(de\\)" in notes  # the judge's own note, shown


def test_an_empty_question_is_not_sent(app_env):
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["chat_model"] = FakeListChatModel(responses=[ANSWER])
    at.run()
    at.chat_input[0].set_value("\u200b  ").run()
    assert not at.exception
    assert any("Not sent: the question is empty" in w.value for w in at.warning)
    assert not at.session_state["messages"]


def test_relevance_shows_beside_the_verdict_and_an_abstention_calls_no_model(app_env):
    """Faithful to loosely related sources is not one green verdict; a question the sources
    do not cover is answered "not in my sources" without the model, and stored so."""
    from chatbot.storage.store import Store

    at = AppTest.from_file(APP, default_timeout=180)
    fake = FakeListChatModel(responses=["Avoid caffeine in the evening [1]."])
    at.session_state["chat_model"] = fake
    at.run()
    at.chat_input[0].set_value("Is it safe to drink coffee when I can't sleep?").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert ":orange-badge[partly answers your question]" in text
    assert ":green-badge[faithful]" not in text
    assert ":blue-badge[faithful to its sources]" in text or "unfaithful" in text
    at = AppTest.from_file(APP, default_timeout=180)  # a new conversation: no rewriting
    at.session_state["chat_model"] = fake
    at.run()
    at.chat_input[0].set_value("How do I fix a bicycle chain?").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert ":red-badge[not in my sources]" in text and "couldn't find" in text
    assert any("no language model involved" in c.value for c in at.caption)
    routes = [(t["route"], (t["relevance"] or {}).get("verdict"), t["model"] is None)
              for t in Store(f"sqlite:///{app_env / 'groundedchat.db'}").turns()]
    # the abstention reached no model (none is recorded for it)
    assert sorted(routes) == [("not_found", "not answered", True), ("rag", "partly", False)]
