"""Load test of the judge service on 127.0.0.1: requests/s and latency for 1 and 2 workers.

    python -m nli_judge.judge.load_test [--workers 1 2] [--requests 200] [--concurrency 4]

Starts ``groundedchat-judge serve`` (the same as ``python -m nli_judge.judge serve``) for
each worker count, waits for ``/health``, sends the same 4-passage answer (the bench's 4x4
workload) from ``--concurrency`` client threads, and prints one row per worker count.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np

from nli_judge.judge.bench import ANSWER, workloads


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited with {proc.returncode}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"no /health from {url} in {timeout:.0f}s")


def measure(workers: int, requests: int, concurrency: int) -> dict:
    """Start the service with ``workers`` processes and measure it."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "nli_judge.judge", "serve", "--port",
                             str(port), "--workers", str(workers)])
    try:
        _wait_healthy(url, proc)
        body = {"answer": ANSWER, "passages": workloads()["4x4"]}
        with httpx.Client(base_url=url, timeout=120) as client:
            for _ in range(2 * workers):  # warm every worker
                client.post("/v1/judge", json=body).raise_for_status()

            def one(_):
                t0 = time.perf_counter()
                client.post("/v1/judge", json=body).raise_for_status()
                return (time.perf_counter() - t0) * 1000

            t0 = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                lat = list(pool.map(one, range(requests)))
            wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"workers": workers, "requests": requests, "concurrency": concurrency,
            "requests_per_s": round(requests / wall, 1),
            "p50_ms": round(float(np.percentile(lat, 50)), 1),
            "p95_ms": round(float(np.percentile(lat, 95)), 1)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--json", action="store_true", help="print JSON lines")
    args = ap.parse_args(argv)
    if not args.json:
        print("workers  requests/s   p50 ms   p95 ms")
    for w in args.workers:
        row = measure(w, args.requests, args.concurrency)
        print(json.dumps(row) if args.json else
              f"{w:>7}  {row['requests_per_s']:>10}  {row['p50_ms']:>7}  {row['p95_ms']:>7}",
              flush=True)


if __name__ == "__main__":
    main()
