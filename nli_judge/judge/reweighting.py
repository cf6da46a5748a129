"""Refit the answer score's weights on a deployment's ratings, shrunk toward the shipped ones.

Moving the threshold cannot help where the score ranks a deployment's answers badly; the
answer score is a logistic regression over a few features (``LearnedAggregator``), and what
separates faithful from unfaithful answers differs between domains (word overlap says
"faithful" on extractive answers and little on paraphrases). So with ratings the weights move
too: the verdict's log-odds become

    f(x) = shipped(x) - logit(threshold) + d . z(x) + e

with ``z`` the features standardised as the shipped score standardises them, and ``(d, e)``
fitted on the ratings by logistic regression (both classes weighing the same) with the
penalty ``prior_strength / 2 * (|d|^2 + e^2)``: no ratings leave the shipped judge as it is,
many let the ratings decide. The result is again a ``LearnedAggregator`` with the shipped
threshold, so everything that reads a calibration reads it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nli_judge.judge.aggregation import LearnedAggregator, logit

NO_CLAIMS_LOGIT = 20.0  # an answer without claims: faithful, out of any shift's reach


def standardised(agg: LearnedAggregator, rows: Sequence[dict[str, float]]) -> np.ndarray:
    """(n, features) matrix of ``rows`` standardised with the aggregator's own mean and scale."""
    x = np.array([[r[f] for f in agg.features] for r in rows], dtype=float)
    return (x - np.asarray(agg.mean)) / np.asarray(agg.scale)


def shift_inputs(agg: LearnedAggregator, rows: Sequence[dict[str, float]], threshold: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """``(base, z)`` for ``fit_shift``: the verdict log-odds at ``threshold`` and the
    standardised features. An answer without claims is faithful whatever the weights (the
    judge scores it 1.0), so it gets a fixed large ``base`` and zero features."""
    from nli_judge.judge.aggregation_fit import has_claims

    claims = np.array([has_claims(r) for r in rows], dtype=bool)
    base = np.array([agg.logit(r) for r in rows]) - float(logit(threshold))
    return (np.where(claims, base, NO_CLAIMS_LOGIT),
            np.where(claims[:, None], standardised(agg, rows), 0.0))


def fit_shift(base: np.ndarray, z: np.ndarray, labels: Sequence[int],
              prior_strength: float) -> tuple[np.ndarray, float]:
    """``(d, e)`` minimising the class-balanced logistic loss of ``base + z @ d + e`` on
    ``labels`` (1 faithful) plus ``prior_strength / 2 * (|d|^2 + e^2)``. ``base``: the
    shipped verdict log-odds (0 at the threshold)."""
    from scipy.optimize import minimize

    y = np.asarray(labels, dtype=int)
    sign = 2.0 * y - 1.0
    n1, n0 = max(int(y.sum()), 1), max(int((1 - y).sum()), 1)
    w = np.where(y == 1, len(y) / (2 * n1), len(y) / (2 * n0))
    zz = np.hstack([z, np.ones((len(y), 1))])

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        m = sign * (base + zz @ theta)
        value = float(np.sum(w * np.logaddexp(0.0, -m)) + prior_strength / 2 * theta @ theta)
        grad = -(zz.T @ (w * sign / (1 + np.exp(m)))) + prior_strength * theta
        return value, grad

    res = minimize(loss, np.zeros(zz.shape[1]), jac=True, method="L-BFGS-B")
    return res.x[:-1], float(res.x[-1])


def reweighted(agg: LearnedAggregator, d: np.ndarray, e: float) -> LearnedAggregator:
    """The aggregator whose log-odds are the old ones plus ``z . d + e``."""
    return LearnedAggregator(list(agg.features), list(agg.mean), list(agg.scale),
                             [c + float(x) for c, x in zip(agg.coef, d, strict=True)],
                             agg.intercept + e)


def fit_reweighting(agg: LearnedAggregator, rows: Sequence[dict[str, float]],
                    labels: Sequence[int], threshold: float,
                    prior_strength: float) -> LearnedAggregator:
    """The shipped ``agg`` (verdict: score >= ``threshold``) refitted on rated answers'
    feature ``rows`` and ``labels``, shrunk toward it (module docstring); the verdict stays
    score >= ``threshold``."""
    base, z = shift_inputs(agg, rows, threshold)
    d, e = fit_shift(base, z, labels, prior_strength)
    return reweighted(agg, d, e)
