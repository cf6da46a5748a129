"""The judged RAG chain with LangChain's fake chat models at the LLM boundary, the real
knowledge base and the real faithfulness judge."""

import pytest
from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    FakeListChatModelError,
)

from chatbot.chain.citations import CITATION
from chatbot.chain.rag import NO_CONTEXT_ANSWER, ChatTurn, cited_numbers
from chatbot.chain.safety import SAFETY_ANSWER, needs_safety_route
from chatbot.service import build_chatbot
from chatbot.settings import ChatSettings

GOOD = "Metformin is used to treat type 2 diabetes [1]. The usual starting dose is 500 mg [1]."
BAD = "Metformin cures asthma in children [1]. It is usually taken once a year [2]."


def bot(kb, judge, responses, guard="warn", quote_sentences=0, **kw):
    """A chat over ``kb`` whose model answers ``responses`` in turn; no quotes unless asked,
    so the answer is the model's."""
    settings = ChatSettings(guard=guard, top_k=3, quote_sentences=quote_sentences, **kw)
    return build_chatbot(settings, kb, judge, llm=FakeListChatModel(responses=responses))


def test_answer_has_sources_citations_and_a_verdict(kb, judge):
    b = bot(kb, judge, [GOOD])
    pieces = list(b.stream("What is metformin used for?"))
    turn = pieces[-1]
    assert isinstance(turn, ChatTurn) and "".join(pieces[:-1]).strip() == GOOD == turn.answer
    assert len(pieces) > 3  # streamed, not one block
    assert turn.passages[0].doc_id == "leaflet-metformin" and turn.passages[0].n == 1
    assert turn.cited == [1]
    assert turn.faithfulness.verdict == "faithful"
    assert 0 < turn.latency_ms["first_token"] <= turn.latency_ms["generation"]


def test_repeats_and_a_cut_off_ending_are_removed_before_judging(kb, judge):
    looping = GOOD + " Metformin is used to treat type 2 diabetes [1]. 3. Metformin is"
    turn = bot(kb, judge, [looping]).ask("What is metformin used for?")
    assert turn.answer == GOOD
    assert [s.text for s in turn.faithfulness.sentences] == [
        "Metformin is used to treat type 2 diabetes [1].", "The usual starting dose is 500 mg [1]."]
    assert "tidied: removed 1 repeated sentence(s)" in turn.notes
    assert any(n.startswith("tidied: removed the unfinished") for n in turn.notes)
    kept = bot(kb, judge, [looping], tidy_answers=False).ask("What is metformin used for?")
    assert kept.answer == looping and {"repeated", "incomplete"} <= {
        s.label for s in kept.faithfulness.sentences}


def test_an_answer_that_says_nothing_is_replaced_by_the_passages_best_sentences(kb, judge):
    turn = bot(kb, judge, ["[1] Metformin"]).ask("What is metformin used for?")
    assert turn.answer != "[1] Metformin" and turn.answer.endswith("[1]")
    assert "type 2 diabetes" in turn.answer and turn.faithfulness.verdict == "faithful"
    assert any("said nothing" in n for n in turn.notes)


def test_supported_sentences_get_the_judges_citations(kb, judge):
    plain = "Metformin is used to treat type 2 diabetes. It cures asthma in children."
    turn = bot(kb, judge, [plain]).ask("What is metformin used for?")
    assert turn.answer == ("Metformin is used to treat type 2 diabetes [1]. "
                           "It cures asthma in children.")  # unsupported: no citation
    assert turn.cited == [1] and turn.passages[0].doc_id == "leaflet-metformin"
    for s in turn.faithfulness.sentences:  # the verdicts point into the cited answer
        assert turn.answer[s.start:s.end] == s.text
    off = bot(kb, judge, [plain], cite_answers=False).ask("What is metformin used for?")
    assert off.answer == plain and off.cited == []


def test_the_model_stops_after_the_sentence_budget(kb, judge):
    long = " ".join(f"Metformin fact number {i} is here." for i in range(1, 9))
    b = bot(kb, judge, [long], answer_sentences=2, cite_answers=False)
    pieces = list(b.stream("What is metformin used for?"))
    turn = pieces[-1]
    assert turn.answer == "Metformin fact number 1 is here. Metformin fact number 2 is here."
    assert "number 4" not in "".join(pieces[:-1])  # the stream stopped, not just the answer
    full = bot(kb, judge, [long], answer_sentences=0, cite_answers=False)
    assert full.ask("What is metformin used for?").answer == long


