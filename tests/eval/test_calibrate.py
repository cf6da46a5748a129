"""``python -m eval.calibrate`` end to end on one small dev set with the real model."""

import json

from eval.calibrate import MAX_WINDOWS, main


def test_calibration_writes_settings_and_the_window_table(tmp_path):
    out = tmp_path / "cal.json"
    main(["--windows", "400:1", "--sets", "halueval-dialogue-train", "--out", str(out)])
    cal = json.loads(out.read_text())
    assert cal["backend"] == "torch"
    assert cal["settings"]["max_windows"] in (*MAX_WINDOWS, None)
    table = cal["results"]["max_windows_table"]
    assert set(table) == {"all", *map(str, MAX_WINDOWS)}
    assert cal["results"]["per_set"]["halueval-dialogue-train"]["n"] == 600
    assert "No test set was used." in cal["data_note"]


def test_cache_files_are_named_per_backend_and_reused(tmp_path):
    cache = tmp_path / "cache"
    args = ["--windows", "400:1", "--sets", "halueval-dialogue-train", "--backend",
            "torch-int8", "--cache", str(cache), "--out", str(tmp_path / "a.json")]
    main(args)
    saved = cache / "torch-int8_400_1_halueval-dialogue-train.pkl"
    assert saved.exists()
    stamp = saved.stat().st_mtime_ns
    main(args[:-1] + [str(tmp_path / "b.json")])
    assert saved.stat().st_mtime_ns == stamp  # read back, not recomputed
    a, b = (json.loads((tmp_path / n).read_text()) for n in ("a.json", "b.json"))
    assert a["settings"] == b["settings"] and a["backend"] == "torch-int8"
