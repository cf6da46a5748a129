"""dashboard page script (see app.dashboard)."""

from app.dashboard import page

page()
