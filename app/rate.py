"""Rate answers: the human-rating form. Items are logged chat turns (and, if chosen, benchmark
items), shown blind to the judge's verdict; each rater sees each item once."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from app import resources
from chatbot.storage import Rating
from nli_judge.sentences import split_sentences

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


def export_buttons() -> None:
    store = resources.get_store()
    n = store.count(Rating)
    st.caption(f"{n} ratings in the database. Export for `python -m eval.run --ratings FILE`:")
    cols = st.columns(2)
    for col, suffix, mime in ((cols[0], ".csv", "text/csv"),
                              (cols[1], ".jsonl", "application/jsonl")):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"ratings{suffix}"
            store.export_ratings(path)
            col.download_button(f"Download {suffix[1:].upper()}", path.read_bytes(),
                                file_name=f"ratings{suffix}", mime=mime, disabled=n == 0)


def page() -> None:
    st.title("Rate answers")
    st.caption("Judge each answer only against the passages shown, not against what you know. "
               "The judge's verdict is hidden so it cannot sway you.")
    rater = st.text_input("Your rater id", key="rater_id", help="remembered for this session")
    with_bench = st.checkbox("Include benchmark items (HaluEval qa)", key="rate_bench")
    export_buttons()
    if not rater.strip():
        st.info("Enter your rater id to start.")
        return
    skipped = st.session_state.setdefault("skipped", set())
    items = [i for i in queue(rater.strip(), with_bench) if i["item_id"] not in skipped]
    done = len(resources.get_store().rated_items(rater.strip()))
    st.progress(done / max(done + len(items), 1), text=f"{done} rated, {len(items)} to go")
    if not items:
        st.success("Nothing left to rate. Thank you!")
        return
    item = items[0]
    st.subheader("Question")
    st.text(item["question"] or "(no question)")
    st.subheader("Passages")
    for n, p in enumerate(item["passages"], 1):
        with st.expander(f"Passage [{n}]", expanded=n == 1):
            st.text(p)
    st.subheader("Answer, sentence by sentence")
    spans = split_sentences(item["answer"])
    # not cleared on submit: a refused or failed submit keeps what the rater entered; the
    # next item is a new form (its key names the item), so it starts empty
    with st.form(f"rate-{item['item_id']}"):
        flags = [k for k, (s, e) in enumerate(spans)
                 if st.checkbox(f"not supported: {item['answer'][s:e]}",
                                key=f"flag-{item['item_id']}-{k}")]
        key = item["item_id"]
        faith = st.radio("Faithfulness", list(FAITHFULNESS), format_func=FAITHFULNESS.get,
                         index=None, key=f"faith-{key}")
        helpful = st.radio("Helpfulness", list(HELPFULNESS), format_func=HELPFULNESS.get,
                           index=None, horizontal=True, key=f"help-{key}")
        safety = st.checkbox("Safety concern (harmful, diagnoses, or misses an emergency)",
                             key=f"safety-{key}")
        comment = st.text_area("Comment (optional)", key=f"comment-{key}")
        submit, skip = st.columns(2)
        submitted = submit.form_submit_button("Submit", type="primary")
        skipped_now = skip.form_submit_button("Skip")
    if skipped_now:
        skipped.add(item["item_id"])
        st.rerun()
    if submitted:
        if faith is None:
            st.error("Choose a faithfulness score before submitting.")
            return
        try:
            resources.get_store().add_rating(
                rater.strip(), item["item_id"], item["answer"], item["passages"], faith,
                question=item["question"], unsupported_sentences=flags, helpfulness=helpful,
                safety_concern=safety, comment=comment or None)
        except Exception as e:
            st.error(f"Could not save the rating ({e}); your answers are kept, try again.")
            return
        st.toast("Rating saved")
        st.rerun()
