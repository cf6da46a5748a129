"""Who may see what, in a real browser against ``streamlit run`` with accounts set up: a
visitor reaches neither the rating queue nor the Dashboard (direct URLs included), a forged
identity cookie changes nothing, and a rater signs in to the queue but not the Dashboard."""

import pytest

from tests.e2e.app_server import CHROMIUM, launch, run_app

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                 "(make setup installs it: apt-get install chromium)")]
SECRET = "Could my positive HIV test be wrong?"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app over a database that holds someone's conversation and two accounts (one
    server for this file's tests: each test's browser is a new session)."""
    tmp_path = tmp_path_factory.mktemp("access")
    from chatbot.access import Accounts
    from chatbot.retrieval.ingest import ingest
    from chatbot.settings import ChatSettings
    from chatbot.storage.store import Store
    from tests.chatbot.retrieval.test_ingest import write_leaflets

    var = tmp_path / "var"
    settings = ChatSettings(var_dir=var)
    ingest([write_leaflets(tmp_path / "docs")], settings, progress=False)
    store = Store(settings.db_url)
    store.add_turn(store.new_conversation(), question=SECRET, answer="Tests can be wrong.",
                   passages=[{"text": "A positive result is confirmed by a second test."}])
    accounts = Accounts(store)
    accounts.add("ann", "rater", PASSWORD)
    accounts.add("sue", "staff", PASSWORD)
    with run_app(var) as url:
        yield url


def chat_ready(page) -> None:
    page.get_by_placeholder("Ask about a health topic").wait_for(timeout=120_000)


def nav(page) -> str:
    return page.locator("[data-testid='stSidebarNav']").inner_text(timeout=30_000)


def sign_in(page, name: str, password: str) -> None:
    page.get_by_text("Raters and staff: sign in").click()
    page.get_by_label("User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_visitor_reaches_no_one_elses_conversation_nor_staff_pages(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p, tmp_path)
        # a forged identity cookie of the kind st.login sets: not signed by this server
        browser.add_cookies([{"name": "_streamlit_user", "value": '{"email": "sue", '
                              '"is_logged_in": true}', "url": server}])
        page = browser.new_page()
        for path in ("", "/rate", "/dashboard", "/rate?rater=sue"):
            page.goto(server + path)
            chat_ready(page)  # every URL lands on the chat
            if path:  # Streamlit says the page does not exist (for this visitor)
                page.get_by_text("Page not found").wait_for(timeout=30_000)
                page.keyboard.press("Escape")
            page.wait_for_timeout(1000)
            body = page.inner_text("body")
            assert SECRET not in body, path
            assert "Rate answers" not in nav(page) and "Dashboard" not in nav(page), path
            assert page.get_by_role("heading", name="Dashboard").count() == 0
        page.goto(server)
        chat_ready(page)
        sign_in(page, "ann", "not the password")
        page.get_by_text("Not signed in: wrong user name or password.").wait_for()
        assert "Rate answers" not in nav(page)
        browser.close()


def test_a_rater_signs_in_to_the_queue_but_not_the_dashboard(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p, tmp_path)
        page = browser.new_page()
        page.goto(server)
        chat_ready(page)
        sign_in(page, "ann", PASSWORD)
        page.get_by_text("Signed in as ann (rater)").wait_for(timeout=30_000)
        page.locator("[data-testid='stSidebarNav']").get_by_text("Rate answers").click()
        page.get_by_text(SECRET).wait_for(timeout=60_000)  # raters see the queue
        assert "Dashboard" not in nav(page)
        page.goto(server + "/dashboard")  # a new page load: signed out again
        chat_ready(page)
        page.get_by_text("Page not found").wait_for(timeout=30_000)
        assert "Rate answers" not in nav(page)
        assert page.get_by_role("heading", name="Dashboard").count() == 0
        browser.close()
