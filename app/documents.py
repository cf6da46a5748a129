"""Documents: add files to the knowledge base, see what is indexed, summarise a document."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import access, resources
from chatbot.service import SUFFIXES, DocumentError, load_bytes
from chatbot.service import summarise as summarise_text


def upload(kb) -> None:
    files = st.file_uploader("Add documents", type=[s[1:] for s in SUFFIXES],
                             accept_multiple_files=True)
    if not files or not st.button("Add to the knowledge base", type="primary"):
        return
    docs = []
    for f in files:
        try:
            docs.append(load_bytes(f.name, f.getvalue(), resources.settings().max_upload_mb))
            st.write(f"ready: {f.name}")
        except DocumentError as e:
            st.error(str(e))
    if not docs:
        return
    bar = st.progress(0.0, text="embedding")
    counts = kb.add(docs, progress=lambda d, t: bar.progress(d / max(t, 1),
                                                             text=f"embedding {d}/{t} chunks"))
    kb.save(resources.settings().index_dir)
    st.success(f"{counts['added']} added, {counts['replaced']} replaced, {counts['unchanged']} "
               f"unchanged ({counts['chunks']} chunks)")


def summarise(kb) -> None:
    st.subheader("Summarise a document")
    f = st.file_uploader("Document to summarise", type=[s[1:] for s in SUFFIXES], key="summ")
    if f is None or not st.button("Summarise"):
        return
    try:
        doc = load_bytes(f.name, f.getvalue(), resources.settings().max_upload_mb)
    except DocumentError as e:
        st.error(str(e))
        return
    llm = st.session_state.get("chat_model") or resources.chat_model(
        resources.settings().provider, 0.0)
    with st.spinner("Summarising (map, then reduce)..."):
        result = summarise_text(llm, doc.page_content, doc.metadata["title"],
                                resources.judge(resources.settings().judge_backend))
    st.markdown(f"**Summary** ({result.method}, {result.chunks} chunks, {result.collapses} "
                "collapse rounds)")
    st.text(result.summary)
    for n in result.notes:
        st.caption(n)
    v = result.faithfulness
    if v is not None:
        st.markdown(f"**Judge:** {v.verdict} (score {v.score:.2f})")
    st.markdown("**Questions a reader might ask**")
    for q in result.questions:
        st.text(f"- {q}")
    st.session_state["suggested_questions"] = result.questions


def page() -> None:
    st.title("Documents")
    kb = resources.knowledge_base(str(resources.settings().var_dir))
    if not access.current_user().may("staff"):
        st.caption("Adding documents is for staff: what is added is searchable by every "
                   "visitor. Summarising a document below keeps nothing.")
    elif kb.building is None:
        upload(kb)
    else:
        st.info(f"The knowledge base is still being built ({kb.building['done']:,} of "
                f"{kb.building['total']:,} passages embedded): adding documents opens when "
                "it is done.")
    docs = kb.documents()
    st.subheader(f"Indexed: {len(docs):,} documents")
    table = pd.DataFrame([{"doc_id": k, **{c: v.get(c) for c in ("title", "collection",
                                                                    "chunks")}}
                          for k, v in docs.items()])
    st.dataframe(table, hide_index=True, use_container_width=True, height=260)
    summarise(kb)
