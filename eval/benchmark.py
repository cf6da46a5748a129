"""The benchmark's datasets: what is scored, and where each one's threshold is tuned.

Thresholds are tuned on a dev split where the dataset has one, else on a fixed calibration
part of the file (every 5th row) that is never scored. Nothing here is ever trained on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eval.datasets import (
    SUMMEDITS_DOMAINS,
    FaithItem,
    RatingsError,
    begin,
    halueval,
    ratings,
    summedits,
    wice,
)


@dataclass
class BenchmarkSet:
    name: str
    scored: Callable[[], list[FaithItem]]
    calibration: Callable[[], list[FaithItem]]
    calibration_source: str
    note: str = ""
    aside: Callable[[], list[FaithItem]] | None = None  # reported apart, not in the metrics
    aside_name: str = ""


def _every_fifth(items: list[FaithItem], calibration: bool) -> list[FaithItem]:
    return [it for i, it in enumerate(items) if (i % 5 == 0) == calibration]


def _summedits(calibration: bool) -> list[FaithItem]:
    return [it for d in SUMMEDITS_DOMAINS for it in _every_fifth(summedits(d), calibration)]


def _halueval_summ(calibration: bool) -> list[FaithItem]:
    # Keep each row's two summaries together: rows (not items) are split every 5th.
    items = halueval("summarization", "test")
    return [it for i, it in enumerate(items) if ((i // 2) % 5 == 0) == calibration]


HALUEVAL_NOTE = ("hallucinated outputs written by ChatGPT and filtered, not judged per item "
                 "by people")

SETS: dict[str, BenchmarkSet] = {
    "wice": BenchmarkSet("wice", lambda: wice("test"), lambda: wice("dev"), "WiCE dev",
                         "claim level, supported vs partially/not supported"),
    "halueval-qa": BenchmarkSet(
        "halueval-qa", lambda: halueval("qa", "test"),
        lambda: halueval("qa", "train", limit=500, last=True), "HaluEval qa train rows 7500-7999",
        HALUEVAL_NOTE),
    "halueval-dialogue": BenchmarkSet(
        "halueval-dialogue", lambda: halueval("dialogue", "test"),
        lambda: halueval("dialogue", "train", limit=500, last=True),
        "HaluEval dialogue train rows 7500-7999",
        HALUEVAL_NOTE),
    "halueval-summarization": BenchmarkSet(
        "halueval-summarization", lambda: _halueval_summ(False), lambda: _halueval_summ(True),
        "every 5th row of the test file (never scored)", HALUEVAL_NOTE),
    "begin": BenchmarkSet(
        "begin", lambda: begin("test_wow"),
        lambda: begin("dev_cmu") + begin("dev_tc") + begin("dev_wow"), "BEGIN dev (cmu, tc, wow)",
        "BEGIN: fully attributable vs not; Generic responses reported apart (share the judge "
        "calls faithful)",
        aside=lambda: begin("test_wow", generic=True), aside_name="BEGIN Generic responses"),
    "summedits": BenchmarkSet("summedits", lambda: _summedits(False), lambda: _summedits(True),
                              "every 5th item per domain (never scored)", "8 domains"),
}


def ratings_set(path: Path) -> BenchmarkSet:
    """Human ratings from the app as a benchmark set (every 5th item tunes the threshold)."""
    items = ratings(path)
    if len(items) < 5:
        raise RatingsError(f"{path}: {len(items)} rated item(s); at least 5 are needed (every "
                           "5th tunes the threshold, the rest are scored)")
    return BenchmarkSet("ratings", lambda: _every_fifth(items, False),
                        lambda: _every_fifth(items, True), "every 5th rated item (never scored)",
                        f"ratings: {len(items)} items from {path}; faithful = raters' mean "
                        "faithfulness >= 4 of 5")


def stratified_sample(items: list[FaithItem], limit: int | None, seed: int = 0
                      ) -> list[FaithItem]:
    """At most ``limit`` items with the label mix of ``items`` (seeded; order kept)."""
    if not limit or len(items) <= limit:
        return list(items)
    rng = random.Random(seed)
    if limit == 1:
        return [items[rng.randrange(len(items))]]
    keep: set[int] = set()
    by_label = {lab: [i for i, it in enumerate(items) if it.label == lab] for lab in (0, 1)}
    for idx in by_label.values():
        k = round(limit * len(idx) / len(items))
        if idx and limit >= 2:
            k = max(k, 1)  # a tiny sample still holds both labels
        keep |= set(rng.sample(idx, min(k, len(idx))))
    return [it for i, it in enumerate(items) if i in keep]
