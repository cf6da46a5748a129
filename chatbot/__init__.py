"""GroundedChat's RAG chatbot, in rooms (ARCHITECTURE.md): ``llm``, ``retrieval``, ``chain``,
``storage``, ``jobs``, ``access`` and the measurement commands in ``bench``; ``service``
assembles them (``build_chatbot``), ``settings`` configures them, ``turn`` types what they
pass around."""
