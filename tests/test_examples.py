"""The examples in examples/ run as a user would run them (offline, no LLM)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("script, expect", [
    ("ragas_example.py", "0 of 1 claim sentences supported"),
    ("deepeval_example.py", "GroundedChat Faithfulness"),
    ("langchain_example.py", "faithful"),
])
def test_example_runs(script, expect, tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "DEEPEVAL_TELEMETRY_OPT_OUT": "YES",
           "RAGAS_DO_NOT_TRACK": "true", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(ROOT / "examples" / script)], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert expect in out.stdout
