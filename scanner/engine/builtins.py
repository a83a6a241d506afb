"""Catch calls to builtins that regorus does not provide, before any resource is evaluated.

regorus reports an unknown function only when evaluation reaches the call, so
a check whose body stops early (no matching resource) would silently pass with
a call it cannot run.  We therefore list every call in every module from the
parsed AST, leave out the functions the policies define themselves, and ask
regorus about each remaining name once with a probe that always reaches it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

import regorus

from ..policies import Module, PolicyError

FUNCTION_DEFINITION = re.compile(r"^([A-Za-z_][\w]*)\s*\(", re.MULTILINE)
UNKNOWN_FUNCTION = "could not find function"
_known: dict[str, bool] = {}


def _dotted(fcn: dict[str, Any]) -> str | None:
    """Name of a called function from its AST node, e.g. ``strings.replace_n``."""
    if "Var" in fcn:
        return fcn["Var"]["value"]
    if "RefDot" in fcn:
        base = _dotted(fcn["RefDot"]["refr"])
        return f"{base}.{fcn['RefDot']['field'][1]}" if base else None
    return None


def _calls(node: Any, out: list[tuple[str, int]]) -> None:
    if isinstance(node, dict):
        call = node.get("Call")
        if isinstance(call, dict):
            name = _dotted(call.get("fcn", {}))
            if name:
                out.append((name, call["span"]["line"]))
        for value in node.values():
            _calls(value, out)
    elif isinstance(node, list):
        for value in node:
            _calls(value, out)


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


def check_builtins(modules: Iterable[Module], ast_json: str) -> None:
    """Raise PolicyError (file:line) for the first call to an unknown builtin."""
    texts = {m.path: m.text for m in modules}
    defined = {name for text in texts.values() for name in FUNCTION_DEFINITION.findall(text)}
    for entry in json.loads(ast_json):
        path = entry["source"]["file"]
        if path not in texts:
            continue
        aliases = _import_aliases(texts[path])
        calls: list[tuple[str, int]] = []
        _calls(entry["ast"], calls)
        for name, line in calls:
            head = name.split(".", 1)[0]
            if head == "data" or head in aliases or name in defined:
                continue
            if not _is_builtin(name):
                raise PolicyError(path, line, f"unknown builtin function {name}() (not provided by the embedded regorus engine)")
