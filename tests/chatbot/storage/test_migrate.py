"""Alembic migrations on SQLite and a real PostgreSQL server: up and down keep the data, the
migrated schema is the models' schema, a pre-Alembic database is adopted."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from chatbot.storage.migrate import current, downgrade, head, main, upgrade
from chatbot.storage.store import Base, Feedback, Store


def columns(engine, table):
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_up_and_down_keep_the_data(db_url):
    engine = create_engine(db_url)
    assert current(engine) is None
    upgrade(engine)
    assert current(engine) == head() == "0005"
    with engine.connect() as conn:  # the migrated schema is exactly the models' schema
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    store = Store(db_url)
    tid = store.add_turn(store.new_conversation(), question="Q", answer="A")
    store.add_feedback(tid, thumbs=1, comment="kept", request_id="r1")

    downgrade(engine, "0003")
    assert "relevance" not in columns(engine, "turns")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT answer FROM turns")).scalar_one() == "A"
    downgrade(engine, "0001")
    assert current(engine) == "0001" and "request_id" not in columns(engine, "feedback")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT comment FROM feedback")).scalar_one() == "kept"
    upgrade(engine)
    assert "request_id" in columns(engine, "feedback") and Store(db_url).count(Feedback) == 1

    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert current(engine) == "0005" and Store(db_url).count(Feedback) == 0


def test_a_database_made_before_migrations_is_adopted(db_url):
    engine = create_engine(db_url)
    upgrade(engine, "0001")
    with engine.begin() as conn:  # what Base.metadata.create_all left: tables, no version
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text("INSERT INTO conversations (id, created_at) VALUES "
                          "('c1', CURRENT_TIMESTAMP)"))
    store = Store(db_url)
    assert current(engine) == "0005"
    store.add_turn("c1", question="Q", answer="A")
    assert store.turns("c1")[0]["question"] == "Q"


def test_cli_reports_and_moves_the_revision(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'gc.db'}"
    main(["upgrade", "--url", url])
    assert "revision 0005 (newest 0005)" in capsys.readouterr().out
    main(["downgrade", "0001", "--url", url])
    assert "revision 0001" in capsys.readouterr().out
    main(["current", "--url", url])
    assert "revision 0001 (newest 0005)" in capsys.readouterr().out


def test_existing_raters_become_accounts_and_keep_their_ratings(db_url):
    engine = create_engine(db_url)
    upgrade(engine, "0004")
    with engine.begin() as conn:  # two raters' ratings from before accounts existed
        for rater in ("ann", "bob", "ann"):
            conn.execute(text("INSERT INTO ratings (rater, item_id, answer, passages, "
                              "faithfulness, unsupported_sentences, safety_concern, "
                              "created_at) VALUES (:r, 'i', 'A', '[]', 4, '[]', false, "
                              "CURRENT_TIMESTAMP)"), {"r": rater})
    upgrade(engine)
    from chatbot.access import Accounts

    accounts = Accounts(Store(db_url))
    rows = accounts.list()
    assert [(a["username"], a["role"], a["password"]) for a in rows] == [
        ("ann", "rater", False), ("bob", "rater", False)]
    assert accounts.role_of("ann") == "rater"
    accounts.set_password("ann", "a long enough password")
    user = accounts.login("ann", "a long enough password")
    assert user.name == "ann" and Store(db_url).rated_items("ann") == {"i"}
    downgrade(engine, "0004")
    assert "accounts" not in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ratings")).scalar_one() == 3
