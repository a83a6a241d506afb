"""Baselines: accepted findings recorded once, so CI fails only on new ones.

A baseline is not a waiver.  A waiver is an approved exception with an owner
and an expiry; a baseline is the debt that existed when a team started
gating, written down so that the build fails on what a change adds, not on
what it inherited.  That is why baselined findings still count against
framework controls (the violation is real) but do not trip ``--fail-on``.

Findings are matched by a key that survives edits which do not change the
finding: check id, resource identity (apiVersion, kind, namespace, name), the
file (relative to the baseline's own folder, so the scan may run from any
working directory) and the field path.  Line and document numbers are left
out on purpose, so inserting lines or reordering documents changes nothing.
A finding without a field path uses its message in place of the path.

Entries carry a ``count``: an entry that accepted one finding absorbs one
finding with that key; a second finding with the same key is new.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..model import Finding, ScanResult

FORMAT = "kubecomply-baseline"
VERSION = 1
MATCHED_STATUSES = ("fail", "waived")  # a waived finding still uses up its entry; it is not "resolved"

Key = tuple[str, str, str, str | None, str, str | None, str]


class BaselineError(Exception):
    """An unusable baseline file; ``str()`` names the file and the problem."""


@dataclass(frozen=True)
class Entry:
    """One accepted finding key and how many findings with that key were accepted."""

    check: str
    apiVersion: str
    kind: str
    namespace: str | None
    name: str
    file: str | None
    path: str | None
    message: str | None  # only when there is no field path
    count: int = 1

    def key(self) -> Key:
        return (self.check, self.apiVersion, self.kind, self.namespace, self.name, self.file, self.path or f"message:{self.message or ''}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "check": self.check,
            "resource": {"apiVersion": self.apiVersion, "kind": self.kind, "namespace": self.namespace, "name": self.name},
            "file": self.file,
            "path": self.path,
            "count": self.count,
        }
        if self.path is None:
            out["message"] = self.message
        return out


def _relative_file(origin_path: str | None, origin_type: str, base_dir: Path) -> str | None:
    """The finding's file relative to the baseline's folder, with ``/`` separators; ``-`` for stdin."""
    if origin_type == "stdin":
        return "-"
    if origin_type != "file" or not origin_path:
        return None
    relative = os.path.relpath(os.path.abspath(origin_path), os.path.abspath(base_dir))
    return relative.replace(os.sep, "/")


def finding_key(finding: Finding, base_dir: Path) -> Key:
    """The part of a finding a baseline remembers; see the module docstring for why these fields."""
    ref = finding.resource
    file = _relative_file(finding.origin.path, finding.origin.type, base_dir)
    return (finding.policy, ref.apiVersion, ref.kind, ref.namespace, ref.name, file, finding.path or f"message:{finding.message}")


def entries_from(findings: Iterable[Finding], base_dir: Path) -> list[Entry]:
    """Baseline entries for the open findings: one entry per key, with the number of findings behind it."""
    counts: Counter[Key] = Counter()
    sample: dict[Key, Finding] = {}
    for finding in findings:
        if finding.status != "fail":
            continue  # waived findings have their own record; an expired waiver must surface them again
        key = finding_key(finding, base_dir)
        counts[key] += 1
        sample.setdefault(key, finding)
    entries = []
    for key, count in counts.items():
        f = sample[key]
        entries.append(Entry(f.policy, key[1], key[2], key[3], key[4], key[5], f.path, None if f.path else f.message, count))
    return sorted(entries, key=lambda e: tuple("" if v is None else str(v) for v in e.key()))


def render_baseline(result: ScanResult, base_dir: Path) -> str:
    """The baseline file for a scan result: sorted, no timestamps, so recreating it diffs clean."""
    entries = entries_from(result.findings, base_dir)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "tool_version": result.scan.get("version"),
        "findings": sum(e.count for e in entries),
        "entries": [e.to_dict() for e in entries],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass
class Baseline:
    """A loaded baseline file."""

    file: str
    digest: str
    entries: list[Entry]
    base_dir: Path


def _entry(raw: Any, where: str) -> Entry:
    if not isinstance(raw, dict) or not isinstance(raw.get("resource"), dict):
        raise BaselineError(f"{where}: expected an object with check, resource, file, path, count")
    res = raw["resource"]
    count = raw.get("count", 1)
    if not isinstance(raw.get("check"), str) or not isinstance(res.get("kind"), str) or isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise BaselineError(f"{where}: needs a check id, resource.kind and a positive count")
    # Every other field is text or null; anything else (a number, a list) could never equal a finding's key.
    for label, value in (("resource.apiVersion", res.get("apiVersion", "")), ("resource.name", res.get("name", ""))):
        if not isinstance(value, str):
            raise BaselineError(f"{where}: {label} must be text, not {type(value).__name__}")
    for label, value in (("resource.namespace", res.get("namespace")), ("file", raw.get("file")), ("path", raw.get("path")), ("message", raw.get("message"))):
        if value is not None and not isinstance(value, str):
            raise BaselineError(f"{where}: {label} must be text or null, not {type(value).__name__}")
    return Entry(
        check=raw["check"], apiVersion=res.get("apiVersion", ""), kind=res["kind"], namespace=res.get("namespace"),
        name=res.get("name", ""), file=raw.get("file"), path=raw.get("path"), message=raw.get("message"), count=count,
    )


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate a baseline file; a file this version cannot read is an error, never an empty baseline."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BaselineError(f"{name}: cannot read baseline: {exc.strerror}") from None
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BaselineError(f"{name}: not a JSON baseline file: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BaselineError(f"{name}: not a kubecomply baseline (expected \"format\": \"{FORMAT}\"); create one with 'kubecomply baseline create'")
    if doc.get("version") != VERSION:
        raise BaselineError(f"{name}: baseline version {doc.get('version')!r} is not supported (this kubecomply reads version {VERSION})")
    raw_entries = doc.get("entries")
    if not isinstance(raw_entries, list):
        raise BaselineError(f"{name}: expected an \"entries\" list")
    entries = [_entry(raw, f"{name}: entry #{i}") for i, raw in enumerate(raw_entries, start=1)]
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    return Baseline(name, digest, entries, Path(path).resolve().parent)


def apply_baseline(findings: Sequence[Finding], baseline: Baseline) -> dict[str, Any]:
    """Mark findings covered by the baseline ``baselined`` (in place); return the result's ``baseline`` record.

    Open findings use up entries before waived ones, so a key with one accepted
    finding baselines the open one.  Entries left over are ``resolved``: no
    finding with that key exists any more (fixed, or the resource is gone).
    """
    remaining: dict[Key, int] = Counter()
    by_key: dict[Key, Entry] = {}
    for entry in baseline.entries:
        remaining[entry.key()] += entry.count
        by_key.setdefault(entry.key(), entry)
    matched = 0
    for status in MATCHED_STATUSES:
        for finding in findings:
            if finding.status != status:
                continue
            key = finding_key(finding, baseline.base_dir)
            if remaining.get(key, 0) > 0:
                remaining[key] -= 1
                matched += 1
                if status == "fail":
                    finding.status = "baselined"
    resolved = []
    for key, left in remaining.items():
        if left > 0:
            entry = by_key[key]
            resolved.append({**entry.to_dict(), "count": left})
    resolved.sort(key=lambda e: (e["check"], e["file"] or "", e["resource"]["kind"], e["resource"]["namespace"] or "", e["resource"]["name"], e["path"] or ""))
    return {
        "file": baseline.file,
        "digest": baseline.digest,
        "entries": sum(e.count for e in baseline.entries),
        "matched": matched,
        "new": sum(1 for f in findings if f.status == "fail"),
        "resolved": resolved,
    }
