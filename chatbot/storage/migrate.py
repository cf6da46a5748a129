"""Schema migrations of the app's database (Alembic; the scripts are in chatbot/storage/migrations).

    python -m chatbot.storage.migrate [upgrade [REV] | downgrade REV | current] [--url URL]

``Store`` upgrades its database to the newest revision when it opens it, so the app and the
CLI never need this by hand; it is here to see where a database stands, to upgrade it ahead
of a deploy, or to step back (``downgrade 0001``). ``--url`` defaults to the app's
``DATABASE_URL`` / ``GC_DATABASE_URL`` setting. A database made before migrations existed (tables,
no ``alembic_version``) is taken as revision 0001 and upgraded from there.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
BASELINE = "0001"  # the schema that Base.metadata.create_all made before Alembic
_LOCK = 48_611_203  # Postgres advisory lock id: one migrating process at a time


def _config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The database's revision, or None for an empty (or pre-Alembic) database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``; nothing to do (one read) when it is there."""
    if revision == "head" and current(engine) == head():
        return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # several app processes may start at once
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
        cfg = _config(conn)
        tables = set(inspect(conn).get_table_names())
        if "turns" in tables and "alembic_version" not in tables:
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema back to ``revision`` (``base``: no tables)."""
    with engine.begin() as conn:
        command.downgrade(_config(conn), revision)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m chatbot.storage.migrate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", nargs="?", default="current",
                    choices=["upgrade", "downgrade", "current"])
    ap.add_argument("revision", nargs="?", help="target revision (upgrade: default head)")
    ap.add_argument("--url", help="database URL (default: the app's setting)")
    args = ap.parse_args(argv)
    if args.url is None:
        from chatbot.settings import ChatSettings

        args.url = ChatSettings().db_url
    engine = create_engine(args.url)
    if args.action == "upgrade":
        upgrade(engine, args.revision or "head")
    elif args.action == "downgrade":
        if not args.revision:
            ap.error("downgrade needs a revision (e.g. 0001, or base)")
        downgrade(engine, args.revision)
    print(f"{args.url.split('@')[-1]}: revision {current(engine) or 'none'} "
          f"(newest {head()})")


if __name__ == "__main__":
    main()
