"""Judge-vs-people statistics against hand-computed values."""

import pytest

from eval.agreement import disagreements, inter_rater, judge_vs_raters, judge_vs_thumbs


def turns():
    sent = [{"text": "A.", "label": "supported", "score": 0.9},
            {"text": "B.", "label": "unsupported", "score": 0.1}]
    return [{"id": f"t{i}", "judge_verdict": v, "judge_score": s,
             "judge": {"sentences": sent}}
            for i, (v, s) in enumerate([("faithful", 0.9), ("faithful", 0.8),
                                        ("unfaithful", 0.2), ("unfaithful", 0.1)])]


def test_judge_vs_thumbs_accuracy_and_kappa():
    fb = [{"turn_id": "t0", "thumbs": 1}, {"turn_id": "t1", "thumbs": 0},
          {"turn_id": "t2", "thumbs": 0}, {"turn_id": "t3", "thumbs": 0},
          {"turn_id": "t3", "thumbs": None}, {"turn_id": "gone", "thumbs": 1}]
    r = judge_vs_thumbs(turns(), fb)
    # judge 1,1,0,0 vs people 1,0,0,0: accuracy 3/4; po = .75, pe = .5*.25 + .5*.75 = .5
    assert r["n"] == 4 and r["accuracy"] == 0.75 and r["kappa"] == pytest.approx(0.5)


def test_judge_vs_raters_spearman_and_kappa():
    ratings = [{"item_id": "t0", "rater": "a", "faithfulness": 5},
               {"item_id": "t0", "rater": "b", "faithfulness": 4},
               {"item_id": "t1", "rater": "a", "faithfulness": 4},
               {"item_id": "t2", "rater": "a", "faithfulness": 2},
               {"item_id": "t3", "rater": "a", "faithfulness": 1}]
    r = judge_vs_raters(turns(), ratings)
    assert r["n"] == 4 and r["spearman"] == pytest.approx(1.0)
    assert r["accuracy"] == 1.0 and r["kappa"] == pytest.approx(1.0)


def test_inter_rater_weighted_kappa_on_seeded_ratings():
    pairs = [(5, 5), (4, 3), (2, 2), (1, 2), (3, 3)]
    ratings = [r for i, (x, y) in enumerate(pairs)
               for r in ({"item_id": f"i{i}", "rater": "ann", "faithfulness": x},
                         {"item_id": f"i{i}", "rater": "bob", "faithfulness": y})]
    ratings.append({"item_id": "solo", "rater": "ann", "faithfulness": 5})
    r = inter_rater(ratings)
    from sklearn.metrics import cohen_kappa_score

    expected = cohen_kappa_score([5, 4, 2, 1, 3], [5, 3, 2, 2, 3], weights="quadratic")
    assert r["items"] == 5 and r["pairs"] == 5 and r["weighted_kappa"] == pytest.approx(expected)
    # hand check of the quadratic weights: observed disagreement sum (1 + 1) / 16 per pair...
    assert 0.8 < r["weighted_kappa"] < 1.0


def test_disagreements_list_both_directions():
    ratings = [{"item_id": "t0", "rater": "a", "faithfulness": 2, "unsupported_sentences": [0]},
               {"item_id": "t0", "rater": "b", "faithfulness": 2, "unsupported_sentences": [0]},
               {"item_id": "t1", "rater": "a", "faithfulness": 3,
                "unsupported_sentences": [0, 1]}]
    rows = disagreements(turns(), ratings)
    got = {(d["turn_id"], d["text"]): d for d in rows}
    # t0: raters flag A (judge: supported) and not B (judge: unsupported); t1: A only.
    assert set(got) == {("t0", "A."), ("t0", "B."), ("t1", "A.")}
    assert got[("t0", "A.")]["raters_flagging"] == 1.0 and got[("t0", "A.")]["raters"] == 2
    assert got[("t0", "B.")]["raters_flagging"] == 0.0
    assert rows[0]["raters"] == 2  # the best-attested disagreements first
