"""The terminal report: what was not looked at first, then findings, then frameworks.

Gaps come first on purpose: a clean findings table under an unread folder is
exactly the silent pass this tool exists to prevent.

Names, namespaces, file names and messages come from whoever wrote the
manifests or runs the cluster: every cell goes through ``textsafe.safe_text``
(so columns stay aligned) and the whole text through ``for_terminal`` once
more, so no control character reaches the terminal raw.
"""

from __future__ import annotations

from tabulate import tabulate

from ..model import ScanResult
from ..textsafe import for_terminal, safe_text

MESSAGE_WIDTH = 60
NOT_ASSESSED_SHOWN = 10


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def _gaps(result: ScanResult) -> list[str]:
    if not result.gaps:
        return []
    lines = [f"NOT SCANNED ({len(result.gaps)}): these inputs or checks were not assessed"]
    lines += [f"  ! {gap.label()}" for gap in result.gaps]
    return lines + [""]


def _scope(result: ScanResult) -> list[str]:
    """Checks left out and what cross-resource checks could see: both change what a pass means."""
    lines = []
    not_run = result.summary.get("checks_not_run") or {}
    for check, reason in sorted(not_run.items()):
        lines.append(f"  - {check}: {reason}")
    cross = result.summary.get("cross_resource_checks", 0)
    if cross and result.summary.get("scope") == "files":
        lines.append(
            f"  - {cross} cross-resource check(s) saw only the scanned files (scope: files); "
            "objects kept elsewhere (another repository, the cluster) were not seen"
        )
    return (["Scope:"] + lines + [""]) if lines else []


def _findings(result: ScanResult) -> list[str]:
    if not result.findings:
        return ["No findings.", ""]
    rows = []
    for f in result.findings:
        status = f.severity.upper() if f.status == "fail" else f"{f.status} ({f.severity})"
        rows.append([status, safe_text(f.policy), safe_text(f.resource.label()), safe_text(f.origin.label()), safe_text(f.message)])
    table = tabulate(
        rows,
        headers=["SEVERITY", "CHECK", "RESOURCE", "LOCATION", "MESSAGE"],
        tablefmt="simple",
        maxcolwidths=[None, None, 40, 50, MESSAGE_WIDTH],
    )
    return [table, ""]


def _score(value: float | None, scoring: str) -> str:
    return "counts" if scoring == "counts" else _percent(value)


def _frameworks(result: ScanResult) -> list[str]:
    if not result.frameworks:
        return []
    rows = []
    for fw in result.frameworks:
        total = fw.scope.get("controls_total") or len(fw.controls)
        rows.append([
            fw.id,
            _score(fw.score, fw.scoring),
            _score(fw.score_with_exceptions, fw.scoring),
            f"{len(fw.controls)}/{total}",
            _percent(fw.coverage),
            fw.counts.get("pass", 0),
            fw.counts.get("pass-with-exceptions", 0),
            fw.counts.get("fail", 0),
            fw.counts.get("not-assessed", 0),
            fw.counts.get("manual", 0),
        ])
    headers = ["FRAMEWORK", "SCORE", "WITH EXC.", "IN SCOPE", "COVERAGE", "PASS", "PASS W/ EXC.", "FAIL", "NOT ASSESSED", "MANUAL"]
    lines = [tabulate(rows, headers=headers, tablefmt="simple"), ""]
    lines.append("Score = pass / assessed controls (pass, pass with exceptions, fail); WITH EXC. also counts controls whose only violations are waived.")
    lines.append("In scope = controls these checks give evidence for / all controls of the framework; coverage = assessed / all controls.")
    if any(fw.scoring == "counts" for fw in result.frameworks):
        lines.append("counts: a risk-based framework (GDPR) is reported as control counts, never as a percentage.")
    pending = sum(1 for fw in result.frameworks for c in fw.controls if c.manual_evidence_pending)
    if pending:
        lines.append(f"{pending} passing control(s) are only partly automated: the automated part passed, manual evidence pending.")
    return lines + [""] + _excepted(result) + _not_assessed(result)


def _excepted(result: ScanResult) -> list[str]:
    """Controls that pass only because of approved exceptions, with the waivers behind them."""
    entries = [(fw.id, c) for fw in result.frameworks for c in fw.controls if c.status == "pass-with-exceptions"]
    if not entries:
        return []
    lines = ["Passed with exceptions (see the exception register):"]
    lines += [f"  - {fw} {c.id}: {', '.join(c.waivers)}" for fw, c in entries[:NOT_ASSESSED_SHOWN]]
    if len(entries) > NOT_ASSESSED_SHOWN:
        lines.append(f"  ... and {len(entries) - NOT_ASSESSED_SHOWN} more (see the JSON result)")
    return lines + [""]


def _not_assessed(result: ScanResult) -> list[str]:
    """Why controls were not assessed, so a low coverage is never a mystery."""
    entries = [(fw.id, c.id, c.reason or "") for fw in result.frameworks for c in fw.controls if c.status == "not-assessed"]
    if not entries:
        return []
    lines = ["Not assessed:"]
    lines += [f"  - {fw} {control}: {reason}" for fw, control, reason in entries[:NOT_ASSESSED_SHOWN]]
    if len(entries) > NOT_ASSESSED_SHOWN:
        lines.append(f"  ... and {len(entries) - NOT_ASSESSED_SHOWN} more (see the JSON result)")
    return lines + [""]


