"""The pipeline: sources -> engine -> findings -> waivers -> compliance -> ScanResult.

The CLI only parses arguments and picks exit codes; everything a scan does is
here, so it can be driven from tests and other programs exactly as users run it.
"""

from __future__ import annotations

import datetime as dt
import gc
import subprocess
from contextlib import contextmanager
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from . import __version__
from .config_data import load_config_data, missing_data
from .engine import Evaluation, create_engine
from .engine_input import evaluate_resources
from .frameworks import CheckCoverage, Framework, controls_by_check, load_frameworks, roll_up, select_frameworks, validate_references
from .baseline import apply_baseline, load_baseline
from .changes import ChangeSet, changed_since, keep_changed
from .gates import GatePolicy
from .gates import exit_code as gate_exit_code
from .forking import WorkerError, default_workers, map_forked
from .model import SEVERITIES, VIOLATION_STATUSES, Origin, Violation, CheckInfo, CoverageGap, Finding, Resource, ScannedResource, ScanResult, Waiver
from .policies import ALL_KINDS, PolicySet, load_policies
from .redact import redact_text
from .sources.manifests import ManifestLoad, load_manifests
from .sources.render import RenderedLoad
from .waivers import apply_waivers, load_waivers


@dataclass
class ScanOptions:
    policy_dirs: Sequence[str] = ()
    mapping_dirs: Sequence[str] = ()
    frameworks: Sequence[str] = ()
    waivers_file: str | None = None
    engine: str = "embedded"
    max_file_size: int = 50 * 1024 * 1024
    today: dt.date | None = None
    workers: int | None = None  # evaluation processes; None: one per core (at most four)
    engine_options: dict[str, Any] = field(default_factory=dict)  # e.g. url, token_file for "opa"
    data_files: Sequence[str] = ()  # --data: YAML/JSON merged into data.kubecomply.config
    baseline_file: str | None = None  # accepted findings (scanner/baseline.py); they are reported "baselined"
    changed_since: str | None = None  # git ref: report only findings in files changed since it
    fail_on_gaps: bool = False  # any gap makes the exit code 2 (scanner/gates.py)
    preloaded_waivers: list[Waiver] | None = None  # file waivers already parsed (waivers check); used instead of waivers_file


@dataclass
class LoadedBundle:
    """Checks and frameworks after selection, ready to evaluate."""

    policy_set: PolicySet
    frameworks: list[Framework]
    digest: str
    selected_frameworks: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)  # --data, as data.kubecomply.config
    not_run: dict[str, str] = field(default_factory=dict)  # check id -> why it is left out (missing --data)

    def runnable(self) -> PolicySet:
        """The checks the engine evaluates: all selected ones except those left out on purpose."""
        if not self.not_run:
            return self.policy_set
        return self.policy_set.select(p.id for p in self.policy_set.policies if p.id not in self.not_run)


def load_bundle(options: ScanOptions) -> LoadedBundle:
    """Load and cross-validate checks and mappings; narrow both to ``--framework`` if given."""
    policy_set = load_policies(options.policy_dirs)
    frameworks = load_frameworks(options.mapping_dirs)
    validate_references(frameworks, set(policy_set.by_id()))
    chosen = select_frameworks(frameworks, options.frameworks)
    if options.frameworks:
        policy_set = policy_set.select(set().union(*(fw.check_ids() for fw in chosen)))
    digest = policy_set.digest([fw.file for fw in chosen])
    config = load_config_data(options.data_files)
    not_run = missing_data(policy_set.policies, config)
    return LoadedBundle(policy_set, chosen, digest, list(options.frameworks), config, not_run)


