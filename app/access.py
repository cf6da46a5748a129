"""Who is using the app and what they may open (``chatbot.access.roles``), and the sign-in
box in the sidebar.

Three ways in, checked in this order on every run:
1. a local account signed in with its password here (kept for this browser session);
2. the deployment's OpenID Connect provider through Streamlit's ``st.login`` when
   ``.streamlit/secrets.toml`` has an ``[auth]`` section (Streamlit keeps the identity in a
   signed cookie); the role is that of the account named by the e-mail address the provider
   vouches for (``python -m chatbot.access add EMAIL --role rater --oidc``), else visitor;
3. with no account that has a password and no provider configured, a browser on the app's
   own machine (no IP address, no proxy headers) is staff, so ``make run`` works alone.
Anyone else is a visitor. The role is read again from the database on every run, so a
removed account or a changed role takes effect at the next click.
"""

from __future__ import annotations

import streamlit as st

from app import resources
from chatbot.service import VISITOR, LoginRefused, User, is_local_request

SETUP_HINT = ("To share the app, create accounts: `python -m chatbot.access add NAME --role "
              "staff` (and `--role rater` for raters); from then on everyone signs in. See "
              "README, *Deploying it for others*.")


def oidc_configured() -> bool:
    """Whether ``st.login`` has a provider (an ``[auth]`` section in the secrets)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_user() -> User | None:
    if not (oidc_configured() and st.user.is_logged_in):
        return None
    email = st.user.get("email")
    if not email or st.user.get("email_verified") is False:
        return User(None, "visitor", "oidc")
    return User(email, resources.accounts().role_of(email) or "visitor", "oidc")


def current_user() -> User:
    """The user of this run (see the module doc). When the database cannot be reached the
    roles cannot be checked: everyone is a visitor until it is back (the chat still works;
    a signed-in user stays signed in)."""
    try:
        return _current_user()
    except Exception as e:  # SQLAlchemy's OperationalError and kin: fail closed
        st.session_state["access_error"] = f"{type(e).__name__}"
        return VISITOR


def _current_user() -> User:
    st.session_state.pop("access_error", None)
    signed_in: User | None = st.session_state.get("user")
    if signed_in is not None:
        role = resources.accounts().role_of(signed_in.name)
        if role is None:  # the account was removed meanwhile
            st.session_state.pop("user")
        else:
            return User(signed_in.name, role, "password")
    oidc = _oidc_user()
    if oidc is not None:
        return oidc
    if (not oidc_configured() and not resources.accounts().any_with_password()
            and on_this_machine()):
        return User("local", "staff", "localhost")
    return VISITOR


def on_this_machine() -> bool:
    """Whether this browser runs on the app's machine, not behind a proxy."""
    return is_local_request(st.context.ip_address, st.context.headers)


def require(role: str) -> User:
    """The current user when they have ``role``; otherwise a refusal is shown and the page
    stops here (a direct URL to a page runs nothing more)."""
    user = current_user()
    if not user.may(role):
        who = "raters and staff" if role == "rater" else "staff"
        st.error(f"This page is for {who}. Sign in in the sidebar with an account that has "
                 "that role.")
        st.stop()
    return user


def sign_in_form() -> None:
    with st.form("sign-in", clear_on_submit=True):
        name = st.text_input("User name", autocomplete="username", key="signin-name")
        password = st.text_input("Password", type="password", autocomplete="current-password",
                                 key="signin-password")
        if not st.form_submit_button("Sign in"):
            return
    try:
        st.session_state["user"] = resources.accounts().login(name, password)
    except LoginRefused as e:
        st.error(f"Not signed in: {e}.")
        return
    st.rerun()


def sidebar(user: User) -> None:
    """Who is signed in and a way out, or the ways in."""
    with st.sidebar:
        if st.session_state.get("access_error"):
            st.caption("Sign-in is unavailable: the database cannot be reached. Chatting "
                       "still works.")
            return
        if user.via == "localhost":
            st.caption("Staff pages are open: this browser is on the app's machine and no "
                       "accounts exist. " + SETUP_HINT)
        elif user.via != "anonymous":
            if user.name is None:
                st.caption("Signed in, but your organisation's sign-in gave no verified "
                           "e-mail address: you are a visitor here.")
            else:
                st.caption(f"Signed in as **{user.name}** ({user.role})")
            if st.button("Sign out", key="sign-out"):
                st.session_state.pop("user", None)
                if user.via == "oidc":
                    st.logout()
                st.rerun()
        else:
            with st.expander("Raters and staff: sign in"):
                if oidc_configured():
                    if st.button("Sign in with your organisation", key="oidc-login"):
                        st.login()
                if resources.accounts().any_with_password():
                    sign_in_form()
                elif not oidc_configured():
                    st.caption("No accounts are set up on this server. " + SETUP_HINT)
