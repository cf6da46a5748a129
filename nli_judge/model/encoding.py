"""Turn premise/hypothesis pairs into model inputs, in one of two encodings.

- ``pair``: ``tokenizer(premise, hypothesis)`` -> ``[CLS] premise [SEP] hypothesis [SEP]`` with
  token_type_ids 0 for the premise part and 1 for the hypothesis part.
- ``concat``: premise and hypothesis joined into one text, ``[CLS] premise hypothesis [SEP]``,
  with no separator token between them and token_type_ids all 0 (the seed's experiment).

Both truncate the premise first, so the hypothesis (the claim being judged) survives.
"""

from __future__ import annotations

from typing import Literal

Encoding = Literal["pair", "concat"]
ENCODINGS: tuple[str, ...] = ("pair", "concat")


def encode_pairs(
    tokenizer,
    premises: list[str],
    hypotheses: list[str],
    encoding: Encoding = "pair",
    max_length: int = 256,
) -> dict[str, list[list[int]]]:
    """Tokenise pairs without padding; returns lists of ids (pad later, per batch)."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r} (expected pair or concat)")
    if len(premises) != len(hypotheses):
        raise ValueError("premises and hypotheses differ in length")
    if encoding == "pair":
        return dict(
            tokenizer(
                list(premises),
                list(hypotheses),
                truncation="longest_first",
                max_length=max_length,
                return_token_type_ids=True,
            )
        )
    p_ids = tokenizer(list(premises), add_special_tokens=False, verbose=False)["input_ids"]
    h_ids = tokenizer(list(hypotheses), add_special_tokens=False, verbose=False)["input_ids"]
    # The special tokens a single text gets, e.g. [CLS] ... [SEP] for BERT, <s> ... </s> for MPNet.
    wrap = tokenizer("")["input_ids"]
    prefix, suffix = wrap[:1], wrap[1:]
    budget = max_length - len(wrap)
    out: dict[str, list[list[int]]] = {"input_ids": [], "token_type_ids": [], "attention_mask": []}
    for p, h in zip(p_ids, h_ids, strict=True):
        h = h[:budget]
        p = p[: max(0, budget - len(h))]
        ids = prefix + p + h + suffix
        out["input_ids"].append(ids)
        out["token_type_ids"].append([0] * len(ids))
        out["attention_mask"].append([1] * len(ids))
    return out
