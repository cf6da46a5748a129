"""rate page script (see app.rate)."""

from app.rate import page

page()
