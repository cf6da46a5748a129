"""Our judge as a LangChain string evaluator and a LangSmith run evaluator, called through
the libraries' own entry points (``evaluate_strings``, ``run_evaluator(...).evaluate_run``)."""

import math
import uuid
import warnings
from datetime import UTC, datetime

from langsmith.evaluation import run_evaluator
from langsmith.schemas import Example, Run

from nli_judge.integrations.langchain_evaluator import (
    KEY,
    GroundedChatStringEvaluator,
    langsmith_evaluator,
)
from tests.nli_judge.integrations.conftest import BAD, GOOD, PASSAGES, QUESTION


def test_string_evaluator(judge, direct):
    ev = GroundedChatStringEvaluator(judge)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the question is used, not "ignored"
        out = ev.evaluate_strings(prediction=BAD, reference=PASSAGES, input=QUESTION)
    assert math.isclose(out["score"], direct[BAD].score) and out["value"] == "unfaithful"
    assert "Metformin cures asthma." in out["reasoning"]
    assert ev.evaluation_name == KEY and ev.requires_reference
    # a short answer is judged as a claim about the question: the question reaches the judge
    short = ev.evaluate_strings(prediction="500 mg twice a day.", reference=PASSAGES,
                                input="What is the usual starting dose of metformin?")
    assert any(n.startswith("short answer also judged as the claim")
               for n in short["result"]["notes"])


def test_langsmith_run_evaluator(judge, direct):
    now = datetime.now(UTC)
    run = Run(id=uuid.uuid4(), name="rag", run_type="chain", start_time=now, end_time=now,
              trace_id=uuid.uuid4(), inputs={"question": QUESTION},
              outputs={"answer": GOOD, "contexts": PASSAGES})
    example = Example(id=uuid.uuid4(), dataset_id=uuid.uuid4(), inputs={"question": QUESTION},
                      outputs={})
    result = run_evaluator(langsmith_evaluator(judge)).evaluate_run(run, example)
    assert result.key == KEY and math.isclose(result.score, direct[GOOD].score)
    assert result.comment.startswith("faithful")


def test_runnable_is_the_same_judge(judge, direct):
    out = judge.as_runnable().invoke({"answer": BAD, "documents": PASSAGES,
                                      "question": QUESTION})
    assert math.isclose(out.score, direct[BAD].score)
