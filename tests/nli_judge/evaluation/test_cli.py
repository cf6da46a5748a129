"""The evaluate, audit and demo commands end to end on a tiny trained model."""

import csv
import json

import pytest

from nli_judge.evaluation import audit, evaluate
from nli_judge.model import demo


def test_evaluate_cli_writes_json_and_png(tiny_run, tiny_mnli, tmp_path, capsys):
    out = tmp_path / "m.json"
    evaluate.main(["--data", str(tiny_mnli), "--model", str(tiny_run / "final"),
                   "--json", str(out), "--png", str(tmp_path / "cm.png")])
    m = json.loads(out.read_text())
    assert {"n", "accuracy", "macro_f1", "per_class", "confusion_matrix", "roc_auc",
            "pr_auc"} <= set(m)
    assert m["n"] == 40 and sum(map(sum, m["confusion_matrix"])) == 40
    # The same model on the same file as the training run's final evaluation: same numbers.
    assert m["accuracy"] == json.loads((tiny_run / "metrics.json").read_text())["accuracy"]
    assert "confusion matrix" in capsys.readouterr().out
    assert (tmp_path / "cm.png").exists()


def test_evaluate_cli_on_a_mixed_dev_file_adds_the_per_source_table(tiny_run, tmp_path,
                                                                     capsys):
    import gzip

    from nli_judge.evaluation.metrics import per_source_metrics
    from nli_judge.model.nli_model import NLIModel

    rows = [{"source": src, "premise": "Aspirin reduces fever and pain.", "hypothesis": h,
             "label": lab, "scheme": scheme}
            for src, scheme, pairs in [
                ("fever_nli", "binary", [("Aspirin reduces fever.", "supported"),
                                         ("Aspirin causes fever.", "unsupported")] * 3),
                ("mnli", "nli3", [("Aspirin reduces pain.", "entailment"),
                                  ("Aspirin is sold in Paris.", "neutral"),
                                  ("Aspirin increases pain.", "contradiction")] * 2)]
            for h, lab in pairs]
    rows += [{"source": "synthetic_news", "premise": "Aspirin reduces fever and pain.",
              "hypothesis": h, "label": lab, "scheme": "binary", "kind": kind}
             for h, lab, kind in [("Aspirin reduces fever and pain.", "supported", "copy"),
                                  ("Aspirin does not reduce fever.", "unsupported",
                                   "edit:negation")]]
    dev = tmp_path / "dev.jsonl.gz"
    with gzip.open(dev, "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    out = tmp_path / "m.json"
    evaluate.main(["--data", str(dev), "--model", str(tiny_run / "final"), "--json", str(out)])
    by_source = json.loads(out.read_text())["by_source"]
    assert by_source["fever_nli"]["n"] == 6 and by_source["mnli"]["scheme"] == "nli3"
    # the numbers training prints for its dev file, computed the same way
    model = NLIModel.load(tiny_run / "final")
    probs = model.predict([r["premise"] for r in rows], [r["hypothesis"] for r in rows])
    from nli_judge.data.pairs import read_pairs
    ex = read_pairs(dev)
    expected = per_source_metrics(probs, ex.labels, ex.binary, ex.sources)
    assert by_source["fever_nli"]["roc_auc"] == pytest.approx(expected["fever_nli"]["roc_auc"])
    out_text = capsys.readouterr().out
    assert "Per source" in out_text and "| edit:negation | 1 |" in out_text
    by_edit = json.loads(out.read_text())["by_edit"]
    assert set(by_edit) == {"copy", "edit:negation"} and by_edit["copy"]["n"] == 1


@pytest.mark.parametrize("content, message", [
    ("", "has no rows"),
    ("premise\tgold_label\np\tneutral\n", "missing column(s) hypothesis"),
    ("premise\thypothesis\tgold_label\np\th\tperhaps\n", "unknown label 'perhaps'"),
])
def test_evaluate_cli_bad_input_is_one_line(tiny_run, tmp_path, content, message):
    bad = tmp_path / "bad.tsv"
    bad.write_text(content)
    with pytest.raises(SystemExit) as e:
        evaluate.main(["--data", str(bad), "--model", str(tiny_run / "final")])
    assert str(e.value).startswith("error: ") and message in str(e.value)
    assert "\n" not in str(e.value)


def test_evaluate_cli_missing_model_is_clear(tiny_mnli, tmp_path):
    with pytest.raises(SystemExit, match="no model at"):
        evaluate.main(["--data", str(tiny_mnli), "--model", str(tmp_path)])


def test_audit_cli_writes_a_correctable_csv(tiny_run, tiny_mnli, tmp_path, capsys):
    out = tmp_path / "audit.csv"
    # The 4-step model is near uniform: a low threshold flags its confident-enough errors.
    audit.main(["--data", str(tiny_mnli), "--model", str(tiny_run / "final"),
                "--threshold", "0.34", "--out", str(out)])
    text = capsys.readouterr().out
    rows = list(csv.DictReader(open(out)))
    assert f"{len(rows)} of 40 pairs confidently wrong" in text
    assert rows and list(rows[0]) == list(audit.CSV_COLUMNS)
    assert all(r["gold_label"] != r["predicted_label"] for r in rows)
    losses = [float(r["loss"]) for r in rows]
    assert losses == sorted(losses, reverse=True)


def test_demo_runs_on_a_given_pair(tiny_run, capsys):
    demo.main(["--model", str(tiny_run / "final"), "--premise", "A cat sleeps.",
               "--hypothesis", "An animal rests."])
    assert "->" in capsys.readouterr().out
