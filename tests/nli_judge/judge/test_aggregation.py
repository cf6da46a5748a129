"""The learned answer score: features, a fit on a tiny set, and the judge applying it."""

import numpy as np
import pytest

from nli_judge import FaithfulnessJudge
from nli_judge.judge.aggregation import FEATURES, VARIANTS, LearnedAggregator, answer_features
from nli_judge.judge.aggregation_fit import best_threshold, fit, leave_one_set_out
from nli_judge.judge.faithfulness import JudgeSettings

PASSAGE = "Metformin treats type 2 diabetes. The usual dose is 500 mg twice a day in London."


def _claim(ent, con=0.0, ok=True, rel=1.0):
    return (np.array([[ent, 1 - ent - con, con]]), np.array([ok]), np.array([rel]))


def test_features_by_hand():
    f = answer_features([_claim(0.9), _claim(0.2, con=0.7)],
                        ["Metformin treats diabetes.", "The dose is 900 mg in Paris."],
                        "Metformin treats diabetes. The dose is 900 mg in Paris.", [PASSAGE],
                        incomplete=1)
    assert f["min_entailment"] == 0.0                    # the cut-off sentence
    assert f["mean_entailment"] == pytest.approx((0.9 + 0.2 + 0) / 3)
    assert f["share_entailed"] == pytest.approx(1 / 3)
    assert f["max_contradiction"] == pytest.approx(0.7)
    assert f["share_numbers_missing"] == pytest.approx(0.5)   # 900 is not in the passage
    assert f["share_names_missing"] == pytest.approx(1.0)     # Paris (Metformin starts it)
    assert f["share_incomplete"] == pytest.approx(1 / 3)
    assert f["log_claims"] == pytest.approx(np.log1p(3))
    assert set(f) == set(FEATURES)


def _toy_sets(rng):
    feats, labels = {}, {}
    for name in ("a", "b", "c"):
        y = rng.integers(0, 2, 60)
        rows = []
        for lab in y:
            r = {f: float(rng.random()) for f in FEATURES}
            r["min_entailment"] = 0.7 * lab + 0.3 * rng.random()   # a model signal
            r["lexical_support"] = 0.6 * lab + 0.4 * rng.random()  # a lexical signal
            r["log_claims"] = 1.0
            rows.append(r)
        feats[name], labels[name] = rows, y
    return feats, labels


def test_fit_learns_the_signal_and_round_trips():
    feats, labels = _toy_sets(np.random.default_rng(0))
    agg = fit(feats, labels, VARIANTS["both"])
    good, bad = dict(feats["a"][0], min_entailment=1.0, lexical_support=1.0), dict(
        feats["a"][0], min_entailment=0.0, lexical_support=0.0)
    assert agg.score(good) > 0.9 > 0.1 > agg.score(bad)
    w = dict(zip(agg.features, agg.coef, strict=True))
    assert w["min_entailment"] > 0 and w["lexical_support"] > 0
    assert LearnedAggregator.from_dict(agg.to_dict()).score(good) == agg.score(good)
    report = leave_one_set_out(feats, labels)
    assert set(report) == {"model", "lexical", "both"}
    assert report["both"]["mean_balanced_accuracy"] > 0.9
    assert set(report["both"]["per_set"]) == {"a", "b", "c"}
    threshold, mean = best_threshold(agg, feats, labels)
    assert 0 < threshold < 1 and mean > 0.9


def test_judge_scores_an_answer_with_the_learned_aggregate():
    base = FaithfulnessJudge.load()
    agg = LearnedAggregator(list(FEATURES), [0.0] * len(FEATURES), [1.0] * len(FEATURES),
                            [0.0] * len(FEATURES), 0.0)
    agg.coef[FEATURES.index("min_entailment")] = 8.0
    agg.intercept = -4.0
    judge = FaithfulnessJudge(base.model, JudgeSettings(**{**vars(base.settings),
                                                           "aggregate": "learned"}),
                              {"aggregator": agg.to_dict()})
    good = judge.score("Metformin treats type 2 diabetes.", [PASSAGE])
    bad = judge.score("Metformin cures asthma in children.", [PASSAGE])
    ent = good.sentences[0].entailment
    assert good.score == pytest.approx(1 / (1 + np.exp(-(8 * ent - 4))), abs=1e-6)
    assert good.score > bad.score
    assert judge.score("Hello! I hope this helps.", [PASSAGE]).score == 1.0  # no claims
    with pytest.raises(ValueError, match="aggregator"):
        FaithfulnessJudge(base.model, JudgeSettings(aggregate="learned"))
