"""The data of the out-of-distribution protocol, fixed once (2026-12-05) and named here.

Three kinds, never mixed:

- ``LOCKBOX``: whole sources of different kinds, kept out of every choice from now on. No
  training run, checkpoint choice, window setting, aggregate, regularisation or threshold
  may look at them; ``python -m eval.ood`` only reports them. What is scored is each
  source's held-out dev part (``eval.datasets.pool_dev``), the rows no judge
  model ever trained on; v2-v4 trained on the *other* rows of these sources, stage 1 on none
  (so they are nearer in kind for v2-v4: the card says so). New training data leaves these
  sources out whole (``nli_judge.data.judge_data.LOCKBOX`` refuses them; a test checks it
  names the same sources).
- ``DEV_SOURCES``: where choices are made, by leave-one-source-out: fit on all but one,
  score the one left out.
- ``BENCHMARK``: ``eval.run``'s own samples (scored part and calibration part per set), so
  each candidate's benchmark macro is computed as the benchmark computes it; never used to
  choose.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from eval.benchmark import SETS, stratified_sample
from eval.datasets import DEV_SETS, FaithItem, pool_dev

# Kinds: news summaries (people's labels: CLIFF, XSum + CNN/DM system summaries), dialogue
# responses against knowledge (FaithDial's audit, people's labels), health and science
# claims against evidence (HealthVer, SciFact; expert labels). Names in reports -> sources.
LOCKBOX_NAMES = {"cliff": "cliff", "faithdial": "faithdial_audit", "healthver": "healthver",
                 "scifact": "scifact"}
LOCKBOX: dict[str, Callable[[], list[FaithItem]]] = {
    name: partial(pool_dev, source) for name, source in LOCKBOX_NAMES.items()}

DEV_SOURCES: dict[str, Callable[[], list[FaithItem]]] = {
    **DEV_SETS,
    "fever-dev": partial(pool_dev, "fever_nli"),
    "climate-fever-dev": partial(pool_dev, "climate_fever"),
    "covidfact-dev": partial(pool_dev, "covidfact"),
}


def benchmark_parts(limit: int | None = 400, calibration_limit: int | None = 200,
                    seed: int = 0) -> dict[str, tuple[list[FaithItem], list[FaithItem]]]:
    """Per benchmark set, (scored items, calibration items) drawn as ``eval.run`` draws
    them with its defaults (400 scored, 200 calibration, seed 0)."""
    return {name: (stratified_sample(b.scored(), limit, seed),
                   stratified_sample(b.calibration(), calibration_limit, seed))
            for name, b in SETS.items()}


def load(sources: dict[str, Callable[[], list[FaithItem]]], limit: int | None = None
         ) -> dict[str, list[FaithItem]]:
    """Each source's items (a stratified sample of ``limit`` with ``limit``)."""
    return {name: stratified_sample(make(), limit) for name, make in sources.items()}
