"""The generated modules that evaluate a whole batch of resources in one query.

Calling the engine once per resource would cost a round trip (and, for the OPA
server, an HTTP request) per object.  Instead the batch is set as input,
grouped by kind, and generated rules iterate the groups, evaluating checks
with ``input`` replaced by each resource (``with input as r``).  Every engine
uses the same wrapper, so they see the same thing.

Two sets of rules are generated:

* the fast path: checks that declare the same kinds form a group, and one
  rule per group evaluates all of its checks for a resource inside a single
  ``with`` scope.  The shared library (pod specs, containers) is then computed
  once per resource instead of once per check, which measured more than twice
  as fast in regorus.  One error in any check fails the whole group, though;
* the per-check rules, one per check, which the engine falls back to for a
  batch whose fast path failed, so that an error is pinned to one check (and
  then one resource) and every other result is kept.

Each group's checks sit in a package of their own because regorus evaluates
every rule of a package whenever one of its rules is referenced.

Checks that narrow their population with an ``applies`` rule get a third,
small package: ``scope.outside`` lists, per check, the resources of its kinds
for which ``applies`` is not true, so the roll-up counts only resources in the
population (docs/policies.md, "Populations").
"""

from __future__ import annotations

import json
from sys import intern
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..model import Policy, Violation
from ..policies import ALL_KINDS

WRAPPER_PACKAGE = "kubecomply_scan"


@dataclass(frozen=True)
class Wrapper:
    modules: list[tuple[str, str]]  # (file name, Rego text) of the fast path, to load beside the checks
    # Fast-path rule references; results are [kind, i, check id, violation], or with
    # build_wrapper's ``combined`` one per resource of the group's kinds:
    # [kind, i, {check id: [violation, ...]}, [check id outside its population, ...]]
    # (unfiltered: filtering clean resources in Rego cost more than decoding them).
    groups: list[str]
    rules: dict[str, str]  # per-check rule reference -> check id; results are [kind, i, violation]
    fallback: tuple[str, str]  # (file name, Rego text) of the per-check rules
    scope: str | None = None  # rule reference whose results are [check id, kind, i] outside a check's population
    # With ``combined``: one package per narrowed check answering [kind, i] outside its
    # population, loaded with the fallback, so that an ``applies`` that raises marks only
    # its own check (rule reference -> check id).
    scope_modules: tuple[tuple[str, str], ...] = ()
    scopes: dict[str, str] = field(default_factory=dict)

    @property
    def all_modules(self) -> list[tuple[str, str]]:
        """Both sets; the embedded engine loads the fallback only when a batch needs it."""
        return [*self.modules, self.fallback]


def _kind_selector(kinds: Sequence[str]) -> list[str]:
    if ALL_KINDS in kinds:
        return ["\tsome kind, group in input.kinds"]
    return [f"\tsome kind in {json.dumps(list(kinds))}", "\tgroup := input.kinds[kind]"]


def _outside_rule(policy: Policy, head: str, scope: str) -> list[str]:
    """A rule adding ``head`` for each resource of ``policy``'s kinds its ``applies`` is not true for."""
    return [f"outside contains {head} if {{", *_kind_selector(policy.kinds), "\tsome i, r in group", f"\tnot data.{policy.package}.applies {scope}", "}", ""]


MARKER_RULE = "kubecomply_marker"


