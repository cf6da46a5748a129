"""Our judge as a RAGAS metric, through ``ragas.evaluate`` (no LLM, no embeddings)."""

import math

from ragas import EvaluationDataset, evaluate
from ragas.dataset_schema import SingleTurnSample

from nli_judge.integrations.ragas_metric import GroundedChatFaithfulness
from tests.nli_judge.integrations.conftest import BAD, GOOD, PASSAGES, QUESTION


def test_ragas_evaluate_gives_the_judges_scores(judge, direct):
    samples = [SingleTurnSample(user_input=QUESTION, response=a, retrieved_contexts=PASSAGES)
               for a in (GOOD, BAD)]
    metric = GroundedChatFaithfulness(judge=judge)
    result = evaluate(EvaluationDataset(samples=samples), metrics=[metric],
                      show_progress=False, raise_exceptions=True)
    scores = result.to_pandas()["groundedchat_faithfulness"].tolist()
    assert all(math.isclose(s, direct[a].score) for s, a in zip(scores, (GOOD, BAD),
                                                                 strict=True))
    assert scores[0] > scores[1]


def test_score_with_reason_names_the_unsupported_sentences(judge, direct):
    sample = SingleTurnSample(user_input=QUESTION, response=BAD, retrieved_contexts=PASSAGES)
    r = GroundedChatFaithfulness(judge=judge).score_with_reason(sample)
    assert math.isclose(r.value, direct[BAD].score)
    assert r.reason.startswith("unfaithful") and "Metformin cures asthma." in r.reason
