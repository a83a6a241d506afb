"""Where a result came from, read from what every result already carries (``scan.targets``, ``scan.source``).

Results do not carry a "subject" field, so one is computed here: the sorted
labels of the scan's targets (a path, a chart, an overlay, a cluster by
context and server).  The git commit is kept as provenance but left out of the
subject on purpose: a repository scanned at two commits is the same subject
seen at two points in time, which is exactly what a period report follows.
"""

from __future__ import annotations

from typing import Any


def target_label(target: dict[str, Any]) -> str:
    kind = target.get("type", "path")
    if kind == "cluster":
        context = target.get("context") or ""
        server = target.get("server") or ""
        return f"cluster {context} ({server})" if context and server else f"cluster {context or server}"
    return f"{kind} {target.get('path', '')}".strip()


def subject(scan: dict[str, Any]) -> str:
    """One label for what was scanned; results with the same subject form one series."""
    targets = scan.get("targets") or []
    labels = sorted({target_label(t) for t in targets if isinstance(t, dict)})
    return ", ".join(labels) if labels else f"{scan.get('source', 'unknown')} (no targets recorded)"


def provenance(scan: dict[str, Any]) -> dict[str, Any]:
    """The facts an auditor needs to trace a result back to its inputs and tool."""
    out: dict[str, Any] = {"subject": subject(scan)}
    for key in ("source", "tool", "version", "engine", "engine_version", "policy_bundle", "started", "finished"):
        if scan.get(key) is not None:
            out[key] = scan[key]
    commits = sorted({t["git_commit"] for t in scan.get("targets") or [] if isinstance(t, dict) and t.get("git_commit")})
    if commits:
        out["git_commits"] = commits
    clusters = [
        {k: t[k] for k in ("context", "server", "version", "collected_at") if t.get(k)}
        for t in scan.get("targets") or [] if isinstance(t, dict) and t.get("type") == "cluster"
    ]
    if clusters:
        out["clusters"] = clusters
    return out
