"""Which kinds of the scanned set the cross-resource checks can look up.

``data.inventory`` is the whole scanned set; serialising it for the engine
costs about 35 ms per thousand objects, paid before evaluation can start.
The bundled checks look objects up by kind name (``...["policy/v1"].
PodDisruptionBudget``), so the engine only needs the kinds named in the
modules that read the inventory.  A module we did not write may walk the
inventory generically (``some kind, objs in data.inventory.namespace[ns][v]``),
so as soon as one such module reads it, every kind is handed over: the
answer must never be a smaller inventory than a check expects, which would
make it pass on objects it never saw.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..policies import Module

# Capitalised words outside full-line comments: every Kubernetes kind a module
# names in its code is one of them (false positives only keep more kinds).
_WORD = re.compile(r"\b[A-Z][A-Za-z0-9]*\b")


def inventory_kinds(modules: Iterable[Module]) -> set[str] | None:
    """The kinds to keep, or None for all of them."""
    kinds: set[str] = set()
    for module in modules:
        if "inventory" not in module.text:
            continue
        if not module.bundled:
            return None
        code = "\n".join(line for line in module.text.splitlines() if not line.lstrip().startswith("#"))
        kinds.update(_WORD.findall(code))
    return kinds


def trim_inventory(inventory: dict[str, Any], kinds: set[str] | None) -> dict[str, Any]:
    """The Gatekeeper-layout inventory with only ``kinds`` (all when None)."""
    if kinds is None:
        return inventory

    def keep(versions: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for version, by_kind in versions.items():
            kept = {kind: objs for kind, objs in by_kind.items() if kind in kinds}
            if kept:
                out[version] = kept
        return out

    return {
        "namespace": {ns: keep(versions) for ns, versions in inventory.get("namespace", {}).items()},
        "cluster": keep(inventory.get("cluster", {})),
    }