def _waivers(result: ScanResult) -> list[str]:
    lines = []
    for w in result.waivers:
        if w.status == "expired":
            lines.append(f"  ! waiver {w.id} for {w.check} expired on {w.expires}; its findings are open again")
        elif w.status == "unused":
            lines.append(f"  ? waiver {w.id} for {w.check} matched nothing")
        elif w.status in ("invalid", "refused"):
            lines.append(f"  ! {w.id}: {w.status}, not applied: {w.problem or 'names an unknown check'}")
    applied = sum(1 for w in result.waivers if w.status == "applied")
    if not lines and not applied:
        return []
    return [f"Waivers: {applied} applied, {len(result.waivers) - applied} not applied"] + lines + [""]


def _baseline(result: ScanResult) -> list[str]:
    record = result.baseline
    if record is None:
        return []
    lines = [f"Baseline {record.get('file', '')}: {record.get('matched', 0)} of {record.get('entries', 0)} accepted finding(s) still present, {record.get('new', 0)} new"]
    for entry in record.get("resolved", []):
        res = entry.get("resource", {})
        ns = f"{res.get('namespace')}/" if res.get("namespace") else ""
        where = f" ({entry['file']})" if entry.get("file") else ""
        lines.append(f"  resolved: {entry.get('check')} {res.get('kind')}/{ns}{res.get('name')} {entry.get('path') or ''}{where}".rstrip())
    return lines + [""]


def _changed_since(result: ScanResult) -> list[str]:
    changed = result.scan.get("changed_since")
    if not changed:
        return []
    return [
        f"Changed since {changed.get('ref')}: findings in {changed.get('files_changed', 0)} changed file(s) only; "
        f"{changed.get('findings_outside', 0)} finding(s) in other files not shown",
        "",
    ]


def _gates(result: ScanResult) -> list[str]:
    tripped = [g for g in result.gates if g.get("tripped")]
    return [f"gate: {g.get('detail')}" for g in tripped] + ([""] if tripped else [])


STATUS_CELLS = {"pass": "pass", "fail": "FAIL", "not-assessed": "n/a", "manual": "manual"}


def _fleet(result: ScanResult) -> list[str]:
    """A fleet scan: one row per cluster, then controls x clusters."""
    fleet = result.fleet
    if not fleet:
        return []
    rows = []
    for c in fleet.get("clusters", []):
        if c.get("status") != "scanned":
            rows.append([safe_text(c.get("name")), "UNREACHABLE", "-", "-", "-", safe_text(c.get("error", ""))])
            continue
        scores = ", ".join(f"{fw} {_percent(v.get('score'))}" for fw, v in sorted((c.get("frameworks") or {}).items()))
        rows.append([safe_text(c.get("name")), safe_text(c.get("version", "")), c.get("resources", 0), c.get("open_findings", 0), c.get("gaps", 0), scores])
    lines = ["Fleet:", tabulate(rows, headers=["CLUSTER", "VERSION", "RESOURCES", "OPEN FINDINGS", "GAPS", "SCORES"], tablefmt="simple", maxcolwidths=[None, None, None, None, None, 60]), ""]
    names = [safe_text(c.get("name")) for c in fleet.get("clusters", [])]
    raw_names = [c.get("name") for c in fleet.get("clusters", [])]
    matrix = [[f"{cell['framework']} {cell['id']}", *(STATUS_CELLS.get(cell["clusters"].get(n, ""), "-") for n in raw_names)] for cell in fleet.get("controls", [])]
    if matrix:
        lines += [tabulate(matrix, headers=["CONTROL", *names], tablefmt="simple", maxcolwidths=[50, *([None] * len(names))]), ""]
    return lines


def _source(result: ScanResult) -> str:
    s = result.summary
    if s.get("scope") != "cluster":
        return f"{s.get('files', 0)} file(s)"
    targets = result.scan.get("targets") or []
    if len(targets) == 1:
        t = targets[0]
        where = f"snapshot of cluster {t.get('context') or t.get('server')}" if result.scan.get("source") == "snapshot" else f"cluster {t.get('context') or t.get('server')}"
        return f"{where} ({t.get('server', '')}, {t.get('version', 'unknown version')}, collected {t.get('collected_at', '')})"
    return f"{s.get('clusters_scanned', 0)} of {s.get('clusters', 0)} cluster(s)"


def render_table(result: ScanResult) -> str:
    s = result.summary
    severities = s.get("open_findings_by_severity", {})
    status = s.get("findings_by_status", {})
    counts = ", ".join(f"{n} {sev}" for sev, n in severities.items() if n) or "none"
    skipped = sum(s.get("documents_skipped", {}).values())
    header = (
        f"kubecomply {result.scan.get('version', '')}: {s.get('resources', 0)} resources from {_source(result)}, "
        f"{s.get('checks', 0)} checks, engine {result.scan.get('engine', '')}"
    )
    lines = [header, ""]
    lines += _gaps(result)
    lines += _scope(result)
    lines += _findings(result)
    lines += _frameworks(result)
    lines += _fleet(result)
    lines += _waivers(result)
    lines += _baseline(result)
    lines += _changed_since(result)
    lines += _gates(result)
    if s.get("scope") == "cluster":
        owned = ", ".join(f"{n} {kind}" for kind, n in sorted(s.get("skipped_owned", {}).items())) or "none"
        tail = f"left out as owned by a collected controller: {owned}"
    else:
        tail = f"documents skipped (not Kubernetes objects or empty): {skipped}"
    lines.append(
        f"Open findings: {status.get('fail', 0)} ({counts}); waived: {status.get('waived', 0)}; "
        + (f"baselined: {status.get('baselined', 0)}; " if "baselined" in status else "")
        + f"gaps: {len(result.gaps)}; {tail}"
    )
    return for_terminal("\n".join(lines) + "\n")
