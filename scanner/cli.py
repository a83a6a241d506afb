"""Command line: parse options, pick a source, run the pipeline (scanner.pipeline), render, exit.

Exit codes: 0 no gate tripped; 1 a gate tripped (an open finding at or above
--fail-on, a framework score under --fail-under); 2 the scan could not be
done properly (bad arguments, policy, mapping, waiver or baseline errors,
unreadable inputs, checks that could not run, kinds not collected that leave
a mapped control not assessed unless --allow-gaps, any gap with --fail-on-gaps).
``waivers check`` has its own (see its help).
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import click

from . import __version__, progress
from .compliance.baseline import BaselineError
from .config_data import ConfigDataError
from .compliance.changes import ChangesError
from .cli_guard import DEBUG_ENV, GuardedGroup
from .engine import EngineError
from .compliance.frameworks import FrameworkError, load_frameworks, validate_references
from .compliance.gates import GateError
from .integrity import verify as verify_result
from .model import SEVERITIES, ScanResult
from .policies import PolicyError, load_policies
from .result_check import validate_result
from .reports import FILE_FORMATS, FORMATS, LANGUAGES, renderer_for, write_file_format
from .sources import RenderError
from .textsafe import for_terminal, safe_text
from .compliance.waivers import WaiverError

if TYPE_CHECKING:
    from .pipeline import ScanOptions
    from .sources import Source

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SIZE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.IGNORECASE)
SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3}
USER_ERRORS = (PolicyError, FrameworkError, WaiverError, EngineError, BaselineError, ChangesError, GateError, ConfigDataError, RenderError)


def fail(message: str) -> None:
    """One line on stderr and exit 2: the scan could not be done properly.

    The message often quotes a file name, a resource or a server's answer: shown
    through ``safe_text``, so it stays one line and cannot drive the terminal.
    """
    click.echo(f"kubecomply: error: {safe_text(message)}", err=True)
    sys.exit(EXIT_ERROR)


def note(message: str) -> None:
    """One informational line on stderr (what was written, the exit code and why), shown safely."""
    click.echo(f"kubecomply: {safe_text(message)}", err=True)


def parse_size(_ctx: Any, _param: Any, value: str) -> int:
    match = SIZE_PATTERN.match(value)
    unit = (match.group(2) or "").lower() if match else None
    if not match or unit not in SIZE_UNITS:
        raise click.BadParameter(f"{value!r} is not a size such as 50MB or 10MiB")
    return int(float(match.group(1)) * SIZE_UNITS[unit])


def check_format(fmt: str, output: str | None, csv_controls: bool, max_rows: int | None = None) -> None:
    """Reject option combinations before any work: --csv-controls without csv, --max-rows without the table, pdf without -o or Chromium."""
    if csv_controls and fmt != "csv":
        fail("--csv-controls needs -f csv")
    if max_rows is not None and fmt not in ("table", "html", "pdf"):
        fail("--max-rows applies to -f table, html and pdf; the other formats hold every finding")
    if fmt == "pdf":
        from .reports.pdf import find_chromium

        if not output:
            fail("-f pdf needs -o FILE (a PDF is not written to stdout)")
        if find_chromium() is None:
            fail("-f pdf needs Chromium on the PATH; install it (for example: apt-get install chromium) or use -f html and print from a browser")


def write_report(result: ScanResult, fmt: str, output: str | None, csv_controls: bool, lang: str, report_url: str | None = None, max_rows: int | None = None) -> None:
    if fmt in FILE_FORMATS:
        from .reports.pdf import PdfError

        try:
            write_file_format(fmt, result, output or "", lang, max_rows)
        except PdfError as exc:
            fail(str(exc))
        return
    write_output(renderer_for(fmt, csv_controls, lang, report_url, max_rows)(result), output)


def save(output: str, data: str | bytes | Iterable[bytes]) -> None:
    """Write a file atomically; a one-line error and exit 2 when it cannot be written."""
    from .atomic import write_atomic

    try:
        write_atomic(output, data)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")


def write_output(text: str | bytes | Iterable[bytes], output: str | None) -> None:
    """To ``-o`` whole or not at all (scanner.atomic), else to stdout.

    A renderer may give UTF-8 bytes or an iterator of UTF-8 chunks (the JSON
    formats encode straight to bytes): they are written as they come, not
    decoded into a second copy, except to a terminal, which gets control
    characters escaped.
    """
    if output:
        save(output, text)
        return
    if not isinstance(text, (str, bytes)):
        text = b"".join(text) if sys.stdout.isatty() else text
    if isinstance(text, str):
        click.echo(for_terminal(text) if sys.stdout.isatty() else text, nl=False)
    elif sys.stdout.isatty():
        click.echo(for_terminal(text.decode("utf-8")), nl=False)
    else:
        sys.stdout.flush()
        try:
            for chunk in [text] if isinstance(text, bytes) else text:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # the reader stopped early (| head): not an error of the scan
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # nothing more reaches the closed pipe, not even at exit


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kubecomply")
@click.option("--debug", is_flag=True, envvar=DEBUG_ENV, help=f"On an unexpected error, print the traceback as well (also {DEBUG_ENV}=1).")
def main(debug: bool) -> None:
    """kubecomply: policy-as-code compliance scanner for Kubernetes.

    \b
    Exit codes: 0 no gate tripped; 1 a gate tripped (findings, scores);
    2 the scan could not be done properly (including any unexpected error);
    130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
    """


@main.group()
def scan() -> None:
    """Scan manifests, live clusters and evidence snapshots."""


policy_dir_option = click.option("--policy-dir", "policy_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="Folder of your own Rego checks (repeatable).")
csv_controls_option = click.option("--csv-controls", is_flag=True, help="With -f csv: the per-control table (framework, control, status, evidence counts) instead of the findings.")
lang_option = click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="Language of the HTML and PDF report.")
mapping_dir_option = click.option("--mapping-dir", "mapping_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="Folder of your own framework mappings (repeatable).")
waivers_option = click.option("--waivers", "waivers_file", type=click.Path(exists=True, dir_okay=False), help="Waivers (exceptions as code) YAML file.")
max_rows_option = click.option(
    "--max-rows", type=click.IntRange(min=0), default=None, metavar="N",
    help="With -f table, html or pdf: show at most N findings, shared among the checks, and count the rest (0: all); "
    "html and pdf also list the resources one by one only up to N.  [default: 50 for the table, 500 for html and pdf]",
)
report_url_option = click.option("--report-url", default=None, metavar="URL", help="With -f markdown: link the summary's last line to the full report (e.g. the CI run's artifacts).")
targets_argument = click.argument("targets", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True))
allow_parse_errors_option = click.option("--allow-parse-errors", is_flag=True, help="Files that cannot be parsed are still reported, but do not make the exit code 2.")
allow_empty_option = click.option("--allow-empty", is_flag=True, help="Targets with no Kubernetes resources exit 0 instead of 2.")
allow_gaps_option = click.option("--allow-gaps", is_flag=True, help="Kinds or clusters that could not be collected are still reported, but do not make the exit code 2 when they leave mapped controls not assessed.")

def options(*decorators: Any) -> Any:
    """Apply a list of click options in order, so commands share them without copies."""

    def apply(func: Any) -> Any:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


# What a scan reads and evaluates.  Every command that scans manifests takes exactly these,
# so `baseline create` and `waivers check` see what `scan manifests` sees.
CHECK_OPTIONS = (
    policy_dir_option,
    mapping_dir_option,
    click.option("--framework", "frameworks", multiple=True, help="Evaluate only the checks this framework maps, and report only it (repeatable)."),
    click.option("--data", "data_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="YAML/JSON facts for checks, read as data.kubecomply.config (e.g. allowed_registries); repeatable, later files win."),
    click.option("--inline-waivers", type=click.Choice(["allow", "deny"]), default="allow", show_default=True, help="kubecomply.io/waive.<check> annotations: allow those that name an approver and an expiry date, or deny every one (exceptions only from the waivers file)."),
    click.option("--max-file-size", default="50MB", show_default=True, callback=parse_size, help="Files larger than this are reported and not read."),
    click.option("--engine", type=click.Choice(["embedded", "opa"]), default="embedded", show_default=True, help="Policy engine: embedded regorus, or an OPA server (docs/engines.md)."),
    click.option("--workers", type=click.IntRange(min=1), default=None, help="Processes that evaluate policies on large scans.  [default: one per core, at most 4]"),
    click.option("--check-timeout", type=click.FloatRange(min=0), default=60.0, show_default=True, metavar="SECONDS", help="Embedded engine: longest a check may take on a batch of 2,000 resources; a check that takes longer is stopped and reported as not run (exit 2). 0: no limit."),
    click.option("--eval-memory", default="4GiB", show_default=True, callback=parse_size, help="Embedded engine: memory an evaluation worker may use beyond the scan's own; a check that needs more is reported as not run (exit 2). 0: no limit."),
    click.option("--opa-url", default=None, help="OPA server for --engine opa; without it a local `opa run --server` is started."),
    click.option("--opa-token-file", type=click.Path(exists=True, dir_okay=False), default=None, help="File holding the bearer token for OPA."),
    click.option("--opa-ca-file", type=click.Path(exists=True, dir_okay=False), default=None, help="CA bundle that signed OPA's TLS certificate."),
    click.option("--opa-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds to wait for each OPA request."),
    click.option("--opa-batch-bytes", default="4MB", show_default=True, callback=parse_size, help="Largest query body sent to OPA."),
)
check_options = options(*CHECK_OPTIONS)
CHECK_OPTION_NAMES = tuple(param.name for param in check_options(lambda: None).__click_params__)


def scan_options(values: dict[str, Any], **extra: Any) -> "ScanOptions":
    """ScanOptions from the CHECK_OPTIONS a command received (taken out of ``values``) plus ``extra`` fields."""
    from .pipeline import ScanOptions

    opts = {name: values.pop(name) for name in CHECK_OPTION_NAMES}
    engine_options: dict[str, Any] = {"check_timeout": opts["check_timeout"], "memory_limit": opts["eval_memory"]}
    if opts["engine"] == "opa":
        engine_options = {"url": opts["opa_url"], "token_file": opts["opa_token_file"], "ca_file": opts["opa_ca_file"], "timeout": opts["opa_timeout"], "batch_bytes": opts["opa_batch_bytes"]}
    elif opts["opa_url"] or opts["opa_token_file"] or opts["opa_ca_file"]:
        fail("--opa-url, --opa-token-file and --opa-ca-file need --engine opa")
    return ScanOptions(
        policy_dirs=opts["policy_dirs"], mapping_dirs=opts["mapping_dirs"], frameworks=opts["frameworks"], engine=opts["engine"],
        max_file_size=opts["max_file_size"], workers=opts["workers"], engine_options=engine_options, data_files=opts["data_files"],
        inline_waivers=opts["inline_waivers"], **extra,
    )


def manifest_source(targets: Sequence[str], options: "ScanOptions") -> "Source":
    """Files, folders and ``-``, which reads the command's stdin."""
    from .pipeline import manifest_source as source

    return source(targets, options, sys.stdin if "-" in targets else None)


