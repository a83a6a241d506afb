"""The terminal report: what was not looked at first, then findings, then the summary and the gates.

Gaps come first on purpose: a clean findings table under an unread folder is
exactly the silent pass this tool exists to prevent.  The end of the output is
what a reader (or a CI log) shows last, so it holds what decides: the
frameworks' scores, the gates that tripped and the one-line count.

Everything fits the terminal (``columns.terminal_width``: ``COLUMNS``, the
terminal, or 120 when stdout is not one).  Findings come under a heading per
check (open ones first, then baselined, then waived); at 100 columns or more
each message stands beside its resource and location, below that underneath
them.  They are capped at ``max_rows`` (``--max-rows``; 0 for all), shared
among the checks: 48,000 findings must not push the summary out of sight,
and the lines under the cap count what was left out.

Names, namespaces, file names and messages come from whoever wrote the
manifests or runs the cluster: every cell and line goes through
``textsafe.safe_text`` before it is measured and wrapped (so columns stay
aligned), and the whole text through ``for_terminal`` once more, so no control
character reaches the terminal raw.
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import Iterable

from ..model import SEVERITIES, Finding, ScanResult
from ..score_text import percent_text
from ..textsafe import for_terminal, safe_text
from .columns import Column, Table, pad, terminal_width, text_width, wrap, wrap_line
from .provenance import provenance_lines
from .row_cap import deal

DEFAULT_MAX_ROWS = 50
COMPACT_BELOW = 100  # columns: narrower terminals get the message below its resource instead of beside it
MESSAGE_FLOOR = 40  # the narrowest message column beside the resources
INDENT, GUTTER = 2, 3
NOT_ASSESSED_SHOWN = 10
STATUS_ORDER = {"fail": 0, "baselined": 1, "waived": 2}


def _prose(text: str, width: int, indent: str = "", hanging: str | None = None) -> list[str]:
    """One line of text, made safe and wrapped to ``width`` with a hanging indent."""
    return wrap_line(safe_text(text), width, indent, " " * (len(indent) + 2) if hanging is None else hanging)


def _gaps(result: ScanResult, width: int) -> list[str]:
    if not result.gaps:
        return []
    lines = _prose(f"NOT SCANNED ({len(result.gaps)}): these inputs or checks were not assessed", width)
    for gap in result.gaps:
        lines += _prose(gap.label(), width, "  ! ", "    ")
    return lines + [""]


def _scope(result: ScanResult, width: int) -> list[str]:
    """Checks left out and what cross-resource checks could see: both change what a pass means."""
    lines = []
    not_run = result.summary.get("checks_not_run") or {}
    for check, reason in sorted(not_run.items()):
        lines += _prose(f"{check}: {reason}", width, "  - ")
    cross = result.summary.get("cross_resource_checks", 0)
    if cross and result.summary.get("scope") == "files":
        lines += _prose(
            f"{cross} cross-resource check(s) saw only the scanned files (scope: files); "
            "objects kept elsewhere (another repository, the cluster) were not seen",
            width, "  - ",
        )
    return (["Scope:"] + lines + [""]) if lines else []


def _status_cell(f: Finding) -> str:
    return f.severity.upper() if f.status == "fail" else f"{f.status} ({f.severity})"


def _ordered(findings: list[Finding]) -> list[Finding]:
    """Open findings first, then baselined, then waived; the result's order (severity, check, resource) within each."""
    if all(f.status == "fail" for f in findings):
        return findings
    return sorted(findings, key=lambda f: STATUS_ORDER.get(f.status, 3))  # stable: keeps the result's order


Group = tuple[list[Finding], int]  # the findings of one check (one status) and how many of them are shown


def _groups(ordered: list[Finding], max_rows: int) -> list[Group]:
    """Findings by check, and how many of each to show so that ``max_rows`` are shared among the checks.

    A cap that took the first rows would show 50 findings of the first check
    and nothing of the others; instead the rows are dealt out one per check in
    turn (report order) until ``max_rows`` are given or every finding is.  With
    more checks than rows, the first ``max_rows`` checks get one row each.
    """
    groups = [list(items) for _, items in groupby(ordered, key=lambda f: (f.status, f.severity, f.policy))]
    return list(zip(groups, deal([len(items) for items in groups], max_rows)))


