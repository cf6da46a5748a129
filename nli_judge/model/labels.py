"""The three NLI labels, with GLUE MNLI's ids, and the spellings we accept on input."""

from __future__ import annotations

LABELS: tuple[str, str, str] = ("entailment", "neutral", "contradiction")
LABEL2ID: dict[str, int] = {name: i for i, name in enumerate(LABELS)}
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))

_ALIASES = {
    "e": "entailment", "entail": "entailment", "entailed": "entailment",
    "n": "neutral",
    "c": "contradiction", "contradict": "contradiction", "contradicted": "contradiction",
}


def label_id(value: object) -> int:
    """Map a label (name, one-letter code, or id 0/1/2) to its GLUE MNLI id.

    Raises ValueError naming the value when it is none of these.
    """
    if isinstance(value, bool):
        raise ValueError(f"unknown label {value!r}")
    if isinstance(value, int) and value in ID2LABEL:
        return value
    text = str(value).strip().lower()
    if text.isdigit() and int(text) in ID2LABEL:
        return int(text)
    text = _ALIASES.get(text, text)
    if text not in LABEL2ID:
        raise ValueError(f"unknown label {value!r} (expected one of {', '.join(LABELS)})")
    return LABEL2ID[text]