def build_inventory(resources: Sequence[Resource]) -> dict[str, Any]:
    """``data.inventory`` laid out as Gatekeeper does, so cross-resource checks read familiar paths."""
    inventory: dict[str, Any] = {"namespace": {}, "cluster": {}}
    for resource in resources:
        if resource.namespace:
            node = inventory["namespace"].setdefault(resource.namespace, {})
        else:
            node = inventory["cluster"]
        node.setdefault(resource.api_version, {}).setdefault(resource.kind, {})[resource.name] = resource.obj
    return inventory


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


def git_commit(path: str) -> str | None:
    """The commit of the checkout a target lives in, so a report names exactly what was scanned."""
    folder = Path(path)
    folder = folder if folder.is_dir() else folder.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# Below this many findings, forking to resolve their lines costs more than it saves.
LINES_PARALLEL_MINIMUM = 4000


def resolve_lines(load: ManifestLoad, requests: Sequence[tuple[Origin, Sequence[str | int]]], workers: int = 1) -> list[int | None]:
    """The line of each (origin, field path), in order; split across forked workers when there are many.

    Each line costs composing its document again (the loader keeps no node
    trees), which on a large scan with many findings is the biggest cost after
    evaluation; requests come in resource order, so a slice composes each of
    its documents once.
    """

    def work(start: int, end: int) -> list[int | None]:
        return [load.resolve_line(origin, path) for origin, path in requests[start:end]]

    if workers <= 1 or len(requests) < LINES_PARALLEL_MINIMUM:
        return work(0, len(requests))
    try:
        return [line for part in map_forked(work, len(requests), workers) for line in part]
    except WorkerError:
        return work(0, len(requests))  # lines are a convenience; never lose the scan over them


def make_findings(
    evaluation: Evaluation,
    resources: Sequence[Resource],
    bundle: LoadedBundle,
    load: ManifestLoad,
    workers: int = 1,
) -> tuple[list[Finding], list[Resource]]:
    """Findings with the exact line of the offending field, and the resource behind each."""
    policies = bundle.policy_set.by_id()
    controls = controls_by_check(bundle.frameworks)
    seen: set[tuple] = set()
    kept: list[Violation] = []
    # In resource order, so each document is composed once for line resolution.
    for violation in sorted(evaluation.violations, key=lambda v: v.resource_index):
        key = (violation.policy_id, violation.resource_index, violation.path, violation.message)
        if key in seen:  # the same container reached through two paths is one finding
            continue
        seen.add(key)
        kept.append(violation)
    wanted = [i for i, v in enumerate(kept) if v.path and resources[v.resource_index].origin.type in ("file", "stdin")]
    found = resolve_lines(load, [(resources[kept[i].resource_index].origin, kept[i].path or ()) for i in wanted], workers)
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
    parts: dict[int, tuple] = {}

    def part(obj: Any) -> tuple:
        key = parts.get(id(obj))
        if key is None:
            key = parts[id(obj)] = obj.sort_key()
        return key

    return sorted(findings, key=lambda f: f.sort_key(part))


def coverage_by_check(
    bundle: LoadedBundle, resources: Sequence[Resource], evaluation: Evaluation, findings: Sequence[Finding], behind: Sequence[Resource]
) -> dict[str, CheckCoverage]:
    kinds = Counter(r.kind for r in resources)
    coverage = {}
    for policy in bundle.policy_set.policies:
        evaluated = sum(kinds.values()) if ALL_KINDS in policy.kinds else sum(kinds[k] for k in policy.kinds)
        not_run = bundle.not_run.get(policy.id)
        coverage[policy.id] = CheckCoverage(evaluated=0 if not_run else evaluated, error=evaluation.failed_checks.get(policy.id), not_run=not_run)
    for finding, resource in zip(findings, behind):
        if finding.status in VIOLATION_STATUSES:
            coverage[finding.policy].failed_resources.add(id(resource))
    return coverage


