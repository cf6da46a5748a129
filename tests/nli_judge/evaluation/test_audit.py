import csv

import numpy as np
import pytest

from nli_judge.data.label_fixes import apply_label_fixes, read_label_fixes
from nli_judge.data.pairs import DataError, read_pairs
from nli_judge.evaluation.audit import audit, write_audit_csv

# gold:      e    n    c    e
PROBS = np.array([
    [0.10, 0.05, 0.85],  # e, model says c with .85 -> flagged
    [0.20, 0.70, 0.10],  # right
    [0.30, 0.60, 0.10],  # c, model says n with .60 -> wrong but not confident
    [0.01, 0.90, 0.09],  # e, model says n with .90 -> flagged, highest loss
])
LABELS = [0, 1, 2, 0]


def test_audit_ranks_by_loss_and_flags_confident_errors():
    res = audit(LABELS, PROBS, threshold=0.8)
    assert res.losses == pytest.approx(-np.log([0.10, 0.70, 0.10, 0.01]))
    assert list(res.order) == [3, 0, 2, 1]
    assert res.flagged == [3, 0]
    assert res.counts == {("entailment", "neutral"): 1, ("entailment", "contradiction"): 1}
    assert audit(LABELS, PROBS, threshold=0.5).flagged == [3, 0, 2]


def _audit_csv(tmp_path, tiny_mnli):
    ex = read_pairs(tiny_mnli)
    probs = np.full((len(ex), 3), 0.05)
    wrong = [(i, (ex.labels[i] + 1) % 3) for i in (0, 1, 2)]
    for i in range(len(ex)):
        probs[i, ex.labels[i]] = 0.9
    for i, other in wrong:
        probs[i] = 0.05
        probs[i, other] = 0.9
    path = write_audit_csv(tmp_path / "audit.csv", ex, probs, audit(ex.labels, probs))
    return ex, wrong, path


def test_audit_csv_round_trips_into_label_fixes(tmp_path, tiny_mnli):
    ex, wrong, path = _audit_csv(tmp_path, tiny_mnli)
    rows = list(csv.DictReader(open(path)))
    assert len(rows) == 3 and {r["id"] for r in rows} == {ex.ids[i] for i, _ in wrong}
    # A person relabels the first flagged pair and excludes the second; leaves the third.
    rows[0]["new_label"] = rows[0]["predicted_label"]
    rows[1]["exclude"] = "yes"
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=rows[0].keys())
        w.writeheader()
        w.writerows(rows)
    fixes = read_label_fixes(path)
    assert len(fixes) == 2
    relabel_i = ex.ids.index(rows[0]["id"])
    new_id = {"entailment": 0, "neutral": 1, "contradiction": 2}[rows[0]["predicted_label"]]
    gold = ex.labels[relabel_i]

    kept, soft, counts = apply_label_fixes(read_pairs(tiny_mnli), fixes, "exclude")
    assert len(kept) == 38 and counts["excluded"] == 2

    kept, soft, counts = apply_label_fixes(read_pairs(tiny_mnli), fixes, "relabel")
    assert len(kept) == 39 and counts == {"excluded": 1, "relabelled": 1, "softened": 0,
                                          "unmatched_fixes": 0}
    j = kept.ids.index(rows[0]["id"])
    assert kept.labels[j] == new_id and soft[j][new_id] == 1.0

    kept, soft, counts = apply_label_fixes(read_pairs(tiny_mnli), fixes, "soft", 0.3)
    j = kept.ids.index(rows[0]["id"])
    assert kept.labels[j] == gold
    assert soft[j][gold] == pytest.approx(0.7) and soft[j][new_id] == pytest.approx(0.3)


def test_label_fix_csv_with_a_bad_label_names_the_line(tmp_path):
    path = tmp_path / "fix.csv"
    path.write_text("id,new_label,exclude\na:1,entailment,\na:2,sorta,\n")
    with pytest.raises(DataError, match="line 3: unknown label 'sorta'"):
        read_label_fixes(path)
