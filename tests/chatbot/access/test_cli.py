"""``python -m chatbot.access`` as an operator runs it: a real process, a real SQLite file."""

import subprocess
import sys

from chatbot.access import Accounts
from chatbot.storage.store import Store
from tests.conftest import ROOT


def cli(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chatbot.access", "--url", url, *args],
                          input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_accounts_are_made_listed_and_refused_from_the_shell(tmp_path):
    url = f"sqlite:///{tmp_path / 'gc.db'}"
    r = cli(url, "add", "ann", "--role", "staff", "--password-stdin",
            stdin="a long password 1\n")
    assert r.returncode == 0 and "account ann (staff) created" in r.stdout
    assert "a long password 1" not in r.stdout + r.stderr
    r = cli(url, "add", "cat@example.org", "--role", "rater", "--oidc")
    assert r.returncode == 0 and "OpenID Connect" in r.stdout
    r = cli(url, "add", "ann", "--role", "rater", "--password-stdin", stdin="another pass 2\n")
    assert r.returncode == 1 and "error: there is already an account 'ann'" in r.stderr
    r = cli(url, "add", "dog", "--role", "rater", "--password-stdin", stdin="short\n")
    assert r.returncode == 1 and "at least 10 characters" in r.stderr
    listing = cli(url, "list").stdout
    assert "ann\tstaff\tpassword" in listing and "cat@example.org\trater\toidc" in listing
    assert "$argon2" not in listing
    assert Accounts(Store(url)).login("ann", "a long password 1").role == "staff"
    r = cli(url, "remove", "nobody")
    assert r.returncode == 1 and "no account 'nobody'" in r.stderr


def test_delete_and_purge_from_the_shell(tmp_path):
    url = f"sqlite:///{tmp_path / 'gc.db'}"
    store = Store(url)
    cid = store.new_conversation()
    store.add_turn(cid, question="Q", answer="A")
    r = cli(url, "delete", cid)
    assert r.returncode == 0 and "deleted 1 conversations, 1 turns" in r.stdout
    assert store.turns() == []
    r = cli(url, "purge", "--days", "30")
    assert r.returncode == 0 and "retention 30 days: deleted 0 conversations" in r.stdout
