"""Speed of the faithfulness judge on a fixed workload.

    python -m nli_judge.judge.bench [--repeats 20] [--threads N] [--backend B] [--max-windows K]

Cases: ``4x4``, a 4-sentence answer over 4 passages of about 150 words; ``long``, the same
answer over one 2,000-word passage. Prints p50 / p95 milliseconds per answer and NLI pairs per
second for each (after warm-up runs), and the machine's thread count.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from nli_judge.judge.faithfulness import FaithfulnessJudge
from nli_judge.model.nli_model import BACKENDS, NLIModel, set_threads

ANSWER = ("Metformin is a first-line medicine for type 2 diabetes. It lowers the amount of "
          "glucose the liver releases. The usual starting dose is 500 mg twice a day with meals. "
          "Nausea and diarrhoea are common side effects.")
_TOPICS = ["metformin and blood sugar", "diet and exercise in diabetes",
           "side effects of diabetes medicines", "monitoring glucose at home"]


def _passage(topic: str, words: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    vocab = ("the patient doctor dose tablet glucose liver kidney meal daily weekly blood level "
             "risk effect common rare treatment advice test result month year body weight "
             "exercise diet insulin sugar").split()
    sents = []
    while sum(len(s.split()) for s in sents) < words:
        n = int(rng.integers(10, 22))
        sents.append(f"In {topic}, " + " ".join(rng.choice(vocab, n)) + ".")
    return " ".join(sents)


def workloads() -> dict[str, list[str]]:
    return {"4x4": [_passage(t, 150, i) for i, t in enumerate(_TOPICS)],
            "long": [_passage("diabetes care", 2000, 99)]}


def run(judge: FaithfulnessJudge, passages: list[str], repeats: int, warmup: int = 2) -> dict:
    for _ in range(warmup):
        judge.score(ANSWER, passages)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        judge.score(ANSWER, passages)
        times.append((time.perf_counter() - t0) * 1000)
    pairs = judge.pair_count(ANSWER, passages)
    return {"p50_ms": round(float(np.percentile(times, 50)), 1),
            "p95_ms": round(float(np.percentile(times, 95)), 1),
            "pairs_per_answer": pairs,
            "pairs_per_s": round(pairs / (np.mean(times) / 1000), 1)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=20, help="timed runs per case")
    ap.add_argument("--threads", type=int, help="torch threads (default: all cores)")
    ap.add_argument("--backend", choices=BACKENDS, default="torch",
                    help="torch (fp32), torch-int8, onnx or onnx-int8 (ONNX Runtime; the "
                    "export is cached in var/onnx)")
    ap.add_argument("--model", help="NLI checkpoint folder (default: the shipped model)")
    ap.add_argument("--max-windows", type=int,
                    help="windows checked per claim (default: the calibrated setting; "
                    "0: every window)")
    ap.add_argument("--cases", nargs="+", choices=list(workloads()), default=list(workloads()),
                    help="which workloads to time")
    ap.add_argument("--warmup", type=int, default=2, help="untimed runs per case first")
    ap.add_argument("--json", action="store_true", help="print JSON only")
    args = ap.parse_args(argv)
    threads = set_threads(args.threads)
    nli = NLIModel.load(args.model, num_threads=threads, backend=args.backend)
    overrides = {} if args.max_windows is None else {"max_windows": args.max_windows or None}
    judge = FaithfulnessJudge.load(nli, **overrides)
    out = {"threads": threads, "backend": args.backend,
           "window_tokens": judge.settings.window_tokens,
           "max_windows": judge.settings.max_windows}
    for name in args.cases:
        out[name] = run(judge, workloads()[name], args.repeats, args.warmup)
    if args.json:
        print(json.dumps(out))
        return
    print(f"threads={threads} backend={args.backend} window_tokens={out['window_tokens']} "
          f"max_windows={out['max_windows']}")
    print(f"{'case':<6}{'p50 ms':>9}{'p95 ms':>9}{'pairs':>7}{'pairs/s':>9}")
    for name in args.cases:
        c = out[name]
        print(f"{name:<6}{c['p50_ms']:>9}{c['p95_ms']:>9}{c['pairs_per_answer']:>7}"
              f"{c['pairs_per_s']:>9}")


if __name__ == "__main__":
    main()
