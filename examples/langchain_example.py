"""The GroundedChat judge in LangChain: a string evaluator, a LangSmith-style run evaluator
and the judge as a Runnable after a RAG chain's answer.

    python examples/langchain_example.py
"""

from nli_judge import FaithfulnessJudge
from nli_judge.integrations.langchain_evaluator import (
    GroundedChatStringEvaluator,
    langsmith_evaluator,
)

passages = ["Metformin is a first-line medicine for type 2 diabetes. The usual starting dose "
            "is 500 mg twice a day with meals."]
judge = FaithfulnessJudge.load()

evaluator = GroundedChatStringEvaluator(judge)
print(evaluator.evaluate_strings(prediction="The usual starting dose is 5000 mg.",
                                 reference=passages, input="What is the usual dose?")["reasoning"])

# For langsmith.evaluate(target, data=..., evaluators=[...]): the target's outputs hold
# "answer" and "contexts" (the keys are arguments of langsmith_evaluator).
evaluate_run = langsmith_evaluator(judge)

# In a chain: {"question", "answer", "documents"} -> FaithfulnessResult
result = judge.as_runnable().invoke({"question": "What is metformin for?",
                                     "answer": "Metformin treats type 2 diabetes.",
                                     "documents": passages})
print(result.verdict, round(result.score, 2))
