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
    assert {"nli_judge.model", "nli_judge.judge", "chatbot", "eval", "app", "chatbot.llm",
            "chatbot.retrieval", "chatbot.chain", "chatbot.storage", "chatbot.jobs",
            "chatbot.bench"} <= set(RULES)
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
    assert not allowed("nli_judge.judge", room_of("chatbot.chain.rag"))
    assert not allowed("nli_judge.model", room_of("nli_judge.judge.faithfulness"))
    assert not allowed("chatbot", room_of("eval.run"))
    assert allowed("nli_judge.data", room_of("nli_judge.judge.windows"))
    assert allowed("scripts", room_of("app.chat"))
    assert not allowed("chatbot.chain", room_of("chatbot.storage.store"))
    assert not allowed("chatbot.llm", room_of("chatbot.chain.prompts"))
    assert not allowed("chatbot.chain", room_of("chatbot.bench.answers"))
    assert not allowed("app", room_of("chatbot.retrieval.index_build"))  # app -> service
    assert allowed("app", room_of("chatbot.service")) and allowed("app", room_of("chatbot.turn"))


MODULES = frozenset(module_name(f) for f in project_files())


def module_edges(path: Path) -> set[str]:
    """The project modules ``path`` imports, anywhere in it (a function-level import counts:
    it is a circle all the same once both modules are loaded). ``from pkg import sub`` with
    ``sub`` a module of the project is an edge to ``pkg.sub``."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{a.name}" for a in node.names} & MODULES
            out |= subs or {node.module}
    return {m for m in out if m in MODULES and m != module_name(path)}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), sorted."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def test_no_import_circles():
    """No two project modules import each other, directly or round a loop (package
    ``__init__`` re-exports aside: an ``__init__`` imports its own modules by design)."""
    edges = {module_name(f): module_edges(f) for f in project_files()
             if f.name != "__init__.py"}
    found = circles({k: {m for m in v if m in edges} for k, v in edges.items()})
    assert not found, f"import circles: {found}"


def test_the_circle_check_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


MEASUREMENT = {m for m in MODULES if m.startswith("chatbot.bench.")}


def test_the_product_never_imports_a_measurement_command():
    """The chat, the app and the judge run without the chatbot's benchmarks: only another
    measurement command, ``eval`` or ``scripts`` may import one."""
    product = [f for f in project_files() if module_name(f) not in MEASUREMENT
               and module_name(f).split(".")[0] in ("chatbot", "app", "nli_judge")]
    bad = {module_name(f): sorted(module_edges(f) & MEASUREMENT) for f in product}
    assert {m: v for m, v in bad.items() if v} == {}
    assert {"chatbot.bench.answers", "chatbot.bench.consumer"} <= MEASUREMENT
