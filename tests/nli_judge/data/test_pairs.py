import gzip
import json

import pytest

from nli_judge.data.pairs import DataError, read_pairs, swap_contradictions
from nli_judge.model.labels import label_id


def test_reads_mnli_tsv_with_bare_quotes(tiny_mnli):
    ex = read_pairs(tiny_mnli)
    assert len(ex) == 40
    assert set(ex.labels) == {0, 1, 2}
    assert ex.ids[0] == "mnli_tiny.tsv:1"
    assert any('"' in t for t in ex.premises + ex.hypotheses)


def test_reads_gzipped_jsonl_with_letter_labels(tmp_path):
    path = tmp_path / "x.jsonl.gz"
    rows = [{"premise": "p1", "hypothesis": "h1", "label": "e"},
            {"premise": "p2", "hypothesis": "h2", "label": 2}]
    with gzip.open(path, "wt") as f:
        f.write("\n".join(json.dumps(r) for r in rows))
    ex = read_pairs(path)
    assert ex.labels == [0, 2] and ex.premises == ["p1", "p2"]


def test_skips_mnli_no_consensus_rows(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("index\tpremise\thypothesis\tgold_label\n1\tp\th\t-\n2\tp\th\tneutral\n")
    assert read_pairs(path).labels == [1]


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "no rows"),
        ("index\tpremise\tgold_label\n1\tp\tneutral\n", "missing column(s) hypothesis"),
        ("index\tpremise\thypothesis\tgold_label\n1\tp\th\tmaybe\n",
         "row 1: unknown label 'maybe'"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    path.write_text(content)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")) as e:
        read_pairs(path)
    assert "\n" not in str(e.value)


def test_label_spellings():
    assert [label_id(x) for x in ("entailment", "N", "c", 0, "2")] == [0, 1, 2, 0, 2]
    with pytest.raises(ValueError):
        label_id(True)


def test_swap_contradictions_swaps_only_contradictions(tiny_mnli):
    ex = read_pairs(tiny_mnli)
    swapped = swap_contradictions(ex)
    first = ex.labels.index(2)
    assert len(swapped) == ex.labels.count(2) == 14
    assert set(swapped.labels) == {2}
    assert swapped.premises[0] == ex.hypotheses[first]
    assert swapped.hypotheses[0] == ex.premises[first]
    assert swapped.ids[0] == ex.ids[first] + ":swap"
