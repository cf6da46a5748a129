"""Who may see what in the app: roles, local accounts (Argon2id hashes, lock-out), and the
retention and deletion of conversations. ``python -m chatbot.access --help`` manages them."""

from chatbot.access.accounts import Accounts, LoginRefused
from chatbot.access.retention import (
    delete_conversation,
    delete_conversations,
    describe,
    expired,
    purge,
)
from chatbot.access.roles import ROLES, VISITOR, User, is_local_request

__all__ = ["ROLES", "VISITOR", "Accounts", "LoginRefused", "User", "delete_conversation",
           "delete_conversations", "describe", "expired", "is_local_request", "purge"]
