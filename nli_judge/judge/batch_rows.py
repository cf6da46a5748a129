"""What both batch engines share: the run's settings (``BatchConfig``) and judging a list of
rows (``judge_rows``). ``nli_judge.judge.batch`` (files, the local engine, the choice of
engine) and ``nli_judge.judge.batch_ray`` (the Ray engine) both import this module, so
neither imports the other back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nli_judge.judge.faithfulness import FaithfulnessJudge, InputTooLarge, check_size


@dataclass
class BatchConfig:
    """What ``judge_file`` needs besides the two paths."""

    engine: str = field(default="local", metadata={"help": "local or ray"})
    model: str | None = field(default=None, metadata={"help": "NLI checkpoint folder "
                                                      "(default: the shipped model)"})
    backend: str = field(default="torch", metadata={"help": "the model's inference backend"})
    batch_size: int = field(default=32, metadata={"help": "answers per judge call (and per "
                                                  "written chunk)"})
    threads: int | None = field(default=None, metadata={"help": "local: torch threads "
                                                         "(default: every core)"})
    actors: int | None = field(default=None, metadata={"help": "ray: judge actors (default: "
                                                       "the cluster's CPUs / threads_per_actor)"})
    threads_per_actor: int = field(default=1, metadata={"help": "ray: CPUs (torch threads) "
                                                        "per actor"})


def judge_rows(judge: FaithfulnessJudge, rows: list[dict]) -> list[dict]:
    """Output rows for ``rows``, in order: the judge's result dict with the ``id`` first, or
    ``{"id", "error"}`` for a row over the judge's size or time limits (the others are judged
    together in one batched pass)."""
    out: list[dict | None] = [None] * len(rows)
    ok = []
    for i, row in enumerate(rows):
        try:
            check_size(row["answer"], row["passages"], judge.settings)
            ok.append(i)
        except InputTooLarge as e:
            out[i] = {"id": row["id"], "error": str(e)}
    items = [{"answer": rows[i]["answer"], "passages": rows[i]["passages"],
              "question": rows[i].get("question")} for i in ok]
    try:
        results = judge.score_batch(items)
    except InputTooLarge:  # one item is over the time budget: judge them one by one
        results = []
        for i, item in zip(ok, items, strict=True):
            try:
                results.append(judge.score_batch([item])[0])
            except InputTooLarge as e:
                out[i] = {"id": rows[i]["id"], "error": str(e)}
                results.append(None)
    for i, result in zip(ok, results, strict=True):
        if result is not None:
            out[i] = {"id": rows[i]["id"], **result.to_dict()}
    return out
