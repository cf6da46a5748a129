"""Local accounts on a real database (SQLite and PostgreSQL): Argon2id hashes, sign-in, the
lock-out after repeated failures, the refusals."""

import pytest
from sqlalchemy import select

from chatbot.access import Accounts, LoginRefused
from chatbot.access.accounts import LOCK_S, MAX_FAILURES
from chatbot.storage.store import Account, Store

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self):
        self.t = 1_800_000_000.0

    def __call__(self):
        return self.t


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(db_url, clock):
    a = Accounts(Store(db_url), clock=clock)
    a.add("ann", "rater", PASSWORD)
    return a


def test_the_password_is_stored_only_as_a_salted_argon2id_hash(accounts):
    accounts.add("bob", "staff", PASSWORD)
    with accounts.store.session() as s:
        hashes = dict(s.execute(select(Account.username, Account.password_hash)).all())
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes.values())
    assert hashes["ann"] != hashes["bob"]  # same password, different salts


def test_sign_in_gives_the_accounts_role(accounts):
    user = accounts.login("ann", PASSWORD)
    assert (user.name, user.role, user.via) == ("ann", "rater", "password")
    assert user.may("rater") and not user.may("staff")


@pytest.mark.parametrize("name, password", [("ann", "wrong password!"), ("nobody", PASSWORD),
                                            ("", ""), ("ann", "")])
def test_a_wrong_name_or_password_gets_the_same_refusal(accounts, name, password):
    with pytest.raises(LoginRefused, match="^wrong user name or password$"):
        accounts.login(name, password)


def test_repeated_failures_lock_the_account_even_for_the_right_password(accounts, clock):
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(LoginRefused, match="wrong"):
            accounts.login("ann", "guess guess guess")
    with pytest.raises(LoginRefused, match=f"locked for {LOCK_S:.0f} s"):
        accounts.login("ann", "guess guess guess")
    with pytest.raises(LoginRefused, match="locked"):
        accounts.login("ann", PASSWORD)
    clock.t += LOCK_S + 1
    with pytest.raises(LoginRefused, match=f"locked for {2 * LOCK_S:.0f} s"):  # doubles
        accounts.login("ann", "guess guess guess")
    clock.t += 2 * LOCK_S + 1
    assert accounts.login("ann", PASSWORD).name == "ann"  # a success resets the count
    assert accounts.list()[0]["failed_logins"] == 0


def test_a_new_password_unlocks(accounts):
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginRefused):
            accounts.login("ann", "guess guess guess")
    accounts.set_password("ann", "another long password")
    assert accounts.login("ann", "another long password").role == "rater"


@pytest.mark.parametrize("name, role, password, error", [
    ("ann", "rater", PASSWORD, "already an account"),
    ("two words", "rater", PASSWORD, "without spaces"),
    ("", "rater", PASSWORD, "without spaces"),
    ("cat", "admin", PASSWORD, "role is one of visitor, rater, staff"),
    ("cat", "visitor", PASSWORD, "visitors need no account"),
    ("cat", "rater", "short", "at least 10 characters"),
])
def test_bad_accounts_are_refused_and_nothing_is_written(accounts, name, role, password,
                                                          error):
    with pytest.raises(ValueError, match=error):
        accounts.add(name, role, password)
    assert [a["username"] for a in accounts.list()] == ["ann"]


def test_an_oidc_account_has_a_role_but_no_password_sign_in(accounts):
    accounts.add("cat@example.org", "staff")
    assert accounts.role_of("cat@example.org") == "staff"
    assert accounts.role_of("dog@example.org") is None
    with pytest.raises(LoginRefused, match="wrong"):
        accounts.login("cat@example.org", "")


def test_role_change_and_removal(accounts):
    accounts.set_role("ann", "staff")
    assert accounts.login("ann", PASSWORD).role == "staff"
    accounts.remove("ann")
    assert accounts.role_of("ann") is None and not accounts.any_with_password()
    with pytest.raises(KeyError):
        accounts.remove("ann")
