"""Accounts, retention and deletion from the shell.

    python -m chatbot.access add NAME --role rater|staff [--oidc] [--password-stdin]
    python -m chatbot.access passwd NAME [--password-stdin]
    python -m chatbot.access role NAME rater|staff
    python -m chatbot.access remove NAME
    python -m chatbot.access list
    python -m chatbot.access purge [--days N]
    python -m chatbot.access delete CONVERSATION_ID...

The database is the app's (``DATABASE_URL`` / ``GC_VAR_DIR``) unless ``--url`` names one.
Passwords are asked twice at the terminal (never an argument: it would land in the shell's
history and the process list); ``--password-stdin`` reads one line instead, for scripts.
``--oidc``: an account that signs in through the app's OpenID Connect provider (NAME is the
e-mail address the provider reports), with no password here.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from chatbot.access.accounts import Accounts
from chatbot.access.retention import delete_conversations, describe, purge
from chatbot.storage.store import Store


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise ValueError("the two passwords differ")
    return first


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m chatbot.access", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="database URL (default: the app's setting)")
    sub = ap.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["rater", "staff"])
    add.add_argument("--oidc", action="store_true",
                     help="signs in through OpenID Connect: no password here")
    add.add_argument("--password-stdin", action="store_true")
    pw = sub.add_parser("passwd", help="set an account's password (and unlock it)")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true")
    role = sub.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=["rater", "staff"])
    sub.add_parser("remove", help="delete an account (its ratings stay)").add_argument("name")
    sub.add_parser("list", help="the accounts (never their passwords)")
    pg = sub.add_parser("purge", help="delete conversations past the retention period")
    pg.add_argument("--days", type=float, help="default: the app's GC_RETENTION_DAYS")
    de = sub.add_parser("delete", help="delete conversations, their feedback and ratings")
    de.add_argument("ids", nargs="+", metavar="CONVERSATION_ID")
    return ap


def run(args: argparse.Namespace) -> str:
    """Do what ``args`` asks; the line to print (ValueError / KeyError when refused)."""
    from chatbot.settings import ChatSettings

    settings = ChatSettings()
    store = Store(args.url or settings.db_url)
    accounts = Accounts(store)
    if args.action == "add":
        password = None if args.oidc else read_password(args.password_stdin)
        accounts.add(args.name, args.role, password)
        how = "through OpenID Connect" if args.oidc else "with its password"
        return f"account {args.name} ({args.role}) created; it signs in {how}"
    if args.action == "passwd":
        accounts.set_password(args.name, read_password(args.password_stdin))
        return f"password of {args.name} set"
    if args.action == "role":
        accounts.set_role(args.name, args.role)
        return f"{args.name} is now {args.role}"
    if args.action == "remove":
        accounts.remove(args.name)
        return f"account {args.name} removed"
    if args.action == "list":
        rows = accounts.list()
        return "\n".join(f"{a['username']}\t{a['role']}\t"
                         f"{'password' if a['password'] else 'oidc / no password'}"
                         + (f"\tlocked until {a['locked_until']:%Y-%m-%d %H:%M:%S} UTC"
                            if a["locked_until"] else "")
                         for a in rows) or "no accounts"
    if args.action == "purge":
        days = settings.retention_days if args.days is None else args.days
        counts = purge(store, days)
        return f"retention {days:g} days: deleted " + describe(counts)
    return "deleted " + describe(delete_conversations(store, args.ids))


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        print(run(args))
    except (ValueError, KeyError) as e:
        raise SystemExit(f"error: {e.args[0] if e.args else e}") from None


if __name__ == "__main__":
    main()
