"""Ask the chatbot from the command line.

    python -m chatbot ask "QUESTION" [--provider local|openai] [--json] [--guard off|warn|retry]

Answers offline by default (the local model); prints the answer, numbered sources and the
judge's verdict and whether the answer addresses the question, or with --json: {answer,
route (rag, safety, not_found), sources, faithfulness {score, verdict, sentences},
answers_question {verdict, score, reason}, understanding {topic, qtype, ...}, latency_ms,
...}. The turn is stored in the database (var/groundedchat.db by default).
"""

from __future__ import annotations

import argparse
import json
import sys

from chatbot.settings import ChatSettings
from chatbot.turn import ChatTurn


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m chatbot", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--provider", choices=["local", "openai"])
    ask.add_argument("--guard", choices=["off", "warn", "retry"])
    ask.add_argument("--top-k", type=int)
    ask.add_argument("--collection", help="only passages from this source collection")
    ask.add_argument("--json", action="store_true", help="print JSON")
    ask.add_argument("--no-store", action="store_true", help="do not store the turn")
    return ap.parse_args(argv)


def print_json(turn: ChatTurn) -> None:
    data = turn.to_dict()
    f = data["faithfulness"]
    print(json.dumps({
        "answer": turn.answer, "route": turn.route, "turn_id": turn.turn_id,
        "sources": [{k: p[k] for k in ("n", "doc_id", "title", "collection", "url", "text",
                                       "similarity")} for p in data["passages"]],
        "faithfulness": {k: f[k] for k in ("score", "verdict", "sentences")} if f else None,
        "answers_question": turn.relevance, "understanding": turn.understanding,
        "latency_ms": turn.latency_ms, "provider": turn.provider, "model": turn.model,
        "tokens": turn.tokens, "notes": turn.notes}, indent=2))


def print_text(turn: ChatTurn, streamed: str = "") -> None:
    """The answer as checked when it differs from the ``streamed`` text (tidied, quotes
    added, unsupported sentences removed by the guard), sources, the verdict with the
    sentences that are not supported, notes, latency."""
    if " ".join(turn.answer.split()) != " ".join(streamed.split()):
        print(f"\n\nanswer as checked (see the notes):\n{turn.answer}")
    print("\n")
    for p in turn.passages:
        print(f"[{p.n}] {p.title} ({p.collection}) {p.url}")
    if r := turn.relevance:
        print(f"\nanswers the question: {r['verdict']} (score {r['score']:.2f}): {r['reason']}")
    if f := turn.faithfulness:
        print(f"judge: {f.verdict} (score {f.score:.2f})")
        for s in f.sentences:
            if s.label in ("unsupported", "contradicted", "incomplete"):
                print(f"  {s.label}: {s.text}")
    for n in turn.notes:
        print(f"note: {n}")
    lat = ", ".join(f"{k} {v:.0f} ms" for k, v in turn.latency_ms.items())
    print(f"latency: {lat}" if lat else "")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    overrides = {k: v for k, v in (("provider", args.provider), ("guard", args.guard),
                                   ("top_k", args.top_k)) if v is not None}
    settings = ChatSettings(**overrides)
    from chatbot.service import QuestionError, check_question

    try:  # before any model is loaded
        check_question(args.question, settings.max_question_chars)
    except QuestionError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    from chatbot.service import Store, build_chatbot

    try:
        bot = build_chatbot(settings)
    except (ValueError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    where = {"collection": args.collection} if args.collection else None
    turn, streamed = None, []
    from chatbot.service import paused

    with paused(settings):  # a background index build waits while the answer is written
        for piece in bot.stream(args.question, where=where):
            if isinstance(piece, str):
                streamed.append(piece)
                if not args.json:
                    print(piece, end="", flush=True)
            else:
                turn = piece
    if not args.no_store:
        try:
            Store(settings.db_url).record_turn(turn, session_id="cli")
        except Exception as e:  # the answer is still printed, and says it was not stored
            note = (f"not saved: the database could not be reached ({type(e).__name__}: "
                    f"{str(e)[:160]})")
            turn.notes.append(note)
            print(f"warning: {note}", file=sys.stderr)
    if args.json:
        print_json(turn)
    else:
        print_text(turn, "".join(streamed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
