"""The judge's JSON output holds its published schema (result_schema.json) and names the
schema version and the judge that scored it."""

import json

import jsonschema

from nli_judge import FaithfulnessJudge, FaithfulnessResult
from nli_judge.judge.results import SCHEMA_FILE, SCHEMA_VERSION
from nli_judge.text import sha256_file

PASSAGE = "Metformin treats type 2 diabetes. The usual starting dose is 500 mg twice a day."
ANSWER = "Metformin treats type 2 diabetes. Hello! The usual starting dose is 850 mg."


def test_result_json_validates_against_the_schema():
    judge = FaithfulnessJudge.load()
    data = json.loads(judge.score(ANSWER, [PASSAGE]).to_json())
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.validate(data, schema)
    assert data["schema_version"] == SCHEMA_VERSION == schema["properties"]["schema_version"][
        "const"]
    weights = judge.model.model.name_or_path + "/model.safetensors"
    assert data["judge_version"]["model_sha256"] == sha256_file(weights)[:16]
    assert data["judge_version"]["backend"] == "torch"
    first = data["sentences"][0]
    assert ANSWER[first["start"]:first["end"]] == first["text"]
    assert PASSAGE[first["window_start"]:first["window_end"]] == first["evidence"]
    assert [s["label"] for s in data["sentences"]][1] == "no_claim"


def test_the_schema_refuses_a_result_without_its_version():
    data = FaithfulnessJudge.load().score(ANSWER, [PASSAGE]).to_dict()
    del data["judge_version"]
    schema = json.loads(SCHEMA_FILE.read_text())
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as e:
        assert "judge_version" in str(e.message)
    else:
        raise AssertionError("a result without judge_version passed the schema")


def test_other_settings_are_another_judge_version():
    a = FaithfulnessJudge.load()
    b = FaithfulnessJudge.load(threshold=0.9)
    assert a.version["model_sha256"] == b.version["model_sha256"]
    assert a.version["settings_sha256"] != b.version["settings_sha256"]


def test_results_stored_before_versions_still_load():
    old = {"score": 0.8, "verdict": "faithful", "sentences": [], "threshold": 0.5, "notes": []}
    assert FaithfulnessResult.from_dict(old).schema_version == "0"
