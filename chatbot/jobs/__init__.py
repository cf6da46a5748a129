"""Detached background work (``background``): starting a job in its own low-priority process,
finding it again by its pid file, pausing it while the chat answers. The index build
(``chatbot.retrieval.index_build``) and the local model's ONNX export
(``chatbot.llm.onnx_genai``) run through it."""
