"""``calibrate`` on hand-made dev answers: no benchmark code, any labelled answers will do."""

from dataclasses import dataclass

import pytest

from nli_judge import FaithfulnessJudge, JudgeSettings, NLIModel
from nli_judge.judge.aggregation_fit import balanced_accuracy
from nli_judge.judge.calibration import MAX_WINDOWS, calibrate, parse_window

PASSAGE = ("The pharmacy opens at 9 am and closes at 6 pm on weekdays. It is closed on Sundays. "
           "Flu shots are given without an appointment on Tuesdays.")


@dataclass
class Item:
    answer: str
    passages: list[str]
    question: str | None
    label: int


def test_balanced_accuracy_is_scikit_learns():
    import numpy as np
    from sklearn.metrics import balanced_accuracy_score

    y, pred = np.array([1, 1, 1, 0]), np.array([1, 0, 0, 0])
    assert balanced_accuracy(y, pred) == pytest.approx((1 / 3 + 1) / 2)  # by hand
    rng = np.random.default_rng(0)
    for n in (5, 40, 301):
        y, pred = rng.integers(0, 2, n), rng.integers(0, 2, n)
        assert balanced_accuracy(y, pred) == pytest.approx(balanced_accuracy_score(y, pred))
    assert balanced_accuracy(np.ones(4, int), np.array([1, 1, 0, 1])) == 0.75  # one class


def test_parse_window():
    assert parse_window("400:2") == (400, 2)
    assert parse_window("400:0") == (400, None)
    assert parse_window("300") == (300, None)


def test_calibrate_picks_settings_that_fit_the_given_answers(tmp_path):
    nli_model = NLIModel.load()
    good = ["The pharmacy opens at 9 am on weekdays.", "It is closed on Sundays.",
            "Flu shots are given on Tuesdays without an appointment."]
    bad = ["The pharmacy opens at 7 am on weekdays.", "It is open every Sunday until noon.",
           "Flu shots need an appointment made two weeks ahead."]
    items = [Item(a, [PASSAGE], None, 1) for a in good] + [Item(a, [PASSAGE], None, 0)
                                                            for a in bad]
    cal = calibrate(nli_model, {"tiny": items}, ["400:1"], cache_dir=tmp_path)
    assert (tmp_path / "400_1_tiny.pkl").exists()
    s = cal["settings"]
    assert s["window_tokens"] == 400 and s["window_sentences"] == 1
    assert s["max_windows"] in (*MAX_WINDOWS, None)
    assert cal["results"]["per_set"]["tiny"]["n"] == 6
    # The chosen setting separates these six answers better than chance ...
    assert cal["results"]["per_set"]["tiny"]["balanced_accuracy"] > 0.5
    # ... and the judge with it scores them the way calibration did (per_set is measured
    # over every window, before the speed setting max_windows is chosen).
    judge = FaithfulnessJudge(nli_model, JudgeSettings(**{**s, "max_windows": None}), cal)
    verdicts = [judge.score(i.answer, i.passages).score >= s["threshold"] for i in items]
    right = sum(v == bool(i.label) for v, i in zip(verdicts, items, strict=True))
    assert right / 6 == pytest.approx(cal["results"]["per_set"]["tiny"]["balanced_accuracy"],
                                      abs=1e-4)
