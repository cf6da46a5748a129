"""documents page script (see app.documents)."""

from app.documents import page

page()
