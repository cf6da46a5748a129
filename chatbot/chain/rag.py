"""The judged RAG chain: rewrite -> retrieve -> answer -> judge (-> retry), one turn at a time.

``RAGChatbot.ask`` returns a ``ChatTurn`` with everything the app shows and stores;
``RAGChatbot.stream`` yields the answer's tokens as they come and then the ``ChatTurn``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage

from chatbot.chain.citations import CITATION, cite
from chatbot.chain.context_budget import fit_passages
from chatbot.chain.extractive import add_quotes, extractive_answer
from chatbot.chain.prompts import ANSWER, CONDENSE, format_context
from chatbot.chain.questions import check_question
from chatbot.chain.safety import SAFETY_ANSWER, needs_safety_route
from chatbot.chain.tidy import says_nothing, sentence_budget_end, tidy_answer
from chatbot.retrieval.relevance import assess, missing_term, not_found_answer
from chatbot.retrieval.topic_search import topic_search
from chatbot.retrieval.understand import Topics, Understanding, chunk_topic
from chatbot.settings import ChatSettings
from chatbot.turn import ChatTurn, Passage
from nli_judge.judge.results import FaithfulnessResult

NO_CONTEXT_ANSWER = (
    "The documents I have don't cover this question, so I can't answer it reliably. "
    "A doctor, nurse or pharmacist can help; you can also add documents on the Documents page.")


def cited_numbers(answer: str, n_passages: int) -> list[int]:
    """Passage numbers cited as [n] in ``answer`` (in order, valid ones only)."""
    seen = dict.fromkeys(int(m) for m in CITATION.findall(answer))
    return [n for n in seen if 1 <= n <= n_passages]


RESTART = object()  # from _stream_with_fallback: drop what was streamed, the answer restarts
RESTART_NOTICE = ("\n\n*(The remote model stopped mid-answer; answering again with the "
                  "local model.)*\n\n")


def _reports_finish(llm: BaseChatModel) -> bool:
    """Does this model's stream end with a finish reason (so a stream without one was cut)?
    True for ChatOpenAI and other OpenAI-compatible clients."""
    module = sys.modules.get("langchain_openai.chat_models.base")  # not imported: not one
    return module is not None and isinstance(llm, module.BaseChatOpenAI)


def _model_name(llm: BaseChatModel) -> str:
    name = getattr(llm, "model_name", None) or getattr(llm, "model", None)
    return str(name or type(llm).__name__)


class RAGChatbot:
    """``kb``: a KnowledgeBase; ``judge``: a FaithfulnessJudge (or None to skip judging);
    ``llm``: the chat model; ``fallback``: builds the local model when the remote one fails."""

    def __init__(self, kb, judge, llm: BaseChatModel, settings: ChatSettings,
                 fallback: Callable[[], BaseChatModel] | None = None, provider: str | None = None):
        self.kb, self.judge, self.llm, self.settings = kb, judge, llm, settings
        self.fallback, self._fallback_llm = fallback, None
        self.provider = provider or settings.provider

    @property
    def topics(self) -> Topics:
        """The knowledge base's topics (``chatbot.retrieval.understand``; ~2 s for MedQuAD's 30,000
        chunks), kept with the knowledge base and rebuilt when it has grown."""
        chunks = self.kb.chunks()
        cached = getattr(self.kb, "topics_cache", None)
        if cached is None or cached[0] != len(chunks):
            self.kb.topics_cache = cached = (len(chunks), Topics(chunks))
        return cached[1]

    # --- steps ----------------------------------------------------------------------------------
    def standalone(self, question: str, history: Sequence[tuple[str, str]], turn: ChatTurn
                   ) -> str:
        """The question rewritten without the conversation (no LLM call without history)."""
        if not history:
            return question
        text = "\n".join(f"{'User' if role == 'user' else 'Assistant'}: {msg[:600]}"
                         for role, msg in history[-6:])
        msg = self._invoke(CONDENSE.format_messages(history=text, question=question), turn)
        rewritten = str(msg.content).strip().strip('"').splitlines()
        return rewritten[0].strip() if rewritten and rewritten[0].strip() else question

    def understand(self, question: str) -> Understanding | None:
        """The question's topic, type and search query (None when
        ``settings.understand_questions`` is off)."""
        if not self.settings.understand_questions:
            return None
        return self.topics.understand(question)

    def retrieve(self, query: str, where: dict | None = None,
                 understanding: Understanding | None = None) -> list[Passage]:
        """The passages for ``query``: by its topic (``chatbot.retrieval.topic_search``) when
        ``understanding`` is given, else the plain search."""
        k, mode = self.settings.top_k, self.settings.retrieval
        hits = (topic_search(self.kb, self.topics, understanding, k, mode, where)
                if understanding is not None
                else self.kb.search(query, k=k, mode=mode, where=where))
        return [Passage(n=i, text=h.document.page_content, doc_id=meta.get("doc_id"),
                        chunk=meta.get("chunk"), title=meta.get("title", ""),
                        collection=meta.get("collection", ""), url=meta.get("url", ""),
                        score=h.score, similarity=h.dense, focus=chunk_topic(meta))
                for i, h in enumerate(hits, 1) for meta in [h.document.metadata]]

    def find(self, turn: ChatTurn, where: dict | None = None) -> None:
        """Read the question, retrieve its passages and say whether they address it
        (``turn.understanding``, ``turn.passages``, ``turn.relevance``); when they do not,
        the turn is answered ``not_found`` here, with no model call."""
        t0 = time.perf_counter()
        u = self.understand(turn.standalone_question)
        turn.understanding = u.to_dict() if u else None
        turn.passages = self.retrieve(turn.standalone_question, where, u)
        turn.latency_ms["retrieval"] = (time.perf_counter() - t0) * 1000
        s = self.settings
        missing = missing_term(u, turn.passages, self.topics.rare) if u else None
        relevance = assess(u, turn.passages, s.answered_similarity, s.min_relevance, missing)
        turn.relevance = relevance.to_dict()
        if relevance.verdict == "not answered":
            turn.route = "not_found"
            turn.answer = (not_found_answer(turn.question, u, missing) if u
                           else NO_CONTEXT_ANSWER)
            turn.notes.append(f"not in the sources: {relevance.reason} (best passage "
                              f"similarity {relevance.score:.2f}; min_relevance "
                              f"{s.min_relevance}); not answered from documents")

    def _invoke(self, messages, turn: ChatTurn) -> AIMessage:
        turn.provider, turn.model = self.provider, _model_name(self.llm)
        try:
            out = self.llm.invoke(messages)
        except Exception as e:  # the remote model failed or timed out
            out = self._fall_back(e, turn).invoke(messages)
        self._count(out, turn)
        return out

    def _can_fall_back(self) -> bool:
        return self.provider != "local" and bool(self.fallback and
                                                 self.settings.fallback_to_local)

    def _fall_back(self, error: Exception, turn: ChatTurn) -> BaseChatModel:
        """The local model after ``error`` from the remote one (said once in the turn's
        notes); re-raises ``error`` when there is no fallback."""
        if not self._can_fall_back():
            raise error
        if self._fallback_llm is None:
            self._fallback_llm = self.fallback()
        note = (f"The {self.provider} model failed ({type(error).__name__}: "
                f"{str(error)[:120]}); answered with the local model instead.")
        if note not in turn.notes:
            turn.notes.append(note)
        turn.provider, turn.model = "local", _model_name(self._fallback_llm)
        return self._fallback_llm

    @staticmethod
    def _count(msg, turn: ChatTurn) -> None:
        usage = getattr(msg, "usage_metadata", None) or {}
        turn.tokens["prompt"] += int(usage.get("input_tokens", 0))
        turn.tokens["completion"] += int(usage.get("output_tokens", 0))

    def _judge(self, answer: str, passages: list[Passage], question: str
               ) -> FaithfulnessResult | None:
        if self.judge is None:
            return None
        return self.judge.score(answer, [p.text for p in passages], question)

    # --- one turn -------------------------------------------------------------------------------
    def stream(self, question: str, history: Sequence[tuple[str, str]] = (),
               where: dict | None = None) -> Iterator[str | ChatTurn]:
        """Yield the answer's text pieces as they are generated, then the finished ChatTurn.
        Raises ``QuestionError`` for an empty or too long question (``check_question``)."""
        question = check_question(question, self.settings.max_question_chars)
        turn = ChatTurn(question=question, answer="")
        if needs_safety_route(question):
            turn.route, turn.answer = "safety", SAFETY_ANSWER
            turn.notes.append("safety route: fixed answer, no LLM call")
            yield SAFETY_ANSWER
            yield turn
            return
        turn.standalone_question = self.standalone(question, history, turn)
        self.find(turn, where)
        if building := getattr(self.kb, "building", None):
            turn.notes.append(
                f"The knowledge base is still being built: {building['done']:,} of "
                f"{building['total']:,} passages can be found by meaning so far (keyword "
                "search covers all of them), so a better passage may not have been found yet.")
        if turn.route == "not_found":
            yield turn.answer
            yield turn
            return
        messages = ANSWER.format_messages(context=format_context(self.prompt_passages(turn)),
                                          question=turn.standalone_question)
        t0 = time.perf_counter()
        pieces: list[str] = []
        stream = self._stream_with_fallback(messages, turn)
        for piece in stream:
            if piece is RESTART:  # the remote model failed mid-answer: the local one restarts
                pieces.clear()
                yield RESTART_NOTICE
                continue
            pieces.append(piece)
            turn.latency_ms.setdefault("first_token", (time.perf_counter() - t0) * 1000)
            yield piece
            end = sentence_budget_end("".join(pieces), self.settings.answer_sentences)
            if end is not None:  # enough sentences: stop the model at a sentence end
                pieces = ["".join(pieces)[:end]]
                stream.close()
                break
        turn.answer = "".join(pieces).strip()
        turn.latency_ms["generation"] = (time.perf_counter() - t0) * 1000
        self.finish(turn)
        yield turn

    def prompt_passages(self, turn: ChatTurn) -> list[Passage]:
        """The passages as the model reads them: for a model that counts its own tokens (the
        local ones), cut to ``settings.context_tokens`` (``chatbot.chain.context_budget``); a remote
        model reads them whole."""
        count = getattr(self.llm, "count_tokens", None)
        if count is None or not self.settings.context_tokens:
            return turn.passages
        t0 = time.perf_counter()
        fitted = fit_passages(turn.standalone_question, turn.passages,
                              self.settings.context_tokens, count, self.kb.embeddings)
        turn.latency_ms["context"] = (time.perf_counter() - t0) * 1000
        if fitted is not turn.passages:
            turn.notes.append(f"the model read the passages' sentences that best match the "
                              f"question (about {self.settings.context_tokens} tokens, "
                              "GC_CONTEXT_TOKENS); the judge checked the whole passages")
        return fitted

    def finish(self, turn: ChatTurn) -> None:
        """What follows generation, in order: tidy the answer (``settings.tidy_answers``),
        judge it, apply the guard, add the judge's citations (``settings.cite_answers``)."""
        if self.settings.tidy_answers:
            self.tidy(turn)
        self.quote(turn)
        t0 = time.perf_counter()
        turn.faithfulness = self._judge(turn.answer, turn.passages, turn.standalone_question)
        turn.latency_ms["judge"] = (time.perf_counter() - t0) * 1000
        self.apply_guard(turn)
        if self.settings.cite_answers:
            turn.answer, turn.faithfulness = cite(turn.answer, turn.faithfulness)
        turn.cited = cited_numbers(turn.answer, len(turn.passages))

    def tidy(self, turn: ChatTurn) -> None:
        """Tidy ``turn.answer`` (``chatbot.chain.tidy``: repeats and an unfinished last sentence
        out, noted); an answer that then says nothing ("[1] Title") is replaced by the top
        passage's best-matching sentences."""
        turn.answer, notes = tidy_answer(turn.answer)
        turn.notes += [f"tidied: {n}" for n in notes]
        if says_nothing(turn.answer, [p.title for p in turn.passages]):
            turn.notes.append(f"the model's answer said nothing ({turn.answer[:80]!r}); "
                              "answered with the best-matching sentences of passage [1]")
            turn.answer = extractive_answer(turn.standalone_question, turn.passages,
                                            self.kb.embeddings)

    def quote(self, turn: ChatTurn) -> None:
        """Follow a local model's answer with the top passage's best sentences that it does
        not already say (``settings.quote_sentences``, ``chatbot.chain.extractive.add_quotes``),
        noted. A remote model's answer is left as it wrote it: the quotes make up for what a
        0.5B model leaves out, and were measured with it only."""
        if (not self.settings.quote_sentences or turn.route != "rag"
                or turn.provider != "local"):
            return
        turn.answer, added = add_quotes(turn.standalone_question, turn.answer, turn.passages,
                                        self.kb.embeddings, self.settings.quote_sentences)
        if added:
            turn.notes.append(f"added {added} sentence(s) of source [1] that the answer did "
                              "not already say (GC_QUOTE_SENTENCES)")

    def _stream_with_fallback(self, messages, turn: ChatTurn) -> Iterator[str | object]:
        """Stream from the model. A remote model that fails (an error or timeout, a malformed
        stream, a stream that ends without a finish reason, or no whole answer within
        ``settings.llm_deadline_s``) is replaced by the local fallback, and the turn says so.
        If part of the remote answer was already streamed, ``RESTART`` is yielded first: the
        answer is the local model's alone. Without a fallback, a failure before the first
        token is raised and one mid-answer ends the answer with a note."""
        llm, started, finished = self.llm, False, False
        turn.provider, turn.model = self.provider, _model_name(llm)
        deadline = time.monotonic() + self.settings.llm_deadline_s
        try:
            for chunk in llm.stream(messages):
                self._count(chunk, turn)
                finished = finished or bool(chunk.response_metadata.get("finish_reason"))
                if chunk.content:
                    started = True
                    yield str(chunk.content)
                if self.provider != "local" and time.monotonic() > deadline:
                    raise TimeoutError(f"no whole answer within {self.settings.llm_deadline_s:g}"
                                       " s (GC_LLM_DEADLINE_S)")
            if _reports_finish(llm) and not finished:
                raise ConnectionError("the answer stream ended without a finish reason (cut)")
            return
        except Exception as e:
            if started and not self._can_fall_back():
                turn.notes.append(f"the answer was cut off: {type(e).__name__}: {str(e)[:120]}")
                return
            llm = self._fall_back(e, turn)
            if started:
                yield RESTART
        for chunk in llm.stream(messages):
            self._count(chunk, turn)
            if chunk.content:
                yield str(chunk.content)

    def apply_guard(self, turn: ChatTurn, guard: str | None = None) -> None:
        """Act on the sentences the judge flags (unsupported or contradicted), whatever the
        answer's overall verdict: ``warn`` notes them, ``retry`` rewrites the answer.
        ``guard``: default the settings' guard."""
        f = turn.faithfulness
        guard = guard or self.settings.guard
        if f is None or guard == "off":
            return
        unsupported = [s.text for s in f.sentences if s.label in ("unsupported", "contradicted")]
        if not unsupported:
            return
        if guard == "warn":
            turn.notes.append(f"judge: {len(unsupported)} sentence(s) not supported by the "
                              "passages; check them against the sources")
            return
        t0 = time.perf_counter()
        answer, note = self._rewrite(turn)
        judged = self._judge(answer, turn.passages, turn.standalone_question)
        turn.latency_ms["retry"] = (time.perf_counter() - t0) * 1000
        if judged is not None and judged.score > f.score:
            turn.notes.append(f"guard retry: {note} (score {f.score:.2f} -> {judged.score:.2f})")
            turn.answer, turn.faithfulness = answer, judged
        else:
            turn.notes.append(f"guard retry: {note} scored no better; kept the first answer "
                              f"({f.score:.2f})")

    def _rewrite(self, turn: ChatTurn) -> tuple[str, str]:
        """The answer without the sentences the judge did not find supported, or, when none
        was, the best-matching sentences of the top passage (no second model call: a second
        guess from the same model is rarely better grounded); and a note saying which."""
        f = turn.faithfulness
        kept = [s.text for s in f.sentences if s.label == "supported"]
        dropped = len(f.claims) - len(kept)
        if kept:
            return " ".join(kept), f"removed {dropped} sentence(s) the passages do not support"
        return (extractive_answer(turn.standalone_question, turn.passages, self.kb.embeddings),
                "no sentence was supported; answered with the best-matching sentences of "
                "passage [1] instead")

    def ask(self, question: str, history: Sequence[tuple[str, str]] = (),
            where: dict | None = None) -> ChatTurn:
        """Answer one message (see ``stream``) and return the finished turn."""
        *_, turn = self.stream(question, history, where)
        return turn
