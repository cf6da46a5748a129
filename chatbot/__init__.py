"""GroundedChat's RAG chatbot: knowledge base, retrieval, LLM providers, the judged chain,
map-reduce summaries and storage."""
