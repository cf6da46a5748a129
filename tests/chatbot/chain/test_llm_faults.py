"""A remote model that fails: the real ChatOpenAI client against a local OpenAI-compatible
server (tests/chatbot/fake_openai.py) playing 500s, a silent server, a malformed stream, a cut
stream and very slow tokens. Each time the turn falls back to the local model (LangChain's
fake chat model) within a set time, says so, and is stored with the provider that answered."""

import time

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from chatbot.chain.rag import RESTART_NOTICE, ChatTurn
from chatbot.llm.factory import make_chat_model
from chatbot.service import build_chatbot
from chatbot.settings import ChatSettings
from chatbot.storage.store import Store
from tests.chatbot.fake_openai import ANSWER, FakeOpenAIServer

LOCAL = "Metformin is used to treat type 2 diabetes [1]."
QUESTION = "What is metformin used for?"


def ask(kb, judge, server, **settings) -> tuple[list[str], ChatTurn, float]:
    s = ChatSettings(provider="openai", openai_base_url=server.base_url,
                     openai_api_key="test-key", openai_model="fake-remote", guard="off",
                     top_k=3, quote_sentences=0, **{"llm_timeout_s": 1.0, **settings})
    b = build_chatbot(s, kb, judge, llm=make_chat_model(s),
                      fallback=lambda: FakeListChatModel(responses=[LOCAL]))
    t0 = time.perf_counter()
    *pieces, turn = b.stream(QUESTION)
    return pieces, turn, time.perf_counter() - t0


def test_a_working_remote_model_answers(kb, judge):
    with FakeOpenAIServer("ok") as server:
        pieces, turn, _ = ask(kb, judge, server)
    assert turn.answer == ANSWER and turn.provider == "openai" and turn.model == "fake-remote"
    assert len(pieces) > 5 and not any("failed" in n for n in turn.notes)


@pytest.mark.parametrize("mode, server_kw, settings, error", [
    ("error500", {}, {}, "Error code: 500"),
    ("hang", {"hang_s": 60}, {}, "Timeout"),
    ("malformed", {}, {}, ""),
    ("cut", {}, {}, "ended without a finish reason"),
    ("slow", {"token_delay_s": 0.4}, {"llm_deadline_s": 1.0}, "no whole answer within 1 s"),
])
def test_each_fault_falls_back_to_the_local_model_and_is_stored(kb, judge, tmp_path, mode,
                                                                server_kw, settings, error):
    with FakeOpenAIServer(mode, **server_kw) as server:
        pieces, turn, seconds = ask(kb, judge, server, **settings)
        requests = server.requests
    assert turn.answer == LOCAL and turn.provider == "local"
    (note,) = [n for n in turn.notes if "openai model failed" in n]
    assert "answered with the local model instead" in note and error in note
    # Within a set time: a silent server costs llm_timeout_s per try (one retry), slow
    # tokens llm_deadline_s; the server would have gone on for 60 s or 5 s.
    assert seconds < 8
    if mode == "error500":
        assert requests == 2  # one retry, then the fallback
    if mode in ("cut", "slow", "malformed"):  # part of the remote answer was shown first
        assert RESTART_NOTICE in pieces
        assert "".join(pieces).split(RESTART_NOTICE)[-1].strip() == LOCAL
    store = Store(f"sqlite:///{tmp_path / 'gc.db'}")
    conv = store.record_turn(turn)
    (row,) = store.turns(conv)
    assert row["provider"] == "local" and row["answer"] == LOCAL and note in row["notes"]


def test_without_a_fallback_a_cut_answer_says_it_was_cut(kb, judge):
    with FakeOpenAIServer("cut") as server:
        pieces, turn, _ = ask(kb, judge, server, fallback_to_local=False, tidy_answers=False)
    assert turn.provider == "openai" and turn.answer.startswith("The remote model")
    assert RESTART_NOTICE not in pieces
    assert any("the answer was cut off" in n and "finish reason" in n for n in turn.notes)
