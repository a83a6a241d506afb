"""Command line: argument parsing and exit codes only; the work happens in scan.py and friends.

Exit codes: 0 nothing unwaived at or above --fail-on; 1 violations at or
above it; 2 the scan could not be done properly (bad arguments, policy or
mapping errors, unreadable inputs, checks that could not run).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Sequence

import click
from tabulate import tabulate

from . import __version__
from .engine import EngineError
from .frameworks import FrameworkError, load_frameworks, validate_references
from .model import SEVERITIES, ScanResult
from .policies import PolicyError, load_policies
from .reports import FILE_FORMATS, FORMATS, LANGUAGES, renderer_for, write_file_format
from .waivers import WaiverError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SIZE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.IGNORECASE)
SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3}
USER_ERRORS = (PolicyError, FrameworkError, WaiverError, EngineError)


def fail(message: str) -> None:
    """One line on stderr and exit 2: the scan could not be done properly."""
    click.echo(f"kubecomply: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def parse_size(_ctx: Any, _param: Any, value: str) -> int:
    match = SIZE_PATTERN.match(value)
    unit = (match.group(2) or "").lower() if match else None
    if not match or unit not in SIZE_UNITS:
        raise click.BadParameter(f"{value!r} is not a size such as 50MB or 10MiB")
    return int(float(match.group(1)) * SIZE_UNITS[unit])


def check_format(fmt: str, output: str | None, csv_controls: bool) -> None:
    """Reject option combinations before any work: --csv-controls without csv, pdf without -o or Chromium."""
    if csv_controls and fmt != "csv":
        fail("--csv-controls needs -f csv")
    if fmt == "pdf":
        from .reports.pdf import find_chromium

        if not output:
            fail("-f pdf needs -o FILE (a PDF is not written to stdout)")
        if find_chromium() is None:
            fail("-f pdf needs Chromium on the PATH; install it (for example: apt-get install chromium) or use -f html and print from a browser")


def write_report(result: ScanResult, fmt: str, output: str | None, csv_controls: bool, lang: str) -> None:
    if fmt in FILE_FORMATS:
        from .reports.pdf import PdfError

        try:
            write_file_format(fmt, result, output or "", lang)
        except PdfError as exc:
            fail(str(exc))
        return
    write_output(renderer_for(fmt, csv_controls, lang)(result), output)


def write_output(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kubecomply")
def main() -> None:
    """kubecomply: policy-as-code compliance scanner for Kubernetes."""


@main.group()
def scan() -> None:
    """Scan manifests, live clusters and evidence snapshots."""


policy_dir_option = click.option("--policy-dir", "policy_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="Folder of your own Rego checks (repeatable).")
csv_controls_option = click.option("--csv-controls", is_flag=True, help="With -f csv: the per-control table (framework, control, status, evidence counts) instead of the findings.")
lang_option = click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Language of the HTML and PDF report.")
mapping_dir_option = click.option("--mapping-dir", "mapping_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="Folder of your own framework mappings (repeatable).")


def options(*decorators: Any) -> Any:
    """Apply a list of click options in order, so commands share them without copies."""

    def apply(func: Any) -> Any:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


# What every scan command (manifests, cluster, snapshot) reports and how it gates.
report_options = options(
    policy_dir_option,
    mapping_dir_option,
    click.option("--framework", "frameworks", multiple=True, help="Evaluate only the checks this framework maps, and report only it (repeatable)."),
    click.option("--waivers", "waivers_file", type=click.Path(exists=True, dir_okay=False), help="Waivers (exceptions as code) YAML file."),
    click.option("--fail-on", type=click.Choice([*SEVERITIES, "none"]), default="low", show_default=True, help="Exit 1 when an open finding is at or above this severity."),
    click.option("-f", "--format", "fmt", type=click.Choice(FORMATS + FILE_FORMATS), default="table", show_default=True, help="Output format."),
    click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file instead of stdout."),
    csv_controls_option,
    lang_option,
)
engine_options = options(
    click.option("--engine", type=click.Choice(["embedded", "opa"]), default="embedded", show_default=True, help="Policy engine: embedded regorus, or an OPA server (docs/engines.md)."),
    click.option("--workers", type=click.IntRange(min=1), default=None, help="Processes that evaluate policies on large scans.  [default: one per core, at most 4]"),
    click.option("--opa-url", default=None, help="OPA server for --engine opa; without it a local `opa run --server` is started."),
    click.option("--opa-token-file", type=click.Path(exists=True, dir_okay=False), default=None, help="File holding the bearer token for OPA."),
    click.option("--opa-ca-file", type=click.Path(exists=True, dir_okay=False), default=None, help="CA bundle that signed OPA's TLS certificate."),
    click.option("--opa-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds to wait for each OPA request."),
    click.option("--opa-batch-bytes", default="4MB", show_default=True, callback=parse_size, help="Largest query body sent to OPA."),
)


def scan_options(policy_dirs: Sequence[str], mapping_dirs: Sequence[str], frameworks: Sequence[str], waivers_file: str | None, engine: str, workers: int | None, opa_url: str | None, opa_token_file: str | None, opa_ca_file: str | None, opa_timeout: float, opa_batch_bytes: int, **extra: Any):
    """ScanOptions from the shared options; --opa-* without --engine opa is an error."""
    from .scan import ScanOptions

    engine_settings: dict[str, Any] = {}
    if engine == "opa":
        engine_settings = {"url": opa_url, "token_file": opa_token_file, "ca_file": opa_ca_file, "timeout": opa_timeout, "batch_bytes": opa_batch_bytes}
    elif opa_url or opa_token_file or opa_ca_file:
        fail("--opa-url, --opa-token-file and --opa-ca-file need --engine opa")
    return ScanOptions(policy_dirs, mapping_dirs, frameworks, waivers_file, engine, workers=workers, engine_options=engine_settings, **extra)


def finish(result: ScanResult, fmt: str, output: str | None, csv_controls: bool, lang: str, code: int, reason: str) -> None:
    """Write the report, then the one-line outcome on stderr, and exit with the code."""
    write_report(result, fmt, output, csv_controls, lang)
    if output:
        click.echo(f"kubecomply: wrote {output} ({fmt})", err=True)
    click.echo(f"kubecomply: exit {code}: {reason}", err=True)
    sys.exit(code)


@scan.command("manifests")
@click.argument("targets", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
@report_options
@click.option("--allow-parse-errors", is_flag=True, help="Files that cannot be parsed are still reported, but do not make the exit code 2.")
@click.option("--allow-empty", is_flag=True, help="Targets with no Kubernetes resources exit 0 instead of 2.")
@click.option("--max-file-size", default="50MB", show_default=True, callback=parse_size, help="Files larger than this are reported and not read.")
@engine_options
def scan_manifests_command(targets: Sequence[str], policy_dirs: Sequence[str], mapping_dirs: Sequence[str], frameworks: Sequence[str], waivers_file: str | None, fail_on: str, fmt: str, output: str | None, csv_controls: bool, lang: str, allow_parse_errors: bool, allow_empty: bool, max_file_size: int, engine: str, workers: int | None, opa_url: str | None, opa_token_file: str | None, opa_ca_file: str | None, opa_timeout: float, opa_batch_bytes: int) -> None:
    """Scan Kubernetes manifests: files, folders (recursive *.yaml, *.yml, *.json) and - for stdin."""
    from .scan import exit_code, scan_manifests

    check_format(fmt, output, csv_controls)
    options = scan_options(policy_dirs, mapping_dirs, frameworks, waivers_file, engine, workers, opa_url, opa_token_file, opa_ca_file, opa_timeout, opa_batch_bytes, max_file_size=max_file_size)
    try:
        result = scan_manifests(targets, options, stdin=sys.stdin if "-" in targets else None)
    except USER_ERRORS as exc:
        fail(str(exc))
        return
    code, reason = exit_code(result, fail_on, allow_parse_errors, allow_empty)
    finish(result, fmt, output, csv_controls, lang, code, reason)


# ------------------------------------------------------------------ clusters

kubeconfig_option = click.option("--kubeconfig", type=click.Path(dir_okay=False), default=None, help="Kubeconfig file.  [default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account]")
scope_options = options(
    click.option("-n", "--namespace", "namespaces", multiple=True, help="Scan only namespaces matching this glob (repeatable); cluster-scoped kinds are still collected."),
    click.option("--exclude-namespace", "exclude_namespaces", multiple=True, help="Leave out namespaces matching this glob (repeatable)."),
    click.option("--request-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds to wait for each API request."),
)
fail_on_gaps_option = click.option("--fail-on-gaps", is_flag=True, help="Exit 2 when anything was not collected or assessed (coverage gaps).")


def cluster_options(namespaces: Sequence[str], exclude_namespaces: Sequence[str], request_timeout: float):
    from .sources.cluster import ClusterOptions

    return ClusterOptions(namespaces=tuple(namespaces), exclude_namespaces=tuple(exclude_namespaces), request_timeout=request_timeout)


def cluster_targets(kubeconfig: str | None, contexts: Sequence[str], all_contexts: bool):
    from .cluster_scan import ClusterTarget
    from .sources.cluster import ClusterError, list_contexts

    if all_contexts and contexts:
        fail("--all-contexts and --context cannot be used together")
    if all_contexts:
        try:
            names, _current = list_contexts(kubeconfig)
        except ClusterError as exc:
            fail(str(exc))
            return []
        if not names:
            fail("the kubeconfig has no contexts")
        return [ClusterTarget(name, kubeconfig) for name in names]
    if not contexts:
        return [ClusterTarget(None, kubeconfig)]
    return [ClusterTarget(name, kubeconfig) for name in dict.fromkeys(contexts)]


@scan.command("cluster")
@report_options
@kubeconfig_option
@click.option("--context", "contexts", multiple=True, help="Kubeconfig context to scan (repeatable: a fleet).  [default: the current context]")
@click.option("--all-contexts", is_flag=True, help="Scan every context of the kubeconfig, as a fleet.")
@scope_options
@fail_on_gaps_option
@engine_options
def scan_cluster_command(kubeconfig: str | None, contexts: Sequence[str], all_contexts: bool, namespaces: Sequence[str], exclude_namespaces: Sequence[str], request_timeout: float, fail_on_gaps: bool, fail_on: str, fmt: str, output: str | None, csv_controls: bool, lang: str, **shared: Any) -> None:
    """Scan a live cluster (or several: --context twice, --all-contexts) through the Kubernetes API."""
    from .cluster_scan import scan_cluster
    from .scan import exit_code
    from .sources.cluster import ClusterError

    check_format(fmt, output, csv_controls)
    options = scan_options(**shared, fail_on_gaps=fail_on_gaps)
    targets = cluster_targets(kubeconfig, contexts, all_contexts)
    try:
        result = scan_cluster(targets, options, cluster_options(namespaces, exclude_namespaces, request_timeout))
    except (*USER_ERRORS, ClusterError) as exc:
        fail(str(exc))
        return
    code, reason = exit_code(result, fail_on, fail_on_gaps=fail_on_gaps)
    finish(result, fmt, output, csv_controls, lang, code, reason)


@scan.command("snapshot")
@click.argument("snapshot_file", type=click.Path(exists=True, dir_okay=False))
@report_options
@fail_on_gaps_option
@engine_options
def scan_snapshot_command(snapshot_file: str, fail_on_gaps: bool, fail_on: str, fmt: str, output: str | None, csv_controls: bool, lang: str, **shared: Any) -> None:
    """Scan an evidence snapshot written by `kubecomply export cluster`, offline; its digest is verified first."""
    from .cluster_scan import scan_snapshot
    from .scan import exit_code
    from .sources.snapshot import SnapshotError

    check_format(fmt, output, csv_controls)
    options = scan_options(**shared, fail_on_gaps=fail_on_gaps)
    try:
        result = scan_snapshot(snapshot_file, options)
    except (*USER_ERRORS, SnapshotError) as exc:
        fail(str(exc))
        return
    code, reason = exit_code(result, fail_on, fail_on_gaps=fail_on_gaps)
    finish(result, fmt, output, csv_controls, lang, code, reason)


@main.group()
def export() -> None:
    """Write evidence snapshots."""


@export.command("cluster")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True), help="Snapshot file to write (gzip JSON, e.g. evidence.json.gz).")
@kubeconfig_option
@click.option("--context", default=None, help="Kubeconfig context.  [default: the current context]")
@scope_options
@policy_dir_option
@mapping_dir_option
@click.option("--framework", "frameworks", multiple=True, help="Collect only the kinds the checks of this framework need (repeatable).")
def export_cluster_command(output: str, kubeconfig: str | None, context: str | None, namespaces: Sequence[str], exclude_namespaces: Sequence[str], request_timeout: float, policy_dirs: Sequence[str], mapping_dirs: Sequence[str], frameworks: Sequence[str]) -> None:
    """Collect what the loaded checks need from a cluster into a point-in-time evidence snapshot."""
    from .cluster_scan import ClusterTarget, collect_target
    from .scan import ScanOptions, load_bundle
    from .sources.cluster import ClusterError
    from .sources.snapshot import write_snapshot

    try:
        bundle = load_bundle(ScanOptions(policy_dirs, mapping_dirs, frameworks))
        collection = collect_target(ClusterTarget(context, kubeconfig), bundle, cluster_options(namespaces, exclude_namespaces, request_timeout))
        digest = write_snapshot(collection, output)
    except (*USER_ERRORS, ClusterError, OSError) as exc:
        fail(str(exc))
        return
    gaps = len(collection.gaps)
    click.echo(f"kubecomply: wrote {output}: {len(collection.objects)} objects from {collection.context or collection.server}, {gaps} gap(s), objects {digest}", err=True)


@main.command("report")
@click.argument("results", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS + FILE_FORMATS), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True))
@csv_controls_option
@lang_option
def report_command(results: str, fmt: str, output: str | None, csv_controls: bool, lang: str) -> None:
    """Render a saved JSON result again, in any format, without rescanning."""
    check_format(fmt, output, csv_controls)
    try:
        text = sys.stdin.read() if results == "-" else Path(results).read_text(encoding="utf-8")
        data = json.loads(text)
        if not isinstance(data, dict) or "schema_version" not in data:
            raise ValueError("not a kubecomply JSON result (no schema_version)")
        result = ScanResult.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        fail(f"{results}: {exc}")
        return
    write_report(result, fmt, output, csv_controls, lang)


@main.group()
def policy() -> None:
    """List, show and test checks."""


def _policies(policy_dirs: Sequence[str]):
    try:
        return load_policies(policy_dirs)
    except PolicyError as exc:
        fail(str(exc))


@policy.command("list")
@policy_dir_option
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def policy_list(policy_dirs: Sequence[str], fmt: str) -> None:
    """The checks that a scan runs, with id, severity and title."""
    policy_set = _policies(policy_dirs)
    ordered = sorted(policy_set.policies, key=lambda p: (p.package, p.id))
    if fmt == "json":
        click.echo(json.dumps([p.to_dict() for p in ordered], indent=2, sort_keys=True))
        return
    rows = [[p.id, p.severity, ",".join(p.declared_kinds), p.title, "" if p.bundled else "custom"] for p in ordered]
    click.echo(tabulate(rows, headers=["ID", "SEVERITY", "KINDS", "TITLE", ""], tablefmt="simple"))
    click.echo(f"\n{len(ordered)} checks")


@policy.command("show")
@click.argument("check_id")
@policy_dir_option
def policy_show(check_id: str, policy_dirs: Sequence[str]) -> None:
    """Everything about one check: description, remediation, references to other tools."""
    policy_set = _policies(policy_dirs)
    found = policy_set.by_id().get(check_id)
    if found is None:
        fail(f"unknown check {check_id!r}; see 'kubecomply policy list'")
        return
    click.echo(f"{found.id}: {found.title}")
    click.echo(f"severity: {found.severity}\nkinds: {', '.join(found.kinds)}\npackage: {found.package}\nfile: {found.file}\n")
    click.echo(f"{found.description}\n\nRemediation: {found.remediation}\n")
    if found.references:
        click.echo("References:")
        for key, values in sorted(found.references.items()):
            click.echo(f"  {key}: {', '.join(str(v) for v in values)}")


@policy.command("test")
@policy_dir_option
@click.option("-v", "--verbose", is_flag=True, help="List every test, not only failures.")
def policy_test(policy_dirs: Sequence[str], verbose: bool) -> None:
    """Run every *_test.rego (rules named test_*), like `opa test`."""
    from .policy_tests import run_policy_tests

    try:
        report = run_policy_tests(_policies(policy_dirs))
    except PolicyError as exc:
        fail(str(exc))
        return
    for outcome in report.outcomes:
        if verbose or outcome.status != "pass":
            detail = f": {outcome.detail}" if outcome.detail else ""
            click.echo(f"{outcome.status.upper():5} {outcome.file}: {outcome.rule}{detail}")
    click.echo(report.summary_line())
    sys.exit(EXIT_OK if report.ok else EXIT_FINDINGS)


@main.group()
def framework() -> None:
    """List and show compliance frameworks."""


@framework.command("list")
@mapping_dir_option
def framework_list(mapping_dirs: Sequence[str]) -> None:
    """The frameworks a scan rolls up into, with their control counts."""
    try:
        frameworks = load_frameworks(mapping_dirs)
        validate_references(frameworks, set(load_policies().by_id()))
    except USER_ERRORS as exc:
        fail(str(exc))
        return
    rows = []
    for fw in frameworks:
        automation = [c.automation for c in fw.controls]
        rows.append([fw.id, fw.title, fw.version, len(fw.controls), automation.count("automated"), automation.count("partial"), automation.count("manual"), len(fw.check_ids())])
    click.echo(tabulate(rows, headers=["ID", "TITLE", "VERSION", "CONTROLS", "AUTOMATED", "PARTIAL", "MANUAL", "CHECKS"], tablefmt="simple"))


@framework.command("show")
@click.argument("framework_id")
@click.option("--control", "control_id", help="Show only this control.")
@mapping_dir_option
def framework_show(framework_id: str, control_id: str | None, mapping_dirs: Sequence[str]) -> None:
    """The controls of one framework and the checks that give evidence for each."""
    try:
        by_id = {fw.id: fw for fw in load_frameworks(mapping_dirs)}
    except FrameworkError as exc:
        fail(str(exc))
        return
    fw = by_id.get(framework_id)
    if fw is None:
        fail(f"unknown framework {framework_id!r}; available: {', '.join(sorted(by_id))}")
        return
    controls = [c for c in fw.controls if control_id in (None, c.id)]
    if not controls:
        fail(f"{framework_id} has no control {control_id!r}")
        return
    click.echo(f"{fw.id}: {fw.title} ({fw.version})\n")
    rows = [[c.id, c.title, c.automation, ", ".join(c.checks) or "-"] for c in controls]
    click.echo(tabulate(rows, headers=["CONTROL", "TITLE", "AUTOMATION", "CHECKS"], tablefmt="simple", maxcolwidths=[None, 40, None, 60]))


if __name__ == "__main__":
    main()
