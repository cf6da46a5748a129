import zlib

import numpy as np

from eval import runner
from eval.benchmark import SETS, stratified_sample
from eval.judges.base import Judge
from eval.judges.lexical import LexicalJudge
from eval.runner import RunConfig, run_judge_on_set


def test_calibration_items_are_never_scored():
    for name, bset in SETS.items():
        scored = {it.id for it in bset.scored()}
        calib = {it.id for it in bset.calibration()}
        assert scored and calib, name
        assert not scored & calib, name


def test_stratified_sample_keeps_the_label_mix():
    items = SETS["halueval-qa"].scored()
    sample = stratified_sample(items, 100, seed=1)
    assert len(sample) == 100 and sum(it.label for it in sample) == 50
    assert stratified_sample(items, 100, seed=1) == sample
    assert sorted(it.label for it in stratified_sample(items, 2)) == [0, 1]
    assert len(stratified_sample(items, 1)) == 1 and stratified_sample(items, 0) == items


class SpyJudge(LexicalJudge):
    """The real lexical judge, recording which items it was asked to score."""

    name = "spy"

    def __init__(self):
        super().__init__()
        self.calls = []

    def score(self, items, progress=False):
        self.calls.append([it.id for it in items])
        return super().score(items, progress)


def test_threshold_is_tuned_on_calibration_items_only(monkeypatch):
    seen = {}
    real_tune = runner.tune_threshold

    def spy_tune(labels, scores):
        seen["n"] = len(labels)
        return real_tune(labels, scores)

    monkeypatch.setattr(runner, "tune_threshold", spy_tune)
    judge = SpyJudge()
    cfg = RunConfig(limit=30, calibration_limit=20, latency_items=0)
    result = run_judge_on_set(judge, "begin", cfg, progress=False, log=lambda s: None)
    calib_ids, scored_ids = set(judge.calls[0]), set(judge.calls[1])
    assert seen["n"] == len(calib_ids) == 20
    assert len(scored_ids) == result["n"] == 30 and not calib_ids & scored_ids


class FlakyJudge(Judge):
    """Fails on every third item (as an LLM judge returning NaN or raising would)."""

    name = "flaky"

    def score(self, items, progress=False):
        if len(items) > 1 and any(i % 3 == 0 for i in range(len(items))):
            raise RuntimeError("batch failed")
        ids = [it.id for it in items]
        if zlib.crc32(ids[0].encode()) % 3 == 0:
            raise RuntimeError("LLM returned nothing")
        return np.array([0.7 if it.label else 0.2 for it in items])


def test_a_judge_failing_on_items_is_counted_not_fatal():
    cfg = RunConfig(limit=30, calibration_limit=20, latency_items=2)
    result = run_judge_on_set(FlakyJudge(), "halueval-qa", cfg, progress=False,
                              log=lambda s: None)
    assert result["n"] == 30
    assert 0 < result["failed"] < 30
    assert result["balanced_accuracy"] < 1.0
