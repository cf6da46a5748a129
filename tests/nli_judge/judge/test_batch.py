"""Batch judging of a JSONL file (python -m nli_judge.judge --input ... --output ...): rows
checked before anything runs, results appended as they come, a rerun resumes, and the Ray
engine gives the local engine's results."""

import json

import pytest

from nli_judge import FaithfulnessJudge
from nli_judge.judge.batch import BatchConfig, BatchInputError, done_ids, judge_file, read_rows
from nli_judge.judge.cli import main as cli_main

PASSAGES = ["Metformin is a medicine for type 2 diabetes. It lowers blood sugar.",
            "Aspirin thins the blood. It is taken for pain and fever."]
ROWS = [
    {"id": "a", "answer": "Metformin lowers blood sugar.", "passages": PASSAGES},
    {"id": "b", "answer": "Aspirin cures cancer.", "passages": PASSAGES,
     "question": "What does aspirin do?"},
    {"id": "c", "answer": "", "passages": PASSAGES},
    {"id": "d", "answer": "Aspirin thins the blood. Metformin is for diabetes.",
     "passages": PASSAGES, "question": None},
    {"id": "too-long", "answer": "Aspirin thins the blood. " * 1000, "passages": PASSAGES},
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def local_out(tmp_path_factory):
    d = tmp_path_factory.mktemp("batch")
    src = write_jsonl(d / "in.jsonl", ROWS)
    stats = judge_file(src, d / "out.jsonl", BatchConfig(batch_size=2), progress=False)
    return src, d / "out.jsonl", stats


def test_each_row_gets_the_judges_result_or_an_error(local_out):
    src, out, stats = local_out
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "too-long"]
    by_id = {r["id"]: r for r in rows}
    judge = FaithfulnessJudge.load()
    for row in ROWS[:4]:
        expected = judge.score(row["answer"], row["passages"], row.get("question")).to_dict()
        got = {k: v for k, v in by_id[row["id"]].items() if k != "id"}
        assert got["verdict"] == expected["verdict"]
        assert got["score"] == pytest.approx(expected["score"], abs=1e-6)
        assert [s["label"] for s in got["sentences"]] == [s["label"] for s in
                                                          expected["sentences"]]
    assert by_id["a"]["verdict"] == "faithful" and by_id["b"]["verdict"] == "unfaithful"
    assert by_id["c"]["verdict"] == "unfaithful"  # empty answer: nothing grounded
    assert "max_answer_chars" in by_id["too-long"]["error"] and "verdict" not in \
        by_id["too-long"]
    assert stats["judged"] == 5 and stats["errors"] == 1 and stats["skipped"] == 0
    assert sum(stats["verdicts"].values()) == 4


def test_a_rerun_skips_what_is_done_and_mends_a_half_written_line(local_out, tmp_path):
    src, out, _ = local_out
    lines = out.read_text().splitlines(keepends=True)
    partial = tmp_path / "out.jsonl"
    partial.write_text("".join(lines[:2]) + lines[2][:25])  # stopped mid-write of row 3
    assert done_ids(partial) == {'"a"', '"b"'}
    assert partial.read_text() == "".join(lines[:2])  # the half line is cut off
    stats = judge_file(src, partial, BatchConfig(), progress=False)
    assert stats["skipped"] == 2 and stats["judged"] == 3
    rows = read_jsonl(partial)
    assert sorted(r["id"] for r in rows) == ["a", "b", "c", "d", "too-long"]
    again = judge_file(src, partial, BatchConfig(), progress=False)
    assert again["judged"] == 0 and again["skipped"] == 5
    assert len(read_jsonl(partial)) == 5


@pytest.mark.parametrize("line, problem", [
    ("not json", "line 2: not JSON"),
    (json.dumps({"answer": "x", "passages": []}), "line 2: 'id' must be a string or an integer"),
    (json.dumps({"id": True, "answer": "x", "passages": []}), "'id' must be"),
    (json.dumps({"id": "a", "answer": "x", "passages": []}), "line 2: id 'a' appears twice"),
    (json.dumps({"id": "b", "passages": []}), "line 2: 'answer' must be a string"),
    (json.dumps({"id": "b", "answer": "x", "passages": "one"}), "'passages' must be a list"),
    (json.dumps({"id": "b", "answer": "x", "passages": [1]}), "'passages' must be a list"),
    (json.dumps({"id": "b", "answer": "x", "passages": [], "question": 3}), "'question'"),
    (json.dumps([1, 2]), "line 2: not a JSON object"),
    (json.dumps({"id": 7, "answer": "x", "passages": []}), "line 2: ids must be all strings"),
])
def test_bad_rows_are_named_by_line_and_nothing_is_judged(tmp_path, line, problem):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(ROWS[0]) + "\n" + line + "\n\n")
    with pytest.raises(BatchInputError, match="1 bad row") as e:
        read_rows(src)
    assert problem in str(e.value)
    out = tmp_path / "out.jsonl"
    with pytest.raises(SystemExit, match=problem.replace("(", r"\(")):
        cli_main(["--input", str(src), "--output", str(out), "--quiet"])
    assert not out.exists()


def test_cli_prints_the_counts(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", ROWS[:2])
    cli_main(["--input", str(src), "--output", str(tmp_path / "o.jsonl"), "--quiet",
              "--threads", "1"])
    stats = json.loads(capsys.readouterr().out)
    assert stats["judged"] == 2 and stats["engine"] == "local"
    assert stats["verdicts"] == {"faithful": 1, "unfaithful": 1}


@pytest.mark.slow
def test_ray_engine_gives_the_local_results_and_resumes(local_out, tmp_path):
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    src, out, _ = local_out
    ray_out = tmp_path / "ray.jsonl"
    ray_out.write_text("".join(out.read_text().splitlines(keepends=True)[:2]))  # 2 done
    numbered = write_jsonl(tmp_path / "ids.jsonl", [{**r, "id": k} for k, r in
                                                     enumerate(ROWS[:2], 7)])
    ray.init(num_cpus=2, include_dashboard=False)  # one local Ray for both jobs
    try:
        config = BatchConfig(engine="ray", batch_size=2, actors=2)
        stats = judge_file(src, ray_out, config, progress=False)
        by_number = judge_file(numbered, tmp_path / "ids-out.jsonl", config, progress=False)
    finally:
        ray.shutdown()
    assert stats["engine"] == "ray" and stats["skipped"] == 2 and stats["judged"] == 3
    assert stats["errors"] == 1 and by_number["judged"] == 2
    local = {json.dumps(r["id"]): r for r in read_jsonl(out)}
    remote = {json.dumps(r["id"]): r for r in read_jsonl(ray_out)}
    assert remote.keys() == local.keys() and len(read_jsonl(ray_out)) == 5
    for key, row in local.items():
        if "error" in row:
            assert remote[key]["error"] == row["error"]
            continue
        assert remote[key]["verdict"] == row["verdict"]
        assert remote[key]["score"] == pytest.approx(row["score"], abs=1e-6)
        assert [s["label"] for s in remote[key]["sentences"]] == \
            [s["label"] for s in row["sentences"]]
    numbered_out = {r["id"]: r["verdict"] for r in read_jsonl(tmp_path / "ids-out.jsonl")}
    assert numbered_out == {7: local['"a"']["verdict"], 8: local['"b"']["verdict"]}
