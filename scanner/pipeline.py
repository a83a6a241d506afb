"""The scan pipeline: source -> engine -> findings -> waivers and baseline -> roll-up -> ScanResult.

``scan`` is the one pipeline every command runs.  Manifest files, stdin, Helm
and Kustomize renders, a live cluster, a fleet of clusters and an evidence
snapshot are each only a source (``scanner.sources``): the source reads, and
hands over resources, gaps and the facts of where they came from; nothing after
it knows which source fed it.  A source may read several parts (a fleet's
clusters); each part is evaluated on its own, with its own ``data.inventory``,
and ``combine`` makes one result of them.

The CLI parses options, picks a source, calls ``scan``, renders and exits;
tests and other programs drive scans the same way.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Sequence, TextIO

from .compliance.baseline import Baseline, apply_baseline, load_baseline
from .compliance.changes import ChangeSet, ChangesError, changed_since, keep_changed
from .compliance.coverage import coverage_by_check, mark_not_collected, merge_coverage, withhold_blind
from .compliance.population import Populations
from .compliance.frameworks import CheckCoverage, Framework, controls_by_check, load_frameworks, roll_up, select_frameworks, validate_references
from .compliance.gates import GatePolicy
from .compliance.gates import exit_code as gate_exit_code
from .compliance.waivers import apply_waivers, fresh_copies, inline_setting, load_waivers, merge_registers
from .config_data import load_config_data, missing_data
from .engine import Engine, create_engine
from .engine.inventory import build_inventory
from .engine_input import evaluate_resources
from .findings import make_findings, sorted_findings
from .forking import default_workers
from .gc_pause import paused_gc
from .model import CoverageGap, Finding, Resource, ScannedResource, ScanResult, Waiver
from .policies import PolicySet, load_policies
from . import progress
from .sources import Part, Reading, Source
from .summary import check_catalogue, common_summary, fleet_view, scan_facts, utc_now

if TYPE_CHECKING:
    from .sources.cluster import ClusterCollection, ClusterError, ClusterOptions
    from .sources.clusters import ClusterTarget
    from .sources.files import ManifestSource


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
    baseline_file: str | None = None  # accepted findings (compliance/baseline.py); they are reported "baselined"
    changed_since: str | None = None  # git ref: report only findings in files changed since it
    fail_on_gaps: bool = False  # any gap makes the exit code 2 (compliance/gates.py)
    preloaded_waivers: list[Waiver] | None = None  # file waivers already parsed (waivers check); used instead of waivers_file
    inline_waivers: str = "allow"  # kubecomply.io/waive.* annotations: "allow" complete ones, or "deny" all


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


@dataclass
class EvaluatedPart:
    """One part after evaluation: its findings (waived where a waiver applies), coverage and exception register."""

    part: Part
    findings: list[Finding] = field(default_factory=list)
    coverage: dict[str, CheckCoverage] | None = None  # None: the part could not be read, so nothing was evaluated
    register: list[Waiver] = field(default_factory=list)
    failed_checks: dict[str, str] = field(default_factory=dict)
    resources: list[Resource] = field(default_factory=list)  # the part's resources that were evaluated


def scan(source: Source, options: ScanOptions, bundle: LoadedBundle | None = None, started: str | None = None) -> ScanResult:
    """Scan what ``source`` reads; raises the source's, policy, mapping, waiver, baseline and engine errors.

    Inputs that cannot be used at all fail before anything is read; gaps
    (files not parsed, kinds not collected, checks that could not run) are part
    of the result.
    """
    with paused_gc():
        started = started or utc_now()
        if options.changed_since and not source.has_files:
            raise ChangesError("--changed-since selects findings by changed files; a cluster scan has no files (scan the manifests instead)")
        if bundle is None:
            # Quick and always the same: its line only with --verbose, so an input error right after stays one line.
            with progress.phase("loading checks", "loaded", ("checks", "frameworks"), verbose_only=True) as step:
                bundle = load_bundle(options)
                step.set(checks=len(bundle.policy_set.policies), frameworks=len(bundle.frameworks))
        file_waivers = load_file_waivers(options, bundle)
        inline_policy = inline_waiver_policy(options)
        baseline = load_baseline(options.baseline_file) if options.baseline_file else None
        reading = source.read(bundle.policy_set)
        changes = changes_since(options.changed_since, reading.targets)
        evaluated, engine_version = evaluate(reading.parts, options, bundle, file_waivers, inline_policy)
        with progress.phase("rolling up", "rolled up", ("frameworks",)) as step:
            step.set(frameworks=len(bundle.frameworks))
            return combine(reading, evaluated, options, bundle, baseline, changes, started, engine_version)


def load_file_waivers(options: ScanOptions, bundle: LoadedBundle) -> list[Waiver]:
    if options.preloaded_waivers is not None:
        return options.preloaded_waivers
    if not options.waivers_file:
        return []
    return load_waivers(options.waivers_file, set(bundle.policy_set.by_id()), options.today)


def inline_waiver_policy(options: ScanOptions) -> str:
    """Deny inline waivers when the options or the waivers file say so; either is enough."""
    from_file = inline_setting(options.waivers_file) if options.waivers_file else None
    return "deny" if "deny" in (options.inline_waivers, from_file) else "allow"


def changes_since(ref: str | None, targets: Sequence[dict[str, Any]]) -> ChangeSet | None:
    """The change set for ``--changed-since``, measured in the checkout of the scanned paths."""
    if not ref:
        return None
    paths = [str(t["path"]) for t in targets if t.get("path") and t.get("type") != "stdin"]
    return changed_since(ref, paths or ["."])


def evaluate(
    parts: Sequence[Part], options: ScanOptions, bundle: LoadedBundle, file_waivers: list[Waiver], inline_policy: str = "allow"
) -> tuple[list[EvaluatedPart], str | None]:
    """Evaluate every readable part with one engine; the engine's version for ``scan``."""
    engine = create_engine(options.engine, workers=options.workers, config=bundle.config, **options.engine_options)
    runnable = bundle.runnable()
    checks = len(runnable.policies)
    try:
        with progress.phase("evaluating", "evaluated", ("resources", "findings"), note=f"x {checks:,} check{'s' if checks != 1 else ''}") as step:
            engine.load(runnable)
            workers = options.workers or default_workers()
            evaluated = [
                EvaluatedPart(part) if part.error else evaluate_part(part, engine, bundle, file_waivers, workers, options.today, inline_policy) for part in parts
            ]
            # The workers' share is only known when they are done: the final counts, whatever was counted live.
            step.set(resources=sum(len(e.part.resources) for e in evaluated), findings=sum(len(e.findings) for e in evaluated))
        return evaluated, getattr(engine, "version", None)
    finally:
        engine.close()


