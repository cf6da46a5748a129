"""The GroundedChat judge as a DeepEval metric (no LLM is called).

    DEEPEVAL_TELEMETRY_OPT_OUT=YES python examples/deepeval_example.py
"""

from deepeval import evaluate
from deepeval.test_case import LLMTestCase

from nli_judge.integrations.deepeval_metric import GroundedChatFaithfulnessMetric

context = ["Metformin is a first-line medicine for type 2 diabetes. The usual starting dose is "
           "500 mg twice a day with meals."]
cases = [
    LLMTestCase(input="What is metformin for?", retrieval_context=context,
                actual_output="Metformin is a first-line medicine for type 2 diabetes."),
    LLMTestCase(input="What is the usual dose?", retrieval_context=context,
                actual_output="The usual starting dose is 5000 mg once a week."),
]
evaluate(cases, [GroundedChatFaithfulnessMetric()])
