"""The shared text rules: words, content words, HTML masking that keeps offsets, digests."""

import hashlib

from nli_judge.text import STOP_WORDS, content_words, mask_html, sha256_file, sha256_text, words


def test_words_and_content_words():
    assert words("Métformin, 500 mg!") == ["métformin", "500", "mg"]
    assert content_words("The doses were treated in London") == {"dos", "treat", "london"}
    assert not content_words(" ".join(sorted(STOP_WORDS)))


def test_mask_html_keeps_every_offset():
    html = "<p>Take <b>500 mg</b> daily.</p><ul><li>With food.</li></ul>"
    masked = mask_html(html)
    assert len(masked) == len(html)
    assert "<" not in masked and ">" not in masked
    start = masked.index("500 mg")
    assert html[start:start + 6] == "500 mg"
    assert masked[masked.index("With") - 1] == " " and "\n" in masked  # block tags break lines
    assert mask_html("no tags here") == "no tags here"


def test_mask_html_blanks_script_and_style_content():
    html = ("<script>alert(1)</script> Aspirin thins the blood. <STYLE>p {x: 2}</STYLE>"
            "Take 1 tablet.<script src=x>var n = 3;")  # the last one never closes
    masked = mask_html(html)
    assert len(masked) == len(html)
    assert masked.split() == ["Aspirin", "thins", "the", "blood.", "Take", "1", "tablet."]
    assert html[masked.index("Aspirin"):].startswith("Aspirin thins")


def test_digests(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes("héllo".encode())
    assert sha256_file(f, chunk=2) == sha256_text("héllo") == hashlib.sha256(
        "héllo".encode()).hexdigest()
