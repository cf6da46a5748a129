"""Who may see what in the app (app.access), with Streamlit's AppTest on a real SQLite file
and the real judge: visitors, raters, staff, the sign-in form, deleting a conversation and
the retention period enforced at start-up."""

from datetime import UTC, datetime, timedelta

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from streamlit.testing.v1 import AppTest

from chatbot.access import is_local_request
from chatbot.storage.store import Conversation, Store, Turn
from tests.conftest import ROOT
from tests.test_streamlit_app import ANSWER, APP, PASSWORD, add_account, seed_turn, sign_in


def store_of(var) -> Store:
    return Store(f"sqlite:///{var / 'groundedchat.db'}")


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def assert_not_registered(at: AppTest, page: str) -> None:
    """``page`` is not in this user's navigation: its URL cannot run it."""
    with pytest.raises(ValueError, match="Could not find a navigation page") as e:
        at.switch_page(page)
    assert "chat.py" in str(e.value) and page.split("/")[-1] not in str(e.value).split(
        "Known pages")[1]


def test_with_accounts_a_visitor_reaches_no_rating_or_staff_page(app_env):
    seed_turn(app_env)
    add_account(app_env, "ann", "rater")
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    for page in ("app/pages/rate.py", "app/pages/dashboard.py"):
        assert_not_registered(at, page)
    shown = " ".join(m.value for m in at.markdown) + " ".join(t.value for t in at.text)
    assert "What is metformin for?" not in shown  # nobody's logged question
    at.switch_page("app/pages/documents.py").run()
    assert not at.file_uploader or len(at.file_uploader) == 1  # summarise only, no adding
    assert any("Adding documents is for staff" in c.value for c in at.caption)


def test_the_page_scripts_refuse_by_themselves(app_env):
    """Run directly (as a URL to the page file would), a page checks the role itself."""
    seed_turn(app_env)
    add_account(app_env, "ann", "rater")
    for page, who in (("rate", "raters and staff"), ("dashboard", "staff")):
        at = AppTest.from_file(str(ROOT / f"app/pages/{page}.py"), default_timeout=180).run()
        assert [e.value for e in at.error] == [
            f"This page is for {who}. Sign in in the sidebar with an account that has "
            "that role."]
        assert not at.title


def test_sign_in_refusals_then_a_rater_sees_the_queue_but_not_the_dashboard(app_env):
    seed_turn(app_env)
    add_account(app_env, "ann", "rater")
    at = AppTest.from_file(APP, default_timeout=180).run()
    sign_in(at, "ann", "wrong password!")
    assert [e.value for e in at.error] == ["Not signed in: wrong user name or password."]
    sign_in(at, "nobody", PASSWORD)
    assert [e.value for e in at.error] == ["Not signed in: wrong user name or password."]
    sign_in(at, "ann")
    assert any("Signed in as **ann** (rater)" in c.value for c in at.sidebar.caption)
    at.switch_page("app/pages/rate.py").run()
    assert titles(at) == ["Rate answers"]
    assert "What is metformin for?" in [t.value for t in at.text]  # the queue's item
    assert_not_registered(at, "app/pages/dashboard.py")
    next(b for b in at.button if b.label == "Sign out").click().run()
    assert_not_registered(at, "app/pages/rate.py")


def test_a_removed_account_is_signed_out_at_the_next_click(app_env):
    from chatbot.access import Accounts

    add_account(app_env, "sue", "staff")
    at = sign_in(AppTest.from_file(APP, default_timeout=180).run(), "sue")
    at.switch_page("app/pages/dashboard.py").run()
    assert titles(at) == ["Dashboard"]
    Accounts(store_of(app_env)).remove("sue")
    at.run()
    assert "Dashboard" not in titles(at)
    assert_not_registered(at, "app/pages/dashboard.py")


