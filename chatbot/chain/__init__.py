"""The judged answer: from a question and its passages to a checked, cited answer.

- ``rag``: ``RAGChatbot``, the chain (safety route, retrieval, prompt, model, judge, guard);
- ``prompts``, ``context_budget``, ``questions``, ``safety``: what the model is given and
  what is refused before it;
- ``tidy``, ``extractive``, ``citations``: what is done to the answer before and after the
  judge; ``judge``: the judge built from the settings;
- ``summarize``: map-reduce summaries of long documents (``python -m chatbot.chain.summarize``).
"""
