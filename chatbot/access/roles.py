"""Who may see what. Three roles, each with what the one below may do:

- ``visitor``: chats (and sees only their own conversation), summarises a document, uses
  the judge playground; anyone who opens the app.
- ``rater``: also rates logged answers (the rating queue shows other people's questions).
- ``staff``: also the Dashboard, adding documents to the shared knowledge base, exporting
  every rating, deleting conversations, applying a judge calibration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ROLES = ("visitor", "rater", "staff")
# Headers a reverse proxy adds: behind one, the app sees the proxy's loopback address for
# every visitor, so such a request is never taken for one made on the app's machine.
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host")


@dataclass(frozen=True)
class User:
    """Who is using the app: ``name`` (the account's user name, ``local`` for the app's own
    machine without accounts, None for an anonymous visitor), ``role`` and ``via``
    (``password``, ``oidc``, ``localhost`` or ``anonymous``)."""

    name: str | None
    role: str
    via: str

    def may(self, role: str) -> bool:
        """Whether this user has ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(check_role(role))


VISITOR = User(None, "visitor", "anonymous")


def check_role(role: str) -> str:
    """``role`` if it is one of ROLES, else ValueError naming them."""
    if role not in ROLES:
        raise ValueError(f"role is one of {', '.join(ROLES)}, not {role!r}")
    return role


def is_local_request(ip_address: str | None, headers: Mapping[str, str]) -> bool:
    """Whether a request comes from a browser on the app's own machine: Streamlit gives no IP
    address for loopback connections, and a proxy in front would add forwarding headers."""
    names = {k.lower() for k in headers}
    return ip_address is None and not names & set(PROXY_HEADERS)
