"""Batch judging of a JSONL file, resumable: the rows, the output file and the local engine.

Input rows: ``{"id": ..., "answer": "...", "passages": ["...", ...], "question": "..."}``
(``question`` optional; ``id`` a string or an integer, unique in the file). Output rows keep
the ``id`` and add the judge's result as in its JSON (``FaithfulnessResult.to_dict()``:
``verdict``, ``score``, ``sentences``, ...), or ``{"id": ..., "error": "..."}`` for an item
the judge refuses (over a size limit or the time budget, ``JudgeSettings.max_pairs``). Each
batch is appended and flushed as soon as it is judged, so a run that stops loses at most the
batch in flight, and a rerun with the same ``--output`` skips every id already there (a
half-written last line is cut off first).

``engine="local"`` judges in this process (torch on ``threads`` cores); ``engine="ray"``
(``nli_judge.judge.batch_ray``) spreads the batches over a pool of Ray actors.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from nli_judge.judge.batch_rows import BatchConfig, judge_rows
from nli_judge.judge.faithfulness import FaithfulnessJudge


class BatchInputError(ValueError):
    """The input file has rows the judge cannot take; ``problems`` lists them by line."""

    def __init__(self, path: Path, problems: list[str]):
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"]
                                 if len(problems) > 10 else [])
        super().__init__(f"{path}: {len(problems)} bad row(s), nothing was judged:\n  "
                         + "\n  ".join(shown))
        self.problems = problems


def _check_row(row: object, line: int, seen: set) -> str | None:
    """Why a row cannot be judged, or None."""
    if not isinstance(row, dict):
        return f"line {line}: not a JSON object"
    rid = row.get("id")
    if isinstance(rid, bool) or not isinstance(rid, (str, int)):
        return f"line {line}: 'id' must be a string or an integer"
    if _key(rid) in seen:
        return f"line {line}: id {rid!r} appears twice"
    seen.add(_key(rid))
    if not isinstance(row.get("answer"), str):
        return f"line {line}: 'answer' must be a string"
    ps = row.get("passages")
    if not isinstance(ps, list) or not all(isinstance(p, str) for p in ps):
        return f"line {line}: 'passages' must be a list of strings"
    if row.get("question") is not None and not isinstance(row["question"], str):
        return f"line {line}: 'question' must be a string when given"
    return None


def _key(rid: str | int) -> str:
    """Ids compare by their JSON text, so 7 and "7" are different ids."""
    return json.dumps(rid)


def read_rows(path: str | Path) -> list[dict]:
    """Every row of a JSONL input file, checked; raises ``BatchInputError`` listing each bad
    line (blank lines are skipped) before anything is judged. Ids are all strings or all
    integers (one column type, as Ray Data reads them)."""
    path = Path(path)
    rows, problems, seen = [], [], set()
    with path.open(encoding="utf-8") as f:
        for line, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as e:
                problems.append(f"line {line}: not JSON ({e.msg})")
                continue
            problem = _check_row(row, line, seen)
            if not problem and rows and type(row["id"]) is not type(rows[0]["id"]):
                problem = f"line {line}: ids must be all strings or all integers"
            if problem:
                problems.append(problem)
            else:
                rows.append(row)
    if problems:
        raise BatchInputError(path, problems)
    return rows


def done_ids(output: str | Path) -> set[str]:
    """Keys (``_key``) of the ids already in ``output``; cuts off a half-written last line
    (a run stopped mid-write) so that appending goes on from a whole row."""
    output = Path(output)
    if not output.exists():
        return set()
    data = output.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with output.open("r+b") as f:
            f.truncate(end)
    done = set()
    for text in data[:end].decode("utf-8").splitlines():
        if text.strip():
            done.add(_key(json.loads(text)["id"]))
    return done


def chunks(rows: list[dict], size: int) -> Iterator[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def local_results(rows: list[dict], config: BatchConfig, source: Path | None = None,
                  skip: set[str] | None = None) -> Iterator[list[dict]]:
    """Output rows for ``rows`` (the checked rows not yet done) in batches of
    ``config.batch_size``, judged in this process. ``source`` and ``skip`` are for engines
    that read the file themselves."""
    from nli_judge.model.nli_model import NLIModel

    nli = NLIModel.load(config.model, num_threads=config.threads, backend=config.backend)
    judge = FaithfulnessJudge.load(nli)
    for batch in chunks(rows, config.batch_size):
        yield judge_rows(judge, batch)


def engine_results(config: BatchConfig) -> Callable[..., Iterable[list[dict]]]:
    if config.engine == "local":
        return local_results
    if config.engine == "ray":
        from nli_judge.judge.batch_ray import ray_results

        return ray_results
    raise ValueError(f"unknown engine {config.engine!r}: use local or ray")


def judge_file(input: str | Path, output: str | Path, config: BatchConfig | None = None,
               progress: bool = True) -> dict:
    """Judge every row of ``input`` not yet in ``output`` and append the results there.
    Returns counts (``items``, ``skipped``, ``judged``, ``errors``, ``verdicts``) and the
    throughput (``seconds``, ``items_per_s``, measured from the first to the last result,
    model loading excluded; ``startup_s`` is the time before the first result)."""
    config = config or BatchConfig()
    results_of = engine_results(config)
    rows = read_rows(input)
    done = done_ids(output)
    todo = [r for r in rows if _key(r["id"]) not in done]
    stats = {"engine": config.engine, "items": len(rows), "skipped": len(rows) - len(todo),
             "judged": 0, "errors": 0, "verdicts": Counter()}
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    first = None
    bar = None
    if progress and todo:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc=f"judging ({config.engine})", unit="answer")
    with Path(output).open("a", encoding="utf-8") as f:
        for batch in results_of(todo, config, Path(input), done) if todo else ():
            if first is None:
                first = time.perf_counter()
            for row in batch:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                if "error" in row:
                    stats["errors"] += 1
                else:
                    stats["verdicts"][row["verdict"]] += 1
            f.flush()
            os.fsync(f.fileno())
            stats["judged"] += len(batch)
            if bar:
                bar.update(len(batch))
    if bar:
        bar.close()
    end = time.perf_counter()
    stats["verdicts"] = dict(stats["verdicts"])
    stats["startup_s"] = round((first or end) - start, 2)
    # The first batch's own judging time is inside startup; count it out of the rate.
    first_batch = min(config.batch_size, len(todo))
    steady = end - (first or end)
    stats["seconds"] = round(end - start, 2)
    stats["items_per_s"] = (round((stats["judged"] - first_batch) / steady, 1)
                            if steady > 0 and stats["judged"] > first_batch else None)
    return stats
