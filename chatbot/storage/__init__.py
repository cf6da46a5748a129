"""What the app keeps: ``store`` (the tables and ``Store``), ``migrate`` (Alembic, scripts in
``migrations/``; ``python -m chatbot.storage.migrate``) and ``temp_postgres`` (a throw-away
PostgreSQL server for tests and the load test)."""
