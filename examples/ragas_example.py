"""Score RAG answers with the GroundedChat judge inside a RAGAS evaluation (no LLM needed).

    python examples/ragas_example.py
"""

from ragas import EvaluationDataset, evaluate
from ragas.dataset_schema import SingleTurnSample

from nli_judge.integrations.ragas_metric import GroundedChatFaithfulness

contexts = ["Metformin is a first-line medicine for type 2 diabetes. The usual starting dose is "
            "500 mg twice a day with meals."]
samples = [
    SingleTurnSample(user_input="What is metformin for?", retrieved_contexts=contexts,
                     response="Metformin is a first-line medicine for type 2 diabetes."),
    SingleTurnSample(user_input="What is the usual dose?", retrieved_contexts=contexts,
                     response="The usual starting dose is 5000 mg once a week."),
]
metric = GroundedChatFaithfulness()
result = evaluate(EvaluationDataset(samples=samples), metrics=[metric], show_progress=False)
print(result.to_pandas()[["response", "groundedchat_faithfulness"]])
print(metric.score_with_reason(samples[1]).reason)
