"""Module facts for the bundled policies, computed once at build time and shipped in the package.

Why: the load-time checks (unknown builtins, ``http.send``-like calls, who may
read ``data.inventory``, which libraries a lane needs) walk regorus' AST of
every module.  For the 90-odd bundled modules that AST is 10 MB of JSON and
150,000 nodes, about 0.2-0.3 s of every scan's start-up, for an answer that
only changes when a module's text does.

Why it is safe: each entry is keyed by the SHA-256 of the module's exact text.
A module whose text is not in the file (a user's module, or a bundled one
that was edited) is parsed live, so an edited policy is never judged by
stale facts.  The file sits inside the installed package, next to the code
that trusts it; it is not a user-writable cache.  The facts are only what
the text says (calls with lines, data references, package); whether each
called builtin exists is still asked of the installed regorus at every load.

Regenerate after editing a bundled module (tests/test_shipped_facts.py fails
until then; scanner/shipped.py writes this file and the shipped YAML)::

    .venv/bin/python -m scanner.shipped
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable, Sequence

from .ast_facts import ModuleFacts

FACTS_FILE = Path(__file__).resolve().parent / "bundled_facts.json"
REGENERATE = ".venv/bin/python -m scanner.shipped"
# Bumped when the facts' shape changes; a file of another format is not used.
FORMAT = 1
_loaded: dict[str, dict[str, Any]] | None = None


def text_key(text: str) -> str:
    """The key of a module's facts: SHA-256 of its exact text (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_json(facts: ModuleFacts) -> dict[str, Any]:
    """One module's facts without its file name (the text, not the path, decides them)."""
    return {
        "package": list(facts.package),
        "calls": [[name, line] for name, line in facts.calls],
        "data_refs": sorted(list(ref) for ref in facts.data_refs),
    }


def from_json(file: str, entry: dict[str, Any]) -> ModuleFacts:
    return ModuleFacts(
        file,
        tuple(entry["package"]),
        [(str(name), int(line)) for name, line in entry["calls"]],
        {tuple(ref) for ref in entry["data_refs"]},
    )


def _entries() -> dict[str, dict[str, Any]]:
    """The shipped entries by text key; empty when the file is missing or of another format (then all is live)."""
    global _loaded
    if _loaded is None:
        try:
            document = json.loads(FACTS_FILE.read_bytes())
        except (OSError, ValueError):
            document = {}
        _loaded = document.get("modules", {}) if isinstance(document, dict) and document.get("format") == FORMAT else {}
    return _loaded


def split(modules: Iterable[Any]) -> tuple[dict[str, ModuleFacts], list[Any]]:
    """Shipped facts (by module path) for the modules whose exact text is known, and the modules to parse live."""
    entries = _entries()
    known: dict[str, ModuleFacts] = {}
    unknown: list[Any] = []
    for module in modules:
        entry = entries.get(text_key(module.text))
        if entry is None:
            unknown.append(module)
        else:
            known[module.path] = from_json(module.path, entry)
    return known, unknown


def live_facts(modules: Sequence[Any]) -> dict[str, ModuleFacts]:
    """Facts computed now, from regorus' AST of ``modules`` (what the shipped file must equal)."""
    import regorus

    from .ast_facts import module_facts

    engine = regorus.Engine()
    for module in modules:
        engine.add_policy(module.path, module.text)
    return module_facts(engine.get_ast_as_json())


def render(modules: Sequence[Any]) -> str:
    """The file's text for ``modules``: one line per module, sorted, so a change diffs as the lines of the modules changed."""
    facts = live_facts(modules)
    by_key = {text_key(m.text): to_json(facts[m.path]) for m in modules}
    lines = [f"  {json.dumps(key)}: {json.dumps(by_key[key], sort_keys=True, separators=(',', ':'))}" for key in sorted(by_key)]
    return '{"format": ' + str(FORMAT) + ', "regenerate": ' + json.dumps(REGENERATE) + ', "modules": {\n' + ",\n".join(lines) + "\n}}\n"


def bundled_modules() -> list[Any]:
    """The bundled checks and libraries (never tests): what the shipped file covers."""
    from ..policies import load_policies

    return load_policies().modules
