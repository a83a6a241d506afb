"""Values the policy engine cannot take, found before it sees them.

JSON has no NaN or infinities, so neither regorus nor OPA accepts them; YAML
does (``.nan``, ``.inf``), and so does Python's JSON reader (``NaN``,
``Infinity``).  One such value used to make the engine reject its whole batch,
and the scan died with the findings of every good file.  Instead, the resource
that holds it is taken out before evaluation and reported as a gap naming the
field, and everything else is scanned.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from .engine import Engine, Evaluation, UnevaluableInput
from .model import CoverageGap, Origin, Resource

PathParts = list[str | int]


def non_finite_path(value: Any) -> PathParts | None:
    """The path of the first NaN or infinity in ``value`` (a plain JSON-like tree), or None."""
    stack: list[tuple[Any, PathParts]] = [(value, [])]
    while stack:
        node, path = stack.pop()
        if node.__class__ is float:
            if not math.isfinite(node):
                return path
        elif node.__class__ is dict:
            stack.extend((v, path + [k]) for k, v in reversed(list(node.items())))
        elif node.__class__ is list:
            stack.extend((v, path + [i]) for i, v in reversed(list(enumerate(node))))
        elif isinstance(node, float) and not math.isfinite(node):
            return path
    return None


def field_text(path: PathParts) -> str:
    """``["spec", "containers", 0, "x"]`` -> ``spec.containers[0].x``; the top level is ``(top level)``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def describe(value: Any) -> str:
    """``NaN``, ``Infinity`` or ``-Infinity``: how the user most likely wrote it."""
    if isinstance(value, float) and value != value:
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def value_at(value: Any, path: PathParts) -> Any:
    for part in path:
        value = value[part]
    return value


LineOf = Callable[[Origin, Sequence[str | int]], "int | None"]


def split_unevaluable(resources: Sequence[Resource], line_of: LineOf | None = None) -> tuple[list[Resource], list[CoverageGap]]:
    """The resources the engine can take, and a gap for each one it cannot (every object walked).

    ``line_of`` gives the line of a field in a manifest (ManifestLoad.resolve_line),
    so the gap points at the value itself rather than the document's start.
    """
    kept: list[Resource] = []
    gaps: list[CoverageGap] = []
    for resource in resources:
        path = non_finite_path(resource.obj)
        if path is None:
            kept.append(resource)
        else:
            gaps.append(unevaluable_gap(resource, path, line_of))
    return kept, gaps


def evaluate_resources(
    engine: Engine, resources: Sequence[Resource], inventory_of: Callable[[Sequence[Resource]], dict[str, Any]], line_of: LineOf | None = None
) -> tuple[Evaluation, list[Resource], list[CoverageGap]]:
    """Evaluate; if the engine meets a value JSON cannot carry, take those resources out and evaluate the rest.

    Returns the evaluation, the resources it is about (violation indexes point
    into this list) and a gap for each resource taken out.  The engine finds
    such values while serialising, at no extra cost; only then is every
    resource walked.
    """
    try:
        return engine.evaluate([r.obj for r in resources], inventory_of(resources)), list(resources), []
    except UnevaluableInput:
        kept, gaps = split_unevaluable(resources, line_of)
        if not gaps:
            raise
    return engine.evaluate([r.obj for r in kept], inventory_of(kept)), kept, gaps


def unevaluable_gap(resource: Resource, path: PathParts, line_of: LineOf | None = None) -> CoverageGap:
    what = describe(value_at(resource.obj, path))
    reason = f"field {field_text(path)} is {what}, which the policy engine cannot take (JSON has no {what}); this {resource.kind or 'object'} was not evaluated"
    origin = resource.origin
    if origin.type in ("file", "stdin"):
        line = (line_of(origin, path) if line_of and path else None) or origin.line
        return CoverageGap(type="file", path=origin.path, line=line, document=origin.document, reason=reason)
    ident = resource.identity()
    name = f"{ident.namespace}/{ident.name}" if ident.namespace else ident.name
    return CoverageGap(
        type="resource", cluster=origin.context or origin.server, apiVersion=ident.apiVersion, kind=ident.kind,
        reason=f"{name}: {reason}",
    )
