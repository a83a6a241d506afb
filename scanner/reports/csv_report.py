"""CSV for auditors who live in spreadsheets: the findings, or (``--csv-controls``) the per-control table.

Written with the csv module (RFC 4180 quoting, CRLF line ends), UTF-8.  A
spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
tab or carriage return) as a formula, and manifests are untrusted input, so
such text values get a leading single quote (OWASP's advice against CSV
injection).  Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from ..model import ScanResult

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

FINDING_COLUMNS = [
    "severity", "check", "title", "status", "apiVersion", "kind", "namespace", "name",
    "file", "line", "field_path", "message", "controls", "waiver", "waiver_justification", "remediation",
]
CONTROL_COLUMNS = [
    "framework", "framework_version", "control", "title", "automation", "status", "manual_evidence_pending", "reason",
    "checks", "resources_evaluated", "resources_passed", "resources_failed", "resources_excepted", "open_findings",
    "waivers", "manual_evidence",
]


def safe_cell(value: Any) -> Any:
    """Neutralise formula triggers in text; leave numbers alone."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _write(columns: list[str], rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def _controls(controls: dict[str, list[str]]) -> str:
    return ";".join(f"{fw}:{c}" for fw, ids in sorted(controls.items()) for c in ids)


def render_csv(result: ScanResult) -> str:
    """One row per finding, in the result's order (severity, check, resource, origin)."""
    waivers = {w.id: w for w in result.waivers}
    rows = []
    for f in result.findings:
        waiver = waivers.get(f.waiver or "")
        origin = f.origin
        where = origin.path if origin.type in ("file", "stdin") else (origin.context or origin.server or "")
        rows.append([
            f.severity, f.policy, f.title, f.status,
            f.resource.apiVersion, f.resource.kind, f.resource.namespace or "", f.resource.name,
            where, origin.line if origin.line else "", f.path or "", f.message,
            _controls(f.controls), f.waiver or "", waiver.justification if waiver else "", f.remediation or "",
        ])
    return _write(FINDING_COLUMNS, rows)


def render_csv_controls(result: ScanResult) -> str:
    """One row per framework control: status, reason, evidence counts."""
    rows = []
    for fw in result.frameworks:
        for c in fw.controls:
            rows.append([
                fw.id, fw.version, c.id, c.title, c.automation, c.status, "yes" if c.manual_evidence_pending else "", c.reason or "",
                ";".join(c.checks), c.resources_evaluated, c.resources_passed, c.resources_failed, c.resources_excepted, len(c.findings),
                ";".join(c.waivers), c.manual_evidence or "",
            ])
    return _write(CONTROL_COLUMNS, rows)
