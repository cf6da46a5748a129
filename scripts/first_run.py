"""Measure a first run the way a new user has it: the app on an empty var folder, one real
MedQuAD question asked in a real browser, and the background index build to the end.

    python scripts/first_run.py [--question "..."] [--screenshot docs/chat_verdict.png]

Starts ``streamlit run streamlit_app.py`` (default settings: the Qwen 0.5B model, the index
built in the background) with GC_VAR_DIR set to a new temporary folder, drives Debian's
chromium with Playwright, and prints: seconds until the chat box shows, from sending the
question until its first words show in the page (``first_token_s``) and until the answer is
complete with the judge's verdict, the same for a second question (``warm_*``: the model
loaded), and until the full index is built.
The screenshot is taken when the verdict shows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


# true once the chat holds the question's answer message (after the ``n`` messages there were
# before sending) with any streamed text in it; the "Thinking..." spinner does not count
_ANSWER_TEXT_SHOWS = """n => {
  const m = document.querySelectorAll('[data-testid="stChatMessage"]');
  if (m.length < n + 2) return false;
  return [...m[m.length - 1].querySelectorAll('[data-testid="stMarkdownContainer"]')]
    .some(e => !e.closest('[data-testid="stSpinner"]') && e.innerText.trim().length > 0);
}"""


def send_and_time(page, question: str, timeout_ms: int = 600_000) -> dict[str, float]:
    """Send ``question`` in the chat box and wait for the answer: seconds until its first
    streamed words show (``first_token_s``), until the judge's verdict shows (``verdict_s``),
    and ``verdict_shown_at_first_token`` (1.0 if the verdict was already there, so nothing
    was seen streaming)."""
    box = page.get_by_placeholder("Ask about a health topic")
    n = page.locator('[data-testid="stChatMessage"]').count()
    verdicts = page.get_by_text("Judge:", exact=True)
    before = verdicts.count()
    box.fill(question)
    t0 = time.time()
    box.press("Enter")
    page.wait_for_function(_ANSWER_TEXT_SHOWS, arg=n, timeout=timeout_ms, polling=50)
    out = {"first_token_s": time.time() - t0,
           "verdict_shown_at_first_token": float(verdicts.count() > before)}
    verdicts.nth(before).wait_for(timeout=timeout_ms)
    out["verdict_s"] = time.time() - t0
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--question", default="What are the symptoms of glaucoma?")
    ap.add_argument("--then", default="How is glaucoma treated?",
                    help="a second question, in a new conversation once the first is answered: "
                    "its times show the chat warm (model loaded), as warm_* ('' to skip)")
    ap.add_argument("--screenshot", type=Path, default=ROOT / "var" / "screenshots" /
                    "first_run.png")
    ap.add_argument("--wait-index", type=float, default=900,
                    help="seconds to wait for the background index build (0: do not wait)")
    ap.add_argument("--var-dir", type=Path, help="default: a new temporary folder")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    var = args.var_dir or Path(tempfile.mkdtemp(prefix="gc-first-run-")) / "var"
    var.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "GC_VAR_DIR": str(var), "HF_HUB_OFFLINE": "1"}
    t0 = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times: dict[str, float] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1900})
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}")
                    break
                except Exception:
                    if time.time() - t0 > 60:
                        raise
                    time.sleep(0.5)
            box = page.get_by_placeholder("Ask about a health topic")
            box.wait_for(timeout=300_000)
            times["chat_box_s"] = time.time() - t0
            times.update(send_and_time(page, args.question))
            times["answered_after_start_s"] = time.time() - t0
            page.wait_for_timeout(1500)
            args.screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.screenshot), full_page=True)
            if args.then:  # in a new conversation: no history, so no question rewrite
                page.get_by_text("New conversation").click()
                page.wait_for_timeout(2000)
                times.update({f"warm_{k}": v for k, v in send_and_time(page, args.then).items()})
            browser.close()
        progress_file = var / "index_build" / "progress.json"
        if progress_file.exists():
            times["index_progress_at_answer"] = json.loads(progress_file.read_text())["done"]
        deadline = time.time() + args.wait_index
        while args.wait_index and time.time() < deadline:
            if (var / "index" / "manifest.json").exists():
                times["index_built_s"] = time.time() - t0
                break
            time.sleep(2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        pid_file = var / "index_build" / "build.pid"
        if pid_file.exists():  # a build still running: stop it (it resumes on the next start)
            try:
                os.kill(int(pid_file.read_text()), 15)
            except (ProcessLookupError, ValueError):
                pass
    print(json.dumps({k: round(v, 1) for k, v in times.items()}, indent=1))
    print(f"var folder: {var}; screenshot: {args.screenshot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
