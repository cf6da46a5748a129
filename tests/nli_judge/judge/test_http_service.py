"""The HTTP service on the real judge, through FastAPI's TestClient (an in-process client)."""

import json

import jsonschema
import pytest
from fastapi.testclient import TestClient

from nli_judge import FaithfulnessJudge
from nli_judge.judge.cli import main as cli_main
from nli_judge.judge.http_service import create_app
from nli_judge.judge.results import SCHEMA_FILE, SCHEMA_VERSION

PASSAGE = "Metformin treats type 2 diabetes. The usual starting dose is 500 mg twice a day."
GOOD = {"answer": "Metformin treats type 2 diabetes.", "passages": [PASSAGE]}
BAD = {"answer": "Metformin cures asthma.", "passages": [PASSAGE], "question": "Uses?"}


@pytest.fixture(scope="module")
def judge():
    return FaithfulnessJudge.load()


@pytest.fixture(scope="module")
def client(judge):
    return TestClient(create_app(judge, max_body_bytes=20_000))


def test_judge_one_answer_gives_the_judges_own_result(client, judge):
    r = client.post("/v1/judge", json=BAD)
    assert r.status_code == 200
    body = r.json()
    jsonschema.validate(body, json.loads(SCHEMA_FILE.read_text()))
    direct = judge.score(BAD["answer"], BAD["passages"], BAD["question"]).to_dict()
    assert body == json.loads(json.dumps(direct))
    assert body["verdict"] == "unfaithful"


def test_batch_keeps_the_order(client, judge):
    r = client.post("/v1/judge/batch", json={"items": [GOOD, BAD]})
    assert r.status_code == 200
    verdicts = [x["verdict"] for x in r.json()["results"]]
    assert verdicts == ["faithful", "unfaithful"]


def test_health_and_openapi(client, judge):
    h = client.get("/health").json()
    assert h["status"] == "ok" and h["schema_version"] == SCHEMA_VERSION
    assert h["judge_version"] == judge.version
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/judge", "/v1/judge/batch", "/health"} <= set(paths)


def test_oversized_requests_are_refused_with_413(client):
    big = {"answer": "x", "passages": ["word " * 10_000]}
    r = client.post("/v1/judge", json=big)
    assert r.status_code == 413 and "over 20000 bytes" in r.json()["detail"]

    def chunks():  # no Content-Length: counted while it streams in
        for _ in range(30):
            yield b" " * 1000

    r = client.post("/v1/judge", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize("body, where", [
    ({"passages": [PASSAGE]}, "answer"),
    ({"answer": "a", "passages": "not a list"}, "passages"),
    ({"items": []}, "items"),
])
def test_malformed_requests_say_what_is_wrong(client, body, where):
    path = "/v1/judge/batch" if "items" in body else "/v1/judge"
    r = client.post(path, json=body)
    assert r.status_code == 422
    assert any(where in err["loc"] for err in r.json()["detail"])


def test_serve_subcommand_has_help(capsys):
    with pytest.raises(SystemExit) as e:
        cli_main(["serve", "--help"])
    assert e.value.code == 0 and "--workers" in capsys.readouterr().out


@pytest.mark.slow
def test_load_test_starts_the_real_service_and_measures_it():
    """groundedchat-judge serve in a subprocess (uvicorn, one worker), real HTTP requests."""
    from nli_judge.judge.load_test import measure

    row = measure(workers=1, requests=6, concurrency=2)
    assert row["requests"] == 6 and row["requests_per_s"] > 0
    assert 0 < row["p50_ms"] <= row["p95_ms"]
