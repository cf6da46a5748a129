"""ARCHITECTURE.md's import rules hold: every project import, read with ``ast``, goes only to a
room that the table allows (the table is read from ARCHITECTURE.md itself, so the page and the
check cannot drift apart)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP = ("nli_judge", "chatbot", "eval", "app", "scripts")


def rules() -> dict[str, set[str]]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("<!-- import-rules")[1].split("<!-- /import-rules -->")[0]
    out: dict[str, set[str]] = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        room, allowed = cells[0].strip("`"), cells[1]
        if allowed.startswith("every"):
            out[room] = {"*nli_judge"} if "nli_judge" in allowed else {"*"}
        else:
            out[room] = set(re.findall(r"`([\w.]+)`", allowed))
    return out


RULES = rules()


def room_of(module: str) -> str | None:
    """The most specific room of the table that ``module`` belongs to."""
    best = None
    for room in RULES:
        if (module == room or module.startswith(room + ".")) and len(room) > len(best or ""):
            best = room
    return best


def project_files() -> list[Path]:
    files = [ROOT / "streamlit_app.py"]
    for top in TOP:
        files += sorted((ROOT / top).rglob("*.py"))
    return files


def module_name(path: Path) -> str:
    if path.name == "streamlit_app.py":
        return "app.streamlit_app"
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return [(n, m) for n, m in out if m.split(".")[0] in TOP]


def test_the_table_names_every_room_of_the_code():
    assert {"nli_judge.model", "nli_judge.judge", "chatbot", "eval", "app"} <= set(RULES)
    missing = {module_name(f) for f in project_files() if room_of(module_name(f)) is None}
    assert not missing, f"modules in no room of ARCHITECTURE.md: {sorted(missing)}"


def allowed(src_room: str, target_room: str) -> bool:
    ok = RULES[src_room]
    return (target_room == src_room or "*" in ok or target_room in ok
            or ("*nli_judge" in ok and target_room.startswith("nli_judge")))


@pytest.mark.parametrize("path", project_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_rules(path):
    src = room_of(module_name(path))
    bad = [f"line {n}: {m} ({room_of(m)})" for n, m in imports(path)
           if room_of(m) is not None and not allowed(src, room_of(m))]
    assert not bad, f"{src} may not import: " + "; ".join(bad)


def test_the_check_catches_a_forbidden_import(tmp_path):
    """The rule check itself: the judge importing the chatbot is refused."""
    assert not allowed("nli_judge.judge", room_of("chatbot.chain"))
    assert not allowed("nli_judge.model", room_of("nli_judge.judge.faithfulness"))
    assert not allowed("chatbot", room_of("eval.run"))
    assert allowed("nli_judge.data", room_of("nli_judge.judge.windows"))
    assert allowed("scripts", room_of("app.chat"))
