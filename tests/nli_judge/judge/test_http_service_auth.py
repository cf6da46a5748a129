"""The judge service behind API keys, over real HTTP: uvicorn on a free port, the real judge,
httpx as the client. 401 without or with an unknown key, 403 for a revoked one, 429 with
Retry-After past the rate limit, /health open, keys never logged."""

import logging
import threading
import time

import httpx
import pytest
import uvicorn

from nli_judge import FaithfulnessJudge
from nli_judge.judge.api_keys import KeyRing, add_key, read_key_file, revoke_key
from nli_judge.judge.cli import main as cli_main
from nli_judge.judge.http_service import create_app
from scripts.first_run import free_port

GOOD = {"answer": "Metformin treats type 2 diabetes.",
        "passages": ["Metformin treats type 2 diabetes."]}


@pytest.fixture(scope="module")
def judge():
    return FaithfulnessJudge.load()


@pytest.fixture
def serve(judge):
    """Start the service with the given keys; yields a function returning its base URL."""
    servers = []

    def start(keys: KeyRing | None, rate_per_minute: float = 120.0) -> str:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(
            create_app(judge, keys=keys, rate_per_minute=rate_per_minute), host="127.0.0.1",
            port=port, log_level="info"))
        threading.Thread(target=server.run, daemon=True).start()
        deadline = time.time() + 30
        while not server.started and time.time() < deadline:
            time.sleep(0.05)
        servers.append(server)
        return f"http://127.0.0.1:{port}"

    yield start
    for s in servers:
        s.should_exit = True


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_without_a_valid_key_only_health_answers(serve, caplog, capfd, tmp_path):
    keys_file = tmp_path / "keys.jsonl"
    key = add_key(keys_file, "team-a")
    url = serve(KeyRing(file=keys_file))
    caplog.set_level(logging.INFO)
    with httpx.Client(base_url=url, timeout=60) as c:
        assert c.get("/health").status_code == 200
        r = c.post("/v1/judge", json=GOOD)
        assert r.status_code == 401 and "Authorization: Bearer" in r.json()["detail"]
        assert r.headers["www-authenticate"] == "Bearer"
        for headers in (bearer("gcj_not-a-key"), {"Authorization": f"Basic {key}"},
                        {"Authorization": key}, {"Authorization": "Bearer"}):
            r = c.post("/v1/judge", json=GOOD, headers=headers)
            assert r.status_code == 401, headers
        for path in ("/openapi.json", "/docs"):
            assert c.get(path).status_code == 401
        r = c.post("/v1/judge", json=GOOD, headers=bearer(key))
        assert r.status_code == 200 and r.json()["verdict"] == "faithful"
        batch = c.post("/v1/judge/batch", json={"items": [GOOD]}, headers=bearer(key))
        assert batch.status_code == 200
        schema = c.get("/openapi.json", headers=bearer(key)).json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert schema["paths"]["/v1/judge"]["post"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in schema["paths"]["/health"]["get"]
    captured = capfd.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert '"POST /v1/judge HTTP/1.1" 401' in logged  # uvicorn's access log ran...
    assert key not in logged and "gcj_not-a-key" not in logged  # ...and holds no key


def test_a_revoked_key_gets_403_without_a_restart(serve, tmp_path):
    keys_file = tmp_path / "keys.jsonl"
    a, b = add_key(keys_file, "a"), add_key(keys_file, "b")
    assert a not in keys_file.read_text() and b not in keys_file.read_text()
    assert keys_file.stat().st_mode & 0o077 == 0  # hashes readable by the owner only
    url = serve(KeyRing(file=keys_file))
    with httpx.Client(base_url=url, timeout=60) as c:
        assert c.post("/v1/judge", json=GOOD, headers=bearer(a)).status_code == 200
        time.sleep(0.01)  # a new modification time for the file
        revoke_key(keys_file, "a")
        r = c.post("/v1/judge", json=GOOD, headers=bearer(a))
        assert r.status_code == 403 and "'a' is revoked" in r.json()["detail"]
        assert c.post("/v1/judge", json=GOOD, headers=bearer(b)).status_code == 200


def test_past_the_rate_limit_429_with_retry_after_per_key(serve):
    url = serve(KeyRing({"one": "gcj_key-one", "two": "gcj_key-two"}), rate_per_minute=2)
    with httpx.Client(base_url=url, timeout=60) as c:
        codes = [c.post("/v1/judge", json=GOOD, headers=bearer("gcj_key-one")).status_code
                 for _ in range(2)]
        r = c.post("/v1/judge", json=GOOD, headers=bearer("gcj_key-one"))
        assert codes == [200, 200] and r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 30  # 2 a minute: one every 30 s
        assert c.post("/v1/judge", json=GOOD, headers=bearer("gcj_key-two")).status_code == 200


def test_without_keys_the_service_is_open_as_before(serve):
    with httpx.Client(base_url=serve(None), timeout=60) as c:
        assert c.post("/v1/judge", json=GOOD).status_code == 200
        assert c.get("/openapi.json").status_code == 200


def test_keys_from_the_environment(tmp_path):
    assert KeyRing.from_env({}) is None
    ring = KeyRing.from_env({"GC_JUDGE_API_KEYS": " k1 ,k2,"})
    assert ring.check("k2")[0] == "ok" and ring.check("k3") == ("unknown", None)
    with pytest.raises(ValueError, match="no file"):
        KeyRing.from_env({"GC_JUDGE_API_KEYS_FILE": str(tmp_path / "missing")})
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"name": "x"}\n')
    with pytest.raises(ValueError, match="line 1: not a key entry"):
        KeyRing.from_env({"GC_JUDGE_API_KEYS_FILE": str(bad)})


def test_keys_command_and_serve_refusing_to_listen_openly(tmp_path, capsys, monkeypatch):
    f = tmp_path / "keys.jsonl"
    cli_main(["keys", "add", "ops", "--file", str(f)])
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("gcj_") and KeyRing(file=f).check(key)[0] == "ok"
    with pytest.raises(SystemExit, match="already a key named 'ops'"):
        cli_main(["keys", "add", "ops", "--file", str(f)])
    cli_main(["keys", "revoke", "ops", "--file", str(f)])
    cli_main(["keys", "list", "--file", str(f)])
    assert "ops\trevoked" in capsys.readouterr().out
    assert [e.revoked for e in read_key_file(f)] == [True]
    monkeypatch.delenv("GC_JUDGE_API_KEYS", raising=False)
    monkeypatch.delenv("GC_JUDGE_API_KEYS_FILE", raising=False)
    with pytest.raises(SystemExit, match="refusing to serve on 0.0.0.0 without API keys"):
        cli_main(["serve", "--host", "0.0.0.0"])
