"""How the judge agrees with people: user thumbs, rater faithfulness, and raters with each
other. Plain functions over the rows ``chatbot.storage.store.Store`` returns; the app's dashboard
shows them.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

from eval.datasets import FAITHFUL_RATING


def _kappa(a, b, weights=None) -> float | None:
    a, b = list(a), list(b)
    if len(a) < 2 or len(set(a) | set(b)) < 2:
        return None
    k = cohen_kappa_score(a, b, weights=weights)
    return None if np.isnan(k) else float(k)


def judge_vs_thumbs(turns: list[dict], feedback: list[dict]) -> dict:
    """Agreement of the judge's verdict (faithful = 1) with each thumbs vote (up = 1)."""
    verdict = {t["id"]: int(t["judge_verdict"] == "faithful") for t in turns
               if t.get("judge_verdict")}
    pairs = [(verdict[f["turn_id"]], f["thumbs"]) for f in feedback
             if f.get("thumbs") is not None and f["turn_id"] in verdict]
    if not pairs:
        return {"n": 0, "accuracy": None, "kappa": None}
    j, h = zip(*pairs, strict=True)
    return {"n": len(pairs), "accuracy": float(np.mean(np.array(j) == np.array(h))),
            "kappa": _kappa(j, h)}


def judge_vs_raters(turns: list[dict], ratings: list[dict]) -> dict:
    """Per rated turn: the judge's score and verdict against the raters' mean faithfulness:
    Spearman's rho (score vs mean rating), accuracy and Cohen's kappa (verdict vs mean >= 4)."""
    by_turn = {t["id"]: t for t in turns if t.get("judge_score") is not None}
    per_item: dict[str, list[int]] = defaultdict(list)
    for r in ratings:
        if r["item_id"] in by_turn:
            per_item[r["item_id"]].append(r["faithfulness"])
    items = sorted(per_item)
    if not items:
        return {"n": 0, "spearman": None, "accuracy": None, "kappa": None}
    scores = [by_turn[i]["judge_score"] for i in items]
    means = [float(np.mean(per_item[i])) for i in items]
    judge = [int(by_turn[i]["judge_verdict"] == "faithful") for i in items]
    people = [int(m >= FAITHFUL_RATING) for m in means]
    rho = spearmanr(scores, means).statistic if len(items) > 2 else float("nan")
    return {"n": len(items), "spearman": None if np.isnan(rho) else float(rho),
            "accuracy": float(np.mean(np.array(judge) == np.array(people))),
            "kappa": _kappa(judge, people)}


def inter_rater(ratings: list[dict]) -> dict:
    """Quadratic-weighted Cohen's kappa of faithfulness over every pair of raters, on the
    items both rated (pooled), for items with two or more raters."""
    by_item: dict[str, dict[str, int]] = defaultdict(dict)
    for r in ratings:
        by_item[r["item_id"]][r["rater"]] = r["faithfulness"]
    a, b = [], []
    shared = 0
    for raters in by_item.values():
        if len(raters) < 2:
            continue
        shared += 1
        for x, y in combinations(sorted(raters), 2):
            a.append(raters[x])
            b.append(raters[y])
    return {"items": shared, "pairs": len(a),
            "weighted_kappa": _kappa(a, b, weights="quadratic")}


def disagreements(turns: list[dict], ratings: list[dict], top: int = 20) -> list[dict]:
    """Sentences where the judge and the raters disagree most (the relabelling queue): the
    judge called a sentence supported but raters flagged it, or the other way round."""
    by_turn = {t["id"]: t for t in turns if t.get("judge")}
    flags: dict[tuple[str, int], list[bool]] = defaultdict(list)
    raters: dict[str, int] = defaultdict(int)
    for r in ratings:
        if r["item_id"] not in by_turn:
            continue
        raters[r["item_id"]] += 1
        n = len(by_turn[r["item_id"]]["judge"]["sentences"])
        flagged = set(r.get("unsupported_sentences") or [])
        for k in range(n):
            flags[(r["item_id"], k)].append(k in flagged)
    out = []
    for (item, k), marks in flags.items():
        s = by_turn[item]["judge"]["sentences"][k]
        if s["label"] == "no_claim":
            continue
        people_flag = float(np.mean(marks))
        judge_flag = float(s["label"] != "supported")
        out.append({"turn_id": item, "sentence": k, "text": s["text"], "judge": s["label"],
                    "judge_score": s.get("score"), "raters_flagging": people_flag,
                    "raters": len(marks), "disagreement": abs(people_flag - judge_flag)})
    out.sort(key=lambda d: (-d["disagreement"], -d["raters"]))
    return [d for d in out if d["disagreement"] > 0][:top]
