"""Passages cut to a token budget for a local model, with the real MiniLM embeddings; and the
chain sending the cut passages to a model that counts tokens, whole ones to one that does not."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from chatbot.chain.context_budget import GAP, block_tokens, fit_passages
from chatbot.chain.prompts import format_context
from chatbot.service import build_chatbot
from chatbot.settings import ChatSettings
from chatbot.turn import Passage


def words(text: str) -> int:  # the token counter (the local models pass their tokenizer's)
    return len(text.split())


PASSAGES = [
    Passage(n=1, title="Asthma", text=(
        "Asthma is a common lung condition. It causes occasional breathing difficulties. "
        "It affects people of all ages and often starts in childhood.")),
    Passage(n=2, title="Hay fever", text=(
        "Hay fever is an allergy to pollen. It is worse between late March and September. "
        "Antihistamine tablets can help.")),
    Passage(n=3, title="Inhalers", text=(
        "Many people use inhalers every day. A reliever inhaler, usually blue, relieves "
        "asthma symptoms quickly. Inhalers come in several sizes.")),
]
QUESTION = "Which inhaler relieves asthma symptoms quickly?"


def test_whole_passages_when_they_fit_or_without_a_budget(embeddings):
    assert fit_passages(QUESTION, PASSAGES, 1000, words, embeddings) is PASSAGES
    assert fit_passages(QUESTION, PASSAGES, 0, words, embeddings) is PASSAGES


def test_the_best_matching_sentences_are_kept_within_the_budget(embeddings):
    budget = 30
    fitted = fit_passages(QUESTION, PASSAGES, budget, words, embeddings)
    assert words(format_context(fitted)) <= budget < words(format_context(PASSAGES))
    assert block_tokens(PASSAGES[2], words) == 3  # <passage title="Inhalers"> </passage>
    by_n = {p.n: p for p in fitted}
    # the answer-bearing sentence of the third passage reaches the model, under its number
    assert "A reliever inhaler, usually blue, relieves asthma symptoms quickly." in by_n[3].text
    assert by_n[3].title == "Inhalers"
    assert 2 not in by_n  # nothing of hay fever was worth the room
    assert [p.n for p in fitted] == sorted(by_n)  # passage order kept
    for p in fitted:  # kept sentences are the passage's own, in its order
        original = next(q.text for q in PASSAGES if q.n == p.n)
        parts = p.text.replace(GAP, " ").split(". ")
        positions = [original.index(s.rstrip(".")) for s in parts]
        assert positions == sorted(positions)
    assert PASSAGES[2].text.startswith("Many people")  # the originals are not changed


def test_sentences_left_out_between_kept_ones_are_marked(embeddings):
    text = ("Metformin lowers blood sugar. The tablets are white. They are round. "
            "Metformin is taken with meals to lower blood sugar.")
    fitted = fit_passages("How does metformin lower blood sugar?",
                          [Passage(n=1, text=text, title="Metformin")], 20, words, embeddings)
    assert fitted[0].text == ("Metformin lowers blood sugar." + GAP
                              + "Metformin is taken with meals to lower blood sugar.")


class RecordingFake(FakeListChatModel):
    """A fake remote model (it counts no tokens) that keeps the prompts it was sent."""

    prompts: list = []

    def _stream(self, messages, *args, **kwargs):
        self.prompts.append(messages[-1].content)
        return super()._stream(messages, *args, **kwargs)


class CountingFake(RecordingFake):
    """A fake local model: it counts tokens (by words)."""

    def count_tokens(self, text: str) -> int:
        return words(text)


def test_the_chain_cuts_passages_for_a_counting_model_and_judges_whole_ones(kb, judge):
    answer = "Metformin is used to treat type 2 diabetes."
    settings = ChatSettings(top_k=3, context_tokens=40, cite_answers=False)
    llm = CountingFake(responses=[answer], prompts=[])
    turn = build_chatbot(settings, kb, judge, llm=llm).ask("What is metformin used for?")
    (prompt,) = llm.prompts
    assert words(prompt) < sum(words(p.text) for p in turn.passages)
    assert "type 2 diabetes" in prompt  # the sentence that answers it was kept
    assert turn.passages[0].text.startswith("Metformin is a medicine")  # shown whole
    assert turn.faithfulness.verdict == "faithful"
    assert any("GC_CONTEXT_TOKENS" in n for n in turn.notes) and "context" in turn.latency_ms

    remote = RecordingFake(responses=[answer], prompts=[])
    whole = build_chatbot(settings, kb, judge, llm=remote).ask("What is metformin used for?")
    assert all(p.text in remote.prompts[0] for p in whole.passages)
    assert not any("GC_CONTEXT_TOKENS" in n for n in whole.notes)
