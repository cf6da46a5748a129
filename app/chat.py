"""Chat page: answers stream in, with numbered sources, the judge's verdict (each sentence
marked with a text label, not colour alone) and feedback that is saved at once."""

from __future__ import annotations

import uuid

import streamlit as st

from app import resources
from chatbot.service import (
    QuestionError,
    RAGChatbot,
    build_chatbot,
    check_question,
    delete_conversation,
    paused,
)
from chatbot.turn import ChatTurn
from nli_judge.judge.results import NOT_JUDGED

BADGE = {"supported": ":green-badge[supported]", "unsupported": ":orange-badge[unsupported]",
         "contradicted": ":red-badge[contradicted]", "no_claim": ":gray-badge[no claim]",
         "incomplete": ":violet-badge[incomplete]", "repeated": ":gray-badge[repeated]",
         "other_language": ":gray-badge[not English: not judged]"}
VERDICT = {"faithful": ":green-badge[faithful]", "unfaithful": ":red-badge[unfaithful]",
           "unsupported_language": ":gray-badge[not judged: not English]"}
# Does the answer address the question (chatbot.retrieval.relevance)? Shown beside faithfulness, so
# "faithful but about something else" is never one plain green verdict.
RELEVANCE = {"answered": ":green-badge[answers your question]",
             "partly": ":orange-badge[partly answers your question]",
             "not answered": ":red-badge[not in my sources]"}


def _escape(text: str) -> str:
    """Markdown-escape model or document text so it renders as plain text, never as HTML."""
    for ch in "\\`*_{}[]<>()#+-.!|~$:":
        text = text.replace(ch, "\\" + ch)
    return text


def sidebar() -> dict:
    s = resources.settings()
    with st.sidebar:
        st.subheader("Assistant")
        provider = st.selectbox("Provider", ["local", "openai"],
                                index=["local", "openai"].index(s.provider))
        if provider == "openai" and not (s.openai_api_key or s.openai_base_url):
            st.warning("OpenAI is not configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a "
                       "compatible server). Using the local model.")
            provider = "local"
        temperature = st.slider("Temperature", 0.0, 1.0, float(s.temperature), 0.1)
        top_k = st.slider("Passages (top k)", 1, 10, s.top_k)
        guard = st.radio("Judge guard", ["off", "warn", "retry"],
                         index=["off", "warn", "retry"].index(s.guard), horizontal=True,
                         help="warn: mark unsupported sentences; retry: drop them, or answer "
                         "with the top passage's best-matching sentences when none is supported")
        if st.button("New conversation"):
            st.session_state.pop("messages", None)
            st.session_state.pop("conversation_id", None)
            st.rerun()
        delete_box()
        index_status()  # last: elements after a run_every fragment went missing after answers
    return {"provider": provider, "temperature": temperature, "top_k": top_k, "guard": guard}


def delete_box() -> None:
    """This conversation's id and a way to delete it (turns, passages, feedback, ratings):
    only the browser session that holds the id can, and staff by id on the Dashboard."""
    cid = st.session_state.get("conversation_id")
    if not cid:
        return
    days = resources.settings().retention_days
    with st.expander("Your conversation is stored"):
        st.caption(("Kept " + (f"{days:g} days after your last question" if days else
                                "until deleted")) + f". Its id: `{cid}` (quote it to "
                   "ask us to delete it later).")
        sure = st.checkbox("Yes, delete it for good", key="delete-sure")
        if st.button("Delete this conversation", disabled=not sure, key="delete-conv"):
            try:
                delete_conversation(resources.get_store(), cid)
            except Exception as e:
                st.error(f"Not deleted: the database cannot be reached ({type(e).__name__}). "
                         "Nothing changed; try again.")
                return
            for k in ("messages", "conversation_id", "delete-sure"):
                st.session_state.pop(k, None)
            st.toast("Conversation deleted")
            st.rerun()


@st.fragment(run_every=5)
def index_status() -> None:
    """While the knowledge base is built in the background: how far, and how long is left
    (refreshed every 5 s)."""
    p = resources.index_progress()
    if p is None:
        return
    eta = f", about {max(1, round(p['eta_s'] / 60))} min left" if p.get("eta_s") else ""
    st.progress(p["done"] / max(p["total"], 1),
                text=f"Building the knowledge base: {p['done']:,} / {p['total']:,} passages "
                f"embedded{eta}. Answers use keyword search until then.")