def evaluate_part(
    part: Part, engine: Engine, bundle: LoadedBundle, file_waivers: list[Waiver], workers: int,
    today: dt.date | None = None, inline_policy: str = "allow",
) -> EvaluatedPart:
    """Engine, findings, waivers and coverage for one part."""
    started = time.monotonic()
    # A resource holding a value the engine cannot take (NaN, infinities) is a gap of its part; the rest is evaluated.
    evaluation, resources, unevaluable = evaluate_resources(engine, part.resources, build_inventory, part.lines.resolve_line if part.lines else None)
    part.gaps.extend(unevaluable)
    engine_done = time.monotonic()
    policies = bundle.policy_set.policies
    findings, behind = make_findings(
        evaluation.violations, resources, bundle.policy_set.by_id(), controls_by_check(bundle.frameworks), part.lines, workers
    )
    findings, behind, withheld = withhold_blind(findings, behind, policies, part.missing_kinds)
    progress.active().advance(findings=len(findings))
    progress.detail(f"{part.name}: {len(resources):,} resources, engine {engine_done - started:.1f} s, {len(findings):,} findings resolved to lines in {time.monotonic() - engine_done:.1f} s")
    register = apply_waivers(findings, behind, fresh_copies(file_waivers), resources, set(bundle.policy_set.by_id()), today, inline_policy)
    coverage = coverage_by_check(policies, bundle.not_run, evaluation.failed_checks, resources, findings, behind, evaluation.not_applicable)
    mark_not_collected(coverage, policies, part.missing_kinds, withheld)
    # From here on only identities and kinds are read (roll-up, summary, resources list):
    # the documents go now rather than when the scan ends.
    for resource in part.resources:
        resource.keep_identity()
    return EvaluatedPart(part, findings, coverage, register, dict(evaluation.failed_checks), resources)


