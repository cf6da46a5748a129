"""The app page (for now the NLI demo) with Streamlit's AppTest and the shipped model."""

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def test_demo_page_gives_a_verdict():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    assert not at.exception
    at.text_area[0].set_value("The pharmacy is closed on Sundays.")
    at.text_input[0].set_value("The pharmacy is open on Sundays.")
    at.button[0].click().run()
    assert not at.exception
    assert at.subheader[0].value == "Verdict: contradiction"


def test_demo_page_asks_for_both_texts():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    at.text_input[0].set_value("   ")
    at.button[0].click().run()
    assert at.error[0].value == "Enter both the evidence and the claim."
