"""The out-of-distribution protocol: choices by leave-one-source-out, the lockbox kept out of
them and of training, and the command end to end on the shipped model."""

import json

import numpy as np
import pytest

from eval import recalibration as recalibration_cli
from eval.ood import __main__ as ood_cli
from eval.ood.evidence import average
from eval.ood.protocol import Candidate, choose, evaluate, platt
from eval.ood.sources import DEV_SOURCES, LOCKBOX, LOCKBOX_NAMES, benchmark_parts
from nli_judge import FaithfulnessJudge
from nli_judge.data.judge_data import LOCKBOX as LOCKBOX_POOL
from nli_judge.data.judge_data import JudgeDataArguments, build


def _rows(y, rng, signal):
    """Feature dicts where ``min_entailment`` tracks the label with strength ``signal`` and
    every other feature is noise."""
    rows = []
    for label in y:
        r = {f: float(rng.normal()) for f in (
            "mean_entailment", "share_entailed", "max_contradiction",
            "share_numbers_missing_at_best", "lexical_support", "min_claim_overlap",
            "share_names_missing", "share_numbers_missing", "share_incomplete",
            "baseline_overlap")}
        r["min_entailment"] = float(signal * label + rng.normal())
        r["log_claims"] = 1.0
        rows.append(r)
    return rows


def _data(seed=0, signal=2.0):
    rng = np.random.default_rng(seed)
    ys = {n: rng.integers(0, 2, 80) for n in ("a", "b", "c", "d")}
    feats = {n: _rows(y, rng, signal) for n, y in ys.items()}
    box_y = {"x": rng.integers(0, 2, 60)}
    box = {"x": _rows(box_y["x"], rng, signal)}
    bench = {"s": (_rows(ys["a"], rng, signal), ys["a"], _rows(ys["b"], rng, signal), ys["b"])}
    return feats, ys, box, box_y, bench


def test_the_informative_score_is_chosen_out_of_sample():
    feats, ys, box, box_y, bench = _data()
    good = evaluate(Candidate("m", 2, "min"), feats, ys, box, box_y, bench)
    noise = evaluate(Candidate("m", 2, "mean"), feats, ys, box, box_y, bench)
    lexical = evaluate(Candidate("lexical", 0, "overlap"), feats, ys, box, box_y, bench)
    assert good["loso_mean_roc_auc"] > 0.8 > 0.65 > noise["loso_mean_roc_auc"]
    assert set(good["loso"]) == {"a", "b", "c", "d"}
    assert good["loso_worst_roc_auc"] == min(v["roc_auc"] for v in good["loso"].values())
    assert good["lockbox"]["x"]["roc_auc"] > 0.8
    # the threshold is the median of the sources' own best thresholds
    assert good["threshold"] == pytest.approx(
        np.median([v["best_threshold"] for v in good["loso"].values()]))
    lexical["loso_mean_roc_auc"] = 1.0  # a reference row is never chosen, however good
    assert choose([noise, good, lexical])["candidate"] == good["candidate"]


def test_platt_makes_overconfident_log_odds_milder():
    rng = np.random.default_rng(1)
    y = {"a": rng.integers(0, 2, 400)}
    z = {"a": 6.0 * (y["a"] - 0.5) + rng.normal(0, 6.0, 400)}  # far too sure
    a, b = platt(z, y)
    assert 0 < a < 1 and abs(b) < 0.5


def test_averaged_outputs_line_up_pair_for_pair():
    one = [[(np.array([[0.8, 0.1, 0.1]]), np.array([True]), np.array([1.0]),
             np.array([0]), "c")]]
    two = [[(np.array([[0.2, 0.3, 0.5]]), np.array([True]), np.array([1.0]),
             np.array([0]), "c")]]
    merged = average(one, two)
    assert merged[0][0][0] == pytest.approx(np.array([[0.5, 0.2, 0.3]]))
    bad = [[(np.zeros((2, 3)), np.array([True, True]), np.ones(2), np.arange(2), "c")]]
    with pytest.raises(ValueError, match="line up"):
        average(one, bad)


def test_the_lockbox_is_kept_apart():
    dev_ids = {it.id for make in DEV_SOURCES.values() for it in make()}
    box_ids = {it.id for make in LOCKBOX.values() for it in make()}
    bench_ids = {it.id for s, c in benchmark_parts().values() for it in s + c}
    assert box_ids and not box_ids & dev_ids and not box_ids & bench_ids
    assert len(LOCKBOX) >= 3
    # the lockbox is the set of sources the training data refuses
    assert sorted(LOCKBOX_NAMES.values()) == sorted(LOCKBOX_POOL)
    # and no training mix may hold a lockbox source
    assert not set(JudgeDataArguments().sources) & set(LOCKBOX_POOL)
    with pytest.raises(ValueError, match="lockbox"):
        build(JudgeDataArguments(sources=["cliff"], output_dir="/nonexistent"))


def test_command_end_to_end_on_the_shipped_model(tmp_path, monkeypatch):
    out, cal = tmp_path / "report", tmp_path / "cal" / "judge_calibration.json"
    report = ood_cli.main(["--limit", "4", "--windows", "2", "--out", str(out),
                           "--var-dir", str(tmp_path / "var"), "--write-calibration",
                           str(cal)])
    saved = json.loads((out / "ood.json").read_text())
    assert saved["chosen"] == report["chosen"]
    names = {r["candidate"] for r in saved["candidates"]}
    assert {"v4 k=2 min", "v4 k=2 both", "lexical k=0 overlap"} <= names
    table = (out / "ood.md").read_text()
    assert f"**{report['chosen']}**" in table and "cliff ROC AUC" in table
    judge = FaithfulnessJudge.load(calibration=cal)
    written = json.loads(cal.read_text())
    assert judge.settings.max_windows == 2 and judge.settings.aggregate == "learned"
    assert judge.settings.threshold == pytest.approx(written["protocol"]["threshold"], abs=1e-4)
    result = judge.score("Metformin treats type 2 diabetes.",
                         ["Metformin is a medicine used to treat type 2 diabetes."])
    assert 0 <= result.score <= 1
    # a second run reads the model's outputs from the cache: no model is loaded
    def no_model(*_):
        raise AssertionError("the model ran again")

    monkeypatch.setattr("eval.ood.evidence.load_judge", no_model)
    again = ood_cli.main(["--limit", "4", "--windows", "2", "--out", str(out),
                          "--var-dir", str(tmp_path / "var")])
    assert again["chosen"] == report["chosen"]
    # the recalibration measurement reads the same cache and calibration; 4 items a source
    # are too few to draw ratings from, and it says so instead of reporting nothing
    monkeypatch.setenv("GC_VAR_DIR", str(tmp_path / "var"))
    with pytest.raises(SystemExit, match="too few to choose on"):
        recalibration_cli.main(["--calibration", str(cal), "--limit", "4", "--repeats", "2",
                                "--out", str(tmp_path / "recal.json")])
    assert not (tmp_path / "recal.json").exists()


def test_bad_arguments_say_what_to_write(tmp_path):
    with pytest.raises(SystemExit, match="NAME=VALUE"):
        ood_cli.main(["--git", "1526c95", "--var-dir", str(tmp_path)])
    with pytest.raises(SystemExit, match="name two models"):
        ood_cli.main(["--interpolate", "mix=v4+nothing:0.5", "--var-dir", str(tmp_path)])
