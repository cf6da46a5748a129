"""Bootstrap intervals against cases whose distribution is known exactly."""

import numpy as np
import pytest

from eval.bootstrap import (
    Scored,
    balanced_accuracies,
    interval,
    macro_intervals,
    macro_paired_difference,
    metric_intervals,
    paired_difference,
    roc_aucs,
    stratified_indices,
)
from eval.metrics import binary_metrics


def test_hand_computed_balanced_accuracy_distribution():
    # Two faithful items (one judged right, one wrong) and two unfaithful ones (both right).
    # Resampling keeps 2 + 2 items: the unfaithful recall is always 1; the faithful recall is
    # 0, 1/2 or 1 with probabilities 1/4, 1/2, 1/4. So balanced accuracy is 0.5 / 0.75 / 1.0
    # with 1/4 / 1/2 / 1/4, and the 95% percentile interval is exactly [0.5, 1.0].
    run = Scored(np.array([1, 1, 0, 0]), np.array([0.9, 0.1, 0.2, 0.3]), threshold=0.5)
    idx = stratified_indices(run.labels, 4000, seed=1)
    values = balanced_accuracies(run.correct(), run.labels, idx)
    assert set(np.round(values, 3)) == {0.5, 0.75, 1.0}
    assert np.mean(values == 0.75) == pytest.approx(0.5, abs=0.03)
    assert np.mean(values == 0.5) == pytest.approx(0.25, abs=0.03)
    assert metric_intervals(run, n_boot=4000, seed=1)["balanced_accuracy_ci"] == [0.5, 1.0]


def test_resamples_keep_label_counts_and_full_sample_matches_metrics():
    y = np.array([1, 1, 1, 0, 0, 1, 0])
    s = np.array([0.9, 0.2, 0.8, 0.1, 0.7, 0.6, 0.3])
    idx = stratified_indices(y, 50, seed=0)
    assert (y[idx].sum(axis=1) == y.sum()).all()
    full = np.arange(len(y))[None, :]
    run = Scored(y, s, 0.5)
    m = binary_metrics(y, s, 0.5)
    assert balanced_accuracies(run.correct(), y, full)[0] == pytest.approx(m["balanced_accuracy"])
    assert roc_aucs(y, s, full)[0] == pytest.approx(m["roc_auc"])


def test_paired_difference_of_a_judge_always_better_has_a_positive_interval():
    y = np.array([1, 1, 1, 0, 0, 0] * 10)
    perfect = Scored(y, y.astype(float), 0.5)
    coin = Scored(y, np.ones(len(y)), 0.5)   # calls everything faithful: 0.5
    d = paired_difference(perfect, coin, n_boot=500)
    assert d["difference"] == pytest.approx(0.5)
    assert d["ci"][0] > 0 and d["p_not_better"] == 0.0
    same = paired_difference(perfect, perfect, n_boot=200)
    assert same["difference"] == 0 and same["ci"] == [0.0, 0.0] and same["p_not_better"] == 1.0
    with pytest.raises(ValueError):
        paired_difference(perfect, Scored(y[::-1], y[::-1].astype(float), 0.5))


def test_macro_interval_and_difference_average_the_sets():
    y = np.array([1, 0] * 20)
    a = Scored(y, y.astype(float), 0.5)
    b = Scored(y, 1 - y.astype(float), 0.5)   # always wrong
    assert macro_intervals([a, a]) == [1.0, 1.0]
    d = macro_paired_difference([(a, b), (a, a)], n_boot=200)
    assert d["difference"] == pytest.approx(0.5) and d["ci"] == [0.5, 0.5]


def test_failed_items_count_as_wrong_and_auc_is_left_out():
    run = Scored(np.array([1, 0]), np.array([np.nan, 0.1]), 0.5)
    assert run.correct().tolist() == [False, True]
    assert metric_intervals(run, n_boot=20)["roc_auc_ci"] is None
    assert interval(np.arange(101)) == pytest.approx([2.5, 97.5])
