"""Size limits: an answer or evidence over the judge's limits gets a clear error naming the
sizes and the setting, through the API, the HTTP service and the CLI; nothing is truncated."""

import dataclasses

import pytest
from fastapi.testclient import TestClient

from nli_judge import FaithfulnessJudge, InputTooLarge
from nli_judge.judge.cli import main as cli_main
from nli_judge.judge.http_service import create_app

PASSAGE = "Aspirin thins the blood."


@pytest.fixture(scope="module")
def small_limits():
    judge = FaithfulnessJudge.load()
    judge.settings = dataclasses.replace(judge.settings, max_answer_chars=100,
                                         max_evidence_chars=300)
    return judge


def test_at_the_limit_is_judged_over_it_is_refused(small_limits):
    at = ("Aspirin thins the blood. " * 5)[:100]
    assert len(at) == 100 and small_limits.score(at, [PASSAGE]).sentences
    with pytest.raises(InputTooLarge, match=r"101 characters, over the judge's limit of 100 "
                       r"\(JudgeSettings.max_answer_chars\)"):
        small_limits.score(at + "x", [PASSAGE])
    with pytest.raises(InputTooLarge, match=r"passages have 301 characters together.*"
                       "max_evidence_chars"):
        small_limits.score(PASSAGE, ["a" * 150, "b" * 151])
    with pytest.raises(InputTooLarge):  # one item over the limit stops the whole batch
        small_limits.score_batch([(PASSAGE, [PASSAGE]), ("y" * 101, [PASSAGE])])


def test_defaults_allow_long_answers_and_documents():
    s = FaithfulnessJudge.load().settings
    assert s.max_answer_chars >= 20_000 and s.max_evidence_chars >= 400_000


def test_service_answers_413_with_the_reason(small_limits):
    client = TestClient(create_app(small_limits))
    r = client.post("/v1/judge", json={"answer": "z" * 101, "passages": [PASSAGE]})
    assert r.status_code == 413 and "max_answer_chars" in r.json()["detail"]
    ok = client.post("/v1/judge", json={"answer": PASSAGE, "passages": [PASSAGE]})
    assert ok.status_code == 200


def test_cli_prints_one_error_line():
    with pytest.raises(SystemExit, match="error: the answer has 20,001 characters"):
        cli_main(["--answer", "w" * 20_001, "--passage", PASSAGE])


def test_an_answer_over_the_time_budget_is_refused_and_a_batch_still_judges_the_rest():
    from nli_judge.judge.batch import judge_rows

    judge = FaithfulnessJudge.load(max_pairs=4, max_windows=None)
    two_claims = "Aspirin thins the blood. It is taken for pain."
    passages = ["Aspirin thins the blood.", "It is taken for pain and fever."]
    assert judge.pair_count(two_claims, passages) == 4
    assert judge.score(two_claims, passages).verdict == "faithful"  # at the budget
    with pytest.raises(InputTooLarge, match=r"needs 6 model pairs .* budget of 4 "
                       r"\(JudgeSettings.max_pairs"):
        judge.score(two_claims, passages + ["Aspirin is an NSAID."])
    rows = [{"id": 1, "answer": two_claims, "passages": passages},
            {"id": 2, "answer": two_claims, "passages": passages + ["Aspirin is an NSAID."]},
            {"id": 3, "answer": "Aspirin thins the blood.", "passages": passages}]
    out = judge_rows(judge, rows)
    assert [r["id"] for r in out] == [1, 2, 3]
    assert out[0]["verdict"] == out[2]["verdict"] == "faithful" and "max_pairs" in out[1]["error"]
