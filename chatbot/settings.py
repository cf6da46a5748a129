"""The chatbot's settings, read from the environment (prefix ``GC_``) or passed in code.

OpenAI settings use their usual names (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL) and the
database its usual DATABASE_URL. Paths are relative to the working directory (the repo root
for ``make`` and ``streamlit run``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from nli_judge.var_paths import VarPaths


class ChatSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GC_", extra="ignore")

    provider: Literal["local", "openai"] = Field(
        "local", description="local: the offline GGUF model; openai: ChatOpenAI")
    local_model: str = Field(
        "qwen2.5-coder-0.5b-instruct",
        description="a known local model (qwen2.5-coder-0.5b-instruct, smollm2-135m-instruct) "
        "or a path to a .gguf file")
    local_backend: Literal["auto", "llama-cpp", "onnx-genai-int4", "transformers",
                           "transformers-int8"] = Field(
        "auto", description="how the local model runs: llama.cpp (the GGUF as it is; loads in "
        "a second; needs llama-cpp-python, which make setup builds), onnx-genai-int4 (ONNX "
        "Runtime GenAI, int4, exported once in about a minute and a half: writes faster), "
        "transformers (dequantised to bf16), transformers-int8 (fp32 weights with "
        "int8 dynamic quantisation, ~1 min more on its first start), or auto: ONNX Runtime "
        "GenAI once its export is made (the app makes it in the background once the index is "
        "built; python -m chatbot.llm.onnx_genai makes it now), before that llama.cpp when "
        "it is installed, else transformers. See python -m chatbot.bench.llm_speed")
    local_quant: Literal["as-shipped", "q4_0"] = Field(
        "q4_0", description="llama.cpp only: re-quantise the shipped GGUF once to Q4_0 "
        "(default: llama.cpp's repacked CPU kernels read the prompt and write ~20% faster; "
        "the answer benchmark scored the same within its intervals), or run it as shipped "
        "(Q4_K_M). See docs/local-model-speed.md and docs/answer-benchmark.md")
    openai_api_key: str | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "GC_OPENAI_API_KEY"))
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("OPENAI_BASE_URL", "GC_OPENAI_BASE_URL"),
        description="any OpenAI-compatible server (vLLM, Ollama, llama.cpp server)")
    openai_model: str = Field(
        "gpt-4o-mini", validation_alias=AliasChoices("OPENAI_MODEL", "GC_OPENAI_MODEL"))
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_new_tokens: int = Field(320, ge=16, le=4096)
    llm_timeout_s: float = Field(
        20.0, gt=0, description="seconds the remote model may stay silent (before its first "
        "token or between two) before the local fallback answers")
    llm_deadline_s: float = Field(
        90.0, gt=0, description="seconds the remote model may take for a whole answer (slow "
        "tokens) before the local fallback answers instead")
    fallback_to_local: bool = Field(True, description="answer locally when the remote fails")
    top_k: int = Field(4, ge=1, le=20, description="passages given to the model")
    context_tokens: int = Field(
        450, ge=0, description="local models only: the passages are cut to about this many "
        "tokens, keeping the sentences that best match the question (reading the prompt is "
        "most of the first-token time on a CPU: ~210 tokens/s on 2 cores); 0: whole passages")
    retrieval: Literal["hybrid", "dense", "sparse"] = Field(
        "hybrid", description="hybrid: FAISS + BM25 fused; dense alone is as good on MedQuAD "
        "questions and faster (docs/retrieval.md), BM25 helps with rare terms in your documents")
    dense_weight: float = Field(
        4.0, ge=0.0, description="weight of the dense ranking in the reciprocal-rank fusion "
        "(BM25 counts 1); chosen on held-out MedQuAD questions 0-199, see eval_retrieval")
    max_upload_mb: float = Field(
        20.0, gt=0, description="largest document file accepted (app uploads, python -m "
        "chatbot.retrieval.ingest, python -m chatbot.chain.summarize)")
    max_question_chars: int = Field(
        2_000, ge=1, description="longest question accepted (longer text: add it as a "
        "document)")
    min_relevance: float = Field(
        0.35, description="cosine similarity the best passage must reach, else the bot says "
        "the documents do not cover the question (route not_found); when the question names "
        "a topic of the documents (understand_questions), that topic's passages are used")
    understand_questions: bool = Field(
        True, description="read the question's topic (typos forgiven, abbreviations spelled "
        "out) and what it asks before searching, take the passages from that topic, and say "
        "whether they address the question (chatbot.retrieval.understand, "
        "chatbot.retrieval.relevance); off: search the question as typed")
    answered_similarity: float = Field(
        0.6, description="with no known topic named in the question, the cosine similarity "
        "the best passage must reach for the answer to count as answering it (below: partly "
        "answered; below min_relevance: not found)")
    tidy_answers: bool = Field(
        True, description="drop repeated sentences and an unfinished last sentence from an "
        "answer before it is judged (chatbot.chain.tidy)")
    answer_sentences: int = Field(
        6, ge=0, description="stop the model once its answer has this many finished sentences "
        "or list lines, so it ends cleanly before the token budget cuts a sentence (0: no "
        "limit)")
    cite_answers: bool = Field(
        True, description="after judging, end each supported sentence with [n] for the "
        "passage that supports it (chatbot.chain.citations)")
    quote_sentences: int = Field(
        4, ge=0, description="follow the local model's answer with up to this many sentences "
        "of the top passage that best match the question and that the answer does not "
        "already say (chatbot.chain.extractive.add_quotes); they are judged and cited like the "
        "rest (0: none). A remote model's answer is left as written")
    guard: Literal["off", "warn", "retry"] = Field(
        "retry", description="what to do with the sentences the judge flags: retry drops "
        "them (or answers from the top passage when none is supported), warn only marks "
        "them, off does neither")
    judge_backend: Literal["torch", "torch-int8", "onnx", "onnx-int8"] = Field(
        "torch", description="how the judge's NLI model runs: PyTorch fp32 (default, the "
        "calibrated one), or ONNX Runtime fp32 / int8 (faster; int8 costs a little accuracy: "
        "see nli_judge/checkpoint/JUDGE_CARD.md); ONNX files are exported once to var/onnx")
    judge_calibration: Path | None = Field(
        None, description="a deployment's judge calibration folder, fitted on its users' "
        "ratings (groundedchat-judge calibrate --ratings FILE --out DIR); default: the one "
        "the Dashboard applied (<var_dir>/judge_calibration) if any, else the calibration "
        "shipped beside the model")
    embedding_backend: Literal["torch-bf16", "torch", "onnx", "onnx-int8"] = Field(
        "torch-bf16", description="how the knowledge base's MiniLM embeddings run: PyTorch "
        "bfloat16 (default: ~3x fp32 on CPUs with bf16 instructions, vectors within cosine "
        "0.996 of fp32), PyTorch fp32, ONNX Runtime fp32 or int8 (int8 vectors differ more: an "
        "index records which it was built with); see docs/chatbot.md's embedding table")
    chunk_size: int = Field(1000, ge=100)
    chunk_overlap: int = Field(100, ge=0)
    var_dir: Path = Field(Path("var"), description="indexes, model caches, the database")
    onnx_cache: Path | None = Field(
        None, description="where ONNX exports of the embedding and judge models are cached "
        "(default <var_dir>/onnx); shared between var folders when set")
    retention_days: float = Field(
        90.0, ge=0, description="conversations (with their feedback and ratings) are deleted "
        "once nothing was added to them for this many days: at the app's start and hourly "
        "while it runs, or by python -m chatbot.access purge; 0 keeps them forever")
    database_url: str | None = Field(
        None, validation_alias=AliasChoices("DATABASE_URL", "GC_DATABASE_URL"),
        description="SQLAlchemy URL; default sqlite:///<var_dir>/groundedchat.db")

    @property
    def var_paths(self) -> VarPaths:
        """The folders and files under ``var_dir``."""
        return VarPaths(self.var_dir)

    @property
    def onnx_dir(self) -> Path:
        return self.onnx_cache or self.var_paths.onnx

    @property
    def index_dir(self) -> Path:
        return self.var_paths.index

    @property
    def index_built(self) -> bool:
        """Whether the saved index is there (its manifest is written last)."""
        return (self.index_dir / "manifest.json").exists()

    @property
    def applied_calibration_dir(self) -> Path:
        """Where the Dashboard writes the calibration it fits on the app's ratings."""
        return self.var_dir / "judge_calibration"

    @property
    def judge_calibration_dir(self) -> Path | None:
        """The judge calibration in force: ``judge_calibration`` when set, else the one the
        Dashboard applied when there is one, else None (the shipped one)."""
        if self.judge_calibration:
            return self.judge_calibration
        applied = self.applied_calibration_dir
        return applied if (applied / "judge_calibration.json").exists() else None

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_paths.database}"
