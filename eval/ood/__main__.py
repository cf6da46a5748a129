"""Choose the judge by data it never saw: the out-of-distribution protocol, one command.

    python -m eval.ood [--git NAME=COMMIT ...] [--model NAME=DIR ...]
                       [--interpolate NAME=A+B:ALPHA ...] [--average NAME=A+B ...]
                       [--windows 1 2 4] [--limit N] [--out DIR] [--write-calibration FILE]

Every candidate (model x windows per claim x answer score) is fitted and chosen by
leave-one-source-out on the dev sources, and reported beside what it may not be chosen by:
the benchmark macro (as ``eval.run`` computes it) and the lockbox sources (``eval/ood/
sources.py`` names them). The shipped model is ``v4``; older shipped models come from git
(``--git stage1=1526c95 v3=62a4a67``), weight mixes from ``--interpolate mix50=stage1+v4:0.5``
(``nli_judge.model.interpolate``) and averaged outputs from ``--average avg=stage1+v4``.
The model runs once per item (kept under ``var/ood/cache``, keyed by the weights' hash);
everything else is refitted in seconds. Writes DIR/ood.json (every candidate) and DIR/ood.md
(the table for the cards); ``--write-calibration`` writes the chosen candidate's
``judge_calibration.json`` (ship its model beside it).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from eval.judges.lexical import LexicalJudge
from eval.ood.evidence import (
    MAX_WINDOWS,
    WINDOW_SENTENCES,
    WINDOW_TOKENS,
    EvidenceCache,
    answer_features,
    average,
    cache_path,
)
from eval.ood.protocol import FEATURE_SETS, Candidate, choose, evaluate
from eval.ood.report import markdown
from eval.ood.sources import DEV_SOURCES, LOCKBOX, benchmark_parts, load
from nli_judge.judge.faithfulness import JudgeSettings
from nli_judge.model.interpolate import interpolate
from nli_judge.model.nli_model import SHIPPED_MODEL_DIR
from nli_judge.var_paths import VarPaths

C_GRID = (1.0, 0.01, 0.001)


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, rest = v.partition("=")
        if not sep or not name or not rest:
            raise SystemExit(f"error: {flag} takes NAME=VALUE, not {v!r}")
        out[name] = rest
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m eval.ood", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", nargs="*", default=[], metavar="NAME=DIR",
                    help="checkpoint folders to compare (the shipped model is always 'v4')")
    ap.add_argument("--git", nargs="*", default=[], metavar="NAME=COMMIT",
                    help="shipped checkpoints from git history (nli_judge/checkpoint at COMMIT)")
    ap.add_argument("--interpolate", nargs="*", default=[], metavar="NAME=A+B:ALPHA",
                    help="weight mixes (1 - ALPHA) * A + ALPHA * B of two named models")
    ap.add_argument("--average", nargs="*", default=[], metavar="NAME=A+B",
                    help="two named models' probabilities averaged (two passes per answer)")
    ap.add_argument("--windows", nargs="+", type=int, default=[1, 2, 4],
                    help=f"windows per claim to try (at most {MAX_WINDOWS})")
    ap.add_argument("--limit", type=int, help="items per source (a stratified sample; for "
                    "tests and quick looks: the numbers are then not the protocol's)")
    ap.add_argument("--out", type=Path, default=Path("reports/ood"),
                    help="folder for ood.json and ood.md")
    ap.add_argument("--write-calibration", type=Path, metavar="FILE",
                    help="write the chosen candidate's judge_calibration.json here")
    ap.add_argument("--var-dir", type=Path, help="var folder (default: $GC_VAR_DIR or var/)")
    args = ap.parse_args(argv)
    if any(k < 1 or k > MAX_WINDOWS for k in args.windows):
        ap.error(f"--windows must be between 1 and {MAX_WINDOWS}")
    return args


def resolve_models(args: argparse.Namespace, root: Path) -> tuple[dict[str, Path], dict]:
    """Model folders by name (made from git or by interpolation where asked) and the
    averaged pairs."""
    models: dict[str, Path] = {"v4": SHIPPED_MODEL_DIR}
    for name, commit in _pairs(args.git, "--git").items():
        folder = root / "models" / f"{name}-{commit}"
        if not (folder / "model.safetensors").exists():
            folder.mkdir(parents=True, exist_ok=True)
            archive = subprocess.run(["git", "archive", commit, "nli_judge/checkpoint"],
                                     capture_output=True, check=False)
            if archive.returncode:
                raise SystemExit(f"error: git archive {commit}: {archive.stderr.decode()}")
            subprocess.run(["tar", "-x", "-C", str(folder), "--strip-components=2"],
                           input=archive.stdout, check=True)
        models[name] = folder
    for name, folder in _pairs(args.model, "--model").items():
        models[name] = Path(folder)
    for name, spec in _pairs(args.interpolate, "--interpolate").items():
        pair, _, alpha = spec.partition(":")
        a, _, b = pair.partition("+")
        if a not in models or b not in models or not alpha:
            raise SystemExit(f"error: --interpolate {name}={spec}: name two models given "
                             "before it and an alpha (A+B:0.5)")
        folder = root / "models" / f"{name}"
        interpolate(models[a], models[b], float(alpha), folder)
        models[name] = folder
    averages = {}
    for name, spec in _pairs(args.average, "--average").items():
        a, _, b = spec.partition("+")
        if a not in models or b not in models:
            raise SystemExit(f"error: --average {name}={spec}: unknown model")
        averages[name] = (a, b)
    for name, folder in models.items():
        if not (Path(folder) / "model.safetensors").exists():
            raise SystemExit(f"error: model {name}: {folder} has no model.safetensors")
    return models, averages


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    root = (VarPaths(args.var_dir) if args.var_dir else VarPaths.from_env()).root / "ood"
    models, averages = resolve_models(args, root)
    t0 = time.perf_counter()
    dev, box = load(DEV_SOURCES, args.limit), load(LOCKBOX, args.limit)
    small = min(args.limit, 400) if args.limit else None
    bench = benchmark_parts(small or 400, small or 200)
    groups = {"dev": dev, "lockbox": box,
              **{f"bench:{n}": {"scored": s, "calib": c} for n, (s, c) in bench.items()}}
    everything = [it for g in groups.values() for items in g.values() for it in items]
    print(f"{len(everything):,} items ({len(dev)} dev sources, {len(box)} lockbox sources, "
          f"{len(bench)} benchmark sets)", flush=True)
    evidence = {}
    for name, folder in models.items():
        print(f"model {name} ({folder})", flush=True)
        cache = EvidenceCache(cache_path(root, folder), folder)
        evidence[name] = dict(zip((it.id for it in everything), cache.get(everything),
                                  strict=True))
    for name, (a, b) in averages.items():
        ids = list(evidence[a])
        evidence[name] = dict(zip(ids, average([evidence[a][i] for i in ids],
                                               [evidence[b][i] for i in ids]), strict=True))
    overlap = dict(zip((it.id for it in everything), LexicalJudge().score(everything),
                       strict=True))

    def feats(model: str, k: int, items: list) -> list[dict]:
        rows = answer_features([evidence[model][it.id] for it in items], items, k)
        return [dict(r, baseline_overlap=float(overlap[it.id]))
                for r, it in zip(rows, items, strict=True)]

    def labels(g: dict) -> dict[str, np.ndarray]:
        return {n: np.array([it.label for it in items]) for n, items in g.items()}

    dev_y, box_y = labels(dev), labels(box)
    results = []
    for model in evidence:
        for k in args.windows:
            f_dev = {n: feats(model, k, items) for n, items in dev.items()}
            f_box = {n: feats(model, k, items) for n, items in box.items()}
            f_bench = {n: (feats(model, k, s), np.array([it.label for it in s]),
                           feats(model, k, c), np.array([it.label for it in c]))
                       for n, (s, c) in bench.items()}
            grid = [Candidate(model, k, f, c) for f in FEATURE_SETS if f != "overlap"
                    for c in (C_GRID if len(FEATURE_SETS[f]) > 1 else (1.0,))]
            if model == "v4" and k == args.windows[0]:
                grid.append(Candidate("lexical", 0, "overlap"))
            for cand in grid:
                results.append(evaluate(cand, f_dev, dev_y, f_box, box_y, f_bench,
                                        intervals=True))
            print(f"{model} k={k}: {len(grid)} candidates fitted", flush=True)
    chosen = choose(results, not_shippable=list(averages))
    report = {
        "command": "python -m eval.ood " + " ".join(sys.argv[1:] if argv is None else argv),
        "date": time.strftime("%Y-%m-%d"), "seconds": round(time.perf_counter() - t0),
        "models": {n: str(p) for n, p in models.items()}, "averages": averages,
        "sources": {g: {n: len(items) for n, items in groups[g].items()}
                    for g in ("dev", "lockbox")},
        "limit": args.limit, "chosen": chosen["candidate"], "candidates": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ood.json").write_text(json.dumps(report, indent=1) + "\n")
    table = markdown(report)
    (args.out / "ood.md").write_text(table)
    print(table)
    if args.write_calibration:
        write_calibration(chosen, report, args.write_calibration)
        print(f"wrote {args.write_calibration}: ship it beside model "
              f"{chosen['model']} ({models.get(chosen['model'], 'an average of two models')})")
    return report


def write_calibration(chosen: dict, report: dict, path: Path) -> None:
    """The chosen candidate as ``judge_calibration.json`` (what ``FaithfulnessJudge.load``
    reads): the shipped sentence rules, its windows, its answer score and threshold."""
    base = dataclasses.asdict(JudgeSettings())
    settings = {**base, "window_tokens": WINDOW_TOKENS, "window_sentences": WINDOW_SENTENCES,
                "max_windows": chosen["windows"], "aggregate": "learned",
                "threshold": round(chosen["threshold"], 4),
                # the sentence labels' rules, as shipped since v2 (issue 3's product rules)
                "contradiction_threshold": 0.5, "contradiction_weight": 0.0,
                "contradiction_min_overlap": 0.5, "check_numbers": True}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "settings": settings, "backend": "torch",
        "objective": "chosen by leave-one-source-out mean ROC AUC on the dev sources "
                     "(python -m eval.ood); score Platt-rescaled on out-of-sample log-odds; "
                     "threshold = median over dev sources of each one's best threshold",
        "protocol": {k: chosen[k] for k in (
            "candidate", "model", "windows", "features", "c", "threshold",
            "loso_mean_roc_auc", "loso_worst_roc_auc", "loso_worst_source",
            "loso_mean_balanced_accuracy", "benchmark_macro", "lockbox_macro_roc_auc",
            "lockbox_min_balanced_accuracy", "platt", "loso", "lockbox")},
        "command": report["command"], "dev_sets": report["sources"]["dev"],
        "aggregator": chosen["aggregator"],
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
