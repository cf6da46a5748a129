"""Ratings standing in for a deployment's users: the simulation and the choice of how strongly
the shipped calibration holds."""

import numpy as np

from eval.recalibration import choose_prior, measure, simulate


def _domain(n, shift, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = np.clip(rng.normal(0.5 + 0.2 * (y - 0.5) + shift, 0.12), 0.01, 0.99)
    return s, y


def test_ratings_help_where_the_threshold_is_off_and_cost_little_where_it_is_right():
    off, right = _domain(600, -0.15, 0), _domain(600, 0.0, 1)
    helped = simulate(*off, threshold=0.5, n=50, prior_strength=10, repeats=20)
    assert helped["gain"] > 0.05 and helped["draws"] == 20
    kept = simulate(*right, threshold=0.5, n=50, prior_strength=10, repeats=20)
    assert abs(kept["gain"]) < 0.03
    # a prior too strong to move: no change at all
    frozen = simulate(*off, threshold=0.5, n=50, prior_strength=1e9, repeats=5)
    assert abs(frozen["gain"]) < 1e-9


def test_draws_with_one_class_are_refused_and_change_nothing():
    s, y = _domain(300, -0.15, 2)
    y = np.where(np.arange(300) < 290, 1, 0)  # 10 unfaithful in 300: most draws of 25 refuse
    out = simulate(s, y, threshold=0.5, n=25, prior_strength=0, repeats=20)
    assert out["refused"] > 10


def test_prior_chosen_by_mean_gain_within_the_worst_case_rule():
    domains = {"off": _domain(400, -0.15, 3), "right": _domain(400, 0.0, 4),
               "other": _domain(400, 0.1, 5)}
    chosen, table = choose_prior(domains, 0.5, [0, 25, 1e9], repeats=10)
    assert set(table) == {0, 25, 1e9}
    ok = [k for k in table if table[k]["worst_gain"] >= -0.01]
    assert chosen == max(ok, key=lambda k: table[k]["mean_gain"])
    result = measure(domains, 0.5, chosen, [25, 50], repeats=5)
    assert set(result["summary"]) == {25, 50} and result["summary"][50]["domains"] == 3