def test_a_visitor_deletes_their_own_conversation(app_env):
    store = store_of(app_env)
    _, other = seed_turn(app_env)  # someone else's: stays
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["chat_model"] = FakeListChatModel(responses=[ANSWER])
    at.run()
    at.chat_input[0].set_value("What is metformin used for?").run()
    assert not at.exception and len(store.turns()) == 2
    mine = at.session_state["conversation_id"]
    assert any(mine in c.value for c in at.sidebar.caption)  # the id to quote to staff
    at.feedback[0].set_value(1).run()
    delete = next(b for b in at.button if b.label == "Delete this conversation")
    assert delete.disabled  # not before "yes, for good" is ticked
    next(c for c in at.checkbox if c.label == "Yes, delete it for good").check().run()
    next(b for b in at.button if b.label == "Delete this conversation").click().run()
    assert not at.exception
    assert [t["id"] for t in store.turns()] == [other] and store.feedback() == []
    assert "messages" not in at.session_state or not at.session_state["messages"]
    assert not [c for c in at.checkbox if c.label == "Yes, delete it for good"]


def test_staff_delete_a_conversation_by_id(app_env):
    store, tid = seed_turn(app_env)
    cid = store.turns()[0]["conversation_id"]
    store.add_rating("ann", tid, "A", ["P"], 4)
    add_account(app_env, "sue", "staff")
    at = sign_in(AppTest.from_file(APP, default_timeout=180).run(), "sue")
    at.switch_page("app/pages/dashboard.py").run()
    box = next(t for t in at.text_input if t.label == "Conversation id")
    box.set_value("not-an-id")
    next(b for b in at.button if b.label == "Delete this conversation").click().run()
    assert any("nothing deleted" in w.value for w in at.warning) and store.turns()
    next(t for t in at.text_input if t.label == "Conversation id").set_value(cid)
    next(b for b in at.button if b.label == "Delete this conversation").click().run()
    assert not at.exception
    assert any("1 conversations, 1 turns, 0 feedback, 1 ratings" in s.value
               for s in at.success)
    assert store.turns() == [] and store.ratings() == []


def test_retention_is_enforced_when_the_app_starts(app_env, monkeypatch):
    store, _ = seed_turn(app_env)
    seed_turn(app_env)
    old = datetime.now(UTC) - timedelta(days=40)
    with store.session() as s, s.begin():
        cid = s.query(Turn).first().conversation_id
        s.get(Conversation, cid).created_at = old
        s.query(Turn).filter_by(conversation_id=cid).update({"created_at": old})
    monkeypatch.setenv("GC_RETENTION_DAYS", "0")  # kept forever
    AppTest.from_file(APP, default_timeout=180).run()
    assert len(store.turns()) == 2
    import streamlit as st

    st.cache_resource.clear()  # a new server process
    monkeypatch.setenv("GC_RETENTION_DAYS", "30")
    assert not AppTest.from_file(APP, default_timeout=180).run().exception
    assert len(store.turns()) == 1 and store.turns()[0]["conversation_id"] != cid


def test_without_accounts_only_this_machine_is_staff(app_env, monkeypatch):
    at = AppTest.from_file(APP, default_timeout=180).run()  # a remote visitor
    assert_not_registered(at, "app/pages/dashboard.py")
    assert any("No accounts are set up on this server" in c.value for c in at.sidebar.caption)
    monkeypatch.setattr("app.access.on_this_machine", lambda: True)
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert any("Staff pages are open: this browser is on the app's machine" in c.value
               for c in at.sidebar.caption)
    at.switch_page("app/pages/dashboard.py").run()
    assert titles(at) == ["Dashboard"]
    add_account(app_env, "sue", "staff")  # once an account exists, this machine signs in too
    at.run()
    assert_not_registered(at, "app/pages/dashboard.py")


def test_a_request_through_a_proxy_is_never_taken_for_this_machine():
    assert is_local_request(None, {})
    assert not is_local_request("203.0.113.9", {})
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP", "x-forwarded-host"):
        assert not is_local_request(None, {header: "203.0.113.9"})
