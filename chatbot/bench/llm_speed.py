"""Speed of the local model's backends: time to first token, tokens/s and total time over a
fixed set of questions, p50 and p95.

    python -m chatbot.bench.llm_speed [--backends llama-cpp transformers-bf16 ...] [--questions 10]

Each question is a held-out MedQuAD question (the last ones of the held-out file, which no
retrieval setting was tuned on) asked with the chat's own answer prompt over the first
chunks of its answer document (whole: ~700-900 tokens, as long as in the chat, without
needing the index), cut to ``--context-tokens`` as the chat cuts them for a local model.
One warm-up question per backend is not counted. Tokens/s is
the decoding rate after the first token (answers of 10 tokens or more; "pooled": all
tokens over all decoding time); TTFT includes reading the prompt. p95 of tokens/s is the
95th percentile of the rates, i.e. a fast answer; the slow end is p50 and below.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from langchain_core.language_models import BaseChatModel

from chatbot.chain.context_budget import fit_passages
from chatbot.chain.prompts import ANSWER, format_context
from chatbot.retrieval.documents import medquad_documents, medquad_questions
from chatbot.retrieval.knowledge_base import KnowledgeBase, local_embeddings
from chatbot.settings import ChatSettings
from chatbot.turn import Passage

BACKENDS = ("llama-cpp", "llama-cpp-q4_0", "onnx-genai-int4", "transformers-bf16",
            "transformers-fp32", "transformers-int8")


def bench_prompts(n: int, settings: ChatSettings, count_tokens=None, embeddings=None
                  ) -> list[list]:
    """``n`` chat prompts: held-out questions with the first ``top_k`` chunks of their
    answer documents as the passages; with ``count_tokens`` and ``embeddings``, cut to
    ``settings.context_tokens`` as the chat cuts them for a local model."""
    docs = {d.metadata["doc_id"]: d for d in medquad_documents()}
    split = KnowledgeBase.splitter(settings.chunk_size, settings.chunk_overlap)
    prompts = []
    for q in medquad_questions()[-n:]:
        doc = docs[q["doc_id"]]
        chunks = split.split_documents([doc])[:settings.top_k]
        passages = [Passage(n=i, text=c.page_content, title=doc.metadata["title"])
                    for i, c in enumerate(chunks, 1)]
        if count_tokens is not None:
            passages = fit_passages(q["question"], passages, settings.context_tokens,
                                    count_tokens, embeddings)
        prompts.append(ANSWER.format_messages(context=format_context(passages),
                                              question=q["question"]))
    return prompts


def load_backend(name: str, settings: ChatSettings) -> BaseChatModel:
    """The local model on one of ``BACKENDS``."""
    from chatbot.llm.factory import LocalChatModel, local_chat_model

    if name == "llama-cpp-q4_0":
        return local_chat_model(settings.model_copy(update={"local_backend": "llama-cpp",
                                                            "local_quant": "q4_0"}))
    if name == "onnx-genai-int4":
        return local_chat_model(settings.model_copy(update={"local_backend": name}))
    if name in ("llama-cpp", "transformers-int8"):
        return local_chat_model(settings.model_copy(update={"local_backend": name,
                                                            "local_quant": "as-shipped"}))
    dtype = {"transformers-bf16": "bfloat16", "transformers-fp32": "float32"}[name]
    return LocalChatModel.from_source(settings.local_model, settings.var_paths.models,
                                      dtype=dtype, max_new_tokens=settings.max_new_tokens)


def time_answer(llm: BaseChatModel, messages) -> dict:
    """ttft_s, tokens, tokens_per_s (after the first token), total_s for one answer."""
    t0 = time.perf_counter()
    first, tokens = None, 0
    for chunk in llm.stream(messages):
        if chunk.content and first is None:
            first = time.perf_counter()
        if chunk.usage_metadata:
            tokens = chunk.usage_metadata["output_tokens"]
    end = time.perf_counter()
    first = first or end
    return {"ttft_s": first - t0, "tokens": tokens, "total_s": end - t0,
            "tokens_per_s": max(tokens - 1, 0) / max(end - first, 1e-9)}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


MIN_TOKENS_FOR_RATE = 10


def summarise(runs: list[dict]) -> dict:
    """p50 and p95 of each measure. The decoding rate of answers shorter than
    ``MIN_TOKENS_FOR_RATE`` tokens is left out (a streamer that sends words, not tokens, can
    send such an answer in one or two pieces, and the rate is then meaningless);
    ``pooled_tokens_per_s`` is all answers' tokens after the first over their decoding time."""
    out = {}
    for key in ("ttft_s", "tokens_per_s", "total_s", "tokens"):
        values = [r[key] for r in runs
                  if key != "tokens_per_s" or r["tokens"] >= MIN_TOKENS_FOR_RATE]
        out[key] = ({"p50": statistics.median(values), "p95": p95(values)} if values
                    else {"p50": float("nan"), "p95": float("nan")})
    decoding = sum(r["total_s"] - r["ttft_s"] for r in runs)
    out["pooled_tokens_per_s"] = sum(max(r["tokens"] - 1, 0) for r in runs) / max(decoding, 1e-9)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m chatbot.bench.llm_speed", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", nargs="+", default=["llama-cpp", "transformers-bf16"],
                    choices=BACKENDS)
    ap.add_argument("--questions", type=int, default=10)
    ap.add_argument("--max-new-tokens", type=int, default=200)
    ap.add_argument("--model", help="local model (default: GC_LOCAL_MODEL or the Qwen 0.5B)")
    ap.add_argument("--context-tokens", type=int, help="passages cut to this many tokens, as "
                    "in the chat (default: GC_CONTEXT_TOKENS, 450; 0: whole passages)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    update = {"max_new_tokens": args.max_new_tokens, "temperature": 0.0}
    if args.model:
        update["local_model"] = args.model
    if args.context_tokens is not None:
        update["context_tokens"] = args.context_tokens
    settings = ChatSettings().model_copy(update=update)
    embeddings = local_embeddings(settings)
    results = {}
    for name in args.backends:
        t0 = time.perf_counter()
        llm = load_backend(name, settings)
        load_s = time.perf_counter() - t0
        prompts = bench_prompts(args.questions + 1, settings, llm.count_tokens, embeddings)
        time_answer(llm, prompts[0])  # warm-up
        runs = [time_answer(llm, p) for p in prompts[1:]]
        results[name] = {"load_s": load_s, **summarise(runs)}
        del llm
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(f"{settings.local_model}, {args.questions} questions, at most {args.max_new_tokens} "
          f"new tokens, greedy, passages cut to {settings.context_tokens or 'no'} tokens")
    print("| backend | load s | TTFT p50 / p95 s | tokens/s p50 / p95 | tokens/s pooled |"
          " total p50 / p95 s | tokens p50 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['load_s']:.1f} | {r['ttft_s']['p50']:.2f} / "
              f"{r['ttft_s']['p95']:.2f} | {r['tokens_per_s']['p50']:.1f} / "
              f"{r['tokens_per_s']['p95']:.1f} | {r['pooled_tokens_per_s']:.1f} | "
              f"{r['total_s']['p50']:.1f} / "
              f"{r['total_s']['p95']:.1f} | {r['tokens']['p50']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
