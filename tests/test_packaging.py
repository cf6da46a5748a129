"""The wheel carries the judge: built from this checkout, installed into a fresh virtual
environment (the pinned dependencies already present, as after `pip install groundedchat`),
it judges an answer outside the repository, from Python and from its console script."""

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

SCRIPT = """
import json, sys, nli_judge
from nli_judge import FaithfulnessJudge
r = FaithfulnessJudge.load().score("Metformin treats type 2 diabetes.",
                                   ["Metformin is used to treat type 2 diabetes."])
print(json.dumps({"file": nli_judge.__file__, "verdict": r.verdict,
                  "version": r.judge_version}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "--no-build-isolation", "--quiet", "-w", str(out)], check=True)
    (whl,) = out.glob("groundedchat-*.whl")
    return whl


def test_the_wheel_holds_the_checkpoint_schema_and_scripts(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("model.safetensors", "tokenizer.json", "config.json", "judge_calibration.json",
              "MODEL_CARD.md", "JUDGE_CARD.md"):
        assert f"nli_judge/checkpoint/{f}" in names
    assert "nli_judge/judge/result_schema.json" in names
    for f in ("env.py", "script.py.mako", "versions/0001_initial.py",
              "versions/0002_request_ids.py", "versions/0003_wider_verdict.py"):
        assert f"chatbot/storage/migrations/{f}" in names  # Store() migrates the database with them
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    scripts = zipfile.ZipFile(wheel).read(entry).decode()
    for s in ("groundedchat-judge", "groundedchat-eval", "groundedchat-chat"):
        assert s in scripts


def test_installed_wheel_judges_outside_the_repo(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.check_output(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip())
    # the dependencies are already present: this environment's packages, after the venv's own
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps",
                    "--quiet", str(wheel)], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GC_VAR_DIR": str(work / "var"),
           "PYTHONPATH": ""}
    out = json.loads(subprocess.check_output([py, "-c", SCRIPT], cwd=work, env=env, text=True))
    assert Path(out["file"]).is_relative_to(env_dir)  # the installed copy, not this checkout
    assert out["verdict"] == "faithful"
    assert out["version"]["package"] == version("groundedchat") and out["version"]["model_sha256"]
    cli = subprocess.run([env_dir / "bin" / "groundedchat-judge", "--answer",
                          "Metformin cures asthma.", "--passage",
                          "Metformin is used to treat type 2 diabetes.", "--json"],
                         cwd=work, env=env, capture_output=True, text=True, check=True)
    assert json.loads(cli.stdout)["verdict"] == "unfaithful"
