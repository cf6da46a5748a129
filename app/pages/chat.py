"""Chat page script (see app.chat)."""

from app.chat import page

page()
