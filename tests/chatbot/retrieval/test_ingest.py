"""``python -m chatbot.retrieval.ingest`` and ``python -m chatbot ask`` on a small real index."""

import json

from chatbot.retrieval import ingest
from chatbot.retrieval.knowledge_base import open_saved_index
from chatbot.settings import ChatSettings
from tests.chatbot.conftest import LEAFLETS


def write_leaflets(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for key, (title, text) in LEAFLETS.items():
        (folder / f"{key}.md").write_text(f"# {title}\n\n{text}\n")
    return folder


def test_ingest_adds_files_skips_bad_ones_and_keeps_the_index(tmp_path, capsys, monkeypatch):
    docs = write_leaflets(tmp_path / "docs")
    var = tmp_path / "var"
    assert ingest.main([str(docs / "asthma.md"), "--var-dir", str(var)]) == 0
    manifest = json.loads((var / "index" / "manifest.json").read_text())
    assert len(manifest["documents"]) == 1
    (docs / "empty.txt").write_text("")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    code = ingest.main([str(docs), "--var-dir", str(var)])
    out, err = capsys.readouterr()
    assert code == 0 and "2 added" in out and "1 unchanged" in out
    assert "empty.txt: the file is empty" in err and "broken.pdf" in err
    # only bad files: nothing changes, and the exit code says so
    before = (var / "index" / "index.faiss").read_bytes()
    assert ingest.main([str(docs / "empty.txt"), "--var-dir", str(var)]) == 1
    assert (var / "index" / "index.faiss").read_bytes() == before
    kb = open_saved_index(ChatSettings(var_dir=var))
    assert len(kb.documents()) == 3
    # other chunk settings than the index was built with: a clear error, no damage
    assert ingest.main([str(docs), "--var-dir", str(var), "--chunk-size", "300"]) == 2
    assert "rebuild" in capsys.readouterr().err


def test_ask_cli_answers_offline_with_the_small_local_model(tmp_path, capsys, monkeypatch):
    from chatbot import __main__ as cli

    var = tmp_path / "var"
    ingest.main([str(write_leaflets(tmp_path / "docs")), "--var-dir", str(var)])
    monkeypatch.setenv("GC_VAR_DIR", str(var))
    monkeypatch.setenv("GC_LOCAL_MODEL", "smollm2-135m-instruct")
    monkeypatch.setenv("GC_MAX_NEW_TOKENS", "40")
    capsys.readouterr()
    assert cli.main(["ask", "What is metformin used for?", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["answer"] and out["sources"][0]["title"] == "Metformin"
    assert out["faithfulness"]["verdict"] in {"faithful", "unfaithful"}
    assert out["answers_question"]["verdict"] == "answered"
    assert out["understanding"]["topic"] == "Metformin"
    assert out["provider"] == "local" and out["model"] == "smollm2-135m-instruct"
    assert {"retrieval", "generation", "judge"} <= set(out["latency_ms"])
    from chatbot.storage.store import Store, Turn

    assert Store(f"sqlite:///{var / 'groundedchat.db'}").count(Turn) == 1
    assert cli.main(["ask", "I want to end my life", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["route"] == "safety"
    assert cli.main(["ask", "How do I fix a bicycle chain?", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["route"] == "not_found" and out["faithfulness"] is None
    assert out["answers_question"]["verdict"] == "not answered" and out["model"] is None
    assert Store(f"sqlite:///{var / 'groundedchat.db'}").count(Turn) == 3  # stored too
    # text output: the model's words stream, then the answer as checked (quotes and
    # citations added after streaming), so what is printed last is what was judged
    assert cli.main(["ask", "What is metformin used for?"]) == 0
    text = capsys.readouterr().out
    checked = text.split("answer as checked (see the notes):\n")[1].split("\n\n[1] ")[0]
    assert "[1]" in checked and "judge: " in text and "answers the question: " in text
    stored = Store(f"sqlite:///{var / 'groundedchat.db'}").turns()
    assert checked.strip() == stored[-1]["answer"]
