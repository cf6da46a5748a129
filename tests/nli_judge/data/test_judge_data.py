"""The judge's training data (shaped like the judge's inputs) and a real training run on it:
3-way NLI rows and binary faithfulness rows in one file, a synthetic edit among them."""

import gzip
import json
import shutil

import pytest

from nli_judge.data.judge_data import JudgeDataArguments, build, judge_window
from nli_judge.data.pairs import read_pairs

DOC = ("Aspirin is a medicine that reduces pain and fever. It was first made by Bayer in 1899. "
       "Doctors prescribe 75 mg daily to prevent heart attacks. It can cause stomach bleeding. "
       "Children under 16 should not take it. Paracetamol is an alternative for children. "
       "Ibuprofen is another painkiller sold in London and Paris.")


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory, tiny_mnli):
    root = tmp_path_factory.mktemp("data")
    (root / "nli").mkdir()
    shutil.copy(tiny_mnli, root / "nli" / "mnli_train.tsv")
    _write(root / "train_pool" / "fever_nli.jsonl.gz", [
        {"id": f"f{i}", "premise": DOC, "hypothesis": h, "label": lab, "scheme": "binary"}
        for i, (h, lab) in enumerate([("Aspirin reduces fever.", "supported"),
                                      ("Aspirin was first made in 1950.", "unsupported")] * 10)])
    _write(root / "train_pool" / "halueval_summ_train.jsonl.gz", [
        {"id": f"s{i}", "premise": DOC.replace("Bayer", f"Bayer{i}"),
         "hypothesis": "Aspirin reduces pain. Children under 16 should not take it.",
         "label": "supported" if i % 2 else "unsupported", "scheme": "binary"}
        for i in range(10)])
    _write(root / "medquad" / "documents.jsonl.gz",
           [{"id": f"d{i}", "text": DOC.replace("1899", str(1890 + i))} for i in range(12)])
    return root


def test_windows_follow_the_claim():
    import random

    short = judge_window("Aspirin reduces fever.", "Aspirin reduces fever.", random.Random(0), 50)
    assert short == "Aspirin reduces fever."
    for seed in range(10):
        w = judge_window("Bayer first made it in 1899.", DOC, random.Random(seed), 12)
        assert "Bayer in 1899" in w and len(w.split()) < len(DOC.split())


def test_build_writes_mixed_schemes_synthetic_edits_and_dev_parts(tiny_data, tmp_path):
    args = JudgeDataArguments(data_dir=str(tiny_data), output_dir=str(tmp_path),
                              sources=["mnli", "fever_nli", "halueval_summ_train",
                                       "synthetic_medquad"],
                              dev_per_source=2, synthetic_docs=8, window_words=20)
    mix = build(args, log=lambda *_: None)
    train = read_pairs(tmp_path / "train.jsonl.gz")
    dev = read_pairs(tmp_path / "dev.jsonl.gz")
    assert len(train) == mix["train_rows"] and len(dev) == mix["dev_rows"]
    assert any(train.binary) and not all(train.binary)          # both schemes
    assert set(train.sources) == set(args.sources)
    kinds = {k.split("/")[1] for k in mix["train"]}
    assert {"nli3", "claim", "summary", "copy"} <= kinds
    assert any(k.startswith("edit:") for k in kinds)            # a synthetic error
    rows = [json.loads(line) for line in gzip.open(tmp_path / "train.jsonl.gz", "rt")]
    fever = [r for r in rows if r["source"] == "fever_nli"]
    assert all(len(r["premise"].split()) < len(DOC.split()) for r in fever)  # windowed
    dev_ids = {i.split(":", 1)[1] for i in dev.ids}
    assert not dev_ids & {i.split(":", 1)[1] for i in train.ids}
    with pytest.raises(ValueError, match="unknown source"):
        build(JudgeDataArguments(sources=["nope"], output_dir=str(tmp_path)))


def test_training_on_the_mixed_file_reports_each_source(tiny_data, tmp_path):
    from nli_judge.training.train import main

    data = tmp_path / "data"
    build(JudgeDataArguments(data_dir=str(tiny_data), output_dir=str(data),
                             sources=["mnli", "fever_nli", "synthetic_medquad"],
                             dev_per_source=2, synthetic_docs=8), log=lambda *_: None)
    out = tmp_path / "run"
    main(["--train-file", str(data / "train.jsonl.gz"), "--dev-file", str(data / "dev.jsonl.gz"),
          "--validation-file", str(tiny_data / "nli" / "mnli_train.tsv"),
          "--max-steps", "3", "--per-device-train-batch-size", "8", "--output-dir", str(out),
          "--report-to", "none", "--save-strategy", "steps", "--save-steps", "2"])
    by_source = json.loads((out / "dev_metrics.json").read_text())
    assert {"mnli", "fever_nli", "synthetic_medquad"} <= set(by_source)
    assert by_source["fever_nli"]["scheme"] == "binary"
    assert by_source["mnli"]["scheme"] == "nli3" and "accuracy_3way" in by_source["mnli"]
    assert "Dev parts, per source" in (out / "RUN_CARD.md").read_text()
    assert list((out / "trainer").glob("checkpoint-*"))       # resumable


