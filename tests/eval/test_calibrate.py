"""``python -m eval.calibrate`` end to end on one small dev set with the real model."""

import json

from eval.calibrate import main
from nli_judge.judge.calibration import MAX_WINDOWS


def test_calibration_writes_settings_and_the_window_table(tmp_path):
    out = tmp_path / "cal.json"
    main(["--windows", "400:1", "--sets", "halueval-dialogue-train", "--limit", "150",
          "--out", str(out)])
    cal = json.loads(out.read_text())
    assert cal["backend"] == "torch"
    assert cal["settings"]["max_windows"] in (*MAX_WINDOWS, None)
    table = cal["results"]["max_windows_table"]
    assert set(table) == {"all", *map(str, MAX_WINDOWS)}
    assert cal["results"]["per_set"]["halueval-dialogue-train"]["n"] == 150  # of 600
    assert "No test set was used." in cal["data_note"]


def test_cache_files_are_named_per_backend_and_reused(tmp_path):
    cache = tmp_path / "cache"
    args = ["--windows", "400:1", "--sets", "halueval-dialogue-train", "--limit", "100",
            "--backend", "torch-int8", "--cache", str(cache), "--out", str(tmp_path / "a.json")]
    main(args)
    saved = cache / "torch-int8_400_1_halueval-dialogue-train.pkl"
    assert saved.exists()
    stamp = saved.stat().st_mtime_ns
    main(args[:-1] + [str(tmp_path / "b.json")])
    assert saved.stat().st_mtime_ns == stamp  # read back, not recomputed
    a, b = (json.loads((tmp_path / n).read_text()) for n in ("a.json", "b.json"))
    assert a["settings"] == b["settings"] and a["backend"] == "torch-int8"
    other = args[:-1] + [str(tmp_path / "c.json")]
    other[other.index("100")] = "60"  # another sample of the set: made again, not misread
    main(other)
    assert saved.stat().st_mtime_ns != stamp
    assert json.loads((tmp_path / "c.json").read_text())["results"]["per_set"][
        "halueval-dialogue-train"]["n"] == 60


def test_learned_aggregate_is_fitted_reported_and_loaded(tmp_path):
    from nli_judge import FaithfulnessJudge
    from nli_judge.judge.aggregation import VARIANTS
    from nli_judge.model.nli_model import NLIModel

    out = tmp_path / "cal.json"
    main(["--windows", "400:1", "400:0", "--sets", "halueval-qa-train",
          "halueval-dialogue-train", "--limit", "40", "--learned", "--out", str(out)])
    cal = json.loads(out.read_text())
    assert cal["settings"]["aggregate"] == "learned"
    learned = cal["results"]["learned"]
    assert set(learned["leave_one_set_out"]) == set(VARIANTS)
    assert cal["settings"]["threshold"] == learned["threshold"]
    # Each window got its own learned fit; the one kept ranks best out of sample.
    (other,) = cal["all_results"]
    auc = lambda r: r["learned"]["leave_one_set_out"]["both"]["mean_roc_auc"]  # noqa: E731
    assert auc(cal["results"]) >= auc(other)
    assert "learned score's leave-one-set-out" in cal["objective"]
    assert len(cal["aggregator"]["coef"]) == len(cal["aggregator"]["features"])
    judge = FaithfulnessJudge(NLIModel.load(), calibration=cal)
    judge.settings.aggregate = "learned"
    r = judge.score("Metformin treats diabetes.", ["Metformin is a diabetes medicine."])
    assert 0.0 <= r.score <= 1.0 and judge.aggregator is not None
