"""Detached background jobs: started in a session of their own, found by their pid file while
they run, and no longer once they have ended (reaped, not left as zombies)."""

import os
import sys
import time

from chatbot.jobs.background import live_pid, start_detached


def test_a_job_is_live_while_it_runs_and_not_after(tmp_path):
    pid_file, log = tmp_path / "jobs" / "job.pid", tmp_path / "job.log"
    assert live_pid(pid_file) is None  # no file
    pid = start_detached([sys.executable, "-c", "import os, time; print(os.getsid(0)); "
                          "time.sleep(1.5); print('done')"], pid_file, log, {"GC_X": "1"})
    assert live_pid(pid_file) == pid != os.getpid()
    deadline = time.monotonic() + 30
    while live_pid(pid_file) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_pid(pid_file) is None  # ended and reaped: not a zombie taken for a live job
    session, done = log.read_text().split()
    assert int(session) == pid and done == "done"  # its own session; output in the log
    pid_file.write_text("not a pid")
    assert live_pid(pid_file) is None
