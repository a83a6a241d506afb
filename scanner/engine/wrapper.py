"""The generated module that evaluates a whole batch of resources in one query.

Calling the engine once per resource would cost a round trip (and, for the OPA
server, an HTTP request) per object.  Instead the batch is set as input,
grouped by kind, and one generated rule per check iterates the groups of the
kinds that check declares, evaluating its ``deny`` with ``input`` replaced by
each resource.  Every engine uses the same wrapper, so they see the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from ..model import Policy, Violation
from ..policies import ALL_KINDS

WRAPPER_PACKAGE = "kubecomply_scan"


@dataclass(frozen=True)
class Wrapper:
    text: str
    rules: dict[str, str]  # rule name in the wrapper -> check id

    def rule_ref(self, rule: str) -> str:
        return f"data.{WRAPPER_PACKAGE}.{rule}"


def build_wrapper(policies: Sequence[Policy], package: str = WRAPPER_PACKAGE) -> Wrapper:
    lines = [f"package {package}", "", "import rego.v1", ""]
    rules: dict[str, str] = {}
    for index, policy in enumerate(policies):
        rule = f"check_{index}"
        rules[rule] = policy.id
        lines.append(f"# {policy.id} ({policy.file})")
        lines.append(f"{rule} contains [kind, i, v] if {{")
        if ALL_KINDS in policy.kinds:
            lines.append("\tsome kind, group in input.kinds")
        else:
            lines.append(f"\tsome kind in {json.dumps(list(policy.kinds))}")
            lines.append("\tgroup := input.kinds[kind]")
        lines.append("\tsome i, r in group")
        lines.append(f"\tsome v in data.{policy.package}.deny with input as r")
        lines.append("}")
        lines.append("")
    return Wrapper("\n".join(lines), rules)


def group_by_kind(resources: Sequence[dict[str, Any]], offset: int = 0) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[int]]]:
    """Split a batch into the wrapper's input and the map back to global resource indexes."""
    kinds: dict[str, list[dict[str, Any]]] = {}
    index: dict[str, list[int]] = {}
    for position, obj in enumerate(resources):
        kind = str(obj.get("kind", ""))
        kinds.setdefault(kind, []).append(obj)
        index.setdefault(kind, []).append(offset + position)
    return kinds, index


def parse_result(policy_id: str, resource_index: int, value: Any) -> Violation:
    """Turn one ``deny`` value into a Violation.

    Our checks return ``{"msg": ..., "path": [...]}``; Conftest-style checks
    return a bare string, which we accept so existing policies work unchanged.
    """
    if isinstance(value, str):
        return Violation(policy_id, resource_index, value)
    if isinstance(value, dict):
        message = value.get("msg", value.get("message"))
        path = value.get("path")
        details = {k: v for k, v in value.items() if k not in ("msg", "message", "path")} or None
        return Violation(
            policy_id,
            resource_index,
            str(message) if message is not None else f"violation of {policy_id}",
            tuple(path) if isinstance(path, list) and all(isinstance(p, (str, int)) for p in path) else None,
            details,
        )
    return Violation(policy_id, resource_index, json.dumps(value, sort_keys=True))


def resource_label(obj: dict[str, Any]) -> str:
    """``Kind/namespace/name`` of a raw object, for error messages."""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    parts = [str(obj.get("kind", "?")), str(meta.get("namespace") or ""), str(meta.get("name") or "?")]
    return "/".join(p for p in parts if p)
