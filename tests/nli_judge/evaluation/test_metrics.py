import numpy as np
import pytest

from nli_judge.evaluation.metrics import nli_metrics, save_confusion_png

# gold:  e e n c c c ; predicted (argmax): e n n c c e
LABELS = [0, 0, 1, 2, 2, 2]
PROBS = np.array([
    [0.8, 0.1, 0.1],
    [0.3, 0.6, 0.1],
    [0.2, 0.7, 0.1],
    [0.1, 0.1, 0.8],
    [0.2, 0.2, 0.6],
    [0.5, 0.1, 0.4],
])


def test_metrics_match_hand_computed_values():
    m = nli_metrics(LABELS, PROBS)
    assert m["n"] == 6
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["confusion_matrix"] == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    # entailment: P = 1/2, R = 1/2 ; neutral: P = 1/2, R = 1 ; contradiction: P = 1, R = 2/3
    pc = m["per_class"]
    assert pc["entailment"]["precision"] == pytest.approx(0.5)
    assert pc["neutral"]["f1"] == pytest.approx(2 / 3)
    assert pc["contradiction"]["recall"] == pytest.approx(2 / 3)
    assert pc["contradiction"]["f1"] == pytest.approx(0.8)
    assert m["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0.8) / 3)
    # contradiction vs rest: positives score .8 .6 .4, negatives .1 .1 .1 -> all ranked above
    assert m["roc_auc"]["contradiction"] == pytest.approx(1.0)
    # entailment vs rest: positives .8 .3; negatives .2 .1 .2 .5 -> pairs won: 4 + 3 = 7 of 8
    assert m["roc_auc"]["entailment"] == pytest.approx(7 / 8)
    # ranking .8(+) .5(-) .3(+): AP = (1/1 + 2/3) / 2
    assert m["pr_auc"]["entailment"] == pytest.approx((1 + 2 / 3) / 2)


def test_auc_is_none_for_a_label_with_no_examples():
    m = nli_metrics([0, 2], PROBS[:2])
    assert m["roc_auc"]["neutral"] is None and m["pr_auc"]["neutral"] is None


def test_confusion_png_is_written(tmp_path):
    path = save_confusion_png(nli_metrics(LABELS, PROBS), tmp_path / "cm.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_per_edit_shares_by_hand():
    from nli_judge.evaluation.metrics import format_edit_table, per_edit_metrics

    p_entail = [0.9, 0.4, 0.2, 0.7, 0.1, 0.8, 0.3]
    probs = np.array([[p, 1 - p, 0.0] for p in p_entail])
    kinds = ["copy", "copy", "edit:negation", "edit:negation", "edit:number", "", "edit:number"]
    sources = ["synthetic_news"] * 5 + ["fever_nli", "mnli"]  # the last two are not synthetic
    m = per_edit_metrics(probs, kinds, sources)
    assert m == {"copy": {"n": 2, "share_right": 0.5},           # 0.9 kept, 0.4 lost
                 "edit:negation": {"n": 2, "share_right": 0.5},  # 0.2 caught, 0.7 missed
                 "edit:number": {"n": 1, "share_right": 1.0}}    # 0.1 caught
    table = format_edit_table(m)
    assert "| copy | 2 | 0.500 | - |" in table
    assert "| edit:number | 1 | 1.000 | 0.750 |" in table         # (1.0 + 0.5) / 2
