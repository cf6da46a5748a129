"""A real knowledge base for chatbot tests: MiniLM embeddings, FAISS and BM25 over a small
corpus (hand-written leaflets plus MedQuAD documents)."""

import pytest
from langchain_core.documents import Document

LEAFLETS = {
    "asthma": ("Asthma inhalers",
               "Asthma is a common lung condition that causes occasional breathing "
               "difficulties. A reliever inhaler, usually blue, is used to relieve symptoms "
               "quickly. A preventer inhaler, usually brown, is used every day to reduce "
               "inflammation in the airways. See a GP or asthma nurse if you use your reliever "
               "inhaler three or more times a week."),
    "metformin": ("Metformin",
                  "Metformin is a medicine used to treat type 2 diabetes. It lowers the amount "
                  "of sugar the liver releases into the blood. The usual starting dose is 500 "
                  "mg twice a day with meals. Common side effects include nausea and "
                  "diarrhoea. A pharmacist can explain how to take it."),
    "sleep": ("Insomnia",
              "Insomnia means you regularly have problems sleeping. It usually gets better by "
              "changing your sleeping habits: go to bed and wake up at the same time every "
              "day, relax before bed, and avoid caffeine and alcohol in the evening. See a GP "
              "if trouble sleeping lasts for months."),
}


def leaflet_docs() -> list[Document]:
    return [Document(page_content=text, metadata={
        "doc_id": f"leaflet-{key}", "title": title, "collection": "leaflets",
        "url": f"https://example.org/{key}", "focus": title, "source": "test"})
        for key, (title, text) in LEAFLETS.items()]


@pytest.fixture(scope="session")
def embeddings():
    from chatbot.retrieval.knowledge_base import local_embeddings

    return local_embeddings()


@pytest.fixture(scope="session")
def kb(embeddings):
    from chatbot.retrieval.documents import medquad_documents
    from chatbot.retrieval.knowledge_base import KnowledgeBase

    medquad = [d for d in medquad_documents(400) if len(d.page_content) < 1500][:30]
    return KnowledgeBase.build(leaflet_docs() + medquad, embeddings)


@pytest.fixture(scope="session")
def judge():
    from nli_judge import FaithfulnessJudge

    return FaithfulnessJudge.load()


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for this test session (chatbot/storage/temp_postgres.py); skipped,
    saying why, only where the server binaries are not installed."""
    from chatbot.storage.temp_postgres import PostgresServer, find_bin

    bin_dir = find_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found: `make setup` "
                    "installs Debian's postgresql package (needs root)")
    with PostgresServer(bin_dir) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A fresh, empty database: a SQLite file, and a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gc.db'}"
    return request.getfixturevalue("postgres_server").new_database()
