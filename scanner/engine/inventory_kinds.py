"""Which kinds of the scanned set the cross-resource checks look up.

``data.inventory`` is the whole scanned set; serialising it for the engine
costs about 35 ms per thousand objects, paid before evaluation can start.
A check that reads the inventory declares the kinds it looks up
(``custom.reads``; the loader insists), so the engine hands over only those.
A library module that reads the inventory itself has no such list, so then
every kind is handed over: the inventory must never be smaller than a check
expects, or it would pass on objects it never saw.
"""

from __future__ import annotations

from typing import Any

from ..policies import PolicySet


def inventory_kinds(policy_set: PolicySet) -> set[str] | None:
    """The kinds to keep, or None for all of them."""
    check_files = {p.file for p in policy_set.policies}
    for module in policy_set.modules:
        if module.path not in check_files and "data.inventory" in module.text:
            return None
    return {kind for p in policy_set.policies for kind in p.reads}


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
