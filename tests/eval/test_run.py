"""``python -m eval.run`` end to end with the real judges and bundled data."""

import json

import pytest

from eval import run
from eval.benchmark import SETS

RESULT_FIELDS = {
    "judge": str, "dataset": str, "n": int, "failed": int, "threshold": float,
    "calibration_n": int, "balanced_accuracy": float, "roc_auc": (float, type(None)),
    "pr_auc": (float, type(None)), "f1_unfaithful": float, "p50_ms": float, "p95_ms": float,
    "items_per_s": float, "cpu_s": float, "cpu_s_per_1k": float,
    "cost_per_1k_usd": (float, type(None)), "llm_calls_per_item": float,
    "tokens_per_item": float,
}


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    uri = f"sqlite:///{out / 'mlflow.db'}"
    payload = run.main(["--quick", "--output", str(out), "--tracking-uri", uri])
    return out, payload


def test_quick_run_scores_every_judge_on_every_dataset(quick):
    out, payload = quick
    pairs = {(r["judge"], r["dataset"]) for r in payload["results"]}
    assert pairs == {(j, d) for j in run.JUDGES if j not in run.QUICK_SKIPS for d in SETS}
    for r in payload["results"]:
        assert r["n"] == run.QUICK_LIMIT
        assert 0.0 <= r["balanced_accuracy"] <= 1.0
        assert r["failed"] == 0, r
    assert 0.3 < payload["mnli"]["accuracy"] <= 1.0
    md = (out / "faithfulness.md").read_text()
    assert "MiniCheck-Flan-T5-L | 72.2 | 358 | published" in md
    assert "written by ChatGPT" in md and "BEGIN Generic responses" in md
    for png in ("roc_curves.png", "balanced_accuracy.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"


def test_ragas_judge_through_the_local_model(tmp_path, monkeypatch):
    # Real RAGAS, real local-model path; the 135M model with short outputs keeps it quick.
    # It rarely returns the JSON RAGAS wants: those items are NaN, counted, not fatal.
    monkeypatch.setenv("GC_LOCAL_MODEL", "smollm2-135m-instruct")
    monkeypatch.setenv("GC_MAX_NEW_TOKENS", "16")
    monkeypatch.setenv("GC_VAR_DIR", str(tmp_path / "var"))
    payload = run.main(["--judges", "ragas", "--datasets", "halueval-qa", "--ragas-limit", "2",
                        "--output", str(tmp_path), "--no-mlflow"])
    (r,) = payload["results"]
    assert r["judge"] == "ragas" and r["n"] == 2 and r["calibration_n"] == 2
    assert r["llm_calls_per_item"] >= 1 and r["tokens_per_item"] > 100
    assert 0 <= r["failed"] <= 2
    assert r["cost_per_1k_usd"] == 0.0  # a local model: no API money; CPU seconds instead
    assert r["p50_ms"] > 0 and r["cpu_s_per_1k"] > 0


def test_report_json_schema(quick):
    out, _ = quick
    data = json.loads((out / "faithfulness.json").read_text())
    assert {"command", "started", "wall_s", "machine", "mnli", "results"} <= set(data)
    for r in data["results"]:
        for key, typ in RESULT_FIELDS.items():
            assert isinstance(r[key], typ), (key, r[key])
        assert "scores" not in r  # per-item scores stay out of the report


def test_quick_run_is_logged_to_mlflow(quick):
    out, _ = quick
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{out / 'mlflow.db'}")
    runs = mlflow.search_runs(experiment_names=["faithfulness-benchmark"])
    assert len(runs) == 1
    assert 0 <= runs.iloc[0]["metrics.nli.macro.balanced_accuracy"] <= 1


def test_ratings_file_is_scored_as_a_dataset(tmp_path):
    passage = "Metformin is a medicine used to treat type 2 diabetes. It can cause nausea."
    good = ["Metformin treats type 2 diabetes.", "Metformin can cause nausea."]
    bad = ["Metformin cures lung cancer.", "Metformin was invented in 2015 in Paris."]
    rows = [{"item_id": f"{i}-{k}", "rater": "ann", "question": "", "answer": a,
             "passages": [passage], "faithfulness": 5 if a in good else 1}
            for k in range(5) for i, a in enumerate(good + bad)]
    f = tmp_path / "ratings.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows))
    payload = run.main(["--judges", "lexical", "--datasets", "begin", "--limit", "10",
                        "--ratings", str(f), "--output", str(tmp_path), "--no-mlflow",
                        "--latency-items", "2"])
    (r,) = [r for r in payload["results"] if r["dataset"] == "ratings"]
    assert r["n"] == 10 and r["calibration_n"] == 4  # --limit samples the 16 scored items
    assert r["balanced_accuracy"] == 1.0
    assert r["spearman_vs_rating"] > 0.8
    assert "## Human ratings" in (tmp_path / "faithfulness.md").read_text()


def test_bad_ratings_file_is_a_clear_error(tmp_path):
    f = tmp_path / "ratings.jsonl"
    f.write_text('{"item_id": 1}\n')
    with pytest.raises(SystemExit, match="row 1: missing rater, answer"):
        run.main(["--judges", "lexical", "--ratings", str(f), "--output", str(tmp_path)])
    f.write_text('{"item_id": 1, "rater": "a", "answer": "x", "passages": ["p"], '
                 '"faithfulness": 4}\n')
    with pytest.raises(SystemExit, match="at least 5 are needed"):
        run.main(["--judges", "lexical", "--ratings", str(f), "--output", str(tmp_path)])


def test_int8_judge_runs_beside_the_fp32_one(tmp_path):
    payload = run.main(["--quick", "--judges", "nli", "nli-int8", "--datasets", "halueval-qa",
                        "--output", str(tmp_path), "--no-mlflow"])
    rows = {r["judge"]: r for r in payload["results"]}
    assert set(rows) == {"nli", "nli-int8"}
    assert all(r["n"] == run.QUICK_LIMIT and r["failed"] == 0 for r in rows.values())
    assert rows["nli"]["roc_auc"] > 0.6 and rows["nli-int8"]["roc_auc"] > 0.6