def test_a_turn_is_typed_until_it_is_stored(kb, judge, tmp_path):
    """The chain hands over objects; ``record_turn`` turns them into the stored row once."""
    from chatbot.storage.store import Store
    from nli_judge import FaithfulnessResult

    turn = bot(kb, judge, [BAD]).ask("What is metformin used for?")
    assert isinstance(turn.faithfulness, FaithfulnessResult)
    store = Store(f"sqlite:///{tmp_path / 'gc.db'}")
    conv = store.record_turn(turn, session_id="s1")
    assert store.record_turn(turn, conv) == conv  # a second turn joins the conversation
    first, second = store.turns(conv)
    assert turn.turn_id == second["id"] != first["id"]
    assert first["judge_verdict"] == turn.faithfulness.verdict == "unfaithful"
    assert first["judge"]["sentences"][0]["label"] == turn.faithfulness.sentences[0].label
    assert first["passages"][0]["doc_id"] == turn.passages[0].doc_id
    assert turn.to_dict()["faithfulness"] == turn.faithfulness.to_dict()
    assert {"retrieval", "generation", "judge"} <= set(turn.latency_ms)
    assert turn.provider == "local" and turn.route == "rag"


def test_unsupported_answer_is_marked_under_warn(kb, judge):
    turn = bot(kb, judge, [BAD]).ask("What is metformin used for?")
    assert turn.faithfulness.verdict == "unfaithful"
    labels = [s.label for s in turn.faithfulness.sentences]
    assert "unsupported" in labels or "contradicted" in labels
    assert any("not supported" in n for n in turn.notes)


def test_guard_retry_drops_unsupported_sentences_without_a_second_call(kb, judge):
    mixed = GOOD + " " + BAD
    b = bot(kb, judge, [mixed, "never used"], guard="retry")
    turn = b.ask("What is metformin used for?")
    assert turn.answer == GOOD and turn.faithfulness.verdict == "faithful"
    assert any("removed 2 sentence(s)" in n for n in turn.notes) and "retry" in turn.latency_ms
    assert b.llm.i == 1  # one model call
    b = bot(kb, judge, [GOOD, BAD], guard="retry")
    assert b.ask("What is metformin used for?").answer == GOOD  # no retry needed


def test_guard_retry_answers_extractively_when_nothing_is_supported(kb, judge):
    turn = bot(kb, judge, [BAD], guard="retry").ask("What is metformin used for?")
    assert turn.answer.endswith("[1]") and "Metformin" in turn.answer
    sentences = [s.strip() for s in turn.answer.split("[1]") if s.strip()]
    assert sentences and all(s in turn.passages[0].text for s in sentences)  # copied
    assert turn.faithfulness.verdict == "faithful"
    assert any("best-matching sentences of passage [1]" in n for n in turn.notes)


def test_the_answer_is_followed_by_the_sources_sentences_it_does_not_say(kb, judge):
    short = "Metformin is used to treat type 2 diabetes."
    turn = bot(kb, judge, [short], quote_sentences=4).ask("What is metformin used for?")
    answer, quotes = turn.answer.split("\n\n")
    assert answer.startswith(short.rstrip(".")) and "type 2 diabetes" not in quotes
    judged = turn.faithfulness.sentences  # the quotes are judged and cited like the answer
    quoted = [CITATION.sub("", s.text).replace(" .", ".").strip() for s in judged[1:]]
    assert 2 <= len(quoted) <= 4 and all(q in turn.passages[0].text for q in quoted)
    assert all(s.start >= len(answer) for s in judged[1:])
    assert turn.faithfulness.verdict == "faithful" and turn.cited == [1]
    assert any(f"added {len(quoted)} sentence(s) of source [1]" in n for n in turn.notes)
    remote = bot(kb, judge, [short], quote_sentences=4, provider="openai")
    assert remote.ask("What is metformin used for?").answer == short.replace(".", " [1].")


def test_follow_up_is_rewritten_with_the_history(kb, judge):
    b = bot(kb, judge, ["What is the usual starting dose of metformin?", GOOD])
    history = [("user", "Tell me about metformin."), ("assistant", "It treats diabetes [1].")]
    turn = b.ask("And how much do I take?", history)
    assert turn.standalone_question == "What is the usual starting dose of metformin?"
    assert turn.passages[0].doc_id == "leaflet-metformin"


