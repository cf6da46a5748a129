"""The ``ray`` engine of batch judging: Ray Data over a pool of judge actors.

The driver reads and checks the input file (``batch.read_rows``: clear errors per line, ids
already in the output skipped), hands the remaining rows to Ray Data, and ``map_batches``
sends them, ``batch_size`` at a time, to an ``ActorPoolStrategy`` pool of ``JudgeActor``s;
each actor loads the judge once and keeps it for every batch it gets. Results stream back to
the driver as they are ready (``iter_batches``), which appends them to the output file, so
the file grows while the job runs and a stopped job resumes where it was.

Where it runs: with ``RAY_ADDRESS`` set (``ray://host:10001`` or ``auto``) on the cluster
there, otherwise on a Ray started here for this job and stopped after it. On a cluster every
node needs this package and the model (install ``groundedchat`` in the image, or pass
``--model`` a path every node has); the actor count defaults to the cluster's CPUs divided by
``threads_per_actor``. Rows travel through the driver, so its network and memory bound the
rate at very large sizes; the judging itself scales with the actors.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator

import numpy as np

from nli_judge.judge.batch import BatchConfig, judge_rows


class JudgeActor:
    """One judge per actor, loaded once: ``__call__`` takes a batch of JSON rows and returns
    the JSON output rows (``batch.judge_rows``)."""

    def __init__(self, model: str | None, backend: str, threads: int):
        from nli_judge.judge.faithfulness import FaithfulnessJudge
        from nli_judge.model.nli_model import NLIModel

        self.judge = FaithfulnessJudge.load(NLIModel.load(model, num_threads=threads,
                                                          backend=backend))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        rows = [json.loads(r) for r in batch["row"]]
        out = judge_rows(self.judge, rows)
        return {"result": np.array([json.dumps(r, ensure_ascii=False) for r in out],
                                   dtype=object)}


def ray_results(rows: list[dict], config: BatchConfig) -> Iterator[list[dict]]:
    """Output rows, a batch at a time in the order they finish, judged by Ray actors."""
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
        ds = ray.data.from_items([{"row": json.dumps(r, ensure_ascii=False)} for r in rows],
                                 override_num_blocks=blocks)
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
