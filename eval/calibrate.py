"""Calibrate the faithfulness judge on the benchmark's development sets (never on test sets).

    python -m eval.calibrate [--windows 400:2 400:0 ...] [--model DIR] [--out FILE]

Feeds the dev sets (``eval.datasets.DEV_SETS``: WiCE dev, BEGIN dev, HaluEval qa / dialogue
train rows, the dev parts of HaluEval summarization and XSumFaith) to
``nli_judge.judge.calibration.calibrate`` and writes its result, with a note of the data, to
``judge_calibration.json`` beside the model, where ``FaithfulnessJudge.load()`` reads it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eval.benchmark import stratified_sample
from eval.datasets import DEV_SETS
from nli_judge.judge.calibration import calibrate, calibration_path
from nli_judge.model.nli_model import BACKENDS, NLIModel

DEV_NOTE = ("WiCE dev (supported vs partially/not supported), BEGIN dev cmu+tc+wow (fully "
            "attributable vs not; Generic left out), HaluEval qa and dialogue train rows "
            "7700-7999 (the judge model never trained on rows 7500-7999; right vs "
            "ChatGPT-written hallucinated answers), the dev parts of HaluEval summarization "
            "train and XSumFaith that nli_judge.data.judge_data holds out of training. No test "
            "set was used.")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--windows", nargs="+", default=["400:2"],
                    help="windows to try as TOKENS:SENTENCES (0 sentences: no limit); each "
                    "costs one model pass over the dev sets")
    ap.add_argument("--model", help="NLI checkpoint folder (default: the shipped model)")
    ap.add_argument("--backend", choices=BACKENDS, default="torch",
                    help="inference backend to calibrate on; its settings go to "
                    "judge_calibration.<backend>.json (torch: judge_calibration.json)")
    ap.add_argument("--out", type=Path, help="where to write (default: beside the model)")
    ap.add_argument("--sets", nargs="+", default=list(DEV_SETS), choices=list(DEV_SETS),
                    help="dev sets to calibrate on")
    ap.add_argument("--cache", type=Path,
                    help="keep the model's outputs per window and dev set here (pickles) and "
                    "reuse them; delete the folder after changing the model or the judge code")
    ap.add_argument("--free", action="store_true",
                    help="search every setting; by default only settings that check numbers "
                    "and can label a claim contradicted (the product's rules) are eligible, "
                    "and the free optimum is reported beside them as the rules' dev cost")
    ap.add_argument("--learned", action="store_true",
                    help="also fit the learned answer score (logistic regression over model "
                    "and lexical features, nli_judge.judge.aggregation) on the dev sets with "
                    "the chosen windows, report each kind of feature alone by "
                    "leave-one-set-out, and make it the judge's aggregate")
    ap.add_argument("--preselect-tolerance", type=float, default=0.005,
                    help="largest loss of mean dev balanced accuracy accepted for checking "
                    "each claim against fewer windows (max_windows; the speed setting)")
    ap.add_argument("--limit", type=int,
                    help="items per dev set (a stratified sample; for tests and quick looks)")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    data = {name: stratified_sample(DEV_SETS[name](), args.limit) for name in args.sets}
    nli = NLIModel.load(args.model, backend=args.backend)
    result = calibrate(nli, data, args.windows, backend=args.backend, free=args.free,
                       learned=args.learned, preselect_tolerance=args.preselect_tolerance,
                       cache_dir=args.cache)
    result["data_note"] = DEV_NOTE
    result["command"] = "python -m eval.calibrate " + " ".join(
        sys.argv[1:] if argv is None else argv)
    out = args.out or calibration_path(nli, args.backend)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
