"""Findings: each violation the engine reported, made into what reports show.

A finding carries its check's severity, title and remediation, the framework
controls the check gives evidence for, the resource's identity, and an origin
pointing at the exact line of the offending field where the resource came from
a file.  Messages are redacted here, once, so no renderer can leak a value.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Sequence

from .forking import WorkerError, map_forked
from .model import Finding, Origin, Policy, Resource, Violation, shared_sort_key
from .redact import redact_text
from .sources import LineResolver


def dotted_path(path: Sequence[str | int] | None) -> str | None:
    """``["spec", "containers", 0, "image"]`` -> ``spec.containers[0].image``."""
    if not path:
        return None
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# Below this many findings, forking to resolve their lines costs more than it saves.
LINES_PARALLEL_MINIMUM = 4000


def resolve_lines(lines_of: LineResolver, requests: Sequence[tuple[Origin, Sequence[str | int]]], workers: int = 1) -> list[int | None]:
    """The line of each (origin, field path), in order; split across forked workers when there are many.

    Each line costs composing its document again (the loader keeps no node
    trees), which on a large scan with many findings is the biggest cost after
    evaluation; requests come in resource order, so a slice composes each of
    its documents once.
    """

    def work(start: int, end: int) -> list[int | None]:
        return [lines_of.resolve_line(origin, path) for origin, path in requests[start:end]]

    def lines() -> list[int | None]:
        if workers <= 1 or len(requests) < LINES_PARALLEL_MINIMUM:
            return work(0, len(requests))
        try:
            return [line for part in map_forked(work, len(requests), workers) for line in part]
        except WorkerError:
            return work(0, len(requests))  # lines are a convenience; never lose the scan over them

    found = lines()
    release = getattr(lines_of, "release", None)
    if release is not None:  # the last file's text, its line offsets and a composed document: not needed any more
        release()
    # Files are read again for lines; one that changed meanwhile is a gap of its part, not wrong lines.
    lines_of.gaps.extend(lines_of.files_changed_since_read(origin.path for origin, _ in requests if origin.type == "file" and origin.path))
    return found


def make_findings(
    violations: Sequence[Violation],
    resources: Sequence[Resource],
    policies: Mapping[str, Policy],
    controls: Mapping[str, dict[str, list[str]]],
    lines_of: LineResolver | None,
    workers: int = 1,
) -> tuple[list[Finding], list[Resource]]:
    """Findings with the exact line of the offending field, and the resource behind each.

    ``controls`` maps a check to the framework controls it gives evidence for;
    ``lines_of`` finds lines in the files resources were read from (None: no
    files, as in a cluster scan).
    """
    seen: set[tuple] = set()
    kept: list[Violation] = []
    # In resource order, so each document is composed once for line resolution.
    for violation in sorted(violations, key=lambda v: v.resource_index):
        key = (violation.policy_id, violation.resource_index, violation.path, violation.message)
        if key in seen:  # the same container reached through two paths is one finding
            continue
        seen.add(key)
        kept.append(violation)
    lines: dict[int, int | None] = {}
    if lines_of is not None:
        wanted = [i for i, v in enumerate(kept) if v.path and resources[v.resource_index].origin.type in ("file", "stdin")]
        found = resolve_lines(lines_of, [(resources[kept[i].resource_index].origin, kept[i].path or ()) for i in wanted], workers)
        lines = dict(zip(wanted, found))
    findings: list[Finding] = []
    behind: list[Resource] = []
    # Built once and shared (they are immutable): a resource has several
    # findings, many on the same line, and the same field paths recur.
    identities: dict[int, Any] = {}
    origins: dict[tuple[int, int], Origin] = {}
    dotted: dict[tuple[str | int, ...] | None, str | None] = {}
    for position, violation in enumerate(kept):
        policy = policies[violation.policy_id]
        resource = resources[violation.resource_index]
        origin = resource.origin
        line = lines.get(position)
        if line:
            at = (violation.resource_index, line)
            origin = origins.get(at) or origins.setdefault(at, replace(origin, line=line))
        path = dotted.get(violation.path, False)
        if path is False:
            path = dotted[violation.path] = dotted_path(violation.path)
        findings.append(
            Finding(
                policy=policy.id,
                severity=policy.severity,
                title=policy.title,
                message=redact_text(violation.message),
                resource=identities.get(violation.resource_index) or identities.setdefault(violation.resource_index, resource.identity()),
                origin=origin,
                path=path,
                controls=controls.get(policy.id, {}),
                remediation=policy.remediation,
            )
        )
        behind.append(resource)
    return findings, behind


def sorted_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Findings in report order (Finding.sort_key), stable.

    The resource and origin parts of the key are computed once per object:
    findings share them (one identity per resource, one origin per line), and
    on 40,000 findings computing them for each finding was half the sort.
    """
    part = shared_sort_key()
    return sorted(findings, key=lambda f: f.sort_key(part))