def common_summary(resources: Sequence[Resource], findings: Sequence[Finding], gaps: Sequence[CoverageGap], bundle: LoadedBundle, failed_checks: int, baselined: bool = False) -> dict[str, Any]:
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
        "checks": len(bundle.policy_set.policies),
        "checks_failed_to_run": failed_checks,
        "checks_not_run": dict(sorted(bundle.not_run.items())),
        "cross_resource_checks": sum(1 for p in bundle.policy_set.policies if p.cross_resource),
        "findings": len(findings),
        "findings_by_status": by_status,
        "open_findings_by_severity": by_severity,
        "gaps": len(gaps),
        "gaps_by_type": dict(sorted(Counter(g.type for g in gaps).items())),
    }


def scan_facts(options: ScanOptions, bundle: LoadedBundle, engine_version: str | None, started: str, source: str, targets: list[dict[str, Any]]) -> dict[str, Any]:
    """The result's ``scan``: what ran, on what, with which bundle, and when."""
    return {
        "tool": "kubecomply",
        "version": __version__,
        "engine": options.engine,
        "engine_version": engine_version,
        "started": started,
        "finished": _utc_now(),
        "source": source,
        "targets": targets,
        "policy_bundle": bundle.digest,
        "frameworks": [fw.id for fw in bundle.frameworks],
        "frameworks_selected": bundle.selected_frameworks,
        "checks": sorted(bundle.policy_set.by_id()),
    }


def summarize(resources: Sequence[Resource], findings: Sequence[Finding], gaps: Sequence[CoverageGap], load: ManifestLoad, bundle: LoadedBundle, evaluation: Evaluation, baselined: bool = False) -> dict[str, Any]:
    return {
        "scope": "files",
        "files": len(load.files),
        "documents_skipped": dict(sorted(load.skipped.items())),
        **common_summary(resources, findings, gaps, bundle, len(evaluation.failed_checks), baselined),
    }


def check_catalogue(bundle: LoadedBundle, coverage: dict[str, CheckCoverage], scope: str = "files") -> list[CheckInfo]:
    """What every evaluated check is and how many resources it saw, for reports rendered from the result alone."""
    out = []
    for p in sorted(bundle.policy_set.policies, key=lambda p: p.id):
        cov = coverage.get(p.id)
        out.append(
            CheckInfo(
                id=p.id, title=p.title, severity=p.severity, description=p.description, remediation=p.remediation,
                references=p.references, kinds=list(p.declared_kinds or p.kinds), applies_to=sorted(p.kinds),
                package=p.package, bundled=p.bundled,
                resources_evaluated=cov.evaluated if cov else 0, error=cov.error if cov else None,
                not_run=cov.not_run if cov else None, scope=scope if p.cross_resource else None,
            )
        )
    return out


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while a scan builds millions of small objects.

    A scan keeps every resource alive until it ends, so each automatic
    collection walks all of them again; measured on 10,000 resources, line
    resolution (which composes YAML nodes) took 10 s with the collector on and
    2 s with it paused.  Nothing a scan builds relies on cycle collection, and
    the collector is switched back on (if it was on) as soon as the scan ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def scan_manifests(targets: Sequence[str], options: ScanOptions, stdin: TextIO | None = None) -> ScanResult:
    """Scan manifest files, folders and stdin; raises PolicyError/FrameworkError/WaiverError for unusable inputs."""

    def load() -> tuple[ManifestLoad, list[dict[str, Any]], str]:
        workers = options.workers or default_workers()
        return load_manifests(targets, max_file_size=options.max_file_size, stdin=stdin, workers=workers), path_targets(targets), "manifests"

    with paused_gc():
        return _scan(options, load)


def scan_rendered(load: Callable[[], RenderedLoad], options: ScanOptions) -> ScanResult:
    """Scan what a Helm chart or Kustomize overlay renders to (scanner.sources.render).

    ``load`` renders and reads; it is called after the checks, mappings and
    waivers loaded, so their errors come first, as in a manifest scan.  Raises
    RenderError when the tool is missing or fails.
    """

    def loaded() -> tuple[ManifestLoad, list[dict[str, Any]], str]:
        rendered = load()
        return rendered, rendered.targets, rendered.source  # source: "helm" or "kustomize"

    with paused_gc():
        return _scan(options, loaded)