def make_bot(opts: dict) -> RAGChatbot:
    """``chatbot.service.build_chatbot`` with this server's cached pieces."""
    s = resources.settings().model_copy(update={k: opts[k] for k in ("temperature", "top_k",
                                                                      "guard")})
    llm = st.session_state.get("chat_model") or resources.chat_model(opts["provider"],
                                                                      opts["temperature"])
    return build_chatbot(s, kb=resources.knowledge_base(str(s.var_dir)),
                         judge=resources.judge(s.judge_backend), llm=llm,
                         fallback=lambda: resources.chat_model("local", opts["temperature"]),
                         provider=opts["provider"])


def warm_up(opts: dict) -> None:
    """Load what an answer needs (the knowledge base, its keyword index and topics, the
    judge, the chat model; once per server) while the user types, not after they send. A
    failure is only noted: answering tries again and says what went wrong."""
    try:
        _ = make_bot(opts).topics  # the knowledge base's topics too (chatbot.retrieval.understand)
    except Exception as e:
        st.caption(f"Not ready yet ({type(e).__name__}); the first answer will try again.")


def show_turn(msg: dict, index: int) -> None:
    turn: ChatTurn = msg["turn"]
    st.markdown(_escape(turn.answer))
    f = turn.faithfulness
    if turn.route == "safety":
        st.caption("Safety answer: fixed text, no language model involved.")
    if turn.route == "not_found":
        st.caption("Not in my sources: no language model involved, nothing made up.")
    r = turn.relevance
    if r and turn.route != "safety":
        st.markdown(f"**Relevance:** {RELEVANCE[r['verdict']]} score {r['score']:.2f} "
                    f"— {_escape(r['reason'])}")
    if f:
        verdict = VERDICT[f.verdict]
        if f.verdict == "faithful" and r and r["verdict"] != "answered":
            verdict = ":blue-badge[faithful to its sources]"  # not green: off the question
        st.markdown(f"**Judge:** {verdict} score {f.score:.2f}")
        for k, s in enumerate(f.sentences):
            text_col, evidence_col = st.columns([6, 1], vertical_alignment="center")
            text_col.markdown(f"{BADGE[s.label]} {_escape(s.text)}")
            if s.evidence and s.label not in NOT_JUDGED:
                with evidence_col.popover("evidence", key=f"ev-{index}-{k}"):
                    st.caption(f"sentence {k + 1}: {s.label}; passage "
                               f"[{(s.passage or 0) + 1}], entailment "
                               f"{s.entailment:.2f}, contradiction {s.contradiction:.2f}")
                    st.text(s.evidence)
    for n in turn.notes + [f"judge: {n}" for n in (f.notes if f else [])]:
        st.caption(_escape(n))
    if turn.passages and turn.route == "not_found":
        with st.expander("The closest passages found (not used: they do not cover this)"):
            for p in turn.passages:
                st.caption(f"[{p.n}] {_escape(p.title)} ({_escape(p.collection)})")
    elif turn.passages:
        st.markdown("**Sources**")
        for p in turn.passages:
            with st.expander(f"[{p.n}] {p.title} ({p.collection})"):
                if p.url:
                    st.markdown(f"[{_escape(p.url)}]({p.url})")
                st.text(p.text)
    st.caption(f"{turn.provider or '-'} / {turn.model or '-'} | "
               + ", ".join(f"{k} {v:.0f} ms" for k, v in turn.latency_ms.items()))
    if msg.get("save_error"):
        st.warning(f"This answer is not saved yet: the database cannot be reached "
                   f"({_escape(msg['save_error'])}). It is kept here and saved with your next "
                   "action; feedback opens then.")
    feedback(msg, index)


def feedback(msg: dict, index: int) -> None:
    """The feedback widgets of a saved answer; once sent, whether it is saved or pending."""
    turn_id = msg["turn"].turn_id
    if not turn_id:
        return
    if not msg.get("feedback_saved") and not msg.get("pending_feedback"):
        thumbs = st.feedback("thumbs", key=f"thumbs-{index}")
        with st.expander("More feedback (optional)"):
            stars = st.feedback("stars", key=f"stars-{index}")
            comment = st.text_input("Comment", key=f"comment-{index}")
        if thumbs is not None or st.button("Send feedback", key=f"send-{index}"):
            # The request id makes a resend after an outage store the feedback once.
            msg["pending_feedback"] = dict(
                turn_id=turn_id, thumbs=thumbs, stars=None if stars is None else stars + 1,
                comment=comment or None, session_id=st.session_state.get("session_id"),
                request_id=uuid.uuid4().hex)
            send_feedback(msg)
    if msg.get("feedback_saved"):
        st.caption("Feedback saved. Thank you.")
    elif msg.get("pending_feedback"):
        st.warning(f"Your feedback is not saved yet: the database cannot be reached "
                   f"({_escape(msg['feedback_error'])}). It is kept and sent again with your "
                   "next action.")


