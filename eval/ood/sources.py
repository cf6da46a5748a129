"""The data of the out-of-distribution protocol, fixed once (2026-12-05) and named here.

Three kinds, never mixed:

- ``LOCKBOX``: whole sources of different kinds, kept out of every choice from now on. No
  training run, checkpoint choice, window setting, aggregate, regularisation or threshold
  may look at them; ``python -m eval.ood`` only reports them. What is scored is each
  source's held-out dev part (``nli_judge.data.judge_data.dev_rows``), the rows no judge
  model ever trained on; v2-v4 trained on the *other* rows of these sources, stage 1 on none
  (so they are nearer in kind for v2-v4: the card says so). New training data leaves these
  sources out whole (``LOCKBOX_POOL_SOURCES``).
- ``DEV_SOURCES``: where choices are made, by leave-one-source-out: fit on all but one,
  score the one left out.
- ``BENCHMARK``: ``eval.run``'s own samples (scored part and calibration part per set), so
  each candidate's benchmark macro is computed as the benchmark computes it; never used to
  choose.
"""

from __future__ import annotations

from collections.abc import Callable

from eval.benchmark import SETS, stratified_sample
from eval.datasets import DATA_DIR, DEV_SETS, FaithItem
from nli_judge.data.judge_data import LOCKBOX as LOCKBOX_POOL_SOURCES

SUPPORTED = ("supported", "entailment")


def pool_part(source: str) -> list[FaithItem]:
    """The held-out dev part of a ``data/train_pool`` source as judge items: premise =
    the one passage, hypothesis = the answer, label 1 when supported / entailed."""
    from nli_judge.data.judge_data import dev_rows

    return [FaithItem(f"{source}-dev-{r['id']}", r["hypothesis"], [r["premise"]],
                      int(r["label"] in SUPPORTED), meta={"source": source})
            for r in dev_rows(source, DATA_DIR.parent)]


# Kinds: news summaries (people's labels: CLIFF, XSum + CNN/DM system summaries), dialogue
# responses against knowledge (FaithDial's audit, people's labels), health and science
# claims against evidence (HealthVer, SciFact; expert labels).
LOCKBOX: dict[str, Callable[[], list[FaithItem]]] = {
    "cliff": lambda: pool_part("cliff"),
    "faithdial": lambda: pool_part("faithdial_audit"),
    "healthver": lambda: pool_part("healthver"),
    "scifact": lambda: pool_part("scifact"),
}
# the lockbox names the same sources the training data refuses
assert sorted(LOCKBOX_POOL_SOURCES) == sorted(
    {"cliff": "cliff", "faithdial": "faithdial_audit", "healthver": "healthver",
     "scifact": "scifact"}[n] for n in LOCKBOX)
LOCKBOX_KINDS = {"cliff": "news summaries (XSum, CNN/DM systems)",
                 "faithdial": "dialogue responses vs knowledge",
                 "healthver": "health claims vs evidence",
                 "scifact": "science claims vs abstracts"}

DEV_SOURCES: dict[str, Callable[[], list[FaithItem]]] = {
    **DEV_SETS,
    "fever-dev": lambda: pool_part("fever_nli"),
    "climate-fever-dev": lambda: pool_part("climate_fever"),
    "covidfact-dev": lambda: pool_part("covidfact"),
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
