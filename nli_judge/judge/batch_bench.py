"""Throughput of batch judging: answers per second for each engine on the same file.

    python -m nli_judge.judge.batch_bench [--items 10000] [--batch-size 32]
                                          [--engines local-1 local ray] [--json]

Builds ``--items`` rows from the bundled HaluEval QA data (``data/benchmarks/halueval``:
knowledge passage, question, and alternately the right and the hallucinated answer), then
judges the file with ``local`` on one thread, ``local`` on every core, and ``ray`` with one
single-threaded actor per core, each into a fresh output (under ``var/batch_bench``). Prints
per engine: items/s after the first batch (model loading and Ray start-up excluded), start-up
seconds, total seconds, and the share of verdicts equal to the first engine's (with one
engine: to the output a previous run of ``local-1`` left, when there is one).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from pathlib import Path

from nli_judge.judge.batch import BatchConfig, judge_file
from nli_judge.var_paths import VarPaths

HALUEVAL = Path(__file__).resolve().parents[2] / "data" / "benchmarks" / "halueval"


def make_items(n: int, path: Path) -> Path:
    """``n`` judge rows from HaluEval QA (train then test) written to ``path``."""
    rows = []
    for name in ("qa_train.jsonl.gz", "qa_test.jsonl.gz"):
        with gzip.open(HALUEVAL / name, "rt", encoding="utf-8") as f:
            rows += [json.loads(line) for line in f]
    if n > len(rows):
        raise SystemExit(f"error: at most {len(rows)} items are bundled, asked for {n}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for i, r in enumerate(rows[:n]):
            answer = r["right_answer"] if i % 2 == 0 else r["hallucinated_answer"]
            f.write(json.dumps({"id": i, "question": r["question"].strip(), "answer": answer,
                                "passages": [r["knowledge"]]}) + "\n")
    return path


ENGINES = ("local-1", "local", "ray")


def engines(batch_size: int, which: tuple[str, ...] = ENGINES) -> dict[str, BatchConfig]:
    cores = len(os.sched_getaffinity(0))
    every = {"local-1": ("local, 1 thread", BatchConfig(batch_size=batch_size, threads=1)),
             "local": (f"local, {cores} threads", BatchConfig(batch_size=batch_size,
                                                             threads=cores)),
             "ray": (f"ray, {cores} actors x 1 thread", BatchConfig(
                 engine="ray", batch_size=batch_size, actors=cores, threads_per_actor=1))}
    return dict(every[k] for k in which)


def verdicts(path: Path) -> dict:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out[row["id"]] = row.get("verdict")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=10_000, help="rows to judge per engine")
    ap.add_argument("--batch-size", type=int, default=32, help="answers per judge call")
    ap.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES),
                    help="local-1: one thread; local: every core; ray: one actor per core")
    ap.add_argument("--json", action="store_true", help="print JSON only")
    args = ap.parse_args(argv)
    folder = VarPaths().root / "batch_bench"
    items = make_items(args.items, folder / f"items-{args.items}.jsonl")
    results, first = {}, None
    for name, config in engines(args.batch_size, tuple(args.engines)).items():
        out = folder / f"out-{name.split(',')[0]}-{config.threads or config.actors}.jsonl"
        out.unlink(missing_ok=True)
        stats = judge_file(items, out, config, progress=not args.json)
        v = verdicts(out)
        reference = folder / "out-local-1.jsonl"
        first = first or (verdicts(reference) if reference.exists() else v)
        stats["same_verdict"] = round(sum(v[k] == first[k] for k in v) / len(v), 4)
        results[name] = stats
    if args.json:
        print(json.dumps(results))
        return
    print(f"{args.items} items (HaluEval QA), batch size {args.batch_size}, "
          f"{len(os.sched_getaffinity(0))} cores")
    print("| engine | items/s | start-up s | total s | same verdict as first |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, s in results.items():
        print(f"| {name} | {s['items_per_s']} | {s['startup_s']} | {s['seconds']} | "
              f"{s['same_verdict']:.2%} |")


if __name__ == "__main__":
    main()
