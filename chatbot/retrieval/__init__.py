"""Finding the passages: documents in, the knowledge base out, and the question read against it.

- ``documents``: loading files and the bundled MedQuAD corpus;
- ``embeddings``: MiniLM on PyTorch or ONNX Runtime;
- ``knowledge_base``: FAISS + BM25, fused;
- ``index_build``: building the MedQuAD index (in the foreground, or detached through
  ``chatbot.jobs``); ``ingest``: adding your files (``python -m chatbot.retrieval.ingest``);
- ``understand``, ``topic_search``, ``relevance``: the question's topic and kind, the
  passages of that topic, and whether they answer the question.
"""
