"""Bad input to the chatbot's ask (``python -m chatbot ask`` and ``RAGChatbot.stream``), one
row per case: a clear error before any model runs, or a clear answer (issue 14, section 1).
The real knowledge base and judge; LangChain's fake chat model at the LLM boundary."""

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from chatbot.__main__ import main
from chatbot.chain.questions import QuestionError
from chatbot.chain.safety import SAFETY_ANSWER
from chatbot.service import build_chatbot
from chatbot.settings import ChatSettings

GOOD = "Metformin is used to treat type 2 diabetes [1]."

# (case, question, error the CLI prints)
REFUSED = [
    ("empty", "", "the question is empty"),
    ("spaces", "  \n\t ", "the question is empty"),
    ("invisible only", "\u200b\u200d\u202e", "the question is empty"),
    ("too long", "What is metformin? " * 200,
     "the question has 3,799 characters, over the limit of 2,000"),
]


@pytest.mark.parametrize("case, question, error", REFUSED, ids=[c[0] for c in REFUSED])
def test_the_cli_refuses_before_loading_a_model(case, question, error, capsys, monkeypatch):
    import chatbot.service

    def no_model(*args, **kwargs):  # pragma: no cover - the assertion is that it is not called
        raise AssertionError("a model was loaded for a question that was refused")

    monkeypatch.setattr(chatbot.service, "build_chatbot", no_model)
    assert main(["ask", question, "--no-store"]) == 2
    assert f"error: {error}" in capsys.readouterr().err


@pytest.mark.parametrize("case, question, error", REFUSED, ids=[c[0] for c in REFUSED])
def test_the_chain_refuses_the_same(kb, judge, case, question, error):
    bot = build_chatbot(ChatSettings(top_k=3), kb, judge, llm=FakeListChatModel(responses=[GOOD]))
    with pytest.raises(QuestionError, match=error):
        list(bot.stream(question))


# (case, question, the model's answer, what must hold of the turn)
ANSWERED = [
    ("invisible characters", "What is met\u200bformin used for?\x00", GOOD,
     lambda t: t.question == "What is metformin used for?" and t.route == "rag"),
    ("a safety phrase split by a zero-width space", "I want to k\u200bill myself", GOOD,
     lambda t: t.route == "safety" and t.answer == SAFETY_ANSWER),
    ("markup in the question", "<script>alert(1)</script> What is metformin used for?", GOOD,
     lambda t: t.route == "rag" and t.passages[0].doc_id == "leaflet-metformin"),
    ("an answer in another language", "What is metformin used for?",
     "Metformin wird zur Behandlung von Typ-2-Diabetes eingesetzt [1].",
     lambda t: t.faithfulness.verdict == "unsupported_language"),
    ("a question no document covers", "How do I fix a bicycle chain?", GOOD,
     lambda t: t.route == "not_found"),
]


@pytest.mark.parametrize("case, question, answer, holds", ANSWERED, ids=[c[0] for c in ANSWERED])
def test_odd_questions_get_a_clear_answer(kb, judge, case, question, answer, holds):
    bot = build_chatbot(ChatSettings(top_k=3, guard="warn", quote_sentences=0), kb, judge,
                        llm=FakeListChatModel(responses=[answer]))
    turn = bot.ask(question)
    assert holds(turn), (case, turn.route, turn.answer, turn.notes)
