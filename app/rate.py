"""Rate answers: the human-rating form, for raters and staff (``app.access``). Items are logged
chat turns (and, if chosen, benchmark items), shown blind to the judge's verdict; each rater
sees each item once. A rating records the signed-in account, never a typed name."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from app import access, resources
from chatbot.service import User
from nli_judge.judge.sentences import answer_spans

FAITHFULNESS = {
    5: "5 - every statement is supported by the passages",
    4: "4 - a minor detail is not in the passages; nothing important is wrong",
    3: "3 - partly supported: some real claims are not in the passages",
    2: "2 - mostly unsupported by the passages",
    1: "1 - contradicts the passages or invents the main point",
}
HELPFULNESS = {5: "5 - fully answers, clear", 4: "4 - mostly answers", 3: "3 - partly",
               2: "2 - barely helps", 1: "1 - does not help"}


def queue(rater: str, with_benchmark: bool) -> list[dict]:
    """Items this rater has not rated yet: logged turns first, then benchmark items."""
    store = resources.get_store()
    done = store.rated_items(rater)
    items = [{"item_id": t["id"], "question": t["question"], "answer": t["answer"],
              "passages": [p["text"] for p in t["passages"]]}
             for t in store.turns() if t["route"] == "rag" and t["id"] not in done]
    if with_benchmark:
        from eval.datasets import halueval

        items += [{"item_id": it.id, "question": it.question, "answer": it.answer,
                   "passages": it.passages} for it in halueval("qa", "test", limit=25)
                  if it.id not in done]
    return items


def export_buttons(user: User) -> None:
    """Staff export every rating; a rater only their own (a rating holds the question and
    answer it rated)."""
    store = resources.get_store()
    rater = None if user.may("staff") else user.name
    n = len(store.ratings(rater))
    whose = "ratings in the database" if rater is None else "of your ratings"
    st.caption(f"{n} {whose}. Export for `python -m eval.run --ratings FILE`:")
    cols = st.columns(2)
    for col, suffix, mime in ((cols[0], ".csv", "text/csv"),
                              (cols[1], ".jsonl", "application/jsonl")):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"ratings{suffix}"
            store.export_ratings(path, rater)
            col.download_button(f"Download {suffix[1:].upper()}", path.read_bytes(),
                                file_name=f"ratings{suffix}", mime=mime, disabled=n == 0)


def show_item(item: dict) -> None:
    """The question and passages the rater judges the answer against."""
    st.subheader("Question")
    st.text(item["question"] or "(no question)")
    st.subheader("Passages")
    for n, p in enumerate(item["passages"], 1):
        with st.expander(f"Passage [{n}]", expanded=n == 1):
            st.text(p)


def rating_form(item: dict) -> tuple[dict, bool, bool]:
    """The form for one answer: (what the rater entered, submitted, skipped). Sentences are
    the judge's own (``answer_spans``), so a flag's number is the judge's sentence number.
    Not cleared on submit: a refused or failed submit keeps what the rater entered; the next
    item is a new form (its key names the item), so it starts empty."""
    st.subheader("Answer, sentence by sentence")
    spans = answer_spans(item["answer"])
    key = item["item_id"]
    with st.form(f"rate-{key}"):
        flags = [k for k, (s, e) in enumerate(spans)
                 if st.checkbox(f"not supported: {item['answer'][s:e]}", key=f"flag-{key}-{k}")]
        entered = {
            "faithfulness": st.radio("Faithfulness", list(FAITHFULNESS),
                                     format_func=FAITHFULNESS.get, index=None,
                                     key=f"faith-{key}"),
            "helpfulness": st.radio("Helpfulness", list(HELPFULNESS), format_func=HELPFULNESS.get,
                                    index=None, horizontal=True, key=f"help-{key}"),
            "safety_concern": st.checkbox("Safety concern (harmful, diagnoses, or misses an "
                                          "emergency)", key=f"safety-{key}"),
            "comment": st.text_area("Comment (optional)", key=f"comment-{key}") or None,
            "unsupported_sentences": flags,
        }
        submit, skip = st.columns(2)
        submitted = submit.form_submit_button("Submit", type="primary")
        skipped = skip.form_submit_button("Skip")
    return entered, submitted, skipped


def save_rating(rater: str, item: dict, entered: dict) -> bool:
    """Store one rating; an error is shown (and the form kept) when it cannot be saved."""
    if entered["faithfulness"] is None:
        st.error("Choose a faithfulness score before submitting.")
        return False
    try:
        rest = {k: v for k, v in entered.items() if k != "faithfulness"}
        resources.get_store().add_rating(rater, item["item_id"], item["answer"],
                                         item["passages"], entered["faithfulness"],
                                         question=item["question"], **rest)
    except Exception as e:
        st.error(f"Could not save the rating ({e}); your answers are kept, try again.")
        return False
    return True


def page() -> None:
    user = access.require("rater")
    rater = user.name
    st.title("Rate answers")
    st.caption(f"Rating as **{rater}**. Judge each answer only against the passages shown, not "
               "against what you know. The judge's verdict is hidden so it cannot sway you.")
    with_bench = st.checkbox("Include benchmark items (HaluEval qa)", key="rate_bench")
    export_buttons(user)
    skipped = st.session_state.setdefault("skipped", set())
    items = [i for i in queue(rater, with_bench) if i["item_id"] not in skipped]
    done = len(resources.get_store().rated_items(rater))
    st.progress(done / max(done + len(items), 1), text=f"{done} rated, {len(items)} to go")
    if not items:
        st.success("Nothing left to rate. Thank you!")
        return
    item = items[0]
    show_item(item)
    entered, submitted, skipped_now = rating_form(item)
    if skipped_now:
        skipped.add(item["item_id"])
        st.rerun()
    if submitted and save_rating(rater, item, entered):
        st.toast("Rating saved")
        st.rerun()
