"""Signing in through OpenID Connect, end to end: a real provider process (panva's
oidc-provider on Node, tests/e2e/oidc), ``streamlit run`` with an ``[auth]`` secrets file, and
chromium. The provider vouches for an e-mail address; the app's accounts table gives it a
role; an address with no account is a visitor; a tampered identity cookie signs nobody in."""

import secrets
import shutil
import subprocess

import pytest

from scripts.first_run import free_port
from tests.conftest import ROOT
from tests.e2e.app_server import CHROMIUM, launch, run_app, wait_for

OIDC = ROOT / "tests" / "e2e" / "oidc"
NODE = shutil.which("node")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make "
                       "setup installs it: apt-get install chromium)"),
    pytest.mark.skipif(NODE is None or not (OIDC / "node_modules" / "oidc-provider").is_dir(),
                       reason="the test OpenID provider needs Node.js and `npm ci` in "
                       "tests/e2e/oidc (make setup runs it when npm is installed)"),
]


@pytest.fixture(scope="module")
def provider_and_app(tmp_path_factory):
    """The provider and the app, once for this file's tests (each browser is new)."""
    tmp_path = tmp_path_factory.mktemp("oidc")
    from chatbot.access import Accounts
    from chatbot.retrieval.ingest import ingest
    from chatbot.settings import ChatSettings
    from chatbot.storage.store import Store
    from tests.chatbot.retrieval.test_ingest import write_leaflets

    var = tmp_path / "var"
    settings = ChatSettings(var_dir=var)
    ingest([write_leaflets(tmp_path / "docs")], settings, progress=False)
    Accounts(Store(settings.db_url)).add("sue@example.org", "staff")  # signs in by OIDC
    op_port, app_port = free_port(), free_port()
    client_secret = secrets.token_urlsafe(24)
    redirect = f"http://127.0.0.1:{app_port}/oauth2callback"
    op = subprocess.Popen([NODE, "provider.js", str(op_port), "groundedchat", client_secret,
                           redirect], cwd=OIDC, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    wait_for(op, op_port, "the OpenID provider", timeout=30)
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        f'[auth]\nredirect_uri = "{redirect}"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "groundedchat"\nclient_secret = "{client_secret}"\n'
        # Streamlit asks for prompt=select_account by default, which this provider (like
        # many) refuses as unsupported
        'client_kwargs = { prompt = "login" }\n'
        f'server_metadata_url = "http://127.0.0.1:{op_port}/.well-known/'
        'openid-configuration"\n')
    try:
        with run_app(var, "--secrets.files", str(secrets_file), port=app_port) as url:
            yield url
    finally:
        op.terminate()
        op.wait(timeout=10)


def nav(page) -> str:
    return page.locator("[data-testid='stSidebarNav']").inner_text(timeout=30_000)


def sign_in_with_provider(page, url: str, email: str) -> None:
    """The app's sign-in button, then the provider's own login and consent pages."""
    page.goto(url)
    page.get_by_placeholder("Ask about a health topic").wait_for(timeout=120_000)
    page.get_by_text("Raters and staff: sign in").click()
    page.get_by_role("button", name="Sign in with your organisation").click()
    page.locator("input[name=login]").wait_for(timeout=30_000)  # the provider's page
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]", has_text="Continue").click(timeout=30_000)
    page.get_by_placeholder("Ask about a health topic").wait_for(timeout=120_000)


def test_the_provider_vouches_and_the_accounts_table_gives_the_role(provider_and_app,
                                                                     tmp_path):
    from playwright.sync_api import sync_playwright

    url = provider_and_app
    with sync_playwright() as p:
        browser = launch(p, tmp_path)
        page = browser.new_page()
        sign_in_with_provider(page, url, "sue@example.org")
        page.get_by_text("Signed in as sue@example.org (staff)").wait_for(timeout=30_000)
        assert "Dashboard" in nav(page) and "Rate answers" in nav(page)
        page.goto(url + "/dashboard")  # the identity cookie survives a page load
        page.get_by_role("heading", name="Dashboard").wait_for(timeout=60_000)
        cookie = next(c for c in browser.cookies() if c["name"] == "_streamlit_user")
        tampered = cookie["value"][:-4] + ("AAAA" if not cookie["value"].endswith("AAAA")
                                           else "BBBB")
        browser.add_cookies([{**cookie, "value": tampered}])
        page.goto(url + "/dashboard")
        page.get_by_text("Page not found").wait_for(timeout=60_000)
        page.keyboard.press("Escape")
        assert "Dashboard" not in nav(page)
        assert page.get_by_text("Signed in as").count() == 0
        browser.close()


def test_an_address_without_an_account_is_a_visitor(provider_and_app, tmp_path):
    from playwright.sync_api import sync_playwright

    url = provider_and_app
    with sync_playwright() as p:
        browser = launch(p, tmp_path)
        page = browser.new_page()
        sign_in_with_provider(page, url, "eve@example.org")
        page.get_by_text("Signed in as eve@example.org (visitor)").wait_for(timeout=30_000)
        assert "Dashboard" not in nav(page) and "Rate answers" not in nav(page)
        browser.close()
