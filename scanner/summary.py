"""The descriptive parts of a ScanResult: what ran on what (``scan``), the counts (``summary``),
the check catalogue, and a fleet's per-cluster view.

Kept apart from the pipeline so its one function stays the flow; these only
describe what the flow produced, they decide nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Mapping, Sequence

from . import __version__
from .compliance.frameworks import CheckCoverage, Framework, roll_up
from .compliance.population import Populations
from .model import SEVERITIES, CheckInfo, CoverageGap, Finding, Policy, Resource


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def common_summary(
    resources: Sequence[Resource], findings: Sequence[Finding], gaps: Sequence[CoverageGap], policies: Sequence[Policy],
    not_run: Mapping[str, str], failed_checks: int, baselined: bool = False,
) -> dict[str, Any]:
    """The summary keys every scan has, whatever it read; sources add their own."""
    by_severity = {s: 0 for s in SEVERITIES}
    by_status = {"fail": 0, "waived": 0, **({"baselined": 0} if baselined else {})}
    for f in findings:
        if f.status == "fail":
            by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
        by_status[f.status] = by_status.get(f.status, 0) + 1
    return {
        "resources": len(resources),
        "resources_by_kind": dict(sorted(Counter(r.kind for r in resources).items())),
        "checks": len(policies),
        "checks_failed_to_run": failed_checks,
        "checks_not_run": dict(sorted(not_run.items())),
        "cross_resource_checks": sum(1 for p in policies if p.cross_resource),
        "findings": len(findings),
        "findings_by_status": by_status,
        "open_findings_by_severity": by_severity,
        "gaps": len(gaps),
        "gaps_by_type": dict(sorted(Counter(g.type for g in gaps).items())),
    }


def scan_facts(
    engine: str, engine_version: str | None, started: str, source: str, targets: list[dict[str, Any]],
    bundle_digest: str, frameworks: Sequence[Framework], frameworks_selected: Sequence[str], check_ids: Sequence[str],
) -> dict[str, Any]:
    """The result's ``scan``: what ran, on what, with which bundle, and when."""
    return {
        "tool": "kubecomply",
        "version": __version__,
        "engine": engine,
        "engine_version": engine_version,
        "started": started,
        "finished": utc_now(),
        "source": source,
        "targets": targets,
        "policy_bundle": bundle_digest,
        "frameworks": [fw.id for fw in frameworks],
        "frameworks_selected": list(frameworks_selected),
        "checks": sorted(check_ids),
    }


def check_catalogue(policies: Sequence[Policy], coverage: Mapping[str, CheckCoverage], scope: str, populations: Populations) -> list[CheckInfo]:
    """What every evaluated check is and the population it saw, for reports rendered from the result alone."""
    out = []
    for p in sorted(policies, key=lambda p: p.id):
        cov = coverage.get(p.id)
        population = populations.check(p.id)
        out.append(
            CheckInfo(
                id=p.id, title=p.title, severity=p.severity, description=p.description, remediation=p.remediation,
                references=p.references, kinds=list(p.declared_kinds or p.kinds), applies_to=sorted(p.kinds),
                package=p.package, bundled=p.bundled,
                resources_evaluated=cov.evaluated if cov else 0, error=cov.error if cov else None,
                resources_failed=population.failed, resources_excepted=population.excepted,
                resources_not_applicable=len(cov.not_applicable) if cov else 0, population=p.population,
                not_run=cov.not_run if cov else None, not_collected=cov.not_collected if cov else None,
                scope=scope if p.cross_resource else None,
            )
        )
    return out


def fleet_view(clusters: Sequence[tuple[str, Mapping[str, Any], str | None, int, Sequence[Finding], Mapping[str, CheckCoverage] | None]], frameworks: Sequence[Framework]) -> dict[str, Any]:
    """Per-cluster summaries and the control x cluster matrix.

    Each cluster is (name, facts its source gave, error, resources, findings,
    coverage); a cluster that could not be read is not assessed for every
    control.
    """
    entries = []
    matrix: dict[tuple[str, str], dict[str, Any]] = {}

    def cell(fw_id: str, control_id: str, title: str) -> dict[str, Any]:
        return matrix.setdefault((fw_id, control_id), {"framework": fw_id, "id": control_id, "title": title, "clusters": {}})

    for name, facts, error, resources, findings, coverage in clusters:
        entry: dict[str, Any] = {"name": name, "status": "unreachable" if error else "scanned"}
        if error or coverage is None:
            entry["error"] = error
            entries.append(entry)
            for fw in frameworks:
                for control in fw.controls:
                    cell(fw.id, control.id, control.title)["clusters"][name] = "not-assessed"
            continue
        entry.update({k: facts.get(k) for k in ("context", "server", "version", "collected_at")})
        entry.update({
            "resources": resources,
            "findings": len(findings),
            "open_findings": sum(1 for f in findings if f.status == "fail"),
            "gaps": facts.get("gaps", 0),
        })
        results = roll_up(frameworks, findings, dict(coverage))
        entry["frameworks"] = {fw.id: {"score": fw.score, "coverage": fw.coverage, "counts": fw.counts} for fw in results}
        entries.append({k: v for k, v in entry.items() if v is not None})
        for fw in results:
            for control in fw.controls:
                cell(fw.id, control.id, control.title)["clusters"][name] = control.status
    return {"clusters": entries, "controls": list(matrix.values())}
