"""Recalibrate the judge for one deployment from its users' own ratings.

    groundedchat-judge calibrate --ratings FILE --out DIR

A rated answer says what "faithful" means where the judge is used. ``recalibrate`` scores the
rated answers with the judge, then moves the verdict threshold (and, with enough ratings, the
score's own calibration) toward what the ratings say, **shrunk toward the shipped
calibration**: with ``n`` ratings the new log-odds boundary is ``(n * fitted + k * shipped) /
(n + k)``, ``k = PRIOR_STRENGTH``. A few ratings move it a little, many move it far. The
threshold fitted on the ratings is the boundary of a one-feature logistic regression on the
score's log-odds with both classes weighing the same (smoother than the best threshold of a
few points, which jumps between neighbours). ``k`` was chosen on the dev sources by
``python -m eval.recalibration`` (never on the sets it is measured on).

Ratings file: JSON lines (or the app's CSV export), one row per rated answer or per rater and
answer: ``answer``, ``passages`` (list of texts), optional ``question`` and ``item_id``, and
the label as ``faithful`` (0/1), or ``rating`` / ``faithfulness`` (1-5; faithful at 4 or
more, the raters' mean when several rated one ``item_id``). Bad rows, too few ratings or one
class only raise ``RatingsError`` before anything is written.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nli_judge.judge.aggregation import logit
from nli_judge.judge.aggregation_fit import balanced_accuracy

MIN_RATINGS = 20
MIN_PER_CLASS = 5
PLATT_MIN = 100  # from this many ratings the score's slope is refitted too
# Pseudo-ratings the shipped calibration counts for (python -m eval.recalibration chose it on
# the dev sources: docs/judge-ood.md has the table).
PRIOR_STRENGTH = 50.0
# How a deployment's ratings recalibrate the judge by default, and each way's prior strength.
METHOD = "threshold"
PRIORS = {"threshold": PRIOR_STRENGTH, "reweight": 10.0}
FAITHFUL_RATING = 4
FILE = "judge_calibration.json"


class RatingsError(ValueError):
    """Ratings that cannot be used: says which file and row, and what to fix."""


@dataclass
class Rated:
    answer: str
    passages: list[str]
    question: str | None
    faithful: int


def _label(row: dict, where: str) -> float:
    """1/0 from ``faithful``, or the 1-5 rating as it is (averaged per item later)."""
    if row.get("faithful") not in (None, ""):
        value = row["faithful"]
        if value in (0, 1, "0", "1", True, False):
            return 5.0 if int(value) else 1.0
        raise RatingsError(f"{where}: faithful must be 0 or 1, not {value!r}")
    for key in ("rating", "faithfulness"):
        if row.get(key) not in (None, ""):
            try:
                value = float(row[key])
            except (TypeError, ValueError):
                value = -1.0
            if not 1 <= value <= 5:
                raise RatingsError(f"{where}: {key} must be 1-5, not {row[key]!r}")
            return value
    raise RatingsError(f"{where}: no label (faithful 0/1, or rating 1-5)")


def _rows(path: Path) -> list[tuple[str, dict]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RatingsError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise RatingsError(f"{path}: not UTF-8 text") from None
    if path.suffix.lower() == ".csv":
        out = []
        for n, r in enumerate(csv.DictReader(text.splitlines()), 2):
            try:
                r["passages"] = json.loads(r.get("passages") or "[]")
            except json.JSONDecodeError:
                raise RatingsError(f"{path}, line {n}: passages are not a JSON list") from None
            out.append((f"{path}, line {n}", r))
        return out
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((f"{path}, line {n}", json.loads(line)))
        except json.JSONDecodeError as e:
            raise RatingsError(f"{path}, line {n}: not JSON ({e.msg})") from None
    return out


def read_ratings(path: str | Path) -> list[Rated]:
    """The rated answers of a ratings file (module docstring), checked row by row."""
    return rated_from_rows(_rows(Path(path)))


def rated_from_rows(rows: Iterable[tuple[str, dict]]) -> list[Rated]:
    """Rated answers from ``(where, row)`` pairs (``where`` names the row in errors), e.g.
    the app's stored ratings; one per ``item_id``, its raters' mean rating deciding."""
    by_item: dict[str, list[tuple[dict, float]]] = {}
    for k, (where, row) in enumerate(rows):
        if not isinstance(row, dict):
            raise RatingsError(f"{where}: not a JSON object")
        if not isinstance(row.get("answer"), str) or not row["answer"].strip():
            raise RatingsError(f"{where}: answer must be a non-empty text")
        ps = row.get("passages")
        if not isinstance(ps, list) or not ps or not all(isinstance(p, str) for p in ps):
            raise RatingsError(f"{where}: passages must be a non-empty list of texts")
        if row.get("question") is not None and not isinstance(row["question"], str):
            raise RatingsError(f"{where}: question must be a text")
        key = str(row["item_id"]) if row.get("item_id") not in (None, "") else f"row-{k}"
        by_item.setdefault(key, []).append((row, _label(row, where)))
    out = []
    for rows in by_item.values():
        first = rows[0][0]
        mean = sum(v for _, v in rows) / len(rows)
        out.append(Rated(first["answer"], list(first["passages"]),
                         first.get("question") or None, int(mean >= FAITHFUL_RATING)))
    return out


def check_enough(labels: Sequence[int]) -> None:
    """Refuse ratings too few, or of one class, to say anything about a threshold."""
    y = np.asarray(labels, dtype=int)
    if len(y) < MIN_RATINGS:
        raise RatingsError(f"{len(y)} rated answers: at least {MIN_RATINGS} are needed")
    counts = {c: int((y == c).sum()) for c in (0, 1)}
    if min(counts.values()) < MIN_PER_CLASS:
        raise RatingsError(
            f"{counts[1]} faithful and {counts[0]} unfaithful ratings: at least "
            f"{MIN_PER_CLASS} of each are needed (a threshold separates the two)")


def fit_boundary(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float] | None:
    """(a, b) of ``p(faithful) = sigmoid(a * logit(score) + b)`` on the ratings, classes
    weighing the same; None when higher scores do not mean more faithful here (a <= 0)."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(labels, dtype=int)
    z = logit(scores)[:, None]
    lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(z, y)
    a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    return (a, b) if a > 0 else None