def combine(
    reading: Reading,
    evaluated: Sequence[EvaluatedPart],
    options: ScanOptions,
    bundle: LoadedBundle,
    baseline: Baseline | None,
    changes: ChangeSet | None,
    started: str,
    engine_version: str | None,
) -> ScanResult:
    """One ScanResult from every evaluated part: baseline, roll-up, change filter, summary."""
    policies = bundle.policy_set.policies
    findings = sorted_findings([f for e in evaluated for f in e.findings])
    # failed_resources hold id()s of resources; ``evaluated`` keeps the resources alive until here.
    coverage = merge_coverage([(e.part.name, e.coverage, e.part.error) for e in evaluated], policies, bundle.not_run)
    failed_checks: dict[str, str] = {}
    for e in evaluated:
        for check, reason in e.failed_checks.items():
            failed_checks.setdefault(check, reason)
    gaps = [gap for e in evaluated for gap in e.part.gaps]
    gaps += [CoverageGap(type="check", check=c, reason=r) for c, r in sorted(failed_checks.items())]
    gaps.sort(key=CoverageGap.sort_key)
    baseline_record = apply_baseline(findings, baseline) if baseline else None
    # Resources in result order (kind first), numbered for the populations.
    scanned = sorted(((ScannedResource(r.identity(), r.origin), r) for e in evaluated for r in e.resources), key=lambda pair: pair[0].sort_key())
    resources = [r for _s, r in scanned]
    populations = Populations.build(resources, policies, coverage)
    frameworks = roll_up(bundle.frameworks, findings, coverage, populations)
    outside = 0
    if changes is not None:
        findings, outside = keep_changed(findings, frameworks, changes)
    scan_info = scan_facts(
        options.engine, engine_version, started, reading.source, reading.targets,
        bundle.digest, bundle.frameworks, bundle.selected_frameworks, list(bundle.policy_set.by_id()), reading.inputs,
    )
    if changes is not None:
        scan_info["changed_since"] = {
            "ref": changes.ref, "commit": changes.commit, "base": changes.base,
            "files_changed": len(changes.files), "findings_outside": outside,
        }
    summary = {
        **reading.summary,
        **common_summary(resources, findings, gaps, policies, bundle.not_run, len(failed_checks), baselined=baseline is not None),
    }
    result = ScanResult(
        scan=scan_info,
        summary=summary,
        findings=findings,
        gaps=gaps,
        frameworks=frameworks,
        waivers=merge_registers([e.register for e in evaluated]),
        checks=check_catalogue(policies, coverage, reading.scope, populations),
        resources=[replace(s, outcomes=outcome) for (s, _r), outcome in zip(scanned, populations.outcomes())],
        baseline=baseline_record,
    )
    if reading.fleet:
        clusters = [(e.part.name, e.part.facts, e.part.error, len(e.resources), e.findings, e.coverage) for e in evaluated]
        result.fleet = fleet_view(clusters, bundle.frameworks)
    return result


# ------------------------------------------------------------------ entry points by source
# Each only picks a source; the scan is the same.

def manifest_source(targets: Sequence[str], options: ScanOptions, stdin: TextIO | None = None) -> "ManifestSource":
    """Files, folders and ``-`` (read from ``stdin``), read as the options say."""
    from .sources.files import ManifestSource

    return ManifestSource(targets, stdin, options.max_file_size, options.workers or default_workers())


def scan_manifests(targets: Sequence[str], options: ScanOptions, stdin: TextIO | None = None) -> ScanResult:
    """Scan manifest files, folders and stdin (``-``)."""
    return scan(manifest_source(targets, options, stdin), options)


def scan_cluster(targets: Sequence["ClusterTarget"], options: ScanOptions, cluster_options: "ClusterOptions | None" = None) -> ScanResult:
    """Scan one cluster or a fleet.  A single cluster that cannot be used raises ClusterError."""
    from .sources.cluster import ClusterOptions
    from .sources.clusters import ClusterSource

    return scan(ClusterSource(targets, cluster_options or ClusterOptions()), options)


def scan_snapshot(path: str, options: ScanOptions) -> ScanResult:
    """Scan an evidence snapshot exactly as the live cluster was scanned; SnapshotError when it does not verify."""
    from .sources.clusters import SnapshotSource

    return scan(SnapshotSource(path), options)


def evaluate_collections(
    outcomes: Sequence["ClusterCollection | ClusterError"], targets: Sequence["ClusterTarget"], options: ScanOptions,
    bundle: LoadedBundle, started: str, source: str = "cluster",
) -> ScanResult:
    """Scan clusters collected earlier (and the errors of those that were not) with a bundle loaded earlier."""
    from .sources.clusters import CollectedSource

    return scan(CollectedSource(outcomes, targets, source), options, bundle, started)


def exit_code(result: ScanResult, fail_on: str, allow_parse_errors: bool = False, allow_empty: bool = False, fail_on_gaps: bool = False) -> tuple[int, str]:
    """0 clean, 1 violations at or above ``fail_on``, 2 the scan was incomplete; with the reason.

    Kept for callers that gate on severity alone; compliance.gates has every gate.
    """
    return gate_exit_code(result, GatePolicy(fail_on=fail_on, fail_on_gaps=fail_on_gaps), allow_parse_errors, allow_empty)
