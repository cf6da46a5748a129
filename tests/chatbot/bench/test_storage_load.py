"""The storage load test on SQLite (WAL) and a real PostgreSQL server, with small counts: 50
concurrent writers, and afterwards every row there exactly once."""

import json

from sqlalchemy import delete

from chatbot.bench.storage_load import check_rows, main, run
from chatbot.storage.store import Rating, Store


def test_fifty_writers_lose_and_duplicate_nothing(db_url):
    r = run(db_url, writers=50, each=3)
    assert (r["lost"], r["duplicated"], r["errors"]) == (0, 0, 0), r["first_errors"]
    assert r["writes"] == 50 * 3 * 3 and r["writes_per_s"] > 0 and r["p95_ms"] >= r["p50_ms"]


def test_the_check_sees_a_lost_and_a_duplicated_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'gc.db'}"
    run(url, writers=2, each=2)
    store = Store(url)
    assert check_rows(store, 2, 2) == {"lost": 0, "duplicated": 0}
    tid = store.add_turn("c-extra", question="w0-0", answer="A.")  # the same marker again
    store.add_rating("rater-0", "w1-1", "A.", ["P."], 3)
    with store.session() as s, s.begin():
        s.execute(delete(Rating).where(Rating.item_id == "w1-0"))
    assert check_rows(store, 2, 2) == {"lost": 1, "duplicated": 2}
    assert tid


def test_cli_prints_one_json_line_per_database(capsys):
    main(["--writers", "3", "--each", "2", "--json"])
    (line,) = capsys.readouterr().out.splitlines()
    r = json.loads(line)
    assert r["database"] == "sqlite" and r["writes"] == 18 and r["lost"] == 0
