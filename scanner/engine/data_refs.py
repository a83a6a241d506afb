"""Which loaded modules may read ``data.inventory``?

The inventory is the whole scanned set, serialised once more for the engine;
on 10,000 resources that is a quarter of a second that checks looking at one
object at a time never need.  The answer must never be a wrong "no" (a
cross-resource check would then see an empty inventory and pass), so every
reference to ``data`` that is not plainly ``data.<something other than
inventory>`` — ``data["inventory"]``, ``data[x]``, iterating ``data`` — counts
as reading it.
"""

from __future__ import annotations

import json
from typing import Any

INVENTORY = "inventory"


def _is_data(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("Var"), dict) and node["Var"].get("value") == "data"


def _count(node: Any, counts: dict[str, int]) -> None:
    if isinstance(node, dict):
        if _is_data(node):
            counts["data"] += 1
        ref = node.get("RefDot")
        if isinstance(ref, dict) and _is_data(ref.get("refr")):
            field = ref.get("field")
            name = field[1] if isinstance(field, list) and len(field) == 2 else None
            counts["inventory" if name == INVENTORY else "elsewhere"] += 1
        for value in node.values():
            _count(value, counts)
    elif isinstance(node, list):
        for value in node:
            _count(value, counts)


def modules_reading_inventory(ast_json: str) -> set[str]:
    """The files of the modules that may read ``data.inventory`` (conservatively)."""
    readers = set()
    for entry in json.loads(ast_json):
        counts = {"data": 0, "inventory": 0, "elsewhere": 0}
        _count(entry["ast"], counts)
        if counts["inventory"] > 0 or counts["data"] > counts["elsewhere"]:
            readers.add(str(entry.get("source", {}).get("file", "")))
    return readers
