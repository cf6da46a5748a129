"""``FaithfulnessJudge``: which sentences of an answer do the passages support?

Each answer sentence that makes a claim is checked for entailment against every evidence
window of every passage, in one batched model pass. Per sentence (MiniCheck / SummaC style):

- ``entailment``: the best window's entailment probability;
- ``contradiction``: the highest contradiction probability over all windows, so a sentence
  that one passage contradicts is not rescued by another that is merely neutral;
- ``score = clip(entailment - contradiction_weight * contradiction, 0, 1)``;
- ``label``: ``contradicted`` if contradiction >= ``contradiction_threshold`` (its score is
  then 0), else ``supported`` if score >= ``support_threshold``, else ``unsupported``.

Speed: with ``max_windows`` set, each claim is checked only against the ``max_windows``
windows that share most of its content words (a cheap lexical pre-selection, chosen on dev
data by ``eval.calibrate``), not against every window.

Sentences that are not claims: ``no_claim`` (greetings, abstentions, headings) never count;
``incomplete`` (cut off by a token limit, "Metformin is", or a one-word fragment) counts as
an unsupported claim with score 0, because a reader cannot check half a statement and an
answer that stops mid-sentence should not pass a guard; ``repeated`` (the same claim again,
word for word) is left out of the score, because its claim is judged once already and
counting it twice would weigh it double (the note says so).

The answer's score aggregates its claim sentences' scores (``min``, ``mean``, or ``share``
= the share of claim sentences supported); it is ``faithful`` at score >= ``threshold``. An
answer with no claims (greetings, abstentions only) is faithful with score 1; an empty
answer is unfaithful with score 0 (nothing in it is grounded).
Calibrated settings are read from ``judge_calibration.json`` beside the model
(``judge_calibration.<backend>.json`` on another inference backend, when present).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from nli_judge.judge.aggregation import LearnedAggregator, answer_features
from nli_judge.judge.claims import (
    fragment_to_claim,
    is_fragment,
    is_heading,
    is_incomplete,
    is_no_claim,
    repeat_key,
)
from nli_judge.judge.evidence_checks import missing_numbers, overlap, overlap_of_sets
from nli_judge.judge.language import detect as detect_language
from nli_judge.judge.results import FaithfulnessResult, SentenceVerdict
from nli_judge.judge.sentences import answer_spans, claim_text
from nli_judge.judge.windows import evidence_windows
from nli_judge.model.nli_model import NLIModel
from nli_judge.text import content_words, mask_html, sha256_file, sha256_text, strip_invisible

CALIBRATION_FILE = "judge_calibration.json"


def read_calibration(path: str | Path) -> dict:
    """A calibration from a folder holding ``judge_calibration.json``, or from that file;
    ``FileNotFoundError`` / ``ValueError`` say what is wrong with it."""
    path = Path(path)
    file = path / CALIBRATION_FILE if path.is_dir() else path
    if not file.is_file():
        raise FileNotFoundError(f"no judge calibration at {path} (a folder with "
                                f"{CALIBRATION_FILE}, or that file)")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError(f"{file}: not a JSON calibration ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("settings"), dict):
        raise ValueError(f"{file}: not a judge calibration (no 'settings')")
    return data


def _calibration_beside(nli: NLIModel) -> dict:
    """The calibration stored beside the model: its backend's, else the PyTorch one, else
    none ({})."""
    if not nli.model.name_or_path:
        return {}
    folder = Path(nli.model.name_or_path)
    for name in (calibration_file(nli.backend), CALIBRATION_FILE):
        if (folder / name).exists():
            return json.loads((folder / name).read_text())
    return {}


def calibration_file(backend: str = "torch") -> str:
    """Name of the calibrated settings for a backend: ``judge_calibration.json`` for PyTorch
    fp32, ``judge_calibration.<backend>.json`` for the others (used when present)."""
    return CALIBRATION_FILE if backend == "torch" else f"judge_calibration.{backend}.json"


@dataclass
class JudgeSettings:
    window_tokens: int = 400
    window_sentences: int | None = 2
    window_overlap: int = 1
    support_threshold: float = 0.5
    contradiction_threshold: float = 0.9
    contradiction_weight: float = 1.0
    contradiction_min_overlap: float = 0.5
    aggregate: Literal["min", "mean", "share", "learned"] = "min"
    check_numbers: bool = True
    threshold: float = 0.5
    batch_size: int = 32
    fragment_words: int = 6
    max_windows: int | None = None
    max_answer_chars: int = 20_000
    max_evidence_chars: int = 400_000
    # The time budget of one answer, as model work: (claim, evidence window) pairs. About
    # 110 pairs/s on 2 CPU cores, so 2,000 is ~20 s; over it, InputTooLarge says so.
    max_pairs: int | None = 2_000
    # The model reads English: claim sentences in another language are labelled
    # ``other_language`` and not judged (nli_judge/judge/language.py).
    check_language: bool = True


class InputTooLarge(ValueError):
    """An answer or its evidence is over the judge's size limits (``JudgeSettings.
    max_answer_chars`` / ``max_evidence_chars``): nothing is judged, nothing is truncated."""


def check_size(answer: str, passages: Sequence[str], settings: JudgeSettings) -> None:
    """Raise ``InputTooLarge`` with the sizes and the setting to change, if over a limit."""
    n = len(answer)
    if n > settings.max_answer_chars:
        raise InputTooLarge(
            f"the answer has {n:,} characters, over the judge's limit of "
            f"{settings.max_answer_chars:,} (JudgeSettings.max_answer_chars): judge it in "
            "parts or raise the limit; nothing was judged")
    n = sum(len(p) for p in passages or [] if isinstance(p, str))
    if n > settings.max_evidence_chars:
        raise InputTooLarge(
            f"the passages have {n:,} characters together, over the judge's limit of "
            f"{settings.max_evidence_chars:,} (JudgeSettings.max_evidence_chars): pass the "
            "retrieved passages, not whole documents, or raise the limit; nothing was judged")


@dataclass
class _Prepared:
    answer: str
    sentences: list[SentenceVerdict]
    claim_rows: list[int]            # indices into sentences that make a claim
    incomplete_rows: list[int]       # cut-off or one-word sentences: count as unsupported
    hypotheses: dict[int, list[str]]  # claim row -> the texts checked for it
    windows: list[tuple[int, int, int]]  # (passage index, start, end)
    passages: list[str]
    notes: list[str]
    other_language: list[int] = dataclasses.field(default_factory=list)


def _bare_fragment(prep: _Prepared, ci: int, hi: int) -> bool:
    """Is text ``hi`` of claim ``ci`` a bare fragment ("American") judged beside its claim
    form? A fragment alone is no statement: it may support but not contradict (MNLI models
    call "American" a contradiction of most sentences), so its word overlap counts as 0."""
    return hi == 0 and len(prep.hypotheses[ci]) > 1


class FaithfulnessJudge:
    """Sentence-level NLI faithfulness judge over an ``NLIModel``."""

    def __init__(self, model: NLIModel, settings: JudgeSettings | None = None,
                 calibration: dict | None = None):
        self.model = model
        self.settings = settings or JudgeSettings()
        self.calibration = calibration or {}
        self.max_length = model.model.config.max_position_embeddings
        learned = self.calibration.get("aggregator")
        self.aggregator = LearnedAggregator.from_dict(learned) if learned else None
        if self.settings.aggregate == "learned" and self.aggregator is None:
            raise ValueError("aggregate='learned' needs a calibration with an 'aggregator' "
                             "(python -m eval.calibrate --learned)")

    @functools.cached_property
    def _fixed_version(self) -> dict:
        """The parts of ``version`` that cannot change after loading (hashed once)."""
        folder = Path(self.model.model.name_or_path or ".")
        weights = folder / "model.safetensors"
        try:
            package = importlib.metadata.version("groundedchat")
        except importlib.metadata.PackageNotFoundError:
            package = None
        calibration = (sha256_text(json.dumps(self.calibration, sort_keys=True))[:16]
                       if self.calibration else None)
        source = (self.calibration.get("recalibration") or {}).get("source")
        return {"model_sha256": sha256_file(weights)[:16] if weights.is_file() else None,
                "calibration_sha256": calibration, "backend": self.model.backend,
                "package": package, "calibration": f"ratings: {source}" if source else
                ("shipped" if self.calibration else None)}

    @property
    def version(self) -> dict:
        """Which judge this is: the first 16 hex digits of the SHA-256 of the model weights,
        of the calibration and of the current settings, the backend and the package version."""
        fixed = self._fixed_version
        settings = sha256_text(json.dumps(dataclasses.asdict(self.settings), sort_keys=True))
        return {"model_sha256": fixed["model_sha256"],
                "calibration_sha256": fixed["calibration_sha256"],
                "settings_sha256": settings[:16], "backend": fixed["backend"],
                "package": fixed["package"], "calibration": fixed["calibration"]}

    @classmethod
    def load(cls, model: str | Path | NLIModel | None = None,
             calibration: str | Path | None = None, **settings) -> FaithfulnessJudge:
        """The shipped model (or ``model``: a folder or an NLIModel), with the calibrated
        settings stored beside it (those of the model's backend when there are some), or
        with ``calibration``: a folder holding ``judge_calibration.json`` (as ``groundedchat-
        judge calibrate --ratings`` writes it) or such a file; overridden by ``settings``."""
        nli = model if isinstance(model, NLIModel) else NLIModel.load(model)
        loaded = read_calibration(calibration) if calibration else _calibration_beside(nli)
        known = {f.name for f in dataclasses.fields(JudgeSettings)}
        unknown = set(settings) - known
        if unknown:
            raise TypeError(f"unknown judge setting(s): {', '.join(sorted(unknown))}")
        values = {k: v for k, v in loaded.get("settings", {}).items() if k in known}
        values.update(settings)
        return cls(nli, JudgeSettings(**values), loaded)

    def as_runnable(self):
        """This judge as a LangChain Runnable (see ``judge_runnable``)."""
        return judge_runnable(self)

    # --- preparing one answer ------------------------------------------------------------------
    def _count(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def _prepare(self, answer: str, passages: Sequence[str], question: str | None) -> _Prepared:
        answer = answer if isinstance(answer, str) else ""
        check_size(answer, passages, self.settings)
        notes: list[str] = []
        masked = mask_html(answer)
        sentences: list[SentenceVerdict] = []
        claims: list[int] = []
        hypotheses: dict[int, list[str]] = {}
        spans = answer_spans(answer)
        fragment = bool(question and question.strip() and len(spans) == 1
                        and is_fragment(masked[spans[0][0]:spans[0][1]],
                                        self.settings.fragment_words))
        incomplete: list[int] = []
        other: list[int] = []
        seen: dict[str, int] = {}
        for k, (s, e) in enumerate(spans):
            raw = answer[s:e]
            text = claim_text(strip_invisible(masked[s:e]))
            candidates = [text]
            if fragment and not is_no_claim(text):
                candidates.append(fragment_to_claim(question or "", text))
                notes.append(f"short answer also judged as the claim: {candidates[1]!r}")
            label = "unsupported"
            if (self.settings.check_language and not fragment
                    and (lang := detect_language(text)) != "en"):
                label = "other_language"
                notes.append(f"sentence {k + 1} is not in English ({lang}): not judged, the "
                             "judge's model reads English only")
            elif not fragment and (is_no_claim(text) or is_heading(masked, s, e)):
                label = "no_claim"
            elif not fragment and is_incomplete(text, last=k == len(spans) - 1):
                label = "incomplete"
                notes.append(f"sentence {k + 1} is cut off or a fragment: counted as unsupported")
            elif repeat_key(text) in seen:
                label = "repeated"
                notes.append(f"sentence {k + 1} repeats sentence {seen[repeat_key(text)] + 1}: "
                             "left out of the score")
            sentences.append(SentenceVerdict(text=raw, start=s, end=e, claim=text, label=label))
            if label == "unsupported":
                seen[repeat_key(text)] = k
                claims.append(k)
                hypotheses[k] = candidates
            elif label == "incomplete":
                incomplete.append(k)
            elif label == "other_language":
                other.append(k)
        if not answer.strip():
            notes.append("empty answer: nothing to check, so nothing is faithful")
        clean = [strip_invisible(mask_html(p)) if isinstance(p, str) else ""
                 for p in passages or []]
        if claims and not any(p.strip() for p in clean):
            notes.append("no evidence passages: every claim is unsupported")
        windows: list[tuple[int, int, int]] = []
        if claims:
            longest = max(self._count(h) for i in claims for h in hypotheses[i])
            budget = min(self.settings.window_tokens, self.max_length - 4 - longest)
            if budget < 32:
                budget = 32
                notes.append("a very long sentence: its claim is truncated to fit the model")
            for pi, p in enumerate(clean):
                for s, e in evidence_windows(p, self._count, budget, self.settings.window_overlap,
                                             self.settings.window_sentences):
                    windows.append((pi, s, e))
        return _Prepared(answer, sentences, claims, incomplete, hypotheses, windows, clean, notes,
                         other)

    # --- scoring ---------------------------------------------------------------------------------
    def score(self, answer: str, passages: Sequence[str], question: str | None = None
              ) -> FaithfulnessResult:
        """Judge one answer against the passages it was given (see the module docstring)."""
        return self.score_batch([{"answer": answer, "passages": passages,
                                  "question": question}])[0]

    def score_batch(self, items: Iterable[dict | tuple], progress: bool = False
                    ) -> list[FaithfulnessResult]:
        """Judge many answers in one batched model pass. Items are dicts with ``answer``,
        ``passages`` and optional ``question``, or ``(answer, passages[, question])`` tuples."""
        prepared, rows = self._predict(items, progress, budget=True)
        version = self.version  # once per batch, not per answer
        return [self._finish(k, prep, rows, self.settings, version)
                for k, prep in enumerate(prepared)]

    def claim_evidence(self, items: Iterable[dict | tuple], progress: bool = False
                       ) -> list[list[tuple[np.ndarray, ...]]]:
        """Per item, per claim sentence: (pairs, 3) probabilities, a (pairs,) bool array saying
        whether the window holds every number of the claim, the (pairs,) word overlap of
        claim and window, the (pairs,) window index, and the claim's text (None, with empty
        arrays, for a cut-off ``incomplete`` sentence, which counts as unsupported). For
        calibration: every setting but the windows can then be tried without the model
        (``decide_sentence``, and ``nli_judge.judge.calibration.preselected`` for
        ``max_windows``)."""
        prepared, rows = self._predict(items, progress)
        out = []
        for k, prep in enumerate(prepared):
            per_claim = []
            for ci in prep.claim_rows:
                found = rows.get((k, ci), [])
                windows = np.array([wi for (wi, _), _ in found], dtype=int)
                per_claim.append((*self._claim_arrays(prep, ci, found), windows,
                                  prep.hypotheses[ci][-1]))
            for _ in prep.incomplete_rows:
                per_claim.append(self._claim_arrays(prep, -1, []) + (np.zeros(0, int), None))
            out.append(per_claim)
        return out

    def pair_count(self, answer: str, passages: Sequence[str], question: str | None = None
                   ) -> int:
        """How many (evidence window, claim) pairs the model scores to judge this answer."""
        return len(self._pairs([self._prepare(answer, passages, question)]))

    def _pairs(self, prepared: Sequence[_Prepared]) -> list[tuple[int, int, int, int]]:
        """The (item, claim row, window, hypothesis) pairs the model must score: every
        window, or with ``max_windows`` the windows sharing most of each claim's words."""
        out = []
        for k, prep in enumerate(prepared):
            if not prep.windows:
                continue
            window_words = ([content_words(prep.passages[pi][s:e]) for pi, s, e in prep.windows]
                            if self.settings.max_windows else [])
            for ci in prep.claim_rows:
                chosen = range(len(prep.windows))
                if self.settings.max_windows and len(prep.windows) > self.settings.max_windows:
                    chosen = preselect(self._relevance(prep, ci, window_words),
                                       self.settings.max_windows)
                out += [(k, ci, wi, hi) for hi in range(len(prep.hypotheses[ci]))
                        for wi in chosen]
        return out

    @classmethod
    def _claim_arrays(cls, prep: _Prepared, ci: int, found: list
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pairs, 3) probabilities, numbers-present flags and word overlaps of one claim."""
        probs = np.array([p for _, p in found]).reshape(-1, 3)
        ok = np.array([cls._numbers_ok(prep, ci, key) for key, _ in found], dtype=bool)
        rel = np.array([cls._overlap(prep, ci, key) for key, _ in found], dtype=float)
        return probs, ok, rel

    @staticmethod
    def _relevance(prep: _Prepared, ci: int, window_words: list[set[str]]) -> np.ndarray:
        """Per window, the best ``_overlap`` of any text checked for claim ``ci``."""
        claim_words = [content_words(h) for h in prep.hypotheses[ci]]
        return np.array([max(0.0 if _bare_fragment(prep, ci, hi) else overlap_of_sets(cw, ww)
                             for hi, cw in enumerate(claim_words)) for ww in window_words])

    @staticmethod
    def _numbers_ok(prep: _Prepared, ci: int, key: tuple[int, int]) -> bool:
        wi, hi = key
        pi, s, e = prep.windows[wi]
        return not missing_numbers(prep.hypotheses[ci][hi], prep.passages[pi][s:e])

    @staticmethod
    def _overlap(prep: _Prepared, ci: int, key: tuple[int, int]) -> float:
        """Word overlap of claim and window; 0 for a bare fragment (``_bare_fragment``)."""
        wi, hi = key
        if _bare_fragment(prep, ci, hi):
            return 0.0
        pi, s, e = prep.windows[wi]
        return overlap(prep.hypotheses[ci][hi], prep.passages[pi][s:e])

    def _predict(self, items: Iterable[dict | tuple], progress: bool, budget: bool = False):
        """Prepare the items and run the model on their pairs. ``budget``: refuse (with
        ``InputTooLarge``) an item needing more than ``settings.max_pairs`` pairs."""
        prepared = []
        for it in items:
            if isinstance(it, dict):
                a, ps, q = it.get("answer", ""), it.get("passages", []), it.get("question")
            else:
                a, ps, q = (list(it) + [None])[:3]
            prepared.append(self._prepare(a, ps, q))
        pairs = self._pairs(prepared)
        limit = self.settings.max_pairs
        if budget and limit:
            per_item = np.bincount([k for k, *_ in pairs], minlength=len(prepared))
            if len(per_item) and per_item.max() > limit:
                raise InputTooLarge(
                    f"judging answer {int(per_item.argmax()) + 1} of the batch needs "
                    f"{int(per_item.max()):,} model pairs (claim sentences x evidence windows), "
                    f"over the budget of {limit:,} (JudgeSettings.max_pairs, about 20 s on 2 "
                    "CPU cores): pass fewer passages, set max_windows, or raise the budget; "
                    "nothing was judged")
        premises, hypotheses, owners = [], [], []
        for k, ci, wi, hi in pairs:
            pi, s, e = prepared[k].windows[wi]
            premises.append(prepared[k].passages[pi][s:e])
            hypotheses.append(prepared[k].hypotheses[ci][hi])
            owners.append((k, ci, (wi, hi)))
        probs = self.model.predict(premises, hypotheses, batch_size=self.settings.batch_size,
                                   progress=progress, max_length=self.max_length)
        rows: dict[tuple[int, int], list[tuple[tuple[int, int], np.ndarray]]] = {}
        for (k, ci, wi), row in zip(owners, probs, strict=True):
            rows.setdefault((k, ci), []).append((wi, row))
        return prepared, rows

    def _finish(self, k: int, prep: _Prepared, rows: dict, st: JudgeSettings,
                version: dict) -> FaithfulnessResult:
        sentences = [dataclasses.replace(s) for s in prep.sentences]
        scores, notes, arrays = [], list(prep.notes), []
        for ci in prep.claim_rows:
            sv = sentences[ci]
            found = rows.get((k, ci), [])
            arrays.append(self._claim_arrays(prep, ci, found))
            if not found:
                sv.label, sv.score = "unsupported", 0.0
                scores.append(0.0)
                continue
            probs, ok, rel = arrays[-1]
            sv.label, sv.score, j = decide_sentence(probs, ok, rel, st)
            top = int(probs[:, 0].argmax())
            if st.check_numbers and not ok[top] and sv.label != "contradicted":
                (wi, hi), _ = found[top]
                pi, s, e = prep.windows[wi]
                miss = missing_numbers(prep.hypotheses[ci][hi], prep.passages[pi][s:e])
                notes.append(f"sentence {ci + 1}: {', '.join(sorted(miss))} not in its evidence")
            (wi, hi), p = found[j]
            sv.claim = prep.hypotheses[ci][hi]
            pi, s, e = prep.windows[wi]
            sv.entailment, sv.neutral, sv.contradiction = (float(x) for x in p)
            sv.passage, sv.window_start, sv.window_end = pi, s, e
            sv.evidence = prep.passages[pi][s:e]
            scores.append(sv.score)
        supported = [sentences[ci].label == "supported" for ci in prep.claim_rows]
        scores += [0.0] * len(prep.incomplete_rows)
        supported += [False] * len(prep.incomplete_rows)
        if not prep.answer.strip():
            score = 0.0
        elif st.aggregate == "learned" and scores:
            score = self.aggregator.score(answer_features(
                arrays, [prep.hypotheses[ci][-1] for ci in prep.claim_rows],
                mask_html(prep.answer), prep.passages, len(prep.incomplete_rows),
                st.contradiction_min_overlap))
        else:
            score = aggregate(scores, supported, "mean" if st.aggregate == "learned"
                              else st.aggregate)
        verdict = "faithful" if score >= st.threshold else "unfaithful"
        if prep.other_language and not prep.claim_rows and not prep.incomplete_rows:
            score, verdict = 0.0, "unsupported_language"
            notes.append("no sentence in English: the answer was not judged (score 0 here "
                         "means not judged, not unfaithful)")
        return FaithfulnessResult(score=score, verdict=verdict, sentences=sentences,
                                  threshold=st.threshold, notes=notes,
                                  judge_version=version)


def decide_sentence(probs: np.ndarray, numbers_ok: np.ndarray, related: np.ndarray,
                    st: JudgeSettings) -> tuple[str, float, int]:
    """Label, score and deciding row for one claim from its (pairs, 3) probabilities.

    Entailment counts only from windows that hold the claim's numbers (``check_numbers``).
    Contradiction counts only from windows that share at least ``contradiction_min_overlap``
    of the claim's content words (MNLI models call unrelated text a contradiction); the
    strongest such contradiction labels the claim ``contradicted`` (score 0) when it reaches
    ``contradiction_threshold``.
    """
    ent = probs[:, 0] * numbers_ok if st.check_numbers else probs[:, 0]
    best = int(ent.argmax())
    con_probs = probs[:, 2] * (related >= st.contradiction_min_overlap)
    worst = int(con_probs.argmax())
    con = float(con_probs[worst])
    if con >= st.contradiction_threshold:
        return "contradicted", 0.0, worst
    score = sentence_score(float(ent[best]), con, st.contradiction_weight)
    label = "supported" if score >= st.support_threshold else "unsupported"
    return label, score, best if ent[best] > 0 else int(probs[:, 0].argmax())


def preselect(relevance: np.ndarray, k: int) -> list[int]:
    """Indices of the ``k`` highest ``relevance`` values, ties to the earlier, in order."""
    return sorted(np.argsort(-relevance, kind="stable")[:k].tolist())


def sentence_score(entailment: float, contradiction: float, weight: float) -> float:
    """``clip(entailment - weight * contradiction, 0, 1)``."""
    return float(np.clip(entailment - weight * contradiction, 0.0, 1.0))


def aggregate(scores: list[float], supported: list[bool], how: str) -> float:
    """The answer's score from its claim sentences' (1.0 when there are none)."""
    if not scores:
        return 1.0
    if how == "mean":
        return float(np.mean(scores))
    if how == "share":
        return float(np.mean(supported))
    return float(min(scores))


def judge_runnable(judge: FaithfulnessJudge):
    """A LangChain Runnable: ``{"question", "answer", "documents"}`` -> FaithfulnessResult.

    ``documents`` are LangChain Documents (their ``page_content`` is the evidence) or strings.
    """
    from langchain_core.runnables import RunnableLambda

    def _judge(inputs: dict) -> FaithfulnessResult:
        docs = inputs.get("documents") or []
        passages = [getattr(d, "page_content", d) for d in docs]
        return judge.score(inputs.get("answer", ""), [str(p) for p in passages],
                           inputs.get("question"))

    return RunnableLambda(_judge, name="FaithfulnessJudge")
