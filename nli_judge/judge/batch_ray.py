"""The ``ray`` engine of batch judging: Ray Data over a pool of judge actors.

The driver checks the input file first (``batch.read_rows``: clear errors per line) and reads
the ids already in the output; Ray Data then reads the file itself (``read_json``), drops those
ids, and ``map_batches`` sends the rest, ``batch_size`` at a time, to an
``ActorPoolStrategy`` pool of ``JudgeActor``s;
each actor loads the judge once and keeps it for every batch it gets. Results stream back to
the driver as they are ready (``iter_batches``), which appends them to the output file, so
the file grows while the job runs and a stopped job resumes where it was.

Where it runs: with ``RAY_ADDRESS`` set (``ray://host:10001`` or ``auto``) on the cluster
there, otherwise on a Ray started here for this job and stopped after it. On a cluster every
node needs this package and the model (install ``groundedchat`` in the image, or pass
``--model`` a path every node has); the actor count defaults to the cluster's CPUs divided by
``threads_per_actor``; the input file must be readable by the cluster's workers (a shared
or object-store path). Results travel back through the driver, which writes them, so its
network and disk bound the rate at very large sizes; the judging scales with the actors.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from nli_judge.judge.batch_rows import BatchConfig, judge_rows


def _plain(value):
    """A value from a Ray Data batch as plain Python (numpy scalars and arrays, pandas NA)."""
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):  # a missing field (pandas reads NaN)
        return None
    return value


def _row_key(row: dict) -> str:
    return json.dumps(_plain(row["id"]))


class JudgeActor:
    """One judge per actor, loaded once: ``__call__`` takes a batch of input rows and returns
    the output rows as JSON text (``batch.judge_rows``)."""

    def __init__(self, model: str | None, backend: str, threads: int):
        from nli_judge.judge.faithfulness import FaithfulnessJudge
        from nli_judge.model.nli_model import NLIModel

        self.judge = FaithfulnessJudge.load(NLIModel.load(model, num_threads=threads,
                                                          backend=backend))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        n = len(batch["id"])
        rows = [{k: _plain(batch[k][i]) for k in ("id", "answer", "passages", "question")
                 if k in batch} for i in range(n)]
        for r in rows:
            r["passages"] = r["passages"] or []
        out = judge_rows(self.judge, rows)
        return {"result": np.array([json.dumps(r, ensure_ascii=False) for r in out],
                                   dtype=object)}


def ray_results(rows: list[dict], config: BatchConfig, source: Path,
                skip: set[str]) -> Iterator[list[dict]]:
    """Output rows, a batch at a time in the order they finish: Ray Data reads ``source``,
    drops the ids in ``skip`` (already in the output), and a pool of actors judges the
    rest. ``rows``: the same rows, checked by the driver (their count sets the blocks)."""
    try:
        import ray
        import ray.data
    except ImportError as e:
        raise SystemExit("error: --engine ray needs Ray Data: pip install 'ray[data]' "
                         f"({e})") from None
    started_here = not ray.is_initialized()
    if started_here:
        # RAY_ADDRESS, when set, is read by ray.init and joins that cluster.
        ray.init(include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # the caller shows one bar for the whole job
        cpus = int(ray.cluster_resources().get("CPU", 1))
        actors = config.actors or max(1, cpus // config.threads_per_actor)
        blocks = max(1, min(math.ceil(len(rows) / config.batch_size), 10_000))
        # Reading and filtering take no CPU slot: the actors hold every slot, and a read
        # task waiting for one would wait for ever. The blocks are split so that one file's
        # rows spread over every actor.
        ds = ray.data.read_json(str(source), lines=True, file_extensions=None, num_cpus=0,
                                override_num_blocks=blocks)
        if skip:
            ds = ds.filter(lambda row: _row_key(row) not in skip, num_cpus=0)
        ds = ds.map_batches(JudgeActor, batch_size=config.batch_size, batch_format="numpy",
                            compute=ray.data.ActorPoolStrategy(size=actors),
                            num_cpus=config.threads_per_actor,
                            fn_constructor_kwargs={"model": config.model,
                                                   "backend": config.backend,
                                                   "threads": config.threads_per_actor})
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            yield [json.loads(r) for r in batch["result"]]
    finally:
        if started_here:
            ray.shutdown()
