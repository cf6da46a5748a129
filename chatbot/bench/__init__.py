"""The chatbot's measurement commands; no product module imports them.

- ``answers``: the answer benchmark (``python -m chatbot.bench.answers``);
- ``consumer``: real people's questions (``python -m chatbot.bench.consumer``);
- ``retrieval``: Recall@k and MRR of the retrievers;
- ``llm_speed``, ``embedding_speed``: speed of the local model and embedding backends;
- ``storage_load``: concurrent writers on SQLite and PostgreSQL.
"""