def _findings_body(groups: list[Group], width: int) -> list[str]:
    """Findings under a heading per check (severity or status, the id whole, the count).

    Wide (``COMPACT_BELOW`` columns or more, and room for a message column of
    ``MESSAGE_FLOOR``): the resource above its file and line on the left, the
    message wrapped beside them.  Compact: the resource and location on one
    line (two when they do not fit) and the message indented below.
    """
    shown = [f for items, take in groups for f in items[:take]]
    places = {id(f): (safe_text(f.resource.label()), safe_text(f.origin.label())) for f in shown}
    left = min(max((max(text_width(r), text_width(o)) for r, o in places.values()), default=0), (width * 11) // 20)
    message_width = width - INDENT - left - GUTTER
    wide = width >= COMPACT_BELOW and message_width >= MESSAGE_FLOOR
    lines: list[str] = []
    for items, take in groups:
        if not take:
            continue
        head = items[0]
        count = len(items)
        if lines:
            lines.append("")
        lines += _prose(f"{_status_cell(head)}  {head.policy}  ({count} finding{'s' if count != 1 else ''})", width, "", "  ")
        for f in items[:take]:
            resource, origin = places[id(f)]
            message = safe_text(f.message)
            if wide:
                cell = wrap(resource, left) + wrap(origin, left)
                text = wrap(message, message_width)
                for n in range(max(len(cell), len(text))):
                    a = cell[n] if n < len(cell) else ""
                    b = text[n] if n < len(text) else ""
                    lines.append((" " * INDENT + pad(a, left) + " " * GUTTER + b).rstrip())
            else:
                lines += wrap_line(f"{resource}  {origin}", width, " " * INDENT, " " * (INDENT + 2))
                lines += [" " * (INDENT + 2) + line for line in wrap(message, max(1, width - INDENT - 2))]
        if take < count:
            lines.append(f"{' ' * INDENT}... and {count - take} more of {safe_text(head.policy)}")
    return lines


def _counts(findings: Iterable[Finding]) -> str:
    """``3 critical, 40 medium open; 4 waived``: what a set of findings holds."""
    findings = list(findings)
    by_severity = Counter(f.severity for f in findings if f.status == "fail")
    by_status = Counter(f.status for f in findings if f.status != "fail")
    open_part = ", ".join(f"{by_severity[s]} {s}" for s in SEVERITIES if by_severity.get(s))
    parts = [f"{open_part} open"] if open_part else []
    parts += [f"{n} {status}" for status, n in sorted(by_status.items())]
    return "; ".join(parts)


def _by_check(findings: list[Finding], width: int) -> list[str]:
    """Every check with findings and its counts: the whole picture when the rows are capped."""
    counts: dict[str, Counter] = {}
    severity: dict[str, str] = {}
    for f in findings:
        counts.setdefault(f.policy, Counter())[f.status] += 1
        severity[f.policy] = f.severity
    statuses = [s for s in ("fail", "baselined", "waived") if any(c.get(s) for c in counts.values())]
    headers = {"fail": "OPEN", "baselined": "BASELINED", "waived": "WAIVED"}
    order = sorted(counts, key=lambda c: (SEVERITIES.index(severity[c]) if severity[c] in SEVERITIES else 99, -counts[c].get("fail", 0), c))
    rows = [[safe_text(c), severity[c], *(counts[c].get(s, 0) for s in statuses)] for c in order]
    columns = [Column("CHECK", whole=True), Column("SEVERITY", whole=True), *(Column(headers[s], whole=True, right=True) for s in statuses)]
    return ["Findings by check:"] + Table(columns, rows).fit(width, "  ") + [""]


def _findings(result: ScanResult, width: int, max_rows: int) -> list[str]:
    if not result.findings:
        return ["No findings.", ""]
    ordered = _ordered(result.findings)
    groups = _groups(ordered, max_rows)
    lines = _prose(f"Findings ({_counts(ordered)}):", width) + [""]
    lines += _findings_body(groups, width)
    lines.append("")
    hidden = [f for items, take in groups for f in items[take:]]
    if hidden:
        lines += _prose(f"{len(hidden)} more finding(s) not shown ({_counts(hidden)}); see -f json, or --max-rows 0 for all", width)
        lines.append("")
        if any(not take for _, take in groups):
            lines += _by_check(ordered, width)  # some checks have no row above: name them all with their counts
    return lines


def _score(value: float | None, scoring: str) -> str:
    return "counts" if scoring == "counts" else percent_text(value)


def _frameworks(result: ScanResult, width: int) -> list[str]:
    if not result.frameworks:
        return []
    rows = []
    for fw in result.frameworks:
        total = fw.scope.get("controls_total") or len(fw.controls)
        rows.append([
            safe_text(fw.id),
            _score(fw.score, fw.scoring),
            _score(fw.score_with_exceptions, fw.scoring),
            f"{len(fw.controls)}/{total}",
            percent_text(fw.coverage),
            fw.counts.get("pass", 0),
            fw.counts.get("pass-with-exceptions", 0),
            fw.counts.get("fail", 0),
            fw.counts.get("not-assessed", 0),
            fw.counts.get("manual", 0),
        ])
    headers = ["FRAMEWORK", "SCORE", "WITH EXC.", "IN SCOPE", "COVERAGE", "PASS", "PASS W/ EXC.", "FAIL", "NOT ASSESSED", "MANUAL"]
    columns = [Column(headers[0], whole=True)] + [Column(h, whole=True, right=True) for h in headers[1:]]
    lines = Table(columns, rows).fit(width) + [""]
    notes = [
        "Score = pass / assessed controls (pass, pass with exceptions, fail), in whole percent (never 100% while a control failed, never 0% "
        "while one passed); WITH EXC. also counts controls whose only violations are waived.",
        "In scope = controls these checks give evidence for / all controls of the framework; coverage = assessed / all controls.",
    ]
    if any(fw.scoring == "counts" for fw in result.frameworks):
        notes.append("counts: a risk-based framework (GDPR) is reported as control counts, never as a percentage.")
    pending = sum(1 for fw in result.frameworks for c in fw.controls if c.manual_evidence_pending)
    if pending:
        notes.append(f"{pending} passing control(s) are only partly automated: the automated part passed, manual evidence pending.")
    for note in notes:
        lines += _prose(note, width, "", "  ")
    return lines + [""] + _excepted(result, width) + _not_assessed(result, width)


def _excepted(result: ScanResult, width: int) -> list[str]:
    """Controls that pass only because of approved exceptions, with the waivers behind them."""
    entries = [(fw.id, c) for fw in result.frameworks for c in fw.controls if c.status == "pass-with-exceptions"]
    if not entries:
        return []
    lines = ["Passed with exceptions (see the exception register):"]
    for fw, c in entries[:NOT_ASSESSED_SHOWN]:
        lines += _prose(f"{fw} {c.id}: {', '.join(c.waivers)}", width, "  - ")
    if len(entries) > NOT_ASSESSED_SHOWN:
        lines.append(f"  ... and {len(entries) - NOT_ASSESSED_SHOWN} more (see the JSON result)")
    return lines + [""]


def _not_assessed(result: ScanResult, width: int) -> list[str]:
    """Why controls were not assessed, so a low coverage is never a mystery."""
    entries = [(fw.id, c.id, c.reason or "") for fw in result.frameworks for c in fw.controls if c.status == "not-assessed"]
    if not entries:
        return []
    lines = ["Not assessed:"]
    for fw, control, reason in entries[:NOT_ASSESSED_SHOWN]:
        lines += _prose(f"{fw} {control}: {reason}", width, "  - ")
    if len(entries) > NOT_ASSESSED_SHOWN:
        lines.append(f"  ... and {len(entries) - NOT_ASSESSED_SHOWN} more (see the JSON result)")
    return lines + [""]


def _waivers(result: ScanResult, width: int) -> list[str]:
    lines = []
    for w in result.waivers:
        if w.status == "expired":
            lines += _prose(f"! waiver {w.id} for {w.check} expired on {w.expires}; its findings are open again", width, "  ")
        elif w.status == "unused":
            lines += _prose(f"? waiver {w.id} for {w.check} matched nothing", width, "  ")
        elif w.status in ("invalid", "refused"):
            lines += _prose(f"! {w.id}: {w.status}, not applied: {w.problem or 'names an unknown check'}", width, "  ")
    applied = sum(1 for w in result.waivers if w.status == "applied")
    if not lines and not applied:
        return []
    return [f"Waivers: {applied} applied, {len(result.waivers) - applied} not applied"] + lines + [""]


def _baseline(result: ScanResult, width: int) -> list[str]:
    record = result.baseline
    if record is None:
        return []
    lines = _prose(f"Baseline {record.get('file', '')}: {record.get('matched', 0)} of {record.get('entries', 0)} accepted finding(s) still present, {record.get('new', 0)} new", width)
    for entry in record.get("resolved", []):
        res = entry.get("resource", {})
        ns = f"{res.get('namespace')}/" if res.get("namespace") else ""
        where = f" ({entry['file']})" if entry.get("file") else ""
        lines += _prose(f"resolved: {entry.get('check')} {res.get('kind')}/{ns}{res.get('name')} {entry.get('path') or ''}{where}".rstrip(), width, "  ")
    return lines + [""]


def _changed_since(result: ScanResult, width: int) -> list[str]:
    changed = result.scan.get("changed_since")
    if not changed:
        return []
    return _prose(
        f"Changed since {changed.get('ref')}: findings in {changed.get('files_changed', 0)} changed file(s) only; "
        f"{changed.get('findings_outside', 0)} finding(s) in other files not shown",
        width,
    ) + [""]


def _gates(result: ScanResult, width: int) -> list[str]:
    tripped = [g for g in result.gates if g.get("tripped")]
    lines = [line for g in tripped for line in _prose(f"gate: {g.get('detail')}", width, "", "  ")]
    return lines + ([""] if tripped else [])


STATUS_CELLS = {"pass": "pass", "fail": "FAIL", "not-assessed": "n/a", "manual": "manual"}


def _fleet(result: ScanResult, width: int) -> list[str]:
    """A fleet scan: one row per cluster, then controls x clusters."""
    fleet = result.fleet
    if not fleet:
        return []
    rows = []
    for c in fleet.get("clusters", []):
        if c.get("status") != "scanned":
            rows.append([safe_text(c.get("name")), "UNREACHABLE", "-", "-", "-", safe_text(c.get("error", ""))])
            continue
        scores = ", ".join(f"{fw} {percent_text(v.get('score'))}" for fw, v in sorted((c.get("frameworks") or {}).items()))
        rows.append([safe_text(c.get("name")), safe_text(c.get("version", "")), c.get("resources", 0), c.get("open_findings", 0), c.get("gaps", 0), scores])
    columns = [Column("CLUSTER", whole=True), Column("VERSION", whole=True), Column("RESOURCES", whole=True, right=True),
               Column("OPEN FINDINGS", whole=True, right=True), Column("GAPS", whole=True, right=True), Column("SCORES", floor=20)]
    lines = ["Fleet:"] + Table(columns, rows).fit(width) + [""]
    names = [safe_text(c.get("name")) for c in fleet.get("clusters", [])]
    raw_names = [c.get("name") for c in fleet.get("clusters", [])]
    matrix = [[safe_text(f"{cell['framework']} {cell['id']}"), *(STATUS_CELLS.get(cell["clusters"].get(n, ""), "-") for n in raw_names)] for cell in fleet.get("controls", [])]
    if matrix:
        columns = [Column("CONTROL", floor=20)] + [Column(name, whole=True) for name in names]
        lines += Table(columns, matrix).fit(width) + [""]
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


def render_table(result: ScanResult, max_rows: int = DEFAULT_MAX_ROWS, width: int | None = None) -> str:
    """The terminal report, ``width`` columns wide (default: the terminal's), at most ``max_rows`` findings (0: all)."""
    width = width or terminal_width()
    s = result.summary
    severities = s.get("open_findings_by_severity", {})
    status = s.get("findings_by_status", {})
    counts = ", ".join(f"{n} {sev}" for sev, n in severities.items() if n) or "none"
    skipped = sum(s.get("documents_skipped", {}).values())
    header = (
        f"kubecomply {result.scan.get('version', '')}: {s.get('resources', 0)} resources from {_source(result)}, "
        f"{s.get('checks', 0)} checks, engine {result.scan.get('engine', '')}"
    )
    lines = _prose(header, width, "", "  ")
    for line in provenance_lines(result.scan):
        lines += _prose(line, width, "  ")
    lines += [""]
    lines += _gaps(result, width)
    lines += _scope(result, width)
    lines += _findings(result, width, max_rows)
    lines += _fleet(result, width)
    lines += _waivers(result, width)
    lines += _baseline(result, width)
    lines += _changed_since(result, width)
    lines += _frameworks(result, width)
    lines += _gates(result, width)
    if s.get("scope") == "cluster":
        owned = ", ".join(f"{n} {kind}" for kind, n in sorted(s.get("skipped_owned", {}).items())) or "none"
        tail = f"left out as owned by a collected controller: {owned}"
    else:
        tail = f"documents skipped (not Kubernetes objects or empty): {skipped}"
    lines += _prose(
        f"Open findings: {status.get('fail', 0)} ({counts}); waived: {status.get('waived', 0)}; "
        + (f"baselined: {status.get('baselined', 0)}; " if "baselined" in status else "")
        + f"gaps: {len(result.gaps)}; {tail}",
        width, "", "  ",
    )
    return for_terminal("\n".join(lines) + "\n")
