"""Show the shipped NLI model on a few pairs (or on yours).

    python -m nli_judge.model.demo [--premise TEXT --hypothesis TEXT] [--model DIR]
"""

from __future__ import annotations

import argparse

from nli_judge.model.labels import LABELS
from nli_judge.model.nli_model import NLIModel

EXAMPLES = [
    ("Aspirin can irritate the stomach lining and may cause bleeding.",
     "Aspirin may cause stomach bleeding."),
    ("The clinic is open from 9am to 5pm on weekdays.",
     "The clinic is open on Sunday evenings."),
    ("Regular exercise lowers blood pressure in most adults.",
     "Exercise is the only treatment for high blood pressure."),
]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--premise", help="the evidence text")
    ap.add_argument("--hypothesis", help="the claim to check against it")
    ap.add_argument("--model", help="checkpoint folder (default: the shipped model)")
    args = ap.parse_args(argv)
    if bool(args.premise) != bool(args.hypothesis):
        ap.error("give both --premise and --hypothesis, or neither")
    pairs = [(args.premise, args.hypothesis)] if args.premise else EXAMPLES
    model = NLIModel.load(args.model)
    probs = model.predict([p for p, _ in pairs], [h for _, h in pairs])
    for (p, h), row in zip(pairs, probs, strict=True):
        scores = "  ".join(f"{name} {v:.2f}" for name, v in zip(LABELS, row, strict=True))
        print(f"P: {p}\nH: {h}\n-> {LABELS[int(row.argmax())].upper()}   ({scores})\n")


if __name__ == "__main__":
    main()
