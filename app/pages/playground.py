"""Judge playground page script (see app.playground)."""

from app.playground import page

page()
