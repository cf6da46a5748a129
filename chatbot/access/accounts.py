"""Local accounts (the ``accounts`` table): create them, sign in, lock out guessing.

Passwords are hashed with Argon2id (argon2-cffi's ``PasswordHasher``: a random salt per
hash, its current default cost); neither the password nor the hash is ever logged or shown.
After ``MAX_FAILURES`` failed sign-ins in a row an account is locked for ``LOCK_S`` seconds,
doubling with each further failure up to an hour; while locked even the right password is
refused, and a success resets the count. An unknown user name costs the same hash check as
a known one and gets the same refusal, so answers do not tell which names exist.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from chatbot.access.roles import User, check_role
from chatbot.storage.store import Account, Store

MAX_FAILURES = 5
LOCK_S = 30.0
MAX_LOCK_S = 3600.0
MIN_PASSWORD = 10
MAX_NAME = 128


class LoginRefused(Exception):
    """A sign-in was refused; the message is safe to show (it names no secret)."""


def _aware(t: datetime | None) -> datetime | None:
    return t if t is None or t.tzinfo else t.replace(tzinfo=UTC)


class Accounts:
    """The accounts in ``store``'s database. ``clock`` (seconds since the epoch) is for
    tests of the lock-out."""

    def __init__(self, store: Store, clock=time.time):
        self.store, self.clock = store, clock
        self.hasher = PasswordHasher()
        self._dummy = self.hasher.hash("not a password of anyone")

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def _check_password(self, password: str) -> None:
        if not isinstance(password, str) or len(password) < MIN_PASSWORD:
            raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
        if len(password) > 1024:
            raise ValueError("a password has at most 1024 characters")

    def add(self, username: str, role: str, password: str | None = None) -> None:
        """Create an account (ValueError, nothing written, for a taken or bad name, a bad
        role or a short password). Without a password it signs in through OpenID Connect
        only (``username`` is then the provider's e-mail address)."""
        username = (username or "").strip()
        if not username or len(username) > MAX_NAME or any(c.isspace() for c in username):
            raise ValueError(f"a user name is 1-{MAX_NAME} characters without spaces")
        check_role(role)
        if role == "visitor":
            raise ValueError("visitors need no account: give role rater or staff")
        if password is not None:
            self._check_password(password)
        with self.store.session() as s, s.begin():
            if s.scalar(select(Account.id).where(Account.username == username)) is not None:
                raise ValueError(f"there is already an account {username!r}")
            s.add(Account(username=username, role=role, failed_logins=0,
                          password_hash=None if password is None
                          else self.hasher.hash(password)))

    def _get(self, s, username: str) -> Account:
        a = s.scalar(select(Account).where(Account.username == username))
        if a is None:
            raise KeyError(f"no account {username!r}")
        return a

    def set_password(self, username: str, password: str) -> None:
        """A new password (and the lock-out cleared); KeyError for an unknown account."""
        self._check_password(password)
        with self.store.session() as s, s.begin():
            a = self._get(s, username)
            a.password_hash, a.failed_logins, a.locked_until = (self.hasher.hash(password), 0,
                                                                None)

    def set_role(self, username: str, role: str) -> None:
        check_role(role)
        with self.store.session() as s, s.begin():
            self._get(s, username).role = role

    def remove(self, username: str) -> None:
        """Delete the account (its ratings stay, under its name)."""
        with self.store.session() as s, s.begin():
            s.delete(self._get(s, username))

    def list(self) -> list[dict]:
        """Every account: user name, role, whether it has a password, lock-out state."""
        with self.store.session() as s:
            return [{"username": a.username, "role": a.role,
                     "password": a.password_hash is not None,
                     "failed_logins": a.failed_logins,
                     "locked_until": _aware(a.locked_until), "created_at": a.created_at}
                    for a in s.scalars(select(Account).order_by(Account.username))]

    def any_with_password(self) -> bool:
        """Whether anyone can sign in with a password (the app then shows its sign-in form
        and stops treating its own machine as staff)."""
        with self.store.session() as s:
            return s.scalar(select(Account.id).where(Account.password_hash.is_not(None))
                            .limit(1)) is not None

    def role_of(self, username: str | None) -> str | None:
        """The role of ``username`` (an OpenID Connect e-mail address), None without one."""
        if not username:
            return None
        with self.store.session() as s:
            return s.scalar(select(Account.role).where(Account.username == username))

    def login(self, username: str, password: str) -> User:
        """The signed-in user, or LoginRefused saying why (locked, or a wrong name or
        password: the same words for both, so names cannot be probed)."""
        wrong = LoginRefused("wrong user name or password")
        with self.store.session() as s, s.begin():
            a = s.scalar(select(Account).where(Account.username == (username or "").strip()))
            now = self._now()
            if a is None or a.password_hash is None:
                self._verify(self._dummy, password)  # the same time as a real check
                raise wrong
            locked = _aware(a.locked_until)
            if locked is not None and locked > now:
                wait = (locked - now).total_seconds()
                raise LoginRefused(f"too many failed sign-ins: this account is locked for "
                                   f"{wait:.0f} s more")
            if self._verify(a.password_hash, password):
                a.failed_logins, a.locked_until = 0, None
                if self.hasher.check_needs_rehash(a.password_hash):
                    a.password_hash = self.hasher.hash(password)
                return User(a.username, a.role, "password")
            a.failed_logins += 1  # committed as the block ends; refused after it
            refusal = wrong
            if a.failed_logins >= MAX_FAILURES:
                lock = min(LOCK_S * 2 ** (a.failed_logins - MAX_FAILURES), MAX_LOCK_S)
                a.locked_until = now + timedelta(seconds=lock)
                refusal = LoginRefused(f"too many failed sign-ins: this account is locked "
                                       f"for {lock:.0f} s")
        raise refusal

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return self.hasher.verify(hashed, password or "")
        except (VerificationError, InvalidHashError):
            return False