def path_targets(targets: Sequence[str]) -> list[dict[str, Any]]:
    """``scan.targets`` for files, folders and stdin, with the git commit of each checkout."""
    targets_info = []
    for target in targets:
        info: dict[str, Any] = {"type": "stdin" if target == "-" else "path", "path": target}
        commit = git_commit(target) if target != "-" else None
        if commit:
            info["git_commit"] = commit
        targets_info.append(info)
    return targets_info


def _scan(options: ScanOptions, read: Callable[[], tuple[ManifestLoad, list[dict[str, Any]], str]]) -> ScanResult:
    """The pipeline after the inputs: ``read`` gives the loaded resources, ``scan.targets`` and ``scan.source``."""
    started = _utc_now()
    bundle = load_bundle(options)
    known = set(bundle.policy_set.by_id())
    if options.preloaded_waivers is not None:
        file_waivers = options.preloaded_waivers
    else:
        file_waivers = load_waivers(options.waivers_file, known, options.today) if options.waivers_file else []
    baseline = load_baseline(options.baseline_file) if options.baseline_file else None

    load, targets_info, source = read()
    target_paths = [str(t["path"]) for t in targets_info if t.get("path") and t.get("type") != "stdin"]
    changes: ChangeSet | None = changed_since(options.changed_since, target_paths or ["."]) if options.changed_since else None

    engine = create_engine(options.engine, workers=options.workers, config=bundle.config, **options.engine_options)
    try:
        engine.load(bundle.runnable())
        evaluation, resources, unevaluable = evaluate_resources(engine, load.resources, build_inventory, load.resolve_line)
        engine_version = getattr(engine, "version", None)
    finally:
        engine.close()

    findings, behind = make_findings(evaluation, resources, bundle, load, options.workers or default_workers())
    register = apply_waivers(findings, behind, file_waivers, resources, known)
    baseline_record = apply_baseline(findings, baseline) if baseline else None
    coverage = coverage_by_check(bundle, resources, evaluation, findings, behind)

    findings = sorted_findings(findings)
    gaps = list(load.gaps) + unevaluable + [
        CoverageGap(type="check", check=check, reason=reason) for check, reason in sorted(evaluation.failed_checks.items())
    ]
    gaps.sort(key=CoverageGap.sort_key)
    frameworks = roll_up(bundle.frameworks, findings, coverage)
    outside = 0
    if changes is not None:
        findings, outside = keep_changed(findings, frameworks, changes)
    scan_info = scan_facts(options, bundle, engine_version, started, source, targets_info)
    if changes is not None:
        scan_info["changed_since"] = {
            "ref": changes.ref, "commit": changes.commit, "base": changes.base,
            "files_changed": len(changes.files), "findings_outside": outside,
        }
    summary = summarize(resources, findings, gaps, load, bundle, evaluation, baselined=baseline is not None)
    scanned = sorted((ScannedResource(r.identity(), r.origin) for r in resources), key=ScannedResource.sort_key)
    return ScanResult(
        scan=scan_info, summary=summary, findings=findings, gaps=gaps, frameworks=frameworks, waivers=register,
        checks=check_catalogue(bundle, coverage), resources=scanned, baseline=baseline_record,
    )


def exit_code(result: ScanResult, fail_on: str, allow_parse_errors: bool = False, allow_empty: bool = False, fail_on_gaps: bool = False) -> tuple[int, str]:
    """0 clean, 1 violations at or above ``fail_on``, 2 the scan was incomplete; with the reason.

    Kept for callers that gate on severity alone; scanner.gates has every gate.
    """
    return gate_exit_code(result, GatePolicy(fail_on=fail_on, fail_on_gaps=fail_on_gaps), allow_parse_errors, allow_empty)
