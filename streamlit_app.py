"""GroundedChat app: ``make run`` (``streamlit run streamlit_app.py``).

Pages: Chat (answers with sources, the judge's verdict and feedback), Documents (summarise;
staff add files), Judge playground; for raters Rate answers (the human-rating form); for
staff the Dashboard (judge vs people, trends, deletion, the latest benchmark). A page the
user's role may not open is not in the navigation, so its URL runs nothing (app.access).
"""

from __future__ import annotations

import streamlit as st

from app import access, resources

# Icons are Material Symbols, which Streamlit serves with its own font: emoji icons need an
# emoji font in the browser's system and showed as empty boxes without one.

st.set_page_config(page_title="GroundedChat", page_icon=":material/balance:", layout="wide")
resources.enforce_retention()
user = access.current_user()
pages = [
    st.Page("app/pages/chat.py", title="Chat", icon=":material/chat:", default=True),
    st.Page("app/pages/documents.py", title="Documents", icon=":material/description:"),
]
if user.may("rater"):
    pages.append(st.Page("app/pages/rate.py", title="Rate answers",
                         icon=":material/rate_review:"))
if user.may("staff"):
    pages.append(st.Page("app/pages/dashboard.py", title="Dashboard",
                         icon=":material/monitoring:"))
pages.append(st.Page("app/pages/playground.py", title="Judge playground",
                     icon=":material/balance:"))
page = st.navigation(pages)
access.sidebar(user)
page.run()
