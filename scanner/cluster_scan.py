"""Scans of live clusters, fleets of them, and evidence snapshots.

The same pipeline as ``scan.scan_manifests`` (engine -> findings -> waivers ->
compliance -> ScanResult), fed from ``sources.cluster`` or ``sources.snapshot``
instead of files.  Kept beside scan.py rather than inside it so the two sources can
change without touching each other; both use scan.py's building blocks.

Coverage is the point here: a kind that could not be collected is a ``kind`` gap, and
every check that needs it is ``not-assessed`` (``CheckCoverage.not_collected``), never
a pass.  A fleet is several clusters collected concurrently and evaluated one at a
time (each with its own ``data.inventory``); its result is one ScanResult over every
cluster (origins name the context) plus ``fleet``: per-cluster summaries and the
control x cluster matrix.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Sequence

from .engine import Evaluation, create_engine
from .engine_input import evaluate_resources
from .frameworks import CheckCoverage, roll_up
from .model import CoverageGap, Finding, Resource, ScannedResource, ScanResult, Waiver
from .policies import ALL_KINDS
from .scan import LoadedBundle, ScanOptions, _utc_now, build_inventory, check_catalogue, coverage_by_check, common_summary, load_bundle, make_findings, paused_gc, scan_facts, sorted_findings
from .sources.cluster import ClusterCollection, ClusterError, ClusterOptions, collect, connect, required_kinds
from .sources.manifests import ManifestLoad
from .baseline import apply_baseline, load_baseline
from .changes import ChangesError
from .waivers import apply_waivers, load_waivers


@dataclass(frozen=True)
class ClusterTarget:
    """One cluster to scan: a kubeconfig context (None: the current one)."""

    context: str | None = None
    kubeconfig: str | None = None
    in_cluster: bool | None = None


@dataclass
class _ClusterScan:
    """One cluster after evaluation, before results are merged."""

    collection: ClusterCollection | None
    name: str
    error: str | None = None
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    coverage: dict[str, CheckCoverage] = field(default_factory=dict)
    register: list[Waiver] = field(default_factory=list)
    failed_checks: dict[str, str] = field(default_factory=dict)


def wanted_kinds(bundle: LoadedBundle) -> tuple[set[str], set[str]]:
    return required_kinds(bundle.policy_set.policies)


def collect_target(target: ClusterTarget, bundle: LoadedBundle, cluster_options: ClusterOptions) -> ClusterCollection:
    """Connect and collect one cluster; ClusterError when it cannot be used at all."""
    kinds, explicit = wanted_kinds(bundle)
    conn = connect(target.kubeconfig, target.context, target.in_cluster)
    try:
        return collect(conn, kinds, explicit, cluster_options)
    finally:
        conn.close()


def collect_targets(targets: Sequence[ClusterTarget], bundle: LoadedBundle, cluster_options: ClusterOptions) -> list[ClusterCollection | ClusterError]:
    """Every target, concurrently (at most four clusters at once); failures are returned, not raised."""

    def one(target: ClusterTarget) -> ClusterCollection | ClusterError:
        try:
            return collect_target(target, bundle, cluster_options)
        except ClusterError as exc:
            exc.target = target  # type: ignore[attr-defined]
            return exc

    if len(targets) == 1:
        return [one(targets[0])]
    with ThreadPoolExecutor(max_workers=min(4, len(targets))) as pool:
        return list(pool.map(one, targets))


def _not_collected(bundle: LoadedBundle, missing: dict[str, str]) -> dict[str, str]:
    """check id -> why some kind it evaluates was not collected."""
    out = {}
    for policy in bundle.policy_set.policies:
        kinds = sorted(missing) if ALL_KINDS in policy.kinds else [k for k in (*policy.kinds, *policy.reads) if k in missing]
        if kinds:
            # The short reason ("403 forbidden"); the kind gap carries the server's full message.
            out[policy.id] = "; ".join(f"kind {k} was not collected ({missing[k].split(':', 1)[0]})" for k in kinds)
    return out


def _evaluate(collection: ClusterCollection, bundle: LoadedBundle, engine: Any, file_waivers: list[Waiver], known: set[str]) -> _ClusterScan:
    evaluation, resources, unevaluable = evaluate_resources(engine, collection.resources(), build_inventory)
    collection.gaps.extend(unevaluable)  # reported with the cluster's other gaps
    findings, behind = make_findings(evaluation, resources, bundle, ManifestLoad())
    register = apply_waivers(findings, behind, [_copy_waiver(w) for w in file_waivers], resources, known)
    coverage = coverage_by_check(bundle, resources, evaluation, findings, behind)
    for check, reason in _not_collected(bundle, collection.missing_kinds()).items():
        coverage[check].not_collected = reason
    name = collection.context or collection.server
    return _ClusterScan(collection, name, None, resources, findings, coverage, register, dict(evaluation.failed_checks))


def _copy_waiver(w: Waiver) -> Waiver:
    """Waivers count what they covered; each cluster starts from a fresh copy."""
    return Waiver.from_dict(w.to_dict())


def evaluate_collections(
    outcomes: Sequence[ClusterCollection | ClusterError], targets: Sequence[ClusterTarget], options: ScanOptions, bundle: LoadedBundle, started: str, source: str = "cluster"
) -> ScanResult:
    """Evaluate every collected cluster and build one ScanResult (with ``fleet`` when there are several)."""
    known = set(bundle.policy_set.by_id())
    file_waivers = load_waivers(options.waivers_file, known, options.today) if options.waivers_file else []
    scans: list[_ClusterScan] = []
    engine = create_engine(options.engine, workers=options.workers, config=bundle.config, **options.engine_options)
    try:
        engine.load(bundle.runnable())
        engine_version = getattr(engine, "version", None)
        for target, outcome in zip(targets, outcomes):
            if isinstance(outcome, ClusterError):
                scans.append(_ClusterScan(None, target.context or "current-context", str(outcome)))
            else:
                scans.append(_evaluate(outcome, bundle, engine, file_waivers, known))
    finally:
        engine.close()
    return _result(scans, options, bundle, started, engine_version, fleet=len(targets) > 1, source=source)


def _merge_coverage(scans: Sequence[_ClusterScan], bundle: LoadedBundle) -> dict[str, CheckCoverage]:
    merged = {p.id: CheckCoverage() for p in bundle.policy_set.policies}
    unreachable = [s for s in scans if s.error]
    for check, cov in merged.items():
        notes = []
        for s in scans:
            part = s.coverage.get(check)
            if part is None:
                continue
            cov.evaluated += part.evaluated
            cov.failed_resources |= part.failed_resources
            cov.error = cov.error or part.error
            cov.not_run = cov.not_run or part.not_run
            if part.not_collected:
                notes.append(part.not_collected if len(scans) == 1 else f"cluster {s.name}: {part.not_collected}")
        # A fleet is not assessed where one of its clusters was not read at all.
        notes += [f"cluster {s.name} was not scanned ({s.error})" for s in unreachable]
        cov.not_collected = "; ".join(notes) or None
        cov.not_run = cov.not_run or bundle.not_run.get(check)
    return merged


def _merge_waivers(scans: Sequence[_ClusterScan]) -> list[Waiver]:
    merged: dict[str, Waiver] = {}
    rank = {"applied": 0, "expired": 1, "invalid": 1, "unused": 2}
    for s in scans:
        for w in s.register:
            have = merged.get(w.id)
            if have is None:
                merged[w.id] = _copy_waiver(w)
                continue
            have.findings += w.findings
            if rank.get(w.status, 3) < rank.get(have.status, 3):
                have.status = w.status
    return list(merged.values())


def _summary(scans: Sequence[_ClusterScan], findings: Sequence[Finding], gaps: Sequence[CoverageGap], bundle: LoadedBundle, failed_checks: dict[str, str], baselined: bool = False) -> dict[str, Any]:
    skipped: Counter[str] = Counter()
    not_served: set[str] = set()
    resources: list[Resource] = []
    for s in scans:
        resources.extend(s.resources)
        if s.collection:
            skipped.update(s.collection.skipped_owned)
            not_served.update(s.collection.not_served)
    return {
        "scope": "cluster",
        "clusters": len(scans),
        "clusters_scanned": sum(1 for s in scans if not s.error),
        "skipped_owned": dict(sorted(skipped.items())),
        "kinds_not_served": sorted(not_served),
        **common_summary(resources, findings, gaps, bundle, len(failed_checks), baselined),
    }


def _fleet(scans: Sequence[_ClusterScan], bundle: LoadedBundle) -> dict[str, Any]:
    """Per-cluster summaries and the control x cluster matrix."""
    clusters = []
    matrix: dict[tuple[str, str], dict[str, Any]] = {}
    for s in scans:
        entry: dict[str, Any] = {"name": s.name, "status": "unreachable" if s.error else "scanned"}
        if s.error:
            entry["error"] = s.error
            clusters.append(entry)
            for fw in bundle.frameworks:
                for control in fw.controls:
                    cell = matrix.setdefault((fw.id, control.id), {"framework": fw.id, "id": control.id, "title": control.title, "clusters": {}})
                    cell["clusters"][s.name] = "not-assessed"
            continue
        assert s.collection is not None
        coll = s.collection
        open_findings = [f for f in s.findings if f.status == "fail"]
        entry.update({
            "context": coll.context, "server": coll.server, "version": coll.version, "collected_at": coll.collected_at,
            "resources": len(s.resources),
            "findings": len(s.findings),
            "open_findings": len(open_findings),
            "gaps": sum(1 for g in coll.gaps),
        })
        results = roll_up(bundle.frameworks, s.findings, s.coverage)
        entry["frameworks"] = {fw.id: {"score": fw.score, "coverage": fw.coverage, "counts": fw.counts} for fw in results}
        clusters.append({k: v for k, v in entry.items() if v is not None})
        for fw in results:
            for control in fw.controls:
                cell = matrix.setdefault((fw.id, control.id), {"framework": fw.id, "id": control.id, "title": control.title, "clusters": {}})
                cell["clusters"][s.name] = control.status
    return {"clusters": clusters, "controls": list(matrix.values())}


def _result(scans: Sequence[_ClusterScan], options: ScanOptions, bundle: LoadedBundle, started: str, engine_version: str | None, fleet: bool, source: str) -> ScanResult:
    findings = sorted_findings([f for s in scans for f in s.findings])
    coverage = _merge_coverage(scans, bundle)
    # failed_resources hold id()s of resources; keep the scans (and so the resources) alive until here.
    failed_checks: dict[str, str] = {}
    for s in scans:
        for check, reason in s.failed_checks.items():
            failed_checks.setdefault(check, reason)
    gaps: list[CoverageGap] = []
    targets: list[dict[str, Any]] = []
    for s in scans:
        if s.error:
            gaps.append(CoverageGap(type="cluster", cluster=s.name, reason=s.error))
            targets.append({"type": "cluster", "context": s.name, "error": s.error})
        else:
            assert s.collection is not None
            gaps.extend(s.collection.gaps)
            targets.append(s.collection.target())
    gaps += [CoverageGap(type="check", check=c, reason=r) for c, r in sorted(failed_checks.items())]
    gaps.sort(key=CoverageGap.sort_key)
    # A baseline works on clusters too: its entries name no file, only check, resource and field.
    baseline_record = apply_baseline(findings, load_baseline(options.baseline_file)) if options.baseline_file else None
    frameworks = roll_up(bundle.frameworks, findings, coverage)
    scan_info = scan_facts(options, bundle, engine_version, started, source, targets)
    scanned = sorted((ScannedResource(r.identity(), r.origin) for s in scans for r in s.resources), key=ScannedResource.sort_key)
    result = ScanResult(
        scan=scan_info,
        summary=_summary(scans, findings, gaps, bundle, failed_checks, baselined=baseline_record is not None),
        findings=findings,
        gaps=gaps,
        frameworks=frameworks,
        waivers=_merge_waivers(scans),
        checks=check_catalogue(bundle, coverage, scope="cluster"),
        resources=scanned,
        baseline=baseline_record,
    )
    if fleet:
        result.fleet = _fleet(scans, bundle)
    return result


def scan_cluster(targets: Sequence[ClusterTarget], options: ScanOptions, cluster_options: ClusterOptions | None = None) -> ScanResult:
    """Scan one cluster or a fleet.  A single cluster that cannot be used raises ClusterError."""
    cluster_options = cluster_options or ClusterOptions()
    if options.changed_since:
        raise ChangesError("--changed-since selects findings by changed files; a cluster scan has no files (scan the manifests instead)")
    with paused_gc():
        started = _utc_now()
        bundle = load_bundle(options)
        outcomes = collect_targets(targets, bundle, cluster_options)
        if len(targets) == 1 and isinstance(outcomes[0], ClusterError):
            raise outcomes[0]
        return evaluate_collections(outcomes, targets, options, bundle, started)


def scan_snapshot(path: str, options: ScanOptions) -> ScanResult:
    """Scan an evidence snapshot exactly as the live cluster was scanned; SnapshotError when it does not verify.

    Kinds the loaded checks need that the snapshot does not hold (it was exported with
    other checks) become kind gaps, as they would be for a live cluster that refused them.
    """
    from .sources.snapshot import read_snapshot

    with paused_gc():
        started = _utc_now()
        bundle = load_bundle(options)
        collection = read_snapshot(path)
        kinds, _explicit = wanted_kinds(bundle)
        known = set(collection.collected_kinds) | set(collection.not_served) | set(collection.missing_kinds())
        for kind in sorted(kinds - known):
            collection.gaps.append(CoverageGap(type="kind", cluster=collection.context or collection.server, kind=kind, reason="not in the snapshot (it was exported without a check that needs this kind)"))
        collection.gaps.sort(key=CoverageGap.sort_key)
        return evaluate_collections([collection], [ClusterTarget(collection.context)], options, bundle, started, source="snapshot")
