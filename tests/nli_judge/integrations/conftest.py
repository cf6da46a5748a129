import pytest

from nli_judge import FaithfulnessJudge

PASSAGES = ["Metformin is a first-line medicine for type 2 diabetes. The usual starting dose "
            "is 500 mg twice a day with meals.", "Common side effects are nausea and diarrhoea."]
QUESTION = "What is metformin for?"
GOOD = "Metformin is a first-line medicine for type 2 diabetes. It can cause nausea."
BAD = "Metformin cures asthma. The usual starting dose is 5000 mg."


@pytest.fixture(scope="session")
def judge():
    return FaithfulnessJudge.load()


@pytest.fixture(scope="session")
def direct(judge):
    """What the judge itself says about GOOD and BAD."""
    return {a: judge.score(a, PASSAGES, QUESTION) for a in (GOOD, BAD)}
