import numpy as np
import pytest

from eval.metrics import binary_metrics, tune_threshold


def test_binary_metrics_against_hand_computed_values():
    # labels: 1 faithful, 0 unfaithful; scores: higher = more faithful
    labels = np.array([1, 1, 1, 0, 0])
    scores = np.array([0.9, 0.8, 0.3, 0.4, 0.1])
    m = binary_metrics(labels, scores, threshold=0.5)
    # predictions: 1 1 0 0 0 -> faithful recall 2/3, unfaithful recall 2/2 -> (2/3 + 1) / 2
    assert m["balanced_accuracy"] == pytest.approx((2 / 3 + 1) / 2)
    # unfaithful positive: predicted unfaithful = {3rd, 4th, 5th}, 2 right: P 2/3 R 1 -> F1 .8
    assert m["f1_unfaithful"] == pytest.approx(0.8)
    # ranking by -score: .1(U) .3(F) .4(U) .8(F) .9(F): pairs (U above F): 1 of 6 wrong
    assert m["roc_auc"] == pytest.approx(5 / 6)
    # AP for unfaithful: ranks 1 (U, p=1) and 3 (U, p=2/3) -> (1 + 2/3) / 2
    assert m["pr_auc"] == pytest.approx((1 + 2 / 3) / 2)
    assert m["n"] == 5 and m["failed"] == 0


def test_failed_items_count_as_wrong_and_are_reported():
    labels = np.array([1, 0, 1, 0])
    scores = np.array([0.9, 0.1, np.nan, np.nan])
    m = binary_metrics(labels, scores, threshold=0.5)
    assert m["failed"] == 2
    assert m["balanced_accuracy"] == pytest.approx(0.5)
    assert m["roc_auc"] == pytest.approx(1.0)  # AUC over the items that were scored


def test_tune_threshold_separates_when_it_can():
    labels = np.array([0, 0, 0, 1, 1, 1])
    scores = np.array([0.1, 0.2, 0.35, 0.6, 0.7, 0.9])
    t = tune_threshold(labels, scores)
    assert 0.35 < t <= 0.6
    assert binary_metrics(labels, scores, t)["balanced_accuracy"] == 1.0
