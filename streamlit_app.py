"""GroundedChat app. For now: the NLI judge demo (premise + claim -> entailment verdict).

Run with ``make run`` (``streamlit run streamlit_app.py``).
"""

from __future__ import annotations

import streamlit as st

from nli_judge import LABELS, NLIModel


@st.cache_resource(show_spinner="Loading the NLI model...")
def load_model() -> NLIModel:
    return NLIModel.load()


st.set_page_config(page_title="GroundedChat: NLI judge", page_icon="⚖️")
st.title("GroundedChat: is the claim supported?")
st.caption("The project's own MiniLM model, fine-tuned on MNLI + ANLI, judges whether the "
           "evidence entails, contradicts or says nothing about the claim.")
premise = st.text_area("Evidence (premise)", "Aspirin can irritate the stomach lining and may "
                       "cause bleeding.")
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
