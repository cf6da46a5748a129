"""Bad input to the rating form's store (``Store.add_rating``, what the app's form calls), one
row per case, on SQLite and a real PostgreSQL server: a clear ValueError and nothing written,
or the text kept exactly as given (issue 14, section 1). The form's own checks (no score
chosen, no rater id) are in tests/test_streamlit_app.py."""

import json

import pytest

from chatbot.storage.store import Rating, Store

GOOD = dict(rater="ann", item_id="t1", answer="Metformin treats diabetes.",
            passages=["Metformin treats type 2 diabetes."], faithfulness=4)

REFUSED = [
    ("no rater", {"rater": ""}, "needs a rater id"),
    ("blank rater", {"rater": "  \n"}, "needs a rater id"),
    ("rater id too long", {"rater": "r" * 65}, "at most 64 characters, not 65"),
    ("faithfulness 0", {"faithfulness": 0}, "faithfulness is a whole number 1-5, not 0"),
    ("faithfulness 6", {"faithfulness": 6}, "not 6"),
    ("faithfulness as text", {"faithfulness": "4"}, "not '4'"),
    ("faithfulness as bool", {"faithfulness": True}, "not True"),
    ("helpfulness 9", {"helpfulness": 9}, "helpfulness is a whole number 1-5"),
    ("negative sentence flag", {"unsupported_sentences": [-1]}, "sentence numbers"),
    ("sentence flag as text", {"unsupported_sentences": ["2"]}, "sentence numbers"),
    ("comment too long", {"comment": "x" * 10_001}, "at most 10,000 characters, not 10,001"),
]


@pytest.mark.parametrize("case, bad, error", REFUSED, ids=[c[0] for c in REFUSED])
def test_bad_ratings_are_refused_and_nothing_is_written(db_url, case, bad, error):
    store = Store(db_url)
    with pytest.raises(ValueError, match=error):
        store.add_rating(**{**GOOD, **bad})
    assert store.count(Rating) == 0


KEPT = [
    ("markup in the comment", {"comment": "<script>alert(1)</script> <img src=x onerror=y>"}),
    ("non-English comment", {"comment": "Die Antwort ist gut. 回答很好。"}),
    ("no question, no helpfulness", {"question": None, "helpfulness": None}),
    ("long rater id at the limit", {"rater": "r" * 64}),
]


@pytest.mark.parametrize("case, fields", KEPT, ids=[c[0] for c in KEPT])
def test_odd_but_valid_ratings_are_kept_as_given(db_url, tmp_path, case, fields):
    store = Store(db_url)
    store.add_rating(**{**GOOD, **fields})
    (row,) = store.ratings()
    for k, v in fields.items():
        assert row[k] == v
    out = tmp_path / "r.jsonl"
    store.export_ratings(out)
    exported = json.loads(out.read_text())
    assert all(exported[k] == v for k, v in fields.items())