def test_ablation_leaves_out_a_source(tiny_data, tmp_path):
    from nli_judge.training.train import main

    data = tmp_path / "data"
    build(JudgeDataArguments(data_dir=str(tiny_data), output_dir=str(data),
                             sources=["fever_nli", "synthetic_medquad"], dev_per_source=2,
                             synthetic_docs=8), log=lambda *_: None)
    out = tmp_path / "run"
    main(["--train-file", str(data / "train.jsonl.gz"),
          "--validation-file", str(tiny_data / "nli" / "mnli_train.tsv"),
          "--exclude-sources", "synthetic_medquad", "--max-steps", "1",
          "--per-device-train-batch-size", "8", "--output-dir", str(out), "--report-to", "none"])
    card = (out / "RUN_CARD.md").read_text()
    assert '"excluded_sources": [\n    "synthetic_medquad"\n  ]' in card
    fever_rows = len(read_pairs(data / "train.jsonl.gz").subset(
        [i for i, s in enumerate(read_pairs(data / "train.jsonl.gz").sources) if s == "fever_nli"]))
    assert f'"train_pairs_read": {fever_rows},' in card


def test_flip_labels_swaps_a_sources_binary_labels(tiny_data, tmp_path):
    plain, flipped = tmp_path / "plain", tmp_path / "flipped"
    for out, flip in ((plain, []), (flipped, ["fever_nli"])):
        build(JudgeDataArguments(data_dir=str(tiny_data), output_dir=str(out),
                                 sources=["fever_nli"], dev_per_source=2, flip_labels=flip),
              log=lambda *_: None)
    a, b = (read_pairs(out / "train.jsonl.gz") for out in (plain, flipped))
    a, b = dict(zip(a.ids, a.labels, strict=True)), dict(zip(b.ids, b.labels, strict=True))
    assert a.keys() == b.keys() and all(a[k] != b[k] for k in a)


def test_dev_part_does_not_change_with_the_training_cap(tiny_data, tmp_path):
    """Raising max_per_source adds training rows; the dev rows (and their windows) stay."""
    devs = []
    for cap in (3, 1000):
        out = tmp_path / f"cap{cap}"
        build(JudgeDataArguments(data_dir=str(tiny_data), output_dir=str(out),
                                 sources=["fever_nli", "halueval_summ_train"], dev_per_source=4,
                                 max_per_source=cap, window_words=8, summary_window_words=12),
              log=lambda *_: None)
        devs.append(gzip.open(out / "dev.jsonl.gz").read())
        assert len(read_pairs(out / "train.jsonl.gz")) >= min(cap, 4)
    assert devs[0] == devs[1]


def test_targeted_edits_come_as_minimal_pairs(tiny_data, tmp_path):
    """A targeted edit gives a kept copy and its edited twin against the same window, so
    only the edit tells them apart; an unknown edit is refused before anything is written."""
    args = JudgeDataArguments(data_dir=str(tiny_data), output_dir=str(tmp_path),
                              sources=["synthetic_medquad"], dev_per_source=2,
                              synthetic_docs=8, window_words=20,
                              targeted_edits=["roles", "name"])
    build(args, log=lambda *_: None)
    rows = {r["id"]: r for r in map(json.loads, gzip.open(tmp_path / "train.jsonl.gz", "rt"))}
    twins = [(rows[i], rows[i[:-1] + "-"]) for i in rows if i.endswith(("/roles+", "/name+"))]
    assert len(twins) >= 8
    for kept, edited in twins:
        assert kept["premise"] == edited["premise"] and kept["hypothesis"] != edited["hypothesis"]
        assert kept["label"] == "supported" and edited["label"] == "unsupported"
        assert edited["kind"] in ("edit:roles", "edit:name")
        assert sorted(kept["hypothesis"].split()) != sorted(edited["hypothesis"].split()) \
            or edited["kind"] == "edit:roles"
    with pytest.raises(ValueError, match="unknown edit"):
        build(JudgeDataArguments(data_dir=str(tiny_data), output_dir=str(tmp_path / "x"),
                                 sources=["synthetic_medquad"], targeted_edits=["typo"]))
    assert not (tmp_path / "x").exists()
