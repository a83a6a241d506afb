"""What changed between two results: findings, control statuses, waivers and the population scanned.

Findings are matched with the baseline's key (``baseline.finding_key``: check,
resource identity, file, field path; never line numbers), so a diff and a
baseline agree on what "the same finding" is.  Several findings with one key
are matched one to one, as a baseline's ``count`` does.

"Worse" is what a CI job should stop on: a new open finding, a finding whose
waiver stopped covering it, a control whose status got worse (statuses are
ranked in ``statuses``; unknown ones never count as better), a waiver that
expired, or a new coverage gap.  Fixed findings and new resources are not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..compliance.baseline import finding_key
from ..model import Finding, ScanResult
from . import statuses

STATUS_ORDER = {"fail": 0, "baselined": 1, "waived": 2}


@dataclass
class Diff:
    old: dict[str, Any]  # scan provenance of each side
    new: dict[str, Any]
    findings_new: list[dict[str, Any]] = field(default_factory=list)
    findings_resolved: list[dict[str, Any]] = field(default_factory=list)
    findings_unchanged: int = 0
    findings_status_changed: list[dict[str, Any]] = field(default_factory=list)
    controls_changed: list[dict[str, Any]] = field(default_factory=list)
    waivers_added: list[dict[str, Any]] = field(default_factory=list)
    waivers_removed: list[dict[str, Any]] = field(default_factory=list)
    waivers_expired: list[dict[str, Any]] = field(default_factory=list)
    waivers_changed: list[dict[str, Any]] = field(default_factory=list)
    population: dict[str, Any] = field(default_factory=dict)
    worse: list[str] = field(default_factory=list)  # one line per reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "kubecomply-diff",
            "version": 1,
            "old": self.old,
            "new": self.new,
            "worse": bool(self.worse),
            "worse_reasons": self.worse,
            "findings": {
                "new": self.findings_new,
                "resolved": self.findings_resolved,
                "unchanged": self.findings_unchanged,
                "status_changed": self.findings_status_changed,
            },
            "controls_changed": self.controls_changed,
            "waivers": {"added": self.waivers_added, "removed": self.waivers_removed, "expired": self.waivers_expired, "changed": self.waivers_changed},
            "population": self.population,
        }


def _finding_row(f: Finding) -> dict[str, Any]:
    row = {"check": f.policy, "severity": f.severity, "status": f.status, "resource": f.resource.to_dict(), "path": f.path, "message": f.message}
    if f.origin.path:
        row["file"] = f.origin.path
    if f.waiver:
        row["waiver"] = f.waiver
    return row


def _match_findings(diff: Diff, old: ScanResult, new: ScanResult) -> None:
    base = Path.cwd()  # both sides' relative file paths resolve against the same folder, so keys compare
    by_key_old: dict[tuple, list[Finding]] = defaultdict(list)
    by_key_new: dict[tuple, list[Finding]] = defaultdict(list)
    for f in old.findings:
        by_key_old[finding_key(f, base)].append(f)
    for f in new.findings:
        by_key_new[finding_key(f, base)].append(f)
    for key in sorted(set(by_key_old) | set(by_key_new), key=lambda k: tuple("" if v is None else str(v) for v in k)):
        olds = sorted(by_key_old.get(key, []), key=lambda f: STATUS_ORDER.get(f.status, 9))
        news = sorted(by_key_new.get(key, []), key=lambda f: STATUS_ORDER.get(f.status, 9))
        for before, after in zip(olds, news):
            diff.findings_unchanged += 1
            if before.status != after.status:
                diff.findings_status_changed.append({**_finding_row(after), "old_status": before.status, "new_status": after.status})
        diff.findings_resolved.extend(_finding_row(f) for f in olds[len(news):])
        diff.findings_new.extend(_finding_row(f) for f in news[len(olds):])


def _compare_controls(diff: Diff, old: ScanResult, new: ScanResult) -> None:
    before = {(fw.id, c.id): c.status for fw in old.frameworks for c in fw.controls}
    titles = {(fw.id, c.id): c.title for fw in (*old.frameworks, *new.frameworks) for c in fw.controls}
    after = {(fw.id, c.id): c.status for fw in new.frameworks for c in fw.controls}
    for key in sorted(set(before) | set(after)):
        old_status, new_status = before.get(key), after.get(key)
        if old_status == new_status:
            continue
        diff.controls_changed.append({
            "framework": key[0], "control": key[1], "title": titles.get(key, ""),
            "old": old_status, "new": new_status, "worse": statuses.worse(old_status, new_status) and new_status is not None,
        })


def _compare_waivers(diff: Diff, old: ScanResult, new: ScanResult) -> None:
    before = {w.id: w for w in old.waivers}
    after = {w.id: w for w in new.waivers}
    for wid in sorted(set(after) - set(before)):
        diff.waivers_added.append({"id": wid, "check": after[wid].check, "status": after[wid].status, "expires": after[wid].expires})
    for wid in sorted(set(before) - set(after)):
        diff.waivers_removed.append({"id": wid, "check": before[wid].check, "status": before[wid].status, "expires": before[wid].expires})
    for wid in sorted(set(before) & set(after)):
        b, a = before[wid], after[wid]
        if a.status == "expired" and b.status != "expired":
            diff.waivers_expired.append({"id": wid, "check": a.check, "expires": a.expires, "old_status": b.status})
        elif (a.status, a.expires, a.findings) != (b.status, b.expires, b.findings):
            diff.waivers_changed.append({"id": wid, "check": a.check, "old": {"status": b.status, "expires": b.expires, "findings": b.findings}, "new": {"status": a.status, "expires": a.expires, "findings": a.findings}})


def _resource_ids(result: ScanResult) -> set[tuple]:
    if result.resources:
        return {(r.resource.apiVersion, r.resource.kind, r.resource.namespace or "", r.resource.name) for r in result.resources}
    return {(f.resource.apiVersion, f.resource.kind, f.resource.namespace or "", f.resource.name) for f in result.findings}


def _population(diff: Diff, old: ScanResult, new: ScanResult) -> list[str]:
    old_ids, new_ids = _resource_ids(old), _resource_ids(new)
    label = lambda r: f"{r[1]} {r[2] + '/' if r[2] else ''}{r[3]}"  # noqa: E731
    old_kinds = old.summary.get("resources_by_kind") or {}
    new_kinds = new.summary.get("resources_by_kind") or {}
    old_gaps = {g.label() for g in old.gaps}
    new_gaps = sorted({g.label() for g in new.gaps} - old_gaps)
    old_checks, new_checks = set(old.scan.get("checks") or []), set(new.scan.get("checks") or [])
    diff.population = {
        "resources": {"old": old.summary.get("resources", len(old_ids)), "new": new.summary.get("resources", len(new_ids))},
        "resources_added": sorted(label(r) for r in new_ids - old_ids),
        "resources_removed": sorted(label(r) for r in old_ids - new_ids),
        "kinds_changed": {k: {"old": old_kinds.get(k, 0), "new": new_kinds.get(k, 0)} for k in sorted(set(old_kinds) | set(new_kinds)) if old_kinds.get(k, 0) != new_kinds.get(k, 0)},
        "checks_added": sorted(new_checks - old_checks),
        "checks_removed": sorted(old_checks - new_checks),
        "gaps": {"old": len(old.gaps), "new": len(new.gaps)},
        "gaps_new": new_gaps,
    }
    return new_gaps


def diff_results(old: ScanResult, new: ScanResult) -> Diff:
    from .provenance import provenance

    diff = Diff(old=provenance(old.scan), new=provenance(new.scan))
    _match_findings(diff, old, new)
    _compare_controls(diff, old, new)
    _compare_waivers(diff, old, new)
    new_gaps = _population(diff, old, new)
    opened = [f for f in diff.findings_new if f["status"] == "fail"]
    lapsed = [f for f in diff.findings_status_changed if f["new_status"] == "fail"]
    worse_controls = [c for c in diff.controls_changed if c["worse"]]
    if opened:
        diff.worse.append(f"{len(opened)} new open finding(s)")
    if lapsed:
        diff.worse.append(f"{len(lapsed)} finding(s) open again (no longer waived or baselined)")
    if worse_controls:
        diff.worse.append(f"{len(worse_controls)} control(s) got worse")
    if diff.waivers_expired:
        diff.worse.append(f"{len(diff.waivers_expired)} waiver(s) expired")
    if new_gaps:
        diff.worse.append(f"{len(new_gaps)} new coverage gap(s)")
    return diff
