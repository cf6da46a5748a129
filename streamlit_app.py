"""GroundedChat app: ``make run`` (``streamlit run streamlit_app.py``).

Pages: Chat (answers with sources, the judge's verdict and feedback), Documents (add files,
summarise), Rate answers (the human-rating form), Dashboard (judge vs people, trends, the
latest benchmark) and the judge playground.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="GroundedChat", page_icon="⚖️", layout="wide")
st.navigation([
    st.Page("app/pages/chat.py", title="Chat", icon="💬", default=True),
    st.Page("app/pages/documents.py", title="Documents", icon="📄"),
    st.Page("app/pages/rate.py", title="Rate answers", icon="📝"),
    st.Page("app/pages/dashboard.py", title="Dashboard", icon="📊"),
    st.Page("app/pages/playground.py", title="Judge playground", icon="⚖️"),
]).run()
