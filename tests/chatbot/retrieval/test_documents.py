"""Users' files: the supported types load as text; bad files say why and change nothing."""

import pytest

from chatbot.retrieval.documents import DocumentError, html_to_text, load_bytes, load_file


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica (hand-written objects, real xref)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    return out


def test_text_markdown_html_and_pdf_load(tmp_path):
    txt = load_bytes("a.txt", b"Use the blue reliever inhaler when needed.")
    assert "inhaler" in txt.page_content
    md = load_bytes("notes.md", b"# Sleep\nGo to bed at the same time.")
    assert md.metadata["title"] == "Sleep" and md.metadata["collection"] == "uploaded"
    page = (b"<html><head><title>Flu leaflet</title><style>p{color:red}</style></head><body>"
            b"<p>Flu spreads easily.</p><script>alert('x')</script><p>Rest &amp; drink.</p>"
            b"</body></html>")
    d = load_bytes("flu.html", page)
    assert d.metadata["title"] == "Flu leaflet"
    assert d.page_content == "Flu spreads easily.\nRest & drink."
    pdf = load_bytes("leaflet.pdf", minimal_pdf("Take one tablet twice a day with food."))
    assert "one tablet twice a day" in pdf.page_content
    f = tmp_path / "x.txt"
    f.write_text("A text file with enough words in it.")
    assert load_file(f).metadata["source"] == "x.txt"


@pytest.mark.parametrize("name, data, text", [
    ("utf16.txt", "Fièvre: drink water and rest well.".encode("utf-16"), "Fièvre: drink"),
    ("bom.txt", "\ufeffFever: drink water and rest well.".encode("utf-8"), "Fever: drink"),
    ("windows.txt", "Café au lait spots: see a doctor soon.".encode("cp1252"), "Café au lait"),
    ("latin1.md", "# Fièvre\n\nRest and drink water \x81 often.".encode("latin-1"), "Fièvre"),
])
def test_text_in_other_encodings_loads(name, data, text):
    doc = load_bytes(name, data)
    assert doc.page_content.startswith(text) or doc.metadata["title"] == text


@pytest.mark.parametrize("name, data, why", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"   \n", "empty"),
    ("scan.pdf", minimal_pdf(""), "no usable text found \\(a scanned PDF needs OCR first\\)"),
    ("huge.txt", b"word " * 10_000_000, "50.0 MB is over the 20 MB limit \\(GC_MAX_UPLOAD_MB"),
    ("archive.zip", b"PK\x03\x04" + b"\x00" * 100, "unsupported type .zip"),
    ("fake16.txt", b"\xff\xfe\x00", "starts like UTF-16 text but is not"),
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "not a readable PDF|no usable text"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    ("data.xlsx", b"PK\x03\x04", "unsupported type"),
    ("tiny.md", b"hi", "no usable text"),
])
def test_bad_files_are_refused_with_a_reason(name, data, why):
    with pytest.raises(DocumentError, match=why):
        load_bytes(name, data)


def test_the_upload_limit_is_a_setting():
    data = b"A leaflet with enough words in it. " * 40_000  # 1.4 MB
    assert load_bytes("big.txt", data, max_mb=2).page_content.startswith("A leaflet")
    with pytest.raises(DocumentError, match="over the 1 MB limit"):
        load_bytes("big.txt", data, max_mb=1)


def test_too_large_and_missing_files(tmp_path, monkeypatch):
    import chatbot.retrieval.documents as docs

    monkeypatch.setattr(docs, "MAX_BYTES", 100)
    with pytest.raises(DocumentError, match="over the"):
        load_bytes("big.txt", b"word " * 100)
    with pytest.raises(DocumentError, match="no such file"):
        load_file(tmp_path / "missing.txt")


def test_html_to_text_never_keeps_markup():
    title, text = html_to_text("<div><b>Bold</b> <a href='x'>link</a><br>next</div>")
    assert text == "Bold link\nnext" and "<" not in text and title == ""
