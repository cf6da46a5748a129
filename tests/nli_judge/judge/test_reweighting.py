"""The answer score's weights refitted on ratings, shrunk toward the shipped ones."""

import numpy as np

from nli_judge.judge.aggregation import LearnedAggregator
from nli_judge.judge.reweighting import fit_reweighting

SHIPPED = LearnedAggregator(["a", "b"], [0.5, 0.0], [2.0, 1.0], [1.5, 0.0], 0.2)


def _ratings(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    rows = [{"a": float(rng.normal(0.5, 2.0)), "b": float(rng.normal(2.0 * (v - 0.5))),
             "log_claims": 1.0}
            for v in y]
    return rows, y


def test_a_strong_prior_keeps_the_shipped_score_and_a_weak_one_follows_the_ratings():
    rows, y = _ratings()
    kept = fit_reweighting(SHIPPED, rows, y, threshold=0.4, prior_strength=1e9)
    assert np.allclose(kept.coef, SHIPPED.coef, atol=1e-5)
    assert np.isclose(kept.intercept, SHIPPED.intercept, atol=1e-5)
    moved = fit_reweighting(SHIPPED, rows, y, threshold=0.4, prior_strength=1.0)
    assert moved.coef[1] > 1.0 and moved.coef[0] < 0.5  # b separates here, a does not
    assert moved.features == SHIPPED.features and moved.mean == SHIPPED.mean
    right = np.mean([(moved.score(r) >= 0.4) == bool(v) for r, v in zip(rows, y, strict=True)])
    before = np.mean([(SHIPPED.score(r) >= 0.4) == bool(v) for r, v in zip(rows, y, strict=True)])
    assert right > 0.75 and before < 0.6


def test_the_shift_is_smaller_the_stronger_the_prior():
    rows, y = _ratings(seed=1)
    shifts = [np.abs(np.subtract(fit_reweighting(SHIPPED, rows, y, 0.4, k).coef,
                                 SHIPPED.coef)).sum() for k in (1, 10, 100)]
    assert shifts[0] > shifts[1] > shifts[2] > 0
