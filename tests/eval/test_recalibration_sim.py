"""Ratings standing in for a deployment's users: the simulation and the choice of how to
recalibrate (threshold or weights) and how strongly the shipped judge holds."""

import numpy as np

from eval.recalibration import Domain, choose, measure, simulate
from nli_judge.judge.aggregation import LearnedAggregator


def _domain(n, shift, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = np.clip(rng.normal(0.5 + 0.2 * (y - 0.5) + shift, 0.12), 0.01, 0.99)
    return Domain(s, y)


def _flipped_feature_domain(n, seed):
    """The shipped score weighs feature a up; here only b (which it ignores) separates."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    rows = [{"a": float(rng.normal()), "b": float(rng.normal(1.2 * (yy - 0.5))),
             "log_claims": 1.0} for yy in y]
    agg = LearnedAggregator(["a", "b"], [0.0, 0.0], [1.0, 1.0], [1.0, 0.0], 0.0)
    return Domain.of(agg, rows, y, 0.5)


def test_ratings_help_where_the_threshold_is_off_and_cost_little_where_it_is_right():
    off, right = _domain(600, -0.15, 0), _domain(600, 0.0, 1)
    helped = simulate(off, threshold=0.5, n=50, prior_strength=10, repeats=20)
    assert helped["gain"] > 0.05 and helped["draws"] == 20
    kept = simulate(right, threshold=0.5, n=50, prior_strength=10, repeats=20)
    assert abs(kept["gain"]) < 0.03
    # a prior too strong to move: no change at all
    frozen = simulate(off, threshold=0.5, n=50, prior_strength=1e9, repeats=5)
    assert abs(frozen["gain"]) < 1e-9


def test_reweighting_finds_the_feature_that_separates_here():
    dom = _flipped_feature_domain(600, 7)
    assert abs(simulate(dom, 0.5, 50, 10, repeats=10)["after"] - 0.5) < 0.05  # threshold: no
    moved = simulate(dom, 0.5, 50, 3, repeats=10, method="reweight")
    assert moved["before"] < 0.55 and moved["gain"] > 0.1
    frozen = simulate(dom, 0.5, 50, 1e9, repeats=5, method="reweight")
    assert abs(frozen["gain"]) < 1e-9


def test_draws_with_one_class_are_refused_and_change_nothing():
    dom = _domain(300, -0.15, 2)
    dom.labels = np.where(np.arange(300) < 290, 1, 0)  # 10 unfaithful in 300: most draws refuse
    for method in ("threshold", "reweight"):
        out = simulate(dom, threshold=0.5, n=25, prior_strength=0, repeats=20, method=method)
        assert out["refused"] > 10


def test_way_and_prior_chosen_by_mean_gain_within_the_worst_case_rule():
    domains = {"off": _domain(400, -0.15, 3), "right": _domain(400, 0.0, 4),
               "other": _domain(400, 0.1, 5)}
    options = [("threshold", 0), ("threshold", 25), ("threshold", 1e9)]
    (method, chosen), table = choose(domains, 0.5, options, repeats=10)
    assert set(table) == {"threshold:0", "threshold:25", "threshold:1e+09"}
    ok = [k for k in table if table[k]["worst_gain"] >= -0.01]
    assert f"{method}:{chosen:g}" == max(ok, key=lambda k: table[k]["mean_gain"])
    result = measure(domains, 0.5, chosen, [25, 50], repeats=5)
    assert set(result["summary"]) == {25, 50} and result["summary"][50]["domains"] == 3


def test_too_few_items_to_draw_from_say_so():
    import pytest

    with pytest.raises(ValueError, match="too few"):
        measure({"tiny": _domain(40, 0.0, 6)}, 0.5, 10, [50], repeats=2)
    with pytest.raises(ValueError, match="too few to choose"):
        choose({"tiny": _domain(40, 0.0, 6)}, 0.5, [("threshold", 10)], repeats=2)
