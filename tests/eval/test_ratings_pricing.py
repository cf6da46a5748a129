import csv
import json

import pytest

from eval.benchmark import ratings_set
from eval.datasets import RatingsError, ratings
from eval.pricing import cost_per_1k, load_prices

PASSAGE = "Metformin is a medicine used to treat type 2 diabetes."


def rows():
    return [
        {"item_id": "t1", "rater": "ann", "question": "What is metformin for?",
         "answer": "It treats type 2 diabetes.", "passages": [PASSAGE], "faithfulness": 5},
        {"item_id": "t1", "rater": "bob", "question": "What is metformin for?",
         "answer": "It treats type 2 diabetes.", "passages": [PASSAGE], "faithfulness": 4},
        {"item_id": "t2", "rater": "ann", "question": "What is metformin for?",
         "answer": "It cures cancer.", "passages": [PASSAGE], "faithfulness": 1},
        {"item_id": "t3", "rater": "bob", "question": "",
         "answer": "It is a medicine.", "passages": [PASSAGE], "faithfulness": 3},
        {"item_id": "t3", "rater": "ann", "question": "",
         "answer": "It is a medicine.", "passages": [PASSAGE], "faithfulness": 5},
    ]


def test_jsonl_and_csv_give_the_same_items(tmp_path):
    jl = tmp_path / "r.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in rows()) + "\n")
    cs = tmp_path / "r.csv"
    with cs.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows()[0]))
        w.writeheader()
        for r in rows():
            w.writerow({**r, "passages": json.dumps(r["passages"])})
    a, b = ratings(jl), ratings(cs)
    assert [(i.id, i.label, i.meta["rating"]) for i in a] == \
        [(i.id, i.label, i.meta["rating"]) for i in b] == \
        [("rating-t1", 1, 4.5), ("rating-t2", 0, 1.0), ("rating-t3", 1, 4.0)]
    assert a[0].passages == [PASSAGE] and a[0].meta["raters"] == 2
    assert a[2].question is None


def test_ratings_set_never_scores_its_calibration_items(tmp_path):
    jl = tmp_path / "r.jsonl"
    many = [{**r, "item_id": f"{r['item_id']}-{k}"} for k in range(4) for r in rows()]
    jl.write_text("\n".join(json.dumps(r) for r in many))
    s = ratings_set(jl)
    scored, calib = {i.id for i in s.scored()}, {i.id for i in s.calibration()}
    assert len(scored) + len(calib) == 12 and not scored & calib


@pytest.mark.parametrize("bad, message", [
    ({"faithfulness": 9}, "faithfulness must be 1-5"),
    ({"faithfulness": "high"}, "faithfulness must be 1-5"),
    ({"answer": ""}, "missing answer"),
    ({"rater": None}, "missing rater"),
    ({"passages": "Metformin treats diabetes."}, "passages must be a list of texts"),
    ({"passages": [PASSAGE, 3]}, "passages must be a list of texts"),
])
def test_bad_ratings_say_which_row(tmp_path, bad, message):
    jl = tmp_path / "r.jsonl"
    jl.write_text("\n".join(json.dumps({**r, **(bad if i == 1 else {})})
                            for i, r in enumerate(rows())))
    with pytest.raises(RatingsError, match=f"row 2: {message}"):
        ratings(jl)


@pytest.mark.parametrize("content, message", [
    (b"", "no ratings"),
    (b"\n\n", "no ratings"),
    (b'{"item_id": "t1", "rater": "ann"', "not JSON|line 1"),
    (b"\xff\xfe\x00\x00binary", "not UTF-8 text"),
    (b"[1, 2]\n", "row 1: not a JSON object"),
])
def test_bad_ratings_files_are_clear_errors(tmp_path, content, message):
    f = tmp_path / "r.jsonl"
    f.write_bytes(content)
    with pytest.raises(RatingsError, match=message):
        ratings(f)


def test_cost_per_1k_from_tokens_and_prices(tmp_path):
    prices = load_prices(None)
    # 1,000 items x (2,000 in + 100 out) tokens at gpt-4o-mini's 0.15 / 0.60 per 1M
    assert cost_per_1k(2000, 100, "gpt-4o-mini", prices) == pytest.approx(0.36)
    assert cost_per_1k(0, 0, None, prices) == 0.0
    assert cost_per_1k(10, 1, "unknown-model", prices) is None
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"my-vllm": [1.0, 2.0]}))
    assert cost_per_1k(1000, 1000, "my-vllm", load_prices(f)) == pytest.approx(3.0)
    f.write_text(json.dumps({"bad": 3}))
    with pytest.raises(ValueError, match="bad"):
        load_prices(f)
