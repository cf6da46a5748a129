"""The app as a real server for browser tests: ``streamlit run`` on 127.0.0.1 with a var
folder, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scripts.first_run import FLAGS, free_port
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium")


def wait_for(proc: subprocess.Popen, port: int, what: str, timeout: float) -> None:
    """Wait until ``proc`` listens on ``port``; fail the test with its output if it does not
    within ``timeout`` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    proc.kill()
    pytest.fail(f"{what} did not start: " + proc.stdout.read().decode()[-2000:])


@contextmanager
def run_app(var: Path, *args: str, port: int | None = None, **env: str) -> Iterator[str]:
    """The app on ``port`` (default: a free one) over ``var`` (the 135M test model,
    llama.cpp, guard warn); ``args`` are more ``streamlit run`` options, ``env`` more
    settings. Yields its URL; stops it afterwards."""
    port = port or free_port()
    env = {**os.environ, "GC_VAR_DIR": str(var), "GC_LOCAL_MODEL": "smollm2-135m-instruct",
           "GC_MAX_NEW_TOKENS": "40", "GC_GUARD": "warn",
           "GC_LOCAL_BACKEND": "llama-cpp",  # auto would make the ONNX export meanwhile
           **env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for(proc, port, "streamlit", timeout=60)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def launch(playwright, tmp_path: Path):
    """Debian's chromium, headless, with a fresh --user-data-dir (Playwright takes it as the
    persistent context's folder)."""
    return playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=FLAGS, headless=True,
        viewport={"width": 1280, "height": 1000})
