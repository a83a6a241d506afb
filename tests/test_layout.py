"""The package's shape: imports point down the flow, never back up, never in a circle.

The flow (design.md): sources -> engine -> findings -> compliance -> ScanResult
-> reports, with the pipeline calling each stage and the CLI on top.  A stage
that imported a later one (or the pipeline) would know more than its input,
which is how the two pipelines this package once had grew into each other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "scanner"

# Rank of each component (scanner.<component>): a module may import from its own
# component or from components of a lower rank; never from a higher rank, and
# never from another component of the same rank.
RANKS = {
    # A module may be ranked on its own (component.module) where it serves layers below its package:
    # the YAML reader of the sources is also how policies, mappings, waivers and --data files are read.
    "sources.yaml_loader": 0,
    "__init__": 0, "model": 0, "redact": 0, "forking": 0, "gc_pause": 0, "jsonbytes": 0, "provenance": 0, "textsafe": 0, "atomic": 0, "threads": 0, "progress": 0, "score_text": 0,
    "offline_builtins": 1, "integrity": 1, "shipped_yaml": 1,
    "policies": 2,
    "sources": 3, "engine": 3, "compliance": 3,
    "findings": 4, "summary": 4, "policy_tests": 4, "evidence": 4, "evidence_redact": 4, "engine_input": 4, "result_check": 4, "shipped": 4,
    "config_data": 5,
    "reports": 5, "pipeline": 6,
    "cli_guard": 7, "cli": 8, "__main__": 9,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def component(name: str) -> str:
    parts = name.split(".")
    if len(parts) > 2 and ".".join(parts[1:3]) in RANKS:
        return ".".join(parts[1:3])
    return parts[1] if len(parts) > 1 else "__init__"


def imports(path: Path, name: str, known: set[str], top_level_only: bool) -> set[str]:
    """The package modules ``path`` imports; with ``top_level_only``, only those run when it is imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.split(".")[0] == "scanner")
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] != "scanner":
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in known else target)
            elif isinstance(node, ast.If) and top_level_only:
                if "TYPE_CHECKING" in ast.unparse(node.test):
                    continue  # annotations only; never runs
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, (ast.Try,)) and top_level_only:
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
            if not top_level_only:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.stmt):
                        visit([child])

    visit(tree.body)
    found.discard(name)
    return found


def test_imports_point_down_the_flow():
    mods = modules()
    known = set(mods)
    unranked = sorted({component(m) for m in mods} - set(RANKS))
    assert not unranked, f"give these components a rank in RANKS: {unranked}"
    wrong = []
    for name, path in mods.items():
        here = component(name)
        for target in imports(path, name, known, top_level_only=False):
            there = component(target)
            if there == here:
                continue
            if RANKS[there] > RANKS[here] or (RANKS[there] == RANKS[here]):
                wrong.append(f"{name} imports {target} ({here} rank {RANKS[here]} -> {there} rank {RANKS[there]})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    mods = modules()
    known = set(mods)
    graph = {name: imports(path, name, known, top_level_only=True) & known for name, path in mods.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)
    assert not cycles, "\n".join(cycles)


def test_every_module_imports_on_its_own():
    """Each module imported first, in a process where no other package module is loaded yet."""
    names = sorted(n for n in modules() if n != "scanner.__main__")  # runs the CLI when imported
    program = (
        "import importlib, sys\n"
        f"names = {names!r}\n"
        "failed = []\n"
        "for name in names:\n"
        "    for loaded in [m for m in sys.modules if m == 'scanner' or m.startswith('scanner.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {type(exc).__name__}: {exc}')\n"
        "print('\\n'.join(failed))\n"
        "sys.exit(1 if failed else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=PACKAGE.parent, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert len(names) > 40  # the walk found the package, not an empty folder


def test_the_rank_check_sees_a_backward_import(tmp_path):
    """The checker itself: a stage importing the pipeline is reported (so a pass above means something)."""
    fake = PACKAGE / "engine" / "embedded.py"
    found = imports(fake, "scanner.engine.embedded", set(modules()), top_level_only=False)
    assert "scanner.policies" in found and "scanner.engine.ast_facts" in found
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from ..pipeline import scan\n", encoding="utf-8")
    assert imports(probe, "scanner.engine.probe", {"scanner.pipeline"}, top_level_only=False) == {"scanner.pipeline"}
    assert imports(probe, "scanner.engine.probe", {"scanner.pipeline"}, top_level_only=True) == set()
