"""GroundedChat app: ``make run`` (``streamlit run streamlit_app.py``).

Pages: Chat (answers with sources, the judge's verdict and feedback), Documents (add files,
summarise), Rate answers (the human-rating form), Dashboard (judge vs people, trends, the
latest benchmark) and the judge playground.
"""

from __future__ import annotations

import streamlit as st

# Icons are Material Symbols, which Streamlit serves with its own font: emoji icons need an
# emoji font in the browser's system and showed as empty boxes without one.

st.set_page_config(page_title="GroundedChat", page_icon=":material/balance:", layout="wide")
st.navigation([
    st.Page("app/pages/chat.py", title="Chat", icon=":material/chat:", default=True),
    st.Page("app/pages/documents.py", title="Documents", icon=":material/description:"),
    st.Page("app/pages/rate.py", title="Rate answers", icon=":material/rate_review:"),
    st.Page("app/pages/dashboard.py", title="Dashboard", icon=":material/monitoring:"),
    st.Page("app/pages/playground.py", title="Judge playground", icon=":material/balance:"),
]).run()
