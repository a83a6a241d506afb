"""Provenance in a few lines, for the table, Markdown and HTML reports: what was scanned, as whom, run where.

The JSON result holds the whole record (digests of every input, changed
files, groups); reports show the part a reader checks first: the commit and
whether the checkout differed from it, the cluster's UID and the identity
that read it, and the CI run to find the scan again.
"""

from __future__ import annotations

from typing import Any, Mapping


def _target_line(target: Mapping[str, Any]) -> str | None:
    kind = target.get("type")
    if kind == "cluster":
        name = target.get("context") or target.get("server") or "cluster"
        if target.get("error"):
            return None
        uid = f"uid {target['cluster_uid']}" if target.get("cluster_uid") else f"uid unknown ({target.get('cluster_uid_error') or 'not recorded'})"
        identity = target.get("identity") or {}
        who = f"read as {identity['username']}" if identity.get("username") else f"identity unknown ({identity.get('unknown') or 'not recorded'})"
        line = f"cluster {name}: {uid}, {who}"
        access = target.get("access")
        if access:
            forbidden = access.get("kinds_forbidden") or []
            line += f"; {access.get('kinds_listed', 0)} kind(s) listed" + (f", forbidden: {', '.join(forbidden)}" if forbidden else ", none forbidden")
        return line
    commit = target.get("git_commit")
    if not commit:
        return None
    line = f"{target.get('path', '')}: commit {commit[:12]}"
    dirty = target.get("git_dirty")
    if dirty:
        count = target.get("files_changed_from_head_count") or len(target.get("files_changed_from_head") or [])
        line += f", DIRTY: {count} file(s) differ from the commit"
    elif dirty is False:
        line += ", clean"
    return line


def provenance_lines(scan: Mapping[str, Any]) -> list[str]:
    """One line per target with provenance, then who and where ran the scan."""
    lines = [line for line in (_target_line(t) for t in scan.get("targets") or []) if line]
    inputs = scan.get("inputs")
    if inputs:
        lines.append(f"{len(inputs)} input file(s) hashed (SHA-256 of each in scan.inputs)")
    run = scan.get("run")
    if run:
        line = f"run by {run.get('user', 'unknown')} on {run.get('host', 'unknown')}"
        ci = run.get("ci")
        if ci:
            line += f", CI {ci.get('provider', 'unknown')}" + (f" {ci['run_url']}" if ci.get("run_url") else "")
        lines.append(line)
    return lines
