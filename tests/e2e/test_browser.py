"""One real-browser run: ``streamlit run`` on 127.0.0.1 driven by Playwright with Debian's
chromium; the real local model (SmolLM2-135M for speed), real judge, real SQLite file."""

import pytest

from scripts.first_run import send_and_time
from tests.conftest import ROOT
from tests.e2e.app_server import CHROMIUM, launch, run_app

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                 "(make setup installs it: apt-get install chromium)")]


@pytest.fixture
def server(tmp_path):
    from chatbot.retrieval.ingest import ingest
    from chatbot.settings import ChatSettings
    from tests.chatbot.retrieval.test_ingest import write_leaflets

    var = tmp_path / "var"
    ingest([write_leaflets(tmp_path / "docs")], ChatSettings(var_dir=var), progress=False)
    with run_app(var) as url:
        yield url, var


def ask(page, url: str, question: str) -> dict[str, float]:
    """Open the chat, send ``question`` and wait for the judge's verdict (``send_and_time``'s
    figures)."""
    page.goto(url)
    page.get_by_placeholder("Ask about a health topic").wait_for(timeout=120_000)
    return send_and_time(page, question, timeout_ms=240_000)


def test_ask_see_verdict_give_thumbs_up(server, tmp_path):
    from playwright.sync_api import sync_playwright

    from chatbot.storage.store import Store

    url, var = server
    with sync_playwright() as p:
        browser = launch(p, tmp_path)
        page = browser.new_page()
        times = ask(page, url, "What is metformin used for?")
        # the answer streamed: its first words showed before the verdict did
        assert times["verdict_shown_at_first_token"] == 0.0
        page.get_by_text("[1] Metformin").first.wait_for()
        page.locator("[data-testid='stFeedback'] button").first.click()  # thumbs up
        page.get_by_text("Feedback saved").wait_for(timeout=60_000)
        shot = ROOT / "var" / "screenshots" / "chat_verdict.png"  # docs/ holds a copy
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    store = Store(f"sqlite:///{var / 'groundedchat.db'}")
    (turn,) = store.turns()
    (fb,) = store.feedback()
    assert fb["turn_id"] == turn["id"] and fb["thumbs"] == 1
    assert turn["judge_verdict"] in {"faithful", "unfaithful"} and turn["provider"] == "local"


XSS = ("# Metformin and kidneys <img src=x onerror=\"window.__xss='title'\">\n\n"
       "Metformin is a medicine for type 2 diabetes. <script>window.__xss='script'</script> "
       "It must be used with care when the kidneys do not work well. "
       "<img src=x onerror=\"window.__xss='img'\"> Ask a GP or pharmacist about metformin "
       "and the kidneys.\n")


def test_markup_in_an_uploaded_document_never_runs(server, tmp_path):
    """A document with a <script> and an <img onerror> goes through the Documents page's
    upload, then its passage through a chat answer's sources: the markup shows as text and
    nothing in it runs (no dialog, no window.__xss)."""
    from playwright.sync_api import sync_playwright

    url, _ = server
    doc = tmp_path / "kidneys.md"
    doc.write_text(XSS)
    ran = []
    with sync_playwright() as p:
        browser = launch(p, tmp_path)
        page = browser.new_page()
        page.on("dialog", lambda d: (ran.append(d.message), d.dismiss()))
        page.goto(url + "/documents")
        page.locator("input[type=file]").first.set_input_files(str(doc))
        page.get_by_role("button", name="Add to the knowledge base").click()
        page.get_by_text("1 added").wait_for(timeout=120_000)
        ask(page, url, "Is metformin safe when the kidneys do not work well?")
        source = page.locator("summary", has_text="Metformin and kidneys").first
        source.click()  # open the source's expander: the passage text is shown
        page.get_by_text("window.__xss='script'", exact=False).first.wait_for(timeout=30_000)
        assert page.evaluate("window.__xss") is None
        assert page.locator("img[src='x']").count() == 0
        browser.close()
    assert ran == []


def test_an_off_topic_question_and_an_abstention_are_shown_for_what_they_are(server, tmp_path):
    """A loosely related question shows "partly answers your question" beside the judge,
    never a plain green "faithful"; one the sources do not cover says so, with no model."""
    from playwright.sync_api import sync_playwright

    url, var = server
    with sync_playwright() as p:
        browser = launch(p, tmp_path)
        page = browser.new_page()
        ask(page, url, "Is it safe to drink coffee when I can't sleep?")
        page.get_by_text("partly answers your question").first.wait_for(timeout=60_000)
        assert page.get_by_text("faithful", exact=True).count() == 0  # the green badge
        page.get_by_role("button", name="New conversation").click()
        box = page.get_by_placeholder("Ask about a health topic")
        box.wait_for(timeout=60_000)
        box.fill("How do I fix a bicycle chain?")
        box.press("Enter")
        page.get_by_text("not in my sources").first.wait_for(timeout=120_000)
        page.get_by_text("couldn't find", exact=False).first.wait_for()
        shot = ROOT / "var" / "screenshots" / "chat_not_found.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    from chatbot.storage.store import Store

    routes = sorted(t["route"] for t in Store(f"sqlite:///{var / 'groundedchat.db'}").turns())
    assert routes == ["not_found", "rag"]