def parse_fail_under_option(_ctx: Any, _param: Any, values: tuple[str, ...]) -> dict[str, float]:
    from .compliance.gates import parse_fail_under

    try:
        return parse_fail_under(values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def format_option(*names: str):
    """-f/--format; a function because `scan helm` needs it without -f."""
    return click.option(*names, "fmt", type=click.Choice(FORMATS + FILE_FORMATS), default="table", show_default=True, help="Output format.")


# What the scan tells on stderr while it runs (scanner.progress); stdout is the report either way.
PROGRESS_OPTIONS = (
    click.option("-q", "--quiet", is_flag=True, help="No progress on stderr; errors and the final exit line still print."),
    click.option("-v", "--verbose", is_flag=True, help="Progress with per-kind counts and per-phase timings.  KUBECOMPLY_PROGRESS=0 turns the live line off on a terminal, =1 on without one."),
)


def report_options(format_names: tuple[str, ...] = ("-f", "--format")) -> Callable[[Any], Any]:
    """What every scan command does with its result: waivers, baseline, gates, the report.

    ``scan helm`` keeps ``-f`` for values files, as helm does, so it passes
    ``format_names=("--format",)``.
    """
    return options(
        *CHECK_OPTIONS,
        waivers_option,
        click.option("--baseline", "baseline_file", type=click.Path(exists=True, dir_okay=False), help="Baseline of accepted findings (kubecomply baseline create): they are reported as baselined and do not fail the build."),
        click.option("--changed-since", metavar="REF", default=None, help="Scan everything, but report and gate only findings in files changed since this git ref (merge base with HEAD), plus uncommitted and untracked files."),
        click.option("--fail-on", type=click.Choice([*SEVERITIES, "none"]), default="low", show_default=True, help="Exit 1 when an open finding is at or above this severity."),
        click.option("--fail-under", "fail_under", multiple=True, metavar="FRAMEWORK=SCORE", callback=parse_fail_under_option, help="Exit 1 when the framework's score (percent, as reports show it) is below SCORE; repeatable. A framework with no score trips it."),
        click.option("--fail-on-gaps", is_flag=True, help="Exit 2 when anything was not scanned (files not parsed, checks that could not run, kinds not collected), even with --allow-parse-errors."),
        format_option(*format_names),
        click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file instead of stdout."),
        csv_controls_option,
        lang_option,
        report_url_option,
        max_rows_option,
        allow_parse_errors_option,
        allow_empty_option,
        *PROGRESS_OPTIONS,
    )


def run_scan(source_for: Callable[["ScanOptions"], "Source"], values: dict[str, Any], errors: tuple[type[Exception], ...] = ()) -> None:
    """Scan, gate, write the report and exit: the same for manifests, Helm, Kustomize, clusters and snapshots.

    ``values`` are the command's CHECK_OPTIONS and report_options, as click
    passed them; ``errors`` are source errors that end the scan with one line.
    """
    from .compliance.gates import GatePolicy, check_frameworks, evaluate_gates, exit_code
    from .pipeline import scan as run_pipeline

    fmt, output, csv_controls, lang = values.pop("fmt"), values.pop("output"), values.pop("csv_controls"), values.pop("lang")
    fail_on, fail_under, fail_on_gaps = values.pop("fail_on"), values.pop("fail_under"), values.pop("fail_on_gaps")
    report_url, allow_parse_errors, allow_empty = values.pop("report_url"), values.pop("allow_parse_errors"), values.pop("allow_empty")
    allow_gaps = values.pop("allow_gaps", False)  # only the cluster and snapshot commands have it
    quiet, verbose, max_rows = values.pop("quiet"), values.pop("verbose"), values.pop("max_rows")
    check_format(fmt, output, csv_controls, max_rows)
    options = scan_options(
        values, waivers_file=values.pop("waivers_file"), baseline_file=values.pop("baseline_file"),
        changed_since=values.pop("changed_since"), fail_on_gaps=fail_on_gaps,
    )
    gate_policy = GatePolicy(fail_on=fail_on, fail_under=fail_under, fail_on_gaps=fail_on_gaps)
    with progress.session(quiet, verbose):
        try:
            result = run_pipeline(source_for(options), options)
            check_frameworks(result, fail_under)
        except (*USER_ERRORS, *errors) as exc:
            fail(str(exc))
            return
        result.gates = evaluate_gates(result, gate_policy)
        # No live line while the report goes to stdout: it may be the same terminal.
        with progress.phase("writing the report", "wrote the", note=f"{fmt} report", live=bool(output)):
            write_report(result, fmt, output, csv_controls, lang, report_url, max_rows)
    code, reason = exit_code(result, gate_policy, allow_parse_errors, allow_empty, allow_gaps)
    if output:
        note(f"wrote {output} ({fmt})")
    note(f"exit {code}: {reason}")
    sys.exit(code)


@scan.command("manifests")
@targets_argument
@report_options()
def scan_manifests_command(targets: Sequence[str], **values: Any) -> None:
    """Scan Kubernetes manifests: files, folders (recursive *.yaml, *.yml, *.json) and - for stdin.

    \b
    Exit codes: 0 no gate tripped; 1 a gate tripped: an open finding at or
    above --fail-on, or a framework score under --fail-under; 2 the scan was
    incomplete or could not be done (with --fail-on-gaps: any gap).
    """
    run_scan(lambda options: manifest_source(targets, options), values)


@scan.command("kustomize")
@click.argument("overlay", type=click.Path(exists=True, file_okay=False))
@report_options()
def scan_kustomize_command(overlay: str, **values: Any) -> None:
    """Render a Kustomize overlay (kustomize build, or kubectl kustomize) and scan the result.

    Findings point at the base or overlay file each resource came from, where it can be told.
    """
    from .sources.files import RenderedSource
    from .sources.render import load_kustomize

    run_scan(lambda options: RenderedSource(lambda: load_kustomize(overlay, max_file_size=options.max_file_size)), values)


@scan.command("helm")
@click.argument("chart")
@click.option("-f", "--values", "values_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="Values file for helm template (repeatable; -f as in helm, so the report format is --format).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE", help="Value for helm template --set (repeatable).")
@click.option("--release-name", default=None, help="Release name for helm template.  [default: helm's]")
@click.option("--namespace", default=None, help="Namespace for helm template (.Release.Namespace).")
@report_options(format_names=("--format",))
def scan_helm_command(chart: str, values_files: Sequence[str], sets: Sequence[str], release_name: str | None, namespace: str | None, **values: Any) -> None:
    """Render a Helm chart (helm template) and scan the result; findings name each document's template."""
    from .sources.files import RenderedSource
    from .sources.render import load_helm

    run_scan(lambda options: RenderedSource(lambda: load_helm(chart, values_files, sets, release_name, namespace, max_file_size=options.max_file_size)), values)


@main.group()
def baseline() -> None:
    """Record accepted findings, so CI fails only on new ones (docs/baselines.md)."""


@baseline.command("create")
@targets_argument
@check_options
@waivers_option
@click.option("-o", "--output", default=".kubecomply-baseline.json", show_default=True, type=click.Path(dir_okay=False, writable=True, allow_dash=True), help="Baseline file to write; its file paths are relative to its folder (with - for stdout: to the working directory, so save it there).")
@allow_parse_errors_option
@allow_empty_option
def baseline_create(targets: Sequence[str], waivers_file: str | None, output: str, allow_parse_errors: bool, allow_empty: bool, **check: Any) -> None:
    """Scan like `scan manifests` and record every open finding as accepted.

    Waived findings are not recorded (their waiver covers them until it
    expires).  Nothing is written when the scan is incomplete (exit 2),
    unless --allow-parse-errors / --allow-empty accept that.
    """
    from .compliance.baseline import render_baseline
    from .compliance.gates import GatePolicy, exit_code
    from .pipeline import scan as run_pipeline

    options = scan_options(check, waivers_file=waivers_file)
    try:
        result = run_pipeline(manifest_source(targets, options), options)
    except USER_ERRORS as exc:
        fail(str(exc))
        return
    code, reason = exit_code(result, GatePolicy(fail_on="none"), allow_parse_errors, allow_empty)
    if code == EXIT_ERROR:
        fail(f"baseline not written: {reason}")
    base_dir = Path(".") if output == "-" else Path(output).resolve().parent
    text = render_baseline(result, base_dir)
    open_findings = sum(1 for f in result.findings if f.status == "fail")
    if output == "-":
        click.echo(text, nl=False)
    else:
        save(output, text)
    note(f"baseline {'written to stdout' if output == '-' else output}: {open_findings} open finding(s) accepted")


@main.group()
def waivers() -> None:
    """Audit waivers files."""


@waivers.command("check")
@click.argument("waivers_file", metavar="WAIVERS", type=click.Path(exists=True, dir_okay=False))
@targets_argument
@check_options
@click.option("--expiring-within", type=click.IntRange(min=0), default=30, show_default=True, metavar="DAYS", help="List waivers that expire within this many days.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@allow_parse_errors_option
@allow_empty_option
def waivers_check(waivers_file: str, targets: Sequence[str], expiring_within: int, fmt: str, allow_parse_errors: bool, allow_empty: bool, **check: Any) -> None:
    """List waivers that are invalid, expired, unused (match no finding in TARGETS) or expire soon.

    Every entry is read, even after an invalid one; the valid ones are applied
    to a scan of TARGETS (inline kubecomply.io/waive.* annotations included).

    \b
    Exit codes: 2 any invalid waiver (bad file, unknown check, missing field)
    or an incomplete scan; 1 any expired or unused waiver; 0 otherwise
    (waivers expiring within DAYS are listed but do not fail).
    """
    from .compliance.gates import GatePolicy, exit_code
    from .compliance.waiver_audit import audit_exit, audit_waivers
    from .pipeline import load_bundle
    from .pipeline import scan as run_pipeline

    options = scan_options(check)
    try:
        bundle = load_bundle(options)
        source = manifest_source(targets, options)
        audit = audit_waivers(
            waivers_file, set(bundle.policy_set.by_id()),
            lambda valid: run_pipeline(source, replace(options, preloaded_waivers=valid, waivers_file=waivers_file), bundle), options.today, expiring_within,
        )
    except USER_ERRORS as exc:
        fail(str(exc))
        return
    if fmt == "json":
        click.echo(json.dumps(audit.to_dict(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        for problem in audit.problems:
            click.echo(safe_text(f"{problem.kind.upper():8} {problem.waiver}: {problem.detail}"))
        for w in audit.inline:
            state = f"{w.status}" + (f" (expires {w.expires})" if w.expires else "") + (f": {w.problem}" if w.problem else "")
            click.echo(safe_text(f"INLINE   {w.id}: {state}"))
        counts = ", ".join(f"{audit.count(k)} {k}" for k in ("invalid", "expired", "unused", "expiring"))
        click.echo(safe_text(f"{audit.waivers} waiver(s) in {waivers_file}, {audit.applied} applied; {counts}"))
    assert audit.result is not None
    scan_code, scan_reason = exit_code(audit.result, GatePolicy(fail_on="none"), allow_parse_errors, allow_empty)
    code, reason = audit_exit(audit)
    if scan_code == EXIT_ERROR and code != EXIT_ERROR:
        code, reason = EXIT_ERROR, f"the scan was incomplete, so unused waivers cannot be told: {scan_reason}"
    note(f"exit {code}: {reason}")
    sys.exit(code)


# ------------------------------------------------------------------ clusters

kubeconfig_option = click.option("--kubeconfig", type=click.Path(dir_okay=False), default=None, help="Kubeconfig file.  [default: $KUBECONFIG, then ~/.kube/config, then the in-cluster service account]")
scope_options = options(
    click.option("-n", "--namespace", "namespaces", multiple=True, help="Scan only namespaces matching this glob (repeatable); cluster-scoped kinds are still collected."),
    click.option("--exclude-namespace", "exclude_namespaces", multiple=True, help="Leave out namespaces matching this glob (repeatable)."),
    click.option("--request-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, help="Seconds to wait for each API request."),
    click.option("--page-size", type=click.IntRange(min=1), default=500, show_default=True, help="Objects per list request (limit); smaller pages ask less of the API server at a time, at the cost of more requests."),
)


def cluster_options(namespaces: Sequence[str], exclude_namespaces: Sequence[str], request_timeout: float, page_size: int = 500):
    from .sources.cluster import ClusterOptions

    return ClusterOptions(namespaces=tuple(namespaces), exclude_namespaces=tuple(exclude_namespaces), request_timeout=request_timeout, page_size=page_size)


def cluster_targets(kubeconfig: str | None, contexts: Sequence[str], all_contexts: bool):
    from .sources.clusters import ClusterTarget
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
@report_options()
@allow_gaps_option
@kubeconfig_option
@click.option("--context", "contexts", multiple=True, help="Kubeconfig context to scan (repeatable: a fleet).  [default: the current context]")
@click.option("--all-contexts", is_flag=True, help="Scan every context of the kubeconfig, as a fleet.")
@scope_options
def scan_cluster_command(kubeconfig: str | None, contexts: Sequence[str], all_contexts: bool, namespaces: Sequence[str], exclude_namespaces: Sequence[str], request_timeout: float, page_size: int, **values: Any) -> None:
    """Scan a live cluster (or several: --context twice, --all-contexts) through the Kubernetes API.

    \b
    Exit codes as for `scan manifests`; kinds (or fleet clusters) that could
    not be collected are coverage gaps in every report, and make the exit
    code 2 when they leave a mapped control not assessed (unless
    --allow-gaps), or whenever there is one with --fail-on-gaps.
    """
    from .sources.cluster import ClusterError
    from .sources.clusters import ClusterSource

    targets = cluster_targets(kubeconfig, contexts, all_contexts)
    scope = cluster_options(namespaces, exclude_namespaces, request_timeout, page_size)
    run_scan(lambda options: ClusterSource(targets, scope), values, (ClusterError,))


@scan.command("snapshot")
@click.argument("snapshot_file", type=click.Path(exists=True, dir_okay=False))
@report_options()
@allow_gaps_option
def scan_snapshot_command(snapshot_file: str, **values: Any) -> None:
    """Scan an evidence snapshot written by `kubecomply export cluster`, offline; its digest is verified first."""
    from .sources.clusters import SnapshotSource
    from .sources.snapshot import SnapshotError

    run_scan(lambda options: SnapshotSource(snapshot_file), values, (SnapshotError,))


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
@click.option("--keep-literal-credentials", is_flag=True, help="Write literal credentials found in env, args, annotations and ConfigMaps as served, instead of masked.")
def export_cluster_command(output: str, kubeconfig: str | None, context: str | None, namespaces: Sequence[str], exclude_namespaces: Sequence[str], request_timeout: float, page_size: int, policy_dirs: Sequence[str], mapping_dirs: Sequence[str], frameworks: Sequence[str], keep_literal_credentials: bool) -> None:
    """Collect what the loaded checks need from a cluster into a point-in-time evidence snapshot.

    Literal credentials that the credentials-in-* checks find (env, args,
    annotations, ConfigMaps) are masked in the snapshot, which says so under
    `redacted`; a scan of it finds the same fields.  Secrets are collected
    metadata-only either way.
    """
    from .pipeline import ScanOptions, load_bundle
    from .sources.clusters import ClusterTarget, collect_target
    from .sources.cluster import ClusterError
    from .sources.snapshot import write_snapshot

    try:
        bundle = load_bundle(ScanOptions(policy_dirs, mapping_dirs, frameworks))
        collection = collect_target(ClusterTarget(context, kubeconfig), bundle.policy_set, cluster_options(namespaces, exclude_namespaces, request_timeout, page_size))
    except (*USER_ERRORS, ClusterError, OSError) as exc:
        fail(str(exc))
        return
    from .evidence_redact import NOTE, RedactionError, mask_literal_credentials

    if keep_literal_credentials:
        extra = {"redacted": {"note": "literal credentials kept as served (--keep-literal-credentials)", "fields": []}}
    else:
        try:
            masked = mask_literal_credentials(collection.objects, load_policies(policy_dirs))
        except (RedactionError, *USER_ERRORS) as exc:
            fail(f"snapshot not written: {exc} (--keep-literal-credentials writes it unmasked)")
            return
        extra = {"redacted": {"note": NOTE, "fields": masked}}
    try:
        digest = write_snapshot(collection, output, extra)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
        return
    gaps = len(collection.gaps)
    masked_note = f", {len(extra['redacted']['fields'])} literal credential(s) masked" if not keep_literal_credentials else ", literal credentials kept"
    note(f"wrote {output}: {len(collection.objects)} objects from {collection.context or collection.server}, {gaps} gap(s){masked_note}, objects {digest}")


# --- Evidence over a period (issue 18): options shared by `report --store`; commands at the end of this file.
period_options = options(
    click.option("--store", type=click.Path(file_okay=False), default=None, help="History store (kubecomply history add): report the period instead of one result (-f html, pdf, json or oscal)."),
    click.option("--since", default=None, metavar="DATE", help="With --store: first day of the period (YYYY-MM-DD or ISO time, UTC)."),
    click.option("--until", default=None, metavar="DATE", help="With --store: last day of the period, included (YYYY-MM-DD or ISO time, UTC)."),
    click.option("--schedule", type=click.Choice(["daily", "weekly"]), default=None, help="With --store: the expected scan schedule; windows without a scan are listed as missing."),
    click.option("--subject", default=None, help="With --store: the scanned subject to report when the store holds several (see kubecomply history list)."),
)


def read_result(results: str, verify: bool = True) -> ScanResult:
    """A saved JSON result (``-`` for stdin), or a one-line error and exit 2.

    A result whose ``scan.result_digest`` does not match it was changed after
    it was written: that is an error (exit 2) unless ``verify`` is off, and then
    still a one-line warning, so it is never used silently.  Results written
    before the digest existed have none and are read as they are.
    """
    try:
        text = sys.stdin.read() if results == "-" else Path(results).read_text(encoding="utf-8")
        data = json.loads(text)
        validate_result(data)  # before any renderer: a malformed or foreign result is one line, not a traceback
        mismatch = verify_result(data)
        if mismatch and verify:
            raise ValueError(f"{mismatch} (use --no-verify to render it anyway)")
        if mismatch:
            click.echo(f"kubecomply: warning: {results}: {mismatch}", err=True)
        return ScanResult.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        fail(f"{results}: {exc}")
        raise AssertionError("unreachable")  # fail() exits


@main.command("report")
@click.argument("results", required=False, type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS + FILE_FORMATS + ("oscal",)), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True))
@csv_controls_option
@lang_option
@report_url_option
@max_rows_option
@period_options
@click.option("--no-verify", is_flag=True, help="Render a result that does not match its scan.result_digest (changed after it was written), with a warning.")
@click.option("--paper", type=click.Choice(("a4", "letter")), default=None, help="With -f pdf or html: the printed page size (default: a4 with --lang ko, letter otherwise).")
@click.option("--attestation", "attestation_file", type=click.Path(exists=True, dir_okay=False), default=None, help="With -f pdf or html: YAML file with the sign-off (preparer, reviewer: name, role, date; notes); see docs/formats.md.")
@click.option("--preparer", default=None, metavar="NAME", help="With -f pdf or html: who prepared the assessment (overrides the --attestation file).")
@click.option("--prepared-on", default=None, metavar="YYYY-MM-DD", help="With -f pdf or html: the date it was prepared.")
@click.option("--reviewer", default=None, metavar="NAME", help="With -f pdf or html: who reviewed the assessment.")
@click.option("--reviewed-on", default=None, metavar="YYYY-MM-DD", help="With -f pdf or html: the date it was reviewed.")
def report_command(results: str | None, fmt: str, output: str | None, csv_controls: bool, lang: str, report_url: str | None, max_rows: int | None, no_verify: bool,
                   paper: str | None, attestation_file: str | None, preparer: str | None, prepared_on: str | None,
                   reviewer: str | None, reviewed_on: str | None, **period: Any) -> None:
    """Render a saved JSON result again, in any format, without rescanning; or, with --store, a period report.

    A result's ``scan.result_digest`` is checked first: a result changed after
    it was written is refused (exit 2) unless --no-verify.
    """
    sign_off = {"preparer": preparer, "prepared_on": prepared_on, "reviewer": reviewer, "reviewed_on": reviewed_on}
    auditor_options = paper is not None or attestation_file is not None or any(v is not None for v in sign_off.values())
    if period["store"] or results is None or fmt == "oscal":
        if lang != "en" or csv_controls or report_url or auditor_options:
            fail("--lang, --csv-controls, --report-url, --paper and the sign-off options apply to one result's report, not to -f oscal or a --store period report")
        evidence_report(results, fmt, output, **period)
        return
    if auditor_options and fmt not in ("html", "pdf"):
        fail("--paper, --attestation, --preparer, --prepared-on, --reviewer and --reviewed-on apply to -f html and -f pdf")
    check_format(fmt, output, csv_controls, max_rows)
    if fmt in ("html", "pdf"):
        from .reports.attestation import Attestation, AttestationError, load_attestation, with_options

        try:
            attestation = with_options(load_attestation(attestation_file) if attestation_file else Attestation(), **sign_off)
        except AttestationError as exc:
            fail(str(exc))
        result = read_result(results, verify=not no_verify)
        write_auditor_report(result, fmt, output, lang, attestation, paper, max_rows)
        return
    result = read_result(results, verify=not no_verify)
    write_report(result, fmt, output, csv_controls, lang, report_url, max_rows)


def write_auditor_report(result: ScanResult, fmt: str, output: str | None, lang: str, attestation: Any, paper: str | None, max_rows: int | None = None) -> None:
    """``report -f html|pdf`` with the sign-off and the paper size, which only the report command takes."""
    from .reports.html import DEFAULT_MAX_ROWS, html_chunks

    cap = DEFAULT_MAX_ROWS if max_rows is None else max_rows
    if fmt == "pdf":
        from .reports.pdf import PdfError, write_pdf

        try:
            write_pdf(result, output or "", lang, attestation=attestation, paper=paper, max_rows=cap)
        except PdfError as exc:
            fail(str(exc))
        return
    write_output(html_chunks(result, lang, attestation=attestation, paper=paper, max_rows=cap), output)


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
    from .reports.listing import render_policy_list

    click.echo(for_terminal(render_policy_list(ordered)), nl=False)


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
    click.echo(for_terminal(f"{found.id}: {found.title}"))
    click.echo(for_terminal(f"severity: {found.severity}\nkinds: {', '.join(found.kinds)}\npackage: {found.package}\nfile: {found.file}\n"))
    click.echo(for_terminal(f"{found.description}\n\nRemediation: {found.remediation}\n"))
    if found.references:
        click.echo("References:")
        for key, values in sorted(found.references.items()):
            click.echo(for_terminal(f"  {key}: {', '.join(str(v) for v in values)}"))


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
            click.echo(for_terminal(f"{outcome.status.upper():5} {outcome.file}: {outcome.rule}{detail}"))
    click.echo(report.summary_line())
    sys.exit(EXIT_OK if report.ok else EXIT_FINDINGS)


@main.group()
def framework() -> None:
    """List and show compliance frameworks."""


@framework.command("list")
@policy_dir_option
@mapping_dir_option
def framework_list(policy_dirs: Sequence[str], mapping_dirs: Sequence[str]) -> None:
    """The frameworks a scan rolls up into, with their control counts."""
    try:
        frameworks = load_frameworks(mapping_dirs)
        validate_references(frameworks, set(load_policies(policy_dirs).by_id()))
    except USER_ERRORS as exc:
        fail(str(exc))
        return
    rows = []
    for fw in frameworks:
        automation = [c.automation for c in fw.controls]
        rows.append([fw.id, fw.title, fw.version, len(fw.controls), automation.count("automated"), automation.count("partial"), automation.count("manual"), len(fw.check_ids())])
    from .reports.listing import render_framework_list

    click.echo(for_terminal(render_framework_list(rows)), nl=False)


@framework.command("show")
@click.argument("framework_id")
@click.option("--control", "control_id", help="Show one control in full: checks, human evidence, last result.")
@click.option("--results", "results", type=click.Path(exists=True, dir_okay=False), help="A saved JSON result: show each control's status in that scan.")
@policy_dir_option
@mapping_dir_option
def framework_show(framework_id: str, control_id: str | None, results: str | None, policy_dirs: Sequence[str], mapping_dirs: Sequence[str]) -> None:
    """The controls of one framework, the checks that give evidence for each and, with --results, how they fared."""
    from .reports.framework_view import render_control, render_framework

    try:
        by_id = {fw.id: fw for fw in load_frameworks(mapping_dirs)}
        checks = load_policies(policy_dirs).by_id()
    except USER_ERRORS as exc:
        fail(str(exc))
        return
    fw = by_id.get(framework_id)
    if fw is None:
        fail(f"unknown framework {framework_id!r}; available: {', '.join(sorted(by_id))}")
        return
    result = read_result(results) if results else None
    if control_id is None:
        click.echo(for_terminal(render_framework(fw, fw.controls, result)), nl=False)
        return
    control = next((c for c in fw.controls if c.id == control_id), None)
    if control is None:
        fail(f"{framework_id} has no control {control_id!r}; `kubecomply framework show {framework_id}` lists them")
        return
    click.echo(for_terminal(render_control(fw, control, checks, result, results)), nl=False)


if __name__ == "__main__":
    main()


# --- Evidence over a period (issue 18): history store, diff, period report, OSCAL, signed results.
# Thin wrappers over scanner/evidence/ and the renderers in scanner/reports/; the logic lives there.

PERIOD_FORMATS = ("html", "pdf", "json", "oscal")


def _read_result_bytes(results: str) -> tuple[bytes, dict[str, Any]]:
    """A result file's exact bytes (they are what digests and signatures cover) and its document."""
    from .evidence.store import StoreError, parse_result

    try:
        data = sys.stdin.buffer.read() if results == "-" else Path(results).read_bytes()
        return data, parse_result(data, results)
    except OSError as exc:
        fail(f"{results}: cannot read: {exc.strerror}")
    except StoreError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def evidence_report(results: str | None, fmt: str, output: str | None, store: str | None, since: str | None, until: str | None, schedule: str | None, subject: str | None) -> None:
    """``report RESULT -f oscal`` and ``report --store DIR ...`` (the period report)."""
    from .evidence.digest import content_digest
    from .evidence.period import PeriodError, Scan, build_period
    from .evidence.store import Store, StoreError, subjects
    from .evidence.timeutil import bound
    from .reports.oscal import OscalError, render_assessment_results

    if store is None:
        if results is None:
            fail("give a RESULTS file, or --store DIR for a period report")
        if since or until or schedule or subject:
            fail("--since, --until, --schedule and --subject need --store")
        data, doc = _read_result_bytes(results or "-")
        try:
            write_output(render_assessment_results([(doc, content_digest(data), [])], f"kubecomply assessment results: {results}"), output)
        except OscalError as exc:
            fail(str(exc))
        return
    if results is not None:
        fail("give either a RESULTS file or --store, not both")
    if fmt not in PERIOD_FORMATS:
        fail(f"a period report is written as {', '.join(PERIOD_FORMATS)}, not {fmt}")
    if fmt == "pdf":
        check_format(fmt, output, False)
    try:
        start, end = bound(since, end=False), bound(until, end=True)
        history_store = Store(store)
        records = history_store.records(start, end, subject)
        if not records:
            fail(f"{store}: no stored results{' of ' + subject if subject else ''} between {since or 'the beginning'} and {until or 'now'}")
        found = subjects(records)
        if len(found) > 1:
            fail(f"{store}: the period holds results of {len(found)} subjects; pick one with --subject: {' | '.join(found)}")
        scans = [Scan(record, history_store.load(record["digest"])[1]) for record in records]
        period = build_period(scans, start, end, schedule)
        if fmt == "json":
            write_output(json.dumps(period, indent=2, sort_keys=True, ensure_ascii=False) + "\n", output)
        elif fmt == "oscal":
            items = [(s.doc, s.record["digest"], [("signed", str(bool(s.record.get("signed"))).lower()), ("verified", "" if s.record.get("verified") is None else str(s.record["verified"]).lower())]) for s in scans]
            write_output(render_assessment_results(items, f"kubecomply assessment results: {period['subject']}, {period['since']} to {period['until']}"), output)
        else:
            from .reports.period_html import render_period_html

            page = render_period_html(period)
            if fmt == "html":
                write_output(page, output)
            else:
                from .reports.pdf import PdfError, print_html

                try:
                    print_html(page, output or "")
                except PdfError as exc:
                    fail(str(exc))
    except (StoreError, PeriodError, OscalError, ValueError) as exc:
        fail(str(exc))


@main.group()
def history() -> None:
    """Keep results over time in a store (plain, content-addressed files) for period reports."""


@history.command("add")
@click.argument("results", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--store", required=True, type=click.Path(file_okay=False), help="Store folder (created on first use).")
@click.option("--attestation", type=click.Path(exists=True, dir_okay=False), default=None, help="DSSE envelope of the result (one RESULT only).  [default: RESULT.dsse.json when it exists]")
@click.option("--key", "public_key", type=click.Path(exists=True, dir_okay=False), default=None, help="Public key: verify each attestation before storing; a result that fails is not stored.")
def history_add(results: Sequence[str], store: str, attestation: str | None, public_key: str | None) -> None:
    """Add JSON results to a history store; each is kept byte for byte under its SHA-256.

    Exit 0 when every result was stored (or already was), 1 when an
    attestation did not verify (that result is not stored), 2 when a result
    could not be read.  Other results are stored either way.
    """
    from .evidence import attest
    from .evidence.store import Store, StoreError

    if attestation and len(results) > 1:
        fail("--attestation names the envelope of one result; for several, keep each beside its result as RESULT.dsse.json")
    key = None
    if public_key:
        try:
            key = attest.load_public(public_key)
        except attest.AttestError as exc:
            fail(str(exc))
    history_store, code = Store(store), EXIT_OK
    for result in results:
        envelope = attestation or (result + attest.DEFAULT_SUFFIX if Path(result + attest.DEFAULT_SUFFIX).is_file() else None)
        try:
            added = history_store.add(result, envelope, key)
        except (StoreError, attest.AttestError) as exc:
            failed_signature = "does not verify" in str(exc)
            click.echo(f"kubecomply: {'not stored' if failed_signature else 'error'}: {exc}", err=True)
            code = max(code, EXIT_FINDINGS if failed_signature else EXIT_ERROR)
            continue
        rec = added.record
        signing = "signed, verified" if rec.get("verified") else ("signed, not verified (no --key)" if rec.get("signed") else "unsigned")
        click.echo(f"{'stored' if added.new else 'already stored'} {rec['digest']} {result} ({rec['started']}, {rec['provenance']['subject']}, {signing})")
    sys.exit(code)


@history.command("list")
@click.option("--store", required=True, type=click.Path(file_okay=False))
@click.option("--since", default=None, metavar="DATE", help="Only results started on or after this date (YYYY-MM-DD or ISO time, UTC).")
@click.option("--until", default=None, metavar="DATE", help="Only results started on or before this date (a bare date includes the whole day).")
@click.option("--subject", default=None, help="Only results of this subject.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def history_list(store: str, since: str | None, until: str | None, subject: str | None, fmt: str) -> None:
    """The stored results, oldest first, with digest, subject and whether each was signed."""
    from .evidence.digest import short
    from .evidence.store import Store, StoreError
    from .evidence.timeutil import bound

    try:
        records = Store(store).records(bound(since, end=False), bound(until, end=True), subject)
    except (StoreError, ValueError) as exc:
        fail(str(exc))
        return
    if fmt == "json":
        click.echo(json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False))
        return
    rows = [[r["started"], short(r["digest"]), r["provenance"].get("subject", ""), r["provenance"].get("source", ""), r.get("open_findings"),
             "verified" if r.get("verified") else ("signed" if r.get("signed") else "")] for r in records]
    from .reports.listing import render_evidence_list

    click.echo(for_terminal(render_evidence_list(rows)), nl=False)
    click.echo(f"\n{len(records)} result(s)")


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True))
def diff_command(old: str, new: str, fmt: str, output: str | None) -> None:
    """What changed between two JSON results: findings, control statuses, waivers, population.

    Exit 1 when NEW is worse (a new open finding, a finding open again, a
    control that got worse, a waiver that expired, a new coverage gap), 0
    otherwise, 2 when a result cannot be read.
    """
    from .evidence.diff import diff_results
    from .reports.diff_report import DIFF_RENDERERS

    result = diff_results(read_result(old), read_result(new))
    write_output(DIFF_RENDERERS[fmt](result), output)
    sys.exit(EXIT_FINDINGS if result.worse else EXIT_OK)


class DefaultCommandGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, goes to a default one.

    So ``kubecomply attest RESULT --key KEY`` signs while ``kubecomply attest keygen`` makes keys.
    """

    def __init__(self, *args: Any, default_command: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.default_command = default_command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@main.group(cls=DefaultCommandGroup, default_command="sign")
def attest() -> None:
    """Sign a result: kubecomply attest RESULT --key KEY (an in-toto statement in a DSSE envelope, ed25519)."""


@attest.command("sign")
@click.argument("result", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "private_key", required=True, type=click.Path(exists=True, dir_okay=False), help="ed25519 private key (kubecomply attest keygen).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None, help="Envelope to write.  [default: RESULT.dsse.json]")
def attest_sign(result: str, private_key: str, output: str | None) -> None:
    """Write a DSSE envelope over the result file's SHA-256."""
    from .evidence import attest as attestation

    data, _ = _read_result_bytes(result)
    try:
        envelope = attestation.sign(data, result, private_key)
    except attestation.AttestError as exc:
        fail(str(exc))
        return
    target = output or result + attestation.DEFAULT_SUFFIX
    Path(target).write_text(json.dumps(envelope, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    click.echo(f"kubecomply: wrote {target}: {result} sha256:{attestation.statement(data, result)['subject'][0]['digest']['sha256']} signed by {envelope['signatures'][0]['keyid']}", err=True)


@attest.command("keygen")
@click.option("--private", "private_path", default="kubecomply.key", show_default=True, type=click.Path(dir_okay=False, writable=True), help="Private key to write (mode 0600); keep it secret.")
@click.option("--public", "public_path", default="kubecomply.pub", show_default=True, type=click.Path(dir_okay=False, writable=True), help="Public key to write; give it to whoever verifies.")
def attest_keygen(private_path: str, public_path: str) -> None:
    """Make an ed25519 key pair for attest and verify."""
    from .evidence import attest as attestation

    try:
        ident = attestation.keygen(private_path, public_path)
    except (attestation.AttestError, OSError) as exc:
        fail(str(exc))
        return
    click.echo(f"kubecomply: wrote {private_path} (private) and {public_path} (public), keyid {ident}", err=True)


@main.command("verify")
@click.argument("result", type=click.Path(exists=True, dir_okay=False))
@click.option("--attestation", type=click.Path(dir_okay=False), default=None, help="DSSE envelope.  [default: RESULT.dsse.json]")
@click.option("--key", "public_key", required=True, type=click.Path(exists=True, dir_okay=False), help="ed25519 public key.")
def verify_command(result: str, attestation: str | None, public_key: str) -> None:
    """Check a result against its attestation: exit 0 verified, 1 not (with the reason), 2 unreadable input."""
    from .evidence import attest as attestation_mod

    envelope_path = attestation or result + attestation_mod.DEFAULT_SUFFIX
    try:
        data = Path(result).read_bytes()
        key = attestation_mod.load_public(public_key)
        envelope = attestation_mod.read_envelope(envelope_path)
    except (OSError, attestation_mod.AttestError) as exc:
        fail(str(exc))
        return
    try:
        checked = attestation_mod.verify(data, envelope, key)
    except attestation_mod.AttestError as exc:
        click.echo(f"kubecomply: verify: {result}: FAILED: {exc}", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"verified: {result} {checked.digest} signed by {checked.keyid}")


@policy.command("export")
@click.option("--oscal-component", is_flag=True, help="Write an OSCAL 1.1 Component Definition: the checks and the framework controls they implement.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None)
@policy_dir_option
@mapping_dir_option
@click.option("--framework", "frameworks", multiple=True, help="Only this framework's controls (repeatable).")
def policy_export(oscal_component: bool, output: str | None, policy_dirs: Sequence[str], mapping_dirs: Sequence[str], frameworks: Sequence[str]) -> None:
    """Export the checks for other tools (today: --oscal-component)."""
    from .compliance.frameworks import select_frameworks
    from .reports.oscal import OscalError, render_component_definition

    if not oscal_component:
        fail("say what to export: --oscal-component")
    try:
        loaded = load_frameworks(mapping_dirs)
        checks = load_policies(policy_dirs)
        validate_references(loaded, set(checks.by_id()))
        chosen = select_frameworks(loaded, frameworks)
    except USER_ERRORS as exc:
        fail(str(exc))
        return
    fw_data = [{"id": fw.id, "title": fw.title, "version": fw.version, "url": fw.url,
                "controls": [{"id": c.id, "title": c.title, "automation": c.automation, "checks": list(c.checks)} for c in fw.controls]} for fw in chosen]
    wanted = {c for fw in chosen for c in fw.check_ids()} if frameworks else set(checks.by_id())
    check_data = [{"id": p.id, "title": p.title, "severity": p.severity} for p in sorted(checks.policies, key=lambda p: p.id) if p.id in wanted]
    try:
        write_output(render_component_definition(fw_data, check_data, __version__), output)
    except OscalError as exc:
        fail(str(exc))
