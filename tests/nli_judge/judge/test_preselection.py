"""Window pre-selection (``max_windows``) on the shipped model, and its simulation in
``nli_judge.judge.calibration`` that chooses it: the two must agree exactly."""

import numpy as np
import pytest

from nli_judge import FaithfulnessJudge
from nli_judge.judge.calibration import preselected
from nli_judge.judge.faithfulness import preselect

FILLER = " ".join(f"Paragraph {i} talks about the opening hours of the hospital library, "
                  "which change every season." for i in range(12))
PASSAGES = [FILLER + " The hospital car park has 420 spaces.",
            "Visitors pay two pounds an hour for parking. The car park closes at midnight.",
            "The hospital car park is closed on Sundays."]
ITEMS = [
    {"answer": "The hospital car park has 420 spaces. It closes at midnight.",
     "passages": PASSAGES},
    {"answer": "Paris.", "passages": ["The capital of France is Paris. It lies on the Seine."
                                      " Lyon is the third largest city."],
     "question": "What is the capital of France?"},
]


@pytest.fixture(scope="module")
def every_window():
    return FaithfulnessJudge.load(max_windows=None)


def test_preselect_keeps_the_top_k_in_order_ties_to_the_earlier():
    assert preselect(np.array([0.2, 0.9, 0.2, 0.5]), 2) == [1, 3]
    assert preselect(np.array([0.5, 0.5, 0.5]), 2) == [0, 1]


def test_fewer_pairs_same_verdicts_on_a_long_passage(every_window):
    fast = FaithfulnessJudge.load(every_window.model, max_windows=2)
    args = [(i["answer"], i["passages"], i.get("question")) for i in ITEMS]
    assert every_window.pair_count(*args[0]) > 10 * 2  # > 10 windows, 2 texts of its claim
    assert (sum(fast.pair_count(*a) for a in args)
            < sum(every_window.pair_count(*a) for a in args) / 4)
    # each claim of item 0 gets exactly 2 windows; the fragment gets 2 windows x 2 texts
    assert fast.pair_count(*args[0]) == 2 * 2
    slow_r, fast_r = every_window.score_batch(ITEMS), fast.score_batch(ITEMS)
    for a, b in zip(slow_r, fast_r, strict=True):
        assert [s.label for s in a.sentences] == [s.label for s in b.sentences]
    s = fast_r[0].sentences[0]
    assert s.label == "supported" and "420 spaces" in PASSAGES[0][s.window_start:s.window_end]


def test_calibration_simulation_matches_the_judge(every_window):
    full = every_window.claim_evidence(ITEMS)
    for k in (1, 2, 3):
        judged = FaithfulnessJudge.load(every_window.model, max_windows=k).claim_evidence(ITEMS)
        simulated = preselected(full, k)
        for sim_claims, got_claims in zip(simulated, judged, strict=True):
            for sim, got in zip(sim_claims, got_claims, strict=True):
                np.testing.assert_array_equal(sim[3], got[3])  # the same windows
                np.testing.assert_allclose(sim[0], got[0], atol=1e-5)
                np.testing.assert_array_equal(sim[1], got[1])
