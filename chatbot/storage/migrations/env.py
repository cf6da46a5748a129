"""Alembic environment for the app's database (chatbot/storage/store.py). Run through
``chatbot.storage.migrate`` (``python -m chatbot.storage.migrate``), which passes the connection in
``config.attributes["connection"]``; ``alembic -x url=...`` works too."""

from alembic import context
from sqlalchemy import create_engine

from chatbot.storage.store import Base

config = context.config
connection = config.attributes.get("connection")


def run(conn) -> None:
    # render_as_batch: SQLite can only add columns; batch mode rebuilds a table for the rest.
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or \
        config.get_main_option("sqlalchemy.url")
    with create_engine(url).connect() as conn:
        run(conn)