def build_wrapper(
    policies: Sequence[Policy], package: str = WRAPPER_PACKAGE, data_with: str = "", marker: str | None = None, scope_in_fast: bool = False,
    combined: bool = False,
) -> Wrapper:
    """The fast-path and per-check modules for ``policies``.

    ``data_with`` is appended to every ``with input as r``; the OPA engine uses it
    to point ``data.inventory`` at the scan's own copy on a shared server.
    ``scope_in_fast`` puts the population rule in the fast package, so that one
    query of that package answers both (regorus evaluates a whole package per
    reference, so the embedded engine keeps it apart).
    ``combined`` (the embedded engine) makes each fast-path rule answer, per
    resource, both the group's violations and which of its checks the
    resource is outside of, inside one ``with`` scope: evaluated in scopes of
    their own, the ``applies`` rules computed the shared library (pod specs,
    containers) once more per check and resource, which measured 15-25% of a
    lane's evaluation on workloads.  A scope package per narrowed check is
    generated instead, for batches whose fast path fails and are re-run check
    by check.
    ``marker``, when given, becomes a constant rule ``kubecomply_marker`` in both the fast
    and the per-check package: the OPA engine queries whole packages and requires that value
    in every answer, because a package whose modules are gone (deleted mid-scan by someone
    else) is merely undefined to OPA, which would otherwise read as "no violations".
    """
    scope = f"with input as r{data_with}"
    header = ["", "import rego.v1", ""]
    marker_rule = [f"{MARKER_RULE} := {json.dumps(marker)}", ""] if marker is not None else []
    each = [f"package {package}.each", *header, *marker_rule]
    rules: dict[str, str] = {}
    for index, policy in enumerate(policies):
        rule = f"check_{index}"
        rules[f"data.{package}.each.{rule}"] = policy.id
        each += [f"# {policy.id} ({policy.file})", f"{rule} contains [kind, i, v] if {{", *_kind_selector(policy.kinds)]
        each += ["\tsome i, r in group", f"\tsome v in data.{policy.package}.deny {scope}", "}", ""]

    by_kinds: dict[tuple[str, ...], list[Policy]] = {}
    for policy in policies:
        by_kinds.setdefault(tuple(policy.kinds), []).append(policy)
    modules: list[tuple[str, str]] = []
    fast = [f"package {package}.fast", *header, *marker_rule]
    groups: list[str] = []
    for number, (kinds, members) in enumerate(by_kinds.items()):
        group_package = f"{package}.group_{number}"
        # One object rule over every check of the group: measured 6% (nothing
        # found) to 20% (many findings) faster in regorus than a partial set
        # rule per check.  A check's ``deny`` is always defined (an empty set
        # when nothing is found; the loader rejects checks without ``deny``),
        # so the object is never undefined.
        entries = [f"\t{json.dumps(policy.id)}: data.{policy.package}.deny," for policy in members]
        body = [f"package {group_package}", *header, "all := {", *entries, "}"]
        if combined:
            # A set per check, joined on lines of their own (regorus refuses lines over 1,024 columns).
            sets = " |\n\t".join(f"{{{json.dumps(p.id)} | not data.{p.package}.applies}}" for p in members if p.has_applies) or "set()"
            body += ["", f"outside := {sets}"]
        modules.append((f"kubecomply-group-{number}.rego", "\n".join(body) + "\n"))
        if combined:
            fast += [f"group_{number} contains [kind, i, found, out] if {{", *_kind_selector(kinds), "\tsome i, r in group"]
            fast += [f"\tanswer := data.{group_package} {scope}", "\tfound := answer.all"]
            fast += ["\tout := answer.outside", "}", ""]
        else:
            fast += [f"group_{number} contains [kind, i, check, v] if {{", *_kind_selector(kinds)]
            fast += ["\tsome i, r in group", f"\tsome check, found in data.{group_package}.all {scope}", "\tsome v in found", "}", ""]
        groups.append(f"data.{package}.fast.group_{number}")
    scope_ref = None
    scope_modules: list[tuple[str, str]] = []
    scopes: dict[str, str] = {}
    narrowed = [p for p in policies if p.has_applies]
    if narrowed and combined:
        # One package per check, for the fallback: an applies that raises then fails only its own.
        for number, policy in enumerate(narrowed):
            rule = _outside_rule(policy, "[kind, i]", scope)
            scope_modules.append((f"kubecomply-scope-{number}.rego", "\n".join([f"package {package}.scope_{number}", *header, *rule])))
            scopes[f"data.{package}.scope_{number}.outside"] = policy.id
    elif narrowed:
        outside = [line for policy in narrowed for line in _outside_rule(policy, f"[{json.dumps(policy.id)}, kind, i]", scope)]
        if scope_in_fast:
            # One query answers both (the OPA server: one HTTP request per batch).
            fast += outside
            scope_ref = f"data.{package}.fast.outside"
        else:
            modules.append(("kubecomply-scope.rego", "\n".join([f"package {package}.scope", *header, *outside])))
            scope_ref = f"data.{package}.scope.outside"
    modules.append(("kubecomply-fast.rego", "\n".join(fast)))
    return Wrapper(modules, groups, rules, ("kubecomply-each.rego", "\n".join(each)), scope_ref, tuple(scope_modules), scopes)


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
    policy_id = intern(policy_id)  # decoded afresh from each engine answer; one string per check
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
            _shared_path(path) if isinstance(path, list) and all(isinstance(p, (str, int)) for p in path) else None,
            details,
        )
    return Violation(policy_id, resource_index, json.dumps(value, sort_keys=True))


def _shared_path(path: list[str | int]) -> tuple[str | int, ...]:
    """The path with its keys as shared strings: the same few keys recur in every violation.

    Violations cross from evaluation workers as a pickle, which writes a
    string once per object: shared here, each key is sent and held once
    rather than once per violation.
    """
    return tuple(intern(p) if p.__class__ is str else p for p in path)


def resource_label(obj: dict[str, Any]) -> str:
    """``Kind/namespace/name`` of a raw object, for error messages."""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    parts = [str(obj.get("kind", "?")), str(meta.get("namespace") or ""), str(meta.get("name") or "?")]
    return "/".join(p for p in parts if p)
