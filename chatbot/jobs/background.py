"""Detached background jobs of the app (the index build, the faster model's export): a
process of its own that outlives the page that started it, found again by its pid file."""

from __future__ import annotations

import argparse
import os
import subprocess
import threading
from pathlib import Path

from chatbot.settings import ChatSettings


def live_pid(pid_file: Path) -> int | None:
    """The pid written in ``pid_file`` if that process is alive, else None."""
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None


def start_detached(cmd: list[str], pid_file: Path, log: Path, env: dict | None = None) -> int:
    """Run ``cmd`` in a new session (stdin closed; stdout and stderr appended to ``log``),
    write its pid to ``pid_file`` and return it."""
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, **(env or {})})
    pid_file.write_text(str(proc.pid))
    # reaped when it ends: a finished child left unreaped stays a zombie, which ``live_pid``
    # would take for a live job
    threading.Thread(target=proc.wait, daemon=True).start()
    return proc.pid


def add_job_arguments(ap: argparse.ArgumentParser) -> None:
    """The options every background job's command takes: ``--var-dir`` and
    ``--low-priority``."""
    ap.add_argument("--var-dir", type=Path, help="the var folder (default: GC_VAR_DIR or var/)")
    ap.add_argument("--low-priority", action="store_true",
                    help="run at a lower CPU priority (nice 10), so that a chat answering "
                    "meanwhile gets the cores first (the app starts it so)")


def job_settings(args: argparse.Namespace) -> ChatSettings:
    """The settings a job runs with (its ``--var-dir`` over the environment's); with
    ``--low-priority`` the process's priority is lowered first."""
    if args.low_priority:
        os.nice(10)
    return ChatSettings(**({"var_dir": args.var_dir} if args.var_dir else {}))
