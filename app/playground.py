"""Judge playground: the NLI model on one evidence/claim pair."""

from __future__ import annotations

import streamlit as st

from app import resources
from nli_judge import LABELS, NLIModel


def load_model() -> NLIModel:
    """The judge's own NLI model (one copy in memory, shared with the chat page)."""
    return resources.judge(resources.settings().judge_backend).model


def page() -> None:
    st.title("Is the claim supported?")
    st.caption("The model under the faithfulness judge (our own MiniLM, fine-tuned for the "
               "judge's task) says whether the evidence entails, contradicts or says nothing "
               "about the claim.")
    premise = st.text_area("Evidence (premise)", "Aspirin can irritate the stomach lining and "
                           "may cause bleeding.")
    hypothesis = st.text_input("Claim (hypothesis)", "Aspirin may cause stomach bleeding.")
    if st.button("Check", type="primary"):
        if not premise.strip() or not hypothesis.strip():
            st.error("Enter both the evidence and the claim.")
        else:
            probs = load_model().predict([premise], [hypothesis])[0]
            label = LABELS[int(probs.argmax())]
            st.subheader(f"Verdict: {label}")
            for name, p in zip(LABELS, probs, strict=True):
                st.progress(float(p), text=f"{name}: {p:.2f}")
