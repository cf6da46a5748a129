"""The Streamlit app's pages (``streamlit_app.py`` puts them in one navigation)."""
