"""Map-reduce summaries with a fake chat model (its own word-count token counter)."""

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from chatbot.chain.summarize import (
    MapReduceSummarizer,
    copy_ratio,
    extractive_summary,
    judge_summary,
)

DOC = " ".join(
    f"Section {i}: the clinic offers vaccination appointments on weekday {i % 5 + 1} and "
    f"patients should bring their record card number {100 + i} to every visit."
    for i in range(40))


def words(text: str) -> int:
    return len(text.split())


class Recording(FakeListChatModel):
    """Returns canned answers and records every prompt it was sent."""

    prompts: list = []

    def invoke(self, messages, *a, **k):
        self.prompts.append(messages[-1].content)
        return super().invoke(messages, *a, **k)


def test_map_then_reduce_without_collapse():
    n = len(MapReduceSummarizer(None, words, chunk_tokens=200).split(DOC))
    llm = Recording(responses=[f"Summary of part {i}." for i in range(n)] + ["Final."]
                    + ["What is this?\nWho runs it?\n3. Where is it?\n"], prompts=[])
    s = MapReduceSummarizer(llm, words, token_budget=1000, chunk_tokens=200)
    r = s(DOC, "Clinic")
    assert r.chunks == len(s.split(DOC)) > 1
    assert r.collapses == 0 and r.summary == "Final." and r.method == "map-reduce"
    # the map step saw every chunk, the reduce step every partial summary
    assert llm.prompts[:r.chunks] == s.split(DOC)
    assert all(f"Summary of part {i}." in llm.prompts[r.chunks] for i in range(r.chunks))
    assert r.questions[:3] == ["What is this?", "Who runs it?", "Where is it?"]
    assert len(r.questions) == 5 and r.questions[3] == "What is Clinic?"


def test_collapse_when_partial_summaries_exceed_the_budget():
    long_part = "word " * 60
    llm = Recording(responses=["Collapsed a.", "Collapsed b.", "Collapsed c."], prompts=[])
    s = MapReduceSummarizer(llm, words, token_budget=150)
    parts, rounds = s.collapse([long_part.strip()] * 6)  # 360 words > 150
    assert rounds == 1 and parts == ["Collapsed a.", "Collapsed b.", "Collapsed c."]
    # each collapse call got a group that fits the budget: two 60-word parts
    assert [words(p) for p in llm.prompts] == [120, 120, 120]
    assert s.collapse(["short one", "short two"]) == (["short one", "short two"], 0)


def test_full_run_collapses_then_reduces():
    llm = Recording(responses=["word " * 60] * 40, prompts=[])
    s = MapReduceSummarizer(llm, words, token_budget=150, chunk_tokens=200)
    r = s(DOC)
    assert r.chunks > 3 and r.collapses >= 1


def test_copying_model_falls_back_to_an_extractive_summary():
    copied = DOC[:400]
    llm = FakeListChatModel(responses=[copied] * 40)
    r = MapReduceSummarizer(llm, words, token_budget=5000, chunk_tokens=5000)(DOC)
    assert r.method == "extractive" and "copied" in r.notes[0]
    assert r.summary and copy_ratio(copied, DOC) > 0.9


def test_extractive_summary_keeps_source_sentences_in_order():
    text = ("Flu is an infection of the nose, throat and lungs. It spreads easily. Flu "
            "vaccines protect against flu and are offered every autumn. Rest and fluids help "
            "most people recover from flu within a week. The weather was nice.")
    out = extractive_summary(text, sentences=2)
    assert out.count(".") == 2 and all(s.strip() + "." in text for s in out.split(".")[:-1])


def test_summary_is_judged_against_the_document(judge):
    text = ("Metformin is a medicine used to treat type 2 diabetes. The usual starting dose is "
            "500 mg twice a day with meals.")
    llm = FakeListChatModel(responses=["Metformin treats type 2 diabetes.", "Q?"])
    r = judge_summary(MapReduceSummarizer(llm, words)(text), text, judge)
    assert r.faithfulness.verdict == "faithful"


def test_a_document_over_the_judges_limit_is_summarised_but_not_judged(judge):
    import dataclasses

    from nli_judge import FaithfulnessJudge

    small = FaithfulnessJudge(judge.model, dataclasses.replace(judge.settings,
                                                               max_evidence_chars=50),
                              judge.calibration)
    text = ("Metformin is a medicine used to treat type 2 diabetes. The usual starting dose is "
            "500 mg twice a day with meals.")
    llm = FakeListChatModel(responses=["Metformin treats type 2 diabetes.", "Q?"])
    r = judge_summary(MapReduceSummarizer(llm, words)(text), text, small)
    assert r.summary and r.faithfulness is None
    assert any(n.startswith("Not judged: the passages have") for n in r.notes)