def fit_recalibration(scores: Sequence[float], labels: Sequence[int], threshold: float,
                      prior_strength: float = PRIOR_STRENGTH, rescale: bool = True) -> dict:
    """The deployment's threshold (and score rescaling, from ``PLATT_MIN`` ratings when
    ``rescale``) from the judge's ``scores`` of rated answers, their ``labels`` (1 faithful)
    and the shipped ``threshold``, shrunk toward it with ``prior_strength`` pseudo-ratings."""
    s, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=int)
    check_enough(y)
    n = len(y)
    fitted = fit_boundary(s, y)
    out = {"ratings": n, "faithful": int(y.sum()), "shipped_threshold": threshold,
           "prior_strength": prior_strength, "weight_of_ratings": n / (n + prior_strength)}
    if fitted is None:
        out.update(threshold=threshold, rescale=None, fitted_threshold=None,
                   note="the judge's scores do not rank these ratings (higher scores are not "
                        "more often faithful): the shipped threshold is kept")
        return out
    a, b = fitted
    boundary = -b / a  # log-odds of the old score where the ratings say 50:50
    w = n / (n + prior_strength)
    shrunk = w * boundary + (1 - w) * float(logit(threshold))
    out["fitted_threshold"] = float(1 / (1 + np.exp(-boundary)))
    new_rescale = None
    if rescale and n >= PLATT_MIN:  # the slope too, shrunk toward 1 (the shipped score as it is)
        slope = w * a + (1 - w) * 1.0
        new_rescale = [slope, -slope * shrunk]  # new log-odds: slope * (z - shrunk)
        new_threshold = 0.5
    else:
        new_threshold = float(1 / (1 + np.exp(-shrunk)))
    out.update(threshold=round(new_threshold, 4), rescale=new_rescale)
    return out


def apply(scores: np.ndarray, fitted: dict) -> np.ndarray:
    """Scores as the recalibrated judge gives them (rescaled where ``fitted`` says so)."""
    if not fitted.get("rescale"):
        return np.asarray(scores, dtype=float)
    a, b = fitted["rescale"]
    return 1 / (1 + np.exp(-(a * logit(scores) + b)))


def held_out_agreement(scores: Sequence[float], labels: Sequence[int], threshold: float,
                       prior_strength: float = PRIOR_STRENGTH, folds: int = 5, seed: int = 0,
                       rescale: bool = True) -> dict:
    """Balanced accuracy against the ratings before (shipped threshold) and after
    recalibrating, each fold scored by a recalibration fitted on the other folds (so
    "after" is not in-sample). Folds too small to fit keep the shipped threshold."""
    s = np.asarray(scores, dtype=float)

    def after(train: np.ndarray, test: np.ndarray, y: np.ndarray) -> np.ndarray:
        fitted = fit_recalibration(s[train], y[train], threshold, prior_strength, rescale)
        return apply(s[test], fitted) >= fitted["threshold"]

    return cross_fitted(s >= threshold, labels, after, folds, seed)