def test_remote_failure_falls_back_to_the_local_model(kb, judge):
    settings = ChatSettings(provider="openai", guard="off", top_k=3, quote_sentences=0)
    remote = FakeListChatModel(responses=["never"], error_on_chunk_number=0)
    local = FakeListChatModel(responses=[GOOD])
    b = build_chatbot(settings, kb, judge, llm=remote, fallback=lambda: local)
    turn = b.ask("What is metformin used for?")
    assert turn.answer == GOOD and turn.provider == "local"
    assert any("openai model failed" in n and "local model" in n for n in turn.notes)


def test_remote_failure_without_fallback_raises(kb, judge):
    settings = ChatSettings(provider="openai", fallback_to_local=False)
    remote = FakeListChatModel(responses=["never"], error_on_chunk_number=0)
    with pytest.raises(FakeListChatModelError):
        build_chatbot(settings, kb, judge, llm=remote).ask("What is metformin used for?")


@pytest.mark.parametrize("message", [
    "I want to kill myself", "I've been thinking about suicide",
    "my dad has chest pain right now", "I took an overdose of my pills",
])
def test_safety_route_answers_without_the_llm(kb, judge, message):
    b = bot(kb, judge, ["the LLM must not be called"])
    turn = b.ask(message)
    assert turn.route == "safety" and turn.answer == SAFETY_ANSWER
    assert "emergency" in turn.answer and b.llm.i == 0 and not turn.passages


@pytest.mark.parametrize("message", ["How do I kill weeds in my garden?",
                                     "What is the dose of metformin?"])
def test_ordinary_questions_are_not_safety_routed(message):
    assert not needs_safety_route(message)


def test_question_the_documents_do_not_cover_is_not_sent_to_the_llm(kb, judge):
    b = bot(kb, judge, ["invented answer"], min_relevance=0.6)
    turn = b.ask("Who won the football world cup in 1998?")
    assert turn.route == "not_found" and b.llm.i == 0 and turn.faithfulness is None
    assert "couldn't find" in turn.answer and "medlineplus.gov" in turn.answer
    assert turn.relevance["verdict"] == "not answered"
    plain = bot(kb, judge, ["invented answer"], min_relevance=0.6, understand_questions=False)
    turn = plain.ask("Who won the football world cup in 1998?")
    assert turn.route == "not_found" and turn.answer == NO_CONTEXT_ANSWER


def test_a_rare_term_no_source_mentions_is_answered_honestly(kb, judge):
    """Before: the closest passages (other leukemias) were answered from, cited, judged
    faithful. Now the chat says what it does not know and where to turn."""
    b = bot(kb, judge, ["invented answer"])
    pieces = list(b.stream("vdrl positive patients please tell me what are he doing"))
    turn = pieces[-1]
    assert turn.route == "not_found" and b.llm.i == 0 and "".join(pieces[:-1]) == turn.answer
    assert "“vdrl”" in turn.answer and "doctor" in turn.answer
    assert turn.understanding["key_terms"][0] == "vdrl" and turn.passages


def test_a_named_topic_is_answered_from_its_own_passages(kb, judge):
    b = bot(kb, judge, ["Hairy cell leukemia can cause infections and tiredness."],
            quote_sentences=2)
    turn = b.ask("my dad has hairy cell leukimia what are the signs of it")
    assert turn.route == "rag" and {p.focus for p in turn.passages} == {"Hairy Cell Leukemia"}
    assert turn.understanding["topic"] == "Hairy Cell Leukemia"
    assert turn.relevance["verdict"] == "answered"
    assert "Hairy Cell Leukemia symptoms: " in turn.understanding["query"]
    assert "my dad" not in turn.answer
    # the topics are read once per knowledge base, not once per chat (the app makes a chat
    # per message)
    assert bot(kb, judge, []).topics is b.topics


def test_cited_numbers_keep_valid_ones_in_order():
    assert cited_numbers("A [2]. B [1][2]. C [7].", 3) == [2, 1]


def test_build_chatbot_runs_the_judge_on_the_configured_backend(kb, tmp_path):
    settings = ChatSettings(judge_backend="torch-int8", var_dir=tmp_path, guard="warn")
    b = build_chatbot(settings, kb, llm=FakeListChatModel(responses=[GOOD]))
    assert b.judge.model.backend == "torch-int8"
    turn = b.ask("What is metformin used for?")
    assert turn.faithfulness.verdict == "faithful"
