"""``eval.contradiction_cap``: the cap's arithmetic by hand, and the command on real dev data."""

import numpy as np
import pytest

from eval.contradiction_cap import capped, compare, main


def test_cap_puts_a_contradicted_answer_below_the_threshold_and_leaves_the_rest():
    scores = np.array([0.9, 0.9, 0.3, 0.8])
    con = np.array([0.6, 0.0, 0.9, 0.95])
    # threshold 0.5: (1 - 0.6) * 0.5 = 0.2; no contradiction: kept; min(0.3, 0.05); 0.025
    assert capped(scores, con, 0.5, 0.5).tolist() == pytest.approx([0.2, 0.9, 0.05, 0.025])
    assert capped(scores, con, 0.5, 0.92).tolist() == pytest.approx([0.9, 0.9, 0.3, 0.025])
    assert capped(scores, con, 0.5, None).tolist() == scores.tolist()


def test_compare_counts_capped_answers_and_scores_each_level():
    y = np.array([1, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.85, 0.2])
    c = np.array([0.0, 0.0, 0.8, 0.0])  # the unfaithful answer scored 0.85 is contradicted
    out = compare({"a": (y, s, c)}, threshold=0.5, levels=[None, 0.5])
    assert out["none"]["capped"] == 0
    assert out["none"]["mean_balanced_accuracy"] == pytest.approx(0.75)  # 1.0 and 0.5
    assert out["none"]["mean_roc_auc"] == pytest.approx(0.75)  # 0.8 < 0.85: 3 of 4 pairs
    assert out["0.5"]["capped"] == 1
    assert out["0.5"]["mean_balanced_accuracy"] == pytest.approx(1.0)
    assert out["0.5"]["mean_roc_auc"] == pytest.approx(1.0)


def test_command_scores_a_dev_set_with_the_shipped_judge(capsys):
    out = main(["--sets", "halueval-qa-train", "--limit", "40", "--levels", "0.5"])
    assert set(out) == {"none", "0.5"}
    assert 0.0 <= out["none"]["per_set"]["halueval-qa-train"]["balanced_accuracy"] <= 1.0
    text = capsys.readouterr().out
    assert "scored halueval-qa-train: 40 answers" in text and "| 0.5 |" in text