def cross_fitted(before: np.ndarray, labels: Sequence[int], after, folds: int = 5,
                 seed: int = 0) -> dict:
    """Balanced accuracy of the verdicts ``before`` (1 faithful) and of ``after(train,
    test, labels)``, the verdicts on ``test`` of a recalibration fitted on ``train``, each
    fold held out; a fold whose ratings are refused keeps the ``before`` verdicts."""
    y = np.asarray(labels, dtype=int)
    before = np.asarray(before, dtype=int)
    order = np.random.default_rng(seed).permutation(len(y))
    pred_after = before.copy()
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        try:
            pred_after[test] = after(train, test, y)
        except RatingsError:
            pass
    return {"before": balanced_accuracy(y, before), "after": balanced_accuracy(y, pred_after),
            "folds": folds, "n": int(len(y))}


def recalibrated(calibration: dict, fitted: dict, source: str) -> dict:
    """The judge's calibration dict with the deployment's threshold and rescaled score."""
    settings = dict(calibration.get("settings", {}), threshold=fitted["threshold"])
    out = dict(calibration, settings=settings)
    if fitted.get("rescale") and calibration.get("aggregator"):
        from nli_judge.judge.aggregation import LearnedAggregator

        agg = LearnedAggregator.from_dict(calibration["aggregator"])
        out["aggregator"] = agg.rescaled(*fitted["rescale"]).to_dict()
    out["recalibration"] = {**fitted, "source": source}
    return out


def fit_from_ratings(judge, rated: Sequence[Rated], source: str,
                     prior_strength: float | None = None, method: str = METHOD
                     ) -> tuple[dict, dict]:
    """Score the rated answers with ``judge`` (a ``FaithfulnessJudge``) and fit the
    deployment's calibration by ``method`` (``threshold``: the threshold, and from
    ``PLATT_MIN`` ratings the score's slope; ``reweight``: the answer score's weights,
    ``nli_judge.judge.reweighting``; a judge without a learned score can only move its
    threshold): (the calibration dict to write, a report with the fit and the agreement with
    the ratings before and after, held out by 5-fold cross-fitting). ``prior_strength``
    defaults to the method's own. ``RatingsError`` when the ratings cannot be used."""
    if method not in PRIORS:
        raise ValueError(f"unknown recalibration method {method!r}: " + ", ".join(PRIORS))
    labels = np.array([r.faithful for r in rated], dtype=int)
    check_enough(labels)
    inputs = [{"answer": r.answer, "passages": r.passages, "question": r.question}
              for r in rated]
    learned = judge.aggregator is not None and judge.settings.aggregate == "learned"
    shipped = judge.settings.threshold
    if method == "reweight" and learned:
        k = PRIORS["reweight"] if prior_strength is None else prior_strength
        return _reweight(judge, inputs, rated, labels, source, k)
    k = PRIORS["threshold"] if prior_strength is None else prior_strength
    scores = np.array([r.score for r in judge.score_batch(inputs)])
    fitted = fit_recalibration(scores, labels, shipped, k, learned)
    report = {"ratings": source, "fitted": fitted,
              "held_out": held_out_agreement(scores, labels, shipped, k, rescale=learned)}
    return recalibrated(judge.calibration or {"settings": {}}, fitted, source), report


def _reweight(judge, inputs: list[dict], rated: Sequence[Rated], labels: np.ndarray,
              source: str, prior_strength: float) -> tuple[dict, dict]:
    from nli_judge.judge.aggregation_fit import features_of, scores_of
    from nli_judge.judge.reweighting import fit_reweighting

    rows = features_of(judge.claim_evidence(inputs), rated,
                       judge.settings.contradiction_min_overlap)
    agg, threshold = judge.aggregator, judge.settings.threshold
    new = fit_reweighting(agg, rows, labels, threshold, prior_strength)

    def after(train: np.ndarray, test: np.ndarray, y: np.ndarray) -> np.ndarray:
        check_enough(y[train])
        fold = fit_reweighting(agg, [rows[i] for i in train], y[train], threshold,
                               prior_strength)
        return scores_of(fold, [rows[i] for i in test]) >= threshold

    fitted = {"method": "reweight", "ratings": len(labels), "faithful": int(labels.sum()),
              "shipped_threshold": threshold, "threshold": threshold,
              "prior_strength": prior_strength,
              "weights": {f: [round(a, 4), round(b, 4)]
                          for f, a, b in zip(agg.features, agg.coef, new.coef, strict=True)}}
    report = {"ratings": source, "fitted": fitted,
              "held_out": cross_fitted(scores_of(agg, rows) >= threshold, labels, after)}
    calibration = dict(judge.calibration or {"settings": {}}, aggregator=new.to_dict())
    calibration["recalibration"] = {**fitted, "source": source}
    return calibration, report


def write(out: str | Path, calibration: dict, report: dict) -> Path:
    """``out/judge_calibration.json`` (what ``FaithfulnessJudge.load(calibration=out)``
    reads) and ``out/recalibration_report.json``; returns ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / FILE).write_text(json.dumps(calibration, indent=2) + "\n")
    (out / "recalibration_report.json").write_text(json.dumps(report, indent=2) + "\n")
    return out
