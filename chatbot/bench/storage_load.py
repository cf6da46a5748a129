"""Load test of the app's storage: many concurrent writers, then a check that nothing was lost.

    python -m chatbot.bench.storage_load [--writers 50] [--each 20] [--sqlite] [--postgres URL|temp]

Each writer (a thread with its own engine and connections, as separate app processes would
have) stores ``--each`` rounds of a chat turn (new conversation), feedback on it and a human
rating (both with a request id, as the app sends them), all writers released at once. Then
every row is counted by its marker: each must be there exactly once. Prints per database:
writes/s over the whole run, p50 / p95 / max milliseconds per write, rows lost, rows
duplicated and writer errors. ``--sqlite`` (the default when no ``--postgres`` is given) uses
a new SQLite file in WAL mode; ``--postgres temp`` starts a throw-away PostgreSQL server
(chatbot/storage/temp_postgres.py), ``--postgres URL`` uses an existing, empty database.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from sqlalchemy import select

from chatbot.storage.store import Feedback, Rating, Store, Turn


def _writer(url: str, k: int, each: int, gate: threading.Barrier, times: list[float],
            errors: list[str]) -> None:
    store = Store(url)

    def timed(write, *args, **kwargs):
        t0 = time.perf_counter()
        out = write(*args, **kwargs)
        times.append(time.perf_counter() - t0)
        return out

    gate.wait()
    for i in range(each):
        mark = f"w{k}-{i}"
        try:
            turn_id = timed(store.add_turn, f"conv-{mark}", question=mark, answer="A.")
            timed(store.add_feedback, turn_id, thumbs=i % 2, comment=mark,
                  request_id=f"fb-{mark}")
            timed(store.add_rating, f"rater-{k}", mark, "A.", ["P."], 1 + i % 5,
                  request_id=f"rt-{mark}")
        except Exception as e:  # reported, and its rows counted as lost below
            errors.append(f"{mark}: {type(e).__name__}: {e}")


def check_rows(store: Store, writers: int, each: int) -> dict:
    """Rows lost and duplicated: every marker must appear exactly once in each table."""
    expected = {f"w{k}-{i}" for k in range(writers) for i in range(each)}
    out = {"lost": 0, "duplicated": 0}
    with store.session() as s:
        for column in (Turn.question, Feedback.comment, Rating.item_id):
            seen = Counter(s.scalars(select(column)))
            out["lost"] += len(expected - set(seen))
            out["duplicated"] += sum(n - 1 for m, n in seen.items() if m in expected and n > 1)
    return out


def run(url: str, writers: int = 50, each: int = 20) -> dict:
    """Run the load on the (empty) database at ``url`` and return the measurements."""
    Store(url)  # schema first, as the app's first start would
    gate = threading.Barrier(writers)
    times: list[float] = []
    errors: list[str] = []
    threads = [threading.Thread(target=_writer, args=(url, k, each, gate, times, errors))
               for k in range(writers)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    ms = np.array(times) * 1000
    rows = check_rows(Store(url), writers, each)
    return {"database": url.split(":", 1)[0].split("+")[0], "writers": writers, "each": each,
            "writes": len(times), "seconds": round(seconds, 2),
            "writes_per_s": round(len(times) / seconds, 1),
            "p50_ms": round(float(np.percentile(ms, 50)), 1) if len(ms) else None,
            "p95_ms": round(float(np.percentile(ms, 95)), 1) if len(ms) else None,
            "max_ms": round(float(ms.max()), 1) if len(ms) else None,
            **rows, "errors": len(errors), "first_errors": errors[:3]}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m chatbot.bench.storage_load", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--writers", type=int, default=50, help="concurrent writers")
    ap.add_argument("--each", type=int, default=20, help="rounds (turn, feedback, rating) "
                    "per writer")
    ap.add_argument("--sqlite", action="store_true", help="test a new SQLite file (WAL)")
    ap.add_argument("--postgres", help="'temp' (start a throw-away server) or the URL of an "
                    "empty PostgreSQL database")
    ap.add_argument("--json", action="store_true", help="print JSON lines only")
    args = ap.parse_args(argv)
    results = []
    with ExitStack() as stack:
        urls = []
        if args.sqlite or not args.postgres:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            urls.append(f"sqlite:///{folder / 'load.db'}")
        if args.postgres == "temp":
            from chatbot.storage.temp_postgres import PostgresServer, find_bin

            bin_dir = find_bin()
            if bin_dir is None:
                raise SystemExit("error: --postgres temp needs the PostgreSQL server "
                                 "binaries (Debian's postgresql package)")
            urls.append(stack.enter_context(PostgresServer(bin_dir)).new_database())
        elif args.postgres:
            urls.append(args.postgres)
        for url in urls:
            results.append(run(url, args.writers, args.each))
    if args.json:
        for r in results:
            print(json.dumps(r))
        return
    print(f"{args.writers} writers x {args.each} rounds (turn + feedback + rating)")
    print("| database | writes/s | p50 ms | p95 ms | max ms | lost | duplicated | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['database']} | {r['writes_per_s']} | {r['p50_ms']} | {r['p95_ms']} | "
              f"{r['max_ms']} | {r['lost']} | {r['duplicated']} | {r['errors']} |")
        for e in r["first_errors"]:
            print(f"  error: {e}")


if __name__ == "__main__":
    main()
