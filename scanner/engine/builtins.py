"""Catch calls to builtins that regorus does not provide, before any resource is evaluated.

regorus reports an unknown function only when evaluation reaches the call, so
a check whose body stops early (no matching resource) would silently pass with
a call it cannot run.  We therefore list every call in every module from the
parsed AST, leave out the functions the policies define themselves, and ask
regorus about each remaining name once with a probe that always reaches it.
"""

from __future__ import annotations

import re
from typing import Iterable

import regorus

from ..policies import Module, PolicyError
from .ast_facts import ModuleFacts

FUNCTION_DEFINITION = re.compile(r"^([A-Za-z_][\w]*)\s*\(", re.MULTILINE)
UNKNOWN_FUNCTION = "could not find function"
_known: dict[str, bool] = {}


def _import_aliases(text: str) -> set[str]:
    aliases = set()
    for match in re.finditer(r"^import\s+(data\.[\w.]+)(?:\s+as\s+(\w+))?", text, re.MULTILINE):
        aliases.add(match.group(2) or match.group(1).rsplit(".", 1)[-1])
    return aliases


def _is_builtin(name: str) -> bool:
    if name not in _known:
        engine = regorus.Engine()
        engine.add_policy("probe.rego", f"package kubecomply_probe\n\nx if {{ {name}(input.a) }}\n")
        engine.set_input({"a": 1})
        try:
            engine.eval_rule("data.kubecomply_probe.x")
            _known[name] = True
        except Exception as exc:  # regorus raises plain exceptions
            _known[name] = UNKNOWN_FUNCTION not in str(exc)
    return _known[name]


def check_builtins(modules: Iterable[Module], facts: dict[str, ModuleFacts]) -> None:
    """Raise PolicyError (file:line) for the first call to an unknown builtin."""
    texts = {m.path: m.text for m in modules}
    defined = {name for text in texts.values() for name in FUNCTION_DEFINITION.findall(text)}
    for path, fact in facts.items():
        if path not in texts:
            continue
        aliases = _import_aliases(texts[path])
        for name, line in fact.calls:
            head = name.split(".", 1)[0]
            if head == "data" or head in aliases or name in defined:
                continue
            if not _is_builtin(name):
                raise PolicyError(path, line, f"unknown builtin function {name}() (not provided by the embedded regorus engine)")
