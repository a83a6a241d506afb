"""``data.inventory``: the scanned set as cross-resource checks read it."""

from __future__ import annotations

from typing import Any, Sequence

from ..model import Resource


def build_inventory(resources: Sequence[Resource]) -> dict[str, Any]:
    """``data.inventory`` laid out as Gatekeeper does, so cross-resource checks read familiar paths."""
    inventory: dict[str, Any] = {"namespace": {}, "cluster": {}}
    for resource in resources:
        if resource.namespace:
            node = inventory["namespace"].setdefault(resource.namespace, {})
        else:
            node = inventory["cluster"]
        node.setdefault(resource.api_version, {}).setdefault(resource.kind, {})[resource.name] = resource.obj
    return inventory
