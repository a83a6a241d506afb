"""What the engine needs to know about each loaded module, from one walk of regorus' AST.

Three questions are asked of every module before a scan: which functions does
it call (unknown builtins are refused at load, see builtins.py), does it read
``data.inventory`` (the inventory is serialised only for lanes that may), and
which library packages does it use (a lane loads only those, see
embedded.py).  The AST of the 80-odd bundled modules has some 150,000 nodes,
so it is parsed and walked once, in Python, for all three.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

_CHAIN_TAGS = ("RefDot", "RefBrack", "Var")


@dataclass
class ModuleFacts:
    file: str
    package: tuple[str, ...] = ()  # ("kubecomply", "lib", "workloads")
    calls: list[tuple[str, int]] = field(default_factory=list)  # (dotted function name, line)
    # The static part of every reference rooted at ``data``: data.a.b[x].c is
    # ("a", "b"); a bare ``data`` or ``data[x]`` is (), which may be anything.
    data_refs: set[tuple[str, ...]] = field(default_factory=set)


def module_facts(ast_json: str) -> dict[str, ModuleFacts]:
    """Facts for every module in ``engine.get_ast_as_json()``, by file name."""
    out: dict[str, ModuleFacts] = {}
    for entry in json.loads(ast_json):
        file = str(entry.get("source", {}).get("file", ""))
        facts = ModuleFacts(file)
        ast = entry.get("ast", {})
        package = _static_chain(ast.get("package", {}).get("refr"))
        facts.package = package or ()
        _walk(ast.get("imports"), facts)
        _walk(ast.get("rules"), facts)
        out[file] = facts
    return out


def _dotted(fcn: Any) -> str | None:
    """Name of a called function from its AST node, e.g. ``strings.replace_n``."""
    if not isinstance(fcn, dict):
        return None
    if "Var" in fcn:
        return fcn["Var"]["value"]
    if "RefDot" in fcn:
        base = _dotted(fcn["RefDot"]["refr"])
        return f"{base}.{fcn['RefDot']['field'][1]}" if base else None
    return None


def _walk(node: Any, facts: ModuleFacts) -> None:
    if isinstance(node, dict):
        if len(node) == 1:
            tag = next(iter(node))
            if tag in _CHAIN_TAGS:
                _chain(node, facts)
                return
            if tag == "Call":
                call = node["Call"]
                name = _dotted(call.get("fcn"))
                if name:
                    facts.calls.append((name, call["span"]["line"]))
        for value in node.values():
            _walk(value, facts)
    elif isinstance(node, list):
        for value in node:
            _walk(value, facts)


def _chain(node: dict[str, Any], facts: ModuleFacts) -> None:
    """A reference like ``data.a["b"][x].c``: record it if rooted at data, then walk its index expressions."""
    steps: list[str | None] = []  # outermost first
    indexes: list[Any] = []
    while True:
        if "RefDot" in node:
            body = node["RefDot"]
            steps.append(str(body["field"][1]))
            node = body["refr"]
        elif "RefBrack" in node:
            body = node["RefBrack"]
            index = body["index"]
            literal = index.get("String") or index.get("RawString") if isinstance(index, dict) else None
            steps.append(str(literal["value"]) if isinstance(literal, dict) else None)
            if literal is None:
                indexes.append(index)
            node = body["refr"]
        else:
            break
    root = node.get("Var") if isinstance(node, dict) else None
    if isinstance(root, dict):
        if root.get("value") == "data":
            static: list[str] = []
            for step in reversed(steps):
                if step is None:
                    break
                static.append(step)
            facts.data_refs.add(tuple(static))
    else:
        _walk(node, facts)  # a reference into a call's result, an array literal, ...
    for index in indexes:
        _walk(index, facts)


def _static_chain(node: Any) -> tuple[str, ...] | None:
    """``a.b.c`` as ("a", "b", "c"); None if any part is not a plain name."""
    parts: list[str] = []
    while isinstance(node, dict) and "RefDot" in node:
        parts.append(str(node["RefDot"]["field"][1]))
        node = node["RefDot"]["refr"]
    if not (isinstance(node, dict) and "Var" in node):
        return None
    parts.append(str(node["Var"]["value"]))
    return tuple(reversed(parts))
