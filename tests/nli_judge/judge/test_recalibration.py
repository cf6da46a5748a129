"""Recalibrating the judge from a deployment's ratings: reading, refusing, shrinking, and the
command end to end on the shipped model."""

import csv
import json

import numpy as np
import pytest

from nli_judge import FaithfulnessJudge
from nli_judge.judge import cli
from nli_judge.judge.aggregation import LearnedAggregator
from nli_judge.judge.recalibration import (
    PLATT_MIN,
    RatingsError,
    apply,
    fit_recalibration,
    held_out_agreement,
    read_ratings,
    recalibrated,
)

PASSAGE = ("Metformin is a medicine used to treat type 2 diabetes. It lowers the amount of "
           "sugar the liver releases into the blood. The usual starting dose is 500 mg.")
GOOD = ["Metformin is used to treat type 2 diabetes.",
        "Metformin lowers the amount of sugar the liver releases.",
        "The usual starting dose of metformin is 500 mg."]
BAD = ["Metformin cures type 1 diabetes in a week.",
       "The usual starting dose is 5,000 mg.",
       "Metformin was discovered on Mars by astronauts."]


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _shifted(n=200, seed=0, shift=0.25):
    """Scores of a deployment where faithful answers score lower than on the dev data: the
    shipped threshold (0.5) calls too many of them unfaithful."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = np.clip(rng.normal(0.55 + 0.2 * y - shift, 0.12), 0.01, 0.99)
    return s, y


def test_reads_app_export_and_plain_rows(tmp_path):
    rows = [{"item_id": "1", "rater": "a", "answer": GOOD[0], "passages": [PASSAGE],
             "faithfulness": 5},
            {"item_id": "1", "rater": "b", "answer": GOOD[0], "passages": [PASSAGE],
             "faithfulness": 2},   # mean 3.5: not faithful
            {"answer": GOOD[1], "passages": [PASSAGE], "faithful": 1, "question": "What?"},
            {"answer": BAD[0], "passages": [PASSAGE], "rating": 1}]
    rated = read_ratings(_write_jsonl(tmp_path / "r.jsonl", rows))
    assert [r.faithful for r in rated] == [0, 1, 0]
    assert rated[1].question == "What?"
    with open(tmp_path / "r.csv", "w", newline="") as f:
        w = csv.DictWriter(f, ["item_id", "answer", "passages", "faithfulness"])
        w.writeheader()
        w.writerow({"item_id": "7", "answer": GOOD[2], "passages": json.dumps([PASSAGE]),
                    "faithfulness": 4})
    assert read_ratings(tmp_path / "r.csv")[0].faithful == 1


@pytest.mark.parametrize("row, message", [
    ({"passages": [PASSAGE], "faithful": 1}, "answer must be"),
    ({"answer": "x", "passages": "one text", "faithful": 1}, "passages must be"),
    ({"answer": "x", "passages": [PASSAGE], "faithful": 2}, "faithful must be 0 or 1"),
    ({"answer": "x", "passages": [PASSAGE], "rating": 9}, "rating must be 1-5"),
    ({"answer": "x", "passages": [PASSAGE]}, "no label"),
])
def test_bad_rows_say_which_line(tmp_path, row, message):
    good = {"answer": GOOD[0], "passages": [PASSAGE], "faithful": 1}
    path = _write_jsonl(tmp_path / "r.jsonl", [good, row])
    with pytest.raises(RatingsError, match=rf"line 2: {message}"):
        read_ratings(path)
    (tmp_path / "bad.jsonl").write_text('{"answer": \n')
    with pytest.raises(RatingsError, match="line 1: not JSON"):
        read_ratings(tmp_path / "bad.jsonl")


def test_too_few_or_one_class_refused():
    s, y = _shifted(200)
    with pytest.raises(RatingsError, match="at least 20"):
        fit_recalibration(s[:10], y[:10], 0.5)
    with pytest.raises(RatingsError, match="of each"):
        fit_recalibration(s[:60], np.ones(60, dtype=int), 0.5)


def test_shrinks_toward_the_shipped_threshold():
    s, y = _shifted(60)
    free = fit_recalibration(s, y, 0.5, prior_strength=0)
    some = fit_recalibration(s, y, 0.5, prior_strength=60)
    held = fit_recalibration(s, y, 0.5, prior_strength=1e9)
    assert free["threshold"] == pytest.approx(free["fitted_threshold"], abs=1e-3)
    assert free["threshold"] < some["threshold"] < 0.5       # shifted scores: lower it
    assert held["threshold"] == pytest.approx(0.5, abs=1e-3)  # the prior wins
    assert some["weight_of_ratings"] == pytest.approx(0.5)
    assert free["rescale"] is None                            # under PLATT_MIN ratings


def test_many_ratings_rescale_the_score():
    s, y = _shifted(PLATT_MIN + 50)
    fitted = fit_recalibration(s, y, 0.5, prior_strength=10)
    assert fitted["rescale"] and fitted["threshold"] == 0.5
    new = apply(s, fitted)
    assert np.argsort(new).tolist() == np.argsort(s).tolist()   # same ranking
    assert np.mean((new >= 0.5) == y) > np.mean((s >= 0.5) == y)
    agg = LearnedAggregator(["f"], [0.0], [1.0], [2.0], -1.0)
    cal = recalibrated({"settings": {"threshold": 0.5}, "aggregator": agg.to_dict()}, fitted,
                       "ratings.jsonl")
    new_agg = LearnedAggregator.from_dict(cal["aggregator"])
    z = agg.logit({"f": 0.3})
    a, b = fitted["rescale"]
    assert new_agg.logit({"f": 0.3}) == pytest.approx(a * z + b)
    assert cal["recalibration"]["source"] == "ratings.jsonl"


def test_scores_that_do_not_rank_keep_the_shipped_threshold():
    s, y = _shifted(80, shift=0.0)
    fitted = fit_recalibration(1 - s, y, 0.5, prior_strength=0)
    assert fitted["threshold"] == 0.5 and "do not rank" in fitted["note"]


def test_held_out_agreement_improves_on_a_shifted_deployment():
    s, y = _shifted(300)
    held = held_out_agreement(s, y, 0.5, prior_strength=25)
    assert held["after"] > held["before"] + 0.05


def _ratings(tmp_path, n_each=12):
    rows = []
    for k in range(n_each):
        rows.append({"item_id": f"g{k}", "answer": GOOD[k % 3], "passages": [PASSAGE],
                     "faithful": 1})
        rows.append({"item_id": f"b{k}", "answer": BAD[k % 3], "passages": [PASSAGE],
                     "rating": 1})
    return _write_jsonl(tmp_path / "ratings.jsonl", rows)


def test_command_writes_a_calibration_the_judge_loads(tmp_path, capsys):
    out = tmp_path / "deploy"
    report = cli.calibrate_main(["--ratings", str(_ratings(tmp_path)), "--out", str(out)])
    printed = capsys.readouterr().out
    assert "24 rated answers (12 faithful)" in printed and "held out" in printed
    assert (out / "judge_calibration.json").exists()
    assert (out / "recalibration_report.json").exists()
    judge = FaithfulnessJudge.load(calibration=out)
    assert judge.settings.threshold == pytest.approx(report["fitted"]["threshold"])
    result = judge.score(GOOD[0], [PASSAGE])
    assert result.judge_version["calibration"].startswith("ratings: ")
    assert result.threshold == judge.settings.threshold
    assert FaithfulnessJudge.load().version["calibration"] == "shipped"


def test_command_refuses_bad_ratings_and_writes_nothing(tmp_path):
    path = _write_jsonl(tmp_path / "few.jsonl",
                        [{"answer": GOOD[0], "passages": [PASSAGE], "faithful": 1}] * 5)
    out = tmp_path / "deploy"
    with pytest.raises(SystemExit, match="at least 20 are needed; nothing was written"):
        cli.calibrate_main(["--ratings", str(path), "--out", str(out)])
    assert not out.exists()
    with pytest.raises(SystemExit, match="no such file"):
        cli.calibrate_main(["--ratings", str(tmp_path / "none.jsonl"), "--out", str(out)])
    assert not out.exists()


def test_load_refuses_a_missing_or_broken_calibration(tmp_path):
    with pytest.raises(FileNotFoundError, match="no judge calibration"):
        FaithfulnessJudge.load(calibration=tmp_path / "nowhere")
    (tmp_path / "judge_calibration.json").write_text("{}")
    with pytest.raises(ValueError, match="no 'settings'"):
        FaithfulnessJudge.load(calibration=tmp_path)


def test_reweighting_from_ratings_writes_a_score_the_judge_uses(tmp_path, capsys):
    """--method reweight refits the answer score's weights on the ratings; the features it
    fits on are the ones the judge scores with (same score before the refit)."""
    from nli_judge.judge.aggregation_fit import features_of, scores_of

    judge = FaithfulnessJudge.load()
    rated = read_ratings(_ratings(tmp_path))
    inputs = [{"answer": r.answer, "passages": r.passages} for r in rated]
    rows = features_of(judge.claim_evidence(inputs), rated,
                       judge.settings.contradiction_min_overlap)
    assert scores_of(judge.aggregator, rows) == pytest.approx(
        [r.score for r in judge.score_batch(inputs)], abs=1e-6)
    out = tmp_path / "deploy"
    report = cli.calibrate_main(["--ratings", str(_ratings(tmp_path)), "--out", str(out),
                                 "--method", "reweight", "--prior-strength", "1"])
    assert "weights refitted" in capsys.readouterr().out
    fitted = report["fitted"]
    assert fitted["threshold"] == fitted["shipped_threshold"] == judge.settings.threshold
    assert any(a != b for a, b in fitted["weights"].values())
    again = FaithfulnessJudge.load(calibration=out)
    assert again.aggregator.coef != judge.aggregator.coef
    assert again.aggregator.coef == pytest.approx([b for _, b in fitted["weights"].values()],
                                                  abs=1e-4)
    assert 0 <= report["held_out"]["after"] <= 1