def send_feedback(msg: dict) -> bool:
    """Write ``msg``'s pending feedback; on failure keep it (and the error) for a resend."""
    try:
        resources.get_store().add_feedback(**msg["pending_feedback"])
    except Exception as e:  # database locked or gone: keep it for the next rerun
        msg["feedback_error"] = f"{type(e).__name__}: {str(e)[:160]}"
        return False
    msg.pop("pending_feedback")
    msg["feedback_saved"] = True
    return True


def save_turn(msg: dict) -> bool:
    """Store an answered turn. When the database cannot be reached, the answer stays on
    screen marked "not saved yet" and the save is tried again on the next rerun."""
    # Ids made here, so a save retried after a lost reply stores the turn once.
    conversation = st.session_state.setdefault("conversation_id", uuid.uuid4().hex)
    try:
        resources.get_store().record_turn(msg["turn"], conversation,
                                          st.session_state["session_id"],
                                          turn_id=msg.setdefault("turn_key", uuid.uuid4().hex))
    except Exception as e:
        msg["save_error"] = f"{type(e).__name__}: {str(e)[:160]}"
        return False
    msg.pop("save_error", None)
    return True


def retry_unsaved(messages: list[dict]) -> None:
    """Resend what an outage kept back: answers not stored yet, then pending feedback."""
    for m in messages:
        if m["role"] == "assistant" and m.get("save_error") and not save_turn(m):
            return  # still down: try again on the next rerun
        if m.get("pending_feedback") and not send_feedback(m):
            return


def related_questions(turn: ChatTurn, n: int = 3) -> list[str]:
    """Follow-ups from the answer's sources: one question per distinct source focus."""
    out: list[str] = []
    for p in turn.passages:
        title = p.title or ""
        focus = title.split(" (")[0].strip()
        q = f"What else should I know about {focus}?" if focus else ""
        if q and q not in out:
            out.append(q)
    return out[:n]


def suggestions(messages: list[dict]) -> None:
    """Buttons with suggested questions: the summariser's five reader questions when a
    document is in focus (Documents page), else follow-ups from the last answer's sources."""
    qs = st.session_state.get("suggested_questions") or []
    last = next((m for m in reversed(messages) if m["role"] == "assistant"), None)
    if not qs and last is not None and last["turn"].route != "not_found":
        qs = related_questions(last["turn"])  # not from passages that did not cover it
    if not qs:
        return
    st.caption("Suggested questions")
    cols = st.columns(min(len(qs), 3))
    for k, q in enumerate(qs[:6]):
        if cols[k % len(cols)].button(q, key=f"suggest-{len(messages)}-{k}"):
            st.session_state["pending"] = q


def page() -> None:
    st.title("GroundedChat")
    st.caption("Health information from trusted documents. Every answer is checked by our "
               "faithfulness judge. Not a diagnosis: ask a professional.")
    opts = sidebar()
    st.session_state.setdefault("session_id", uuid.uuid4().hex)
    messages = st.session_state.setdefault("messages", [])
    retry_unsaved(messages)
    for i, m in enumerate(messages):
        with st.chat_message(m["role"]):
            if m["role"] == "user":
                st.text(m["content"])
            else:
                show_turn(m, i)
    suggestions(messages)
    question = st.chat_input("Ask about a health topic") or st.session_state.pop("pending", None)
    if not question:
        warm_up(opts)
        return
    try:
        question = check_question(question, resources.settings().max_question_chars)
    except QuestionError as e:
        st.warning(f"Not sent: {_escape(str(e))}.")
        return
    messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.text(question)
    history = [(m["role"], m["content"] if m["role"] == "user" else m["turn"].answer)
               for m in messages[:-1]]
    with st.chat_message("assistant"):
        try:
            bot = make_bot(opts)
            result = {}

            def tokens():
                for piece in bot.stream(question, history):
                    if isinstance(piece, str):
                        yield piece
                    else:
                        result["turn"] = piece

            with st.spinner("Thinking..."), paused(resources.settings()):
                st.write_stream(tokens())
            turn = result["turn"]
        except Exception as e:
            st.error(f"Sorry, something went wrong answering this ({type(e).__name__}: {e}). "
                     "Your conversation is kept; try again.")
            messages.pop()
            return
    msg = {"role": "assistant", "turn": turn}
    messages.append(msg)
    save_turn(msg)  # an outage keeps the answer on screen, marked, and retries later
    st.rerun()
