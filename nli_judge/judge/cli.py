"""Judge one answer from the command line, or serve the judge over HTTP.

    groundedchat-judge --answer TEXT (--passage TEXT | --passages FILE)...
                       [--question TEXT] [--json] [--model DIR]
    groundedchat-judge serve [--host 127.0.0.1] [--port 8000] [--workers 1] [--no-auth]
    groundedchat-judge keys add NAME --file FILE | revoke NAME --file FILE | list --file FILE
    groundedchat-judge --input FILE.jsonl --output OUT.jsonl [--engine local|ray]
    groundedchat-judge calibrate --ratings FILE --out DIR [--model DIR]


(``python -m nli_judge.judge`` is the same command.)

``--passages FILE``: a text file whose passages are separated by blank lines, or a JSON list of
strings, or JSON lines with a ``text`` field. Prints the score and verdict, then each sentence
with its label and evidence snippet; ``--json`` prints the FaithfulnessResult as JSON.

``calibrate``: fit this deployment's threshold (and, with enough ratings, the score's
calibration) from people's ratings of its answers, shrunk toward the shipped calibration
(nli_judge/judge/recalibration.py); use it with ``--calibration DIR`` here,
``FaithfulnessJudge.load(calibration=DIR)`` or ``GC_JUDGE_CALIBRATION=DIR``.

``keys``: API keys for the service: ``add`` prints a new key once and stores only its hash
in FILE (serve with ``GC_JUDGE_API_KEYS_FILE=FILE``); ``revoke`` refuses it from then on
(403), without a restart (nli_judge/judge/api_keys.py).

``--input``: batch judging of a JSONL file (rows ``id``, ``answer``, ``passages``, optional
``question``) into ``--output`` (``id`` plus the result's JSON), resumable; ``--input FILE
--help`` lists its options (nli_judge/judge/batch.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from pathlib import Path

from nli_judge.judge.batch import BatchConfig, BatchInputError, judge_file
from nli_judge.judge.faithfulness import FaithfulnessJudge, InputTooLarge
from nli_judge.judge.recalibration import (
    METHOD,
    PRIORS,
    RatingsError,
    check_enough,
    fit_from_ratings,
    read_ratings,
    write,
)
from nli_judge.judge.results import NOT_JUDGED, FaithfulnessResult
from nli_judge.model.nli_model import BACKENDS

MARK = {"supported": "✓ supported", "unsupported": "? unsupported",
        "contradicted": "✗ contradicted", "no_claim": "· no claim",
        "incomplete": "… incomplete", "repeated": "= repeated",
        "other_language": "~ other language"}


def read_passages(path: str | Path) -> list[str]:
    """Passages from a file: JSON list, JSON lines with ``text``, or blank-line separated."""
    text = Path(path).read_text(encoding="utf-8")
    stripped = text.strip()
    if stripped.startswith("["):
        return [str(p) for p in json.loads(stripped)]
    if stripped.startswith("{"):
        return [json.loads(line)["text"] for line in stripped.splitlines() if line.strip()]
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def format_result(result: FaithfulnessResult, snippet: int = 160) -> str:
    lines = [f"score {result.score:.2f} -> {result.verdict.upper()} "
             f"(threshold {result.threshold:.2f})"]
    lines += [f"  note: {n}" for n in result.notes]
    for s in result.sentences:
        lines.append(f"\n[{MARK[s.label]}] {s.text}")
        if s.label not in NOT_JUDGED and s.passage is not None:
            ev = re.sub(r"\s+", " ", s.evidence)
            ev = ev if len(ev) <= snippet else ev[: snippet - 1] + "…"
            lines.append(f"    e={s.entailment:.2f} n={s.neutral:.2f} c={s.contradiction:.2f}"
                         f"  passage {s.passage + 1} [{s.window_start}:{s.window_end}]: {ev}")
    return "\n".join(lines)


def serve_main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(prog="groundedchat-judge serve",
                                 description="Serve the judge over HTTP (FastAPI + uvicorn): "
                                 "POST /v1/judge, POST /v1/judge/batch, GET /health, /docs. "
                                 "$GC_JUDGE_MODEL / $GC_JUDGE_BACKEND choose the model. With "
                                 "$GC_JUDGE_API_KEYS_FILE (groundedchat-judge keys add) or "
                                 "$GC_JUDGE_API_KEYS every endpoint but /health needs "
                                 "'Authorization: Bearer <key>'; $GC_JUDGE_RATE_LIMIT: "
                                 "requests a minute per key (default 120).")
    ap.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default: this machine only; another one "
                    "needs API keys or --no-auth)")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--workers", type=int, default=1, help="processes, one model each")
    ap.add_argument("--no-auth", action="store_true",
                    help="serve beyond this machine without API keys, on purpose")
    args = ap.parse_args(argv)
    try:
        from nli_judge.judge.http_service import serve
    except ImportError as e:
        raise SystemExit(f"error: serving needs fastapi and uvicorn: pip install "
                         f"'groundedchat[serve]' ({e})") from None
    try:
        serve(args.host, args.port, args.workers, allow_open=args.no_auth)
    except ValueError as e:
        raise SystemExit(f"error: {e}") from None


def keys_main(argv: list[str]) -> None:
    from nli_judge.judge.api_keys import add_key, read_key_file, revoke_key

    ap = argparse.ArgumentParser(prog="groundedchat-judge keys",
                                 description="API keys of the judge service: the file holds "
                                 "their SHA-256 hashes only; serve with "
                                 "GC_JUDGE_API_KEYS_FILE=FILE.")
    ap.add_argument("action", choices=["add", "revoke", "list"])
    ap.add_argument("name", nargs="?", help="the key's name (add, revoke)")
    ap.add_argument("--file", required=True, type=Path, help="the key file")
    args = ap.parse_args(argv)
    if args.action != "list" and not args.name:
        ap.error(f"{args.action} needs the key's NAME")
    try:
        if args.action == "add":
            key = add_key(args.file, args.name)
            print(f"key {args.name} (shown once, store it now; {args.file} keeps only its "
                  f"hash):\n{key}")
        elif args.action == "revoke":
            revoke_key(args.file, args.name)
            print(f"key {args.name} revoked: the service answers 403 to it from now on")
        else:
            for e in read_key_file(args.file):
                print(f"{e.name}\t{'revoked' if e.revoked else 'active'}\t{e.created}")
    except (OSError, ValueError, KeyError) as e:
        raise SystemExit(f"error: {e.args[0] if isinstance(e, KeyError) else e}") from None


def calibrate_main(argv: list[str]) -> dict:
    ap = argparse.ArgumentParser(
        prog="groundedchat-judge calibrate",
        description="Recalibrate the judge for this deployment from people's ratings of its "
        "answers: the verdict threshold (and from 100 ratings the score's slope), shrunk "
        "toward the shipped calibration when the ratings are few. Writes DIR/"
        "judge_calibration.json and DIR/recalibration_report.json (agreement with the "
        "ratings before and after, held out by 5-fold cross-fitting). Ratings: JSON lines "
        "or the app's CSV export with answer, passages, optional question and item_id, and "
        "faithful 0/1 or rating 1-5 (faithful from 4).")
    ap.add_argument("--ratings", required=True, type=Path, help="the ratings file")
    ap.add_argument("--out", required=True, type=Path, help="folder to write the calibration to")
    ap.add_argument("--model", help="NLI checkpoint folder (default: the shipped model)")
    ap.add_argument("--calibration", type=Path,
                    help="start from this calibration (default: the model's own)")
    ap.add_argument("--method", choices=sorted(PRIORS), default=METHOD,
                    help="threshold: move the verdict threshold (and from 100 ratings the "
                    "score's slope); reweight: refit the answer score's weights too (default "
                    f"{METHOD}, chosen on dev data: python -m eval.recalibration)")
    ap.add_argument("--prior-strength", type=float,
                    help="how strongly the shipped calibration holds (default: the method's, "
                    + ", ".join(f"{m} {k:g}" for m, k in PRIORS.items())
                    + "; chosen on dev data by python -m eval.recalibration)")
    args = ap.parse_args(argv)
    try:
        rated = read_ratings(args.ratings)
        check_enough([r.faithful for r in rated])
        judge = FaithfulnessJudge.load(args.model, calibration=args.calibration)
        calibration, report = fit_from_ratings(judge, rated, str(args.ratings),
                                               args.prior_strength, args.method)
        write(args.out, calibration, report)
    except (RatingsError, InputTooLarge, OSError, ValueError) as e:
        raise SystemExit(f"error: {e}; nothing was written") from None
    fitted, held = report["fitted"], report["held_out"]
    print(f"{fitted['ratings']} rated answers ({fitted['faithful']} faithful): threshold "
          f"{fitted['shipped_threshold']:.3f} -> {fitted['threshold']:.3f}"
          + (" with the score rescaled" if fitted.get("rescale") else "")
          + (" with the answer score's weights refitted" if "weights" in fitted else "")
          + f"; agreement with the ratings (balanced accuracy, held out) {held['before']:.3f}"
          f" -> {held['after']:.3f}")
    if fitted.get("note"):
        print(f"note: {fitted['note']}")
    print(f"wrote {args.out / 'judge_calibration.json'}; use it with --calibration "
          f"{args.out} or GC_JUDGE_CALIBRATION={args.out}")
    return report


def batch_main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(
        prog="groundedchat-judge --input", description="Judge every row of a JSONL file "
        "(id, answer, passages, optional question) and append one JSON row per answer to "
        "--output: the id and the judge's result (verdict, score, sentences), or the id and "
        "an error. A rerun with the same --output skips the ids already there.")
    ap.add_argument("--input", required=True, type=Path, help="JSONL rows to judge")
    ap.add_argument("--output", required=True, type=Path, help="JSONL results (appended)")
    for f in dataclasses.fields(BatchConfig):
        kind = {"int | None": int, "int": int}.get(str(f.type), str)
        ap.add_argument("--" + f.name.replace("_", "-"), type=kind, default=f.default,
                        help=f.metadata["help"] + (f" (default {f.default})"
                                                   if f.default is not None else ""),
                        choices={"engine": ["local", "ray"], "backend": BACKENDS}.get(f.name))
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = vars(ap.parse_args(argv))
    paths = args.pop("input"), args.pop("output")
    quiet = args.pop("quiet")
    try:
        stats = judge_file(*paths, BatchConfig(**args), progress=not quiet)
    except (BatchInputError, OSError) as e:
        raise SystemExit(f"error: {e}") from None
    print(json.dumps(stats))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        return serve_main(argv[1:])
    if argv[:1] == ["keys"]:
        return keys_main(argv[1:])
    if argv[:1] == ["calibrate"]:
        calibrate_main(argv[1:])
        return None
    if any(a == "--input" or a.startswith("--input=") for a in argv):
        return batch_main(argv)
    ap = argparse.ArgumentParser(prog="groundedchat-judge", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answer", required=True, help="the answer to check (or --input FILE "
                    "for batch judging)")
    ap.add_argument("--passage", action="append", default=[], help="an evidence passage "
                    "(repeat for more)")
    ap.add_argument("--passages", action="append", default=[], type=Path,
                    help="a file of passages (repeatable)")
    ap.add_argument("--question", help="the question (turns short answers into claims)")
    ap.add_argument("--model", help="NLI checkpoint folder (default: the shipped model)")
    ap.add_argument("--calibration", type=Path, default=os.environ.get("GC_JUDGE_CALIBRATION"),
                    help="a calibration folder from 'groundedchat-judge calibrate' (default: "
                    "$GC_JUDGE_CALIBRATION, else the model's own)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    passages = list(args.passage)
    for f in args.passages:
        try:
            passages += read_passages(f)
        except (OSError, ValueError, KeyError) as e:
            raise SystemExit(f"error: cannot read passages from {f}: {e}") from None
    if not passages:
        ap.error("give at least one --passage or --passages FILE")
    try:
        judge = FaithfulnessJudge.load(args.model, calibration=args.calibration)
        result = judge.score(args.answer, passages, args.question)
    except (InputTooLarge, FileNotFoundError, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    print(result.to_json(indent=2) if args.json else format_result(result))


if __name__ == "__main__":
    main()
