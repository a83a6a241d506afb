"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers).

One rule per evaluated check, one result per finding.  Manifest findings carry
a physical location (the file, relative as scanned, and the line of the
offending field); every result also carries a logical location naming the
resource (``Kind/namespace/name``), which is all a cluster finding has.
Waived findings stay in the log as results with an external suppression and the
waiver's justification.  Gaps (files not parsed, checks that could not run,
kinds not collected) become tool execution notifications so an incomplete scan
never looks clean in a code scanning UI.

``partialFingerprints`` hash the check id, the resource identity (API group,
kind, namespace, name; not the API version, so a version bump does not reopen
an alert) and the field path, never the line: an alert follows its finding
when unrelated lines move.

Cost: the rules are built once per check and carry the framework controls as
tags; a result refers to its rule by index and carries only what is its own
(a finding's control map, the same for every finding of a check, is not
repeated in each).  The log is written as a stream of UTF-8 chunks: the run
without its results, then each result encoded on its own (scanner.jsonbytes),
so the results never exist as one list of dicts; the bytes are those of
``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`` of the whole log.
"""

from __future__ import annotations

import hashlib
from typing import Any, Iterator
from urllib.parse import quote

from ..jsonbytes import float_safe, pretty
from ..model import CheckInfo, CoverageGap, Finding, Origin, ScanResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "kubecomplyFinding/v1"

# SARIF has three levels for a problem; GitHub reads security-severity (0.0-10.0)
# into critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9) and low (0.1-3.9).
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}


def catalogue(result: ScanResult) -> list[CheckInfo]:
    """The checks of the result, sorted by id.

    Results written before the ``checks`` catalogue existed still name their
    checks in ``scan.checks`` and carry title, severity and remediation on each
    finding; those fill in what they can.
    """
    if result.checks:
        return sorted(result.checks, key=lambda c: c.id)
    by_id: dict[str, CheckInfo] = {}
    for check_id in result.scan.get("checks", []):
        by_id[check_id] = CheckInfo(id=check_id, title=check_id, severity="info")
    for f in result.findings:
        known = by_id.get(f.policy)
        if known is None or known.title == known.id:
            by_id[f.policy] = CheckInfo(id=f.policy, title=f.title or f.policy, severity=f.severity, remediation=f.remediation or "")
    return [by_id[k] for k in sorted(by_id)]


def controls_by_check(result: ScanResult) -> dict[str, list[str]]:
    """``framework:control`` tags per check, from the framework roll-up (findings only cover failing checks)."""
    tags: dict[str, set[str]] = {}
    for fw in result.frameworks:
        for control in fw.controls:
            for check in control.checks:
                tags.setdefault(check, set()).add(f"{fw.id}:{control.id}")
    seen: set[tuple[str, int]] = set()
    for f in result.findings:  # findings of a check share one control map: each map is read once
        key = (f.policy, id(f.controls))
        if key in seen:
            continue
        seen.add(key)
        for fw_id, controls in f.controls.items():
            tags.setdefault(f.policy, set()).update(f"{fw_id}:{c}" for c in controls)
    return {k: sorted(v) for k, v in tags.items()}


def artifact_uri(path: str) -> str:
    """A relative URI reference for a scanned path (absolute paths become file:// URIs)."""
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return "file://" + quote(posix, safe="/")
    if posix.startswith("./"):
        posix = posix[2:]
    return quote(posix, safe="/")


def fingerprint(f: Finding) -> str:
    """Stable across line moves: check, resource identity and field path (the message only when there is no path)."""
    group = f.resource.apiVersion.rsplit("/", 1)[0] if "/" in f.resource.apiVersion else ""
    parts = [f.policy, group, f.resource.kind, f.resource.namespace or "", f.resource.name, f.path or f"message:{f.message}"]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _pascal(check_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in check_id.replace("_", "-").split("-") if part)


def _rule(check: CheckInfo, tags: list[str]) -> dict[str, Any]:
    description = check.description or check.title
    help_text = description + (f"\n\nRemediation: {check.remediation}" if check.remediation else "")
    help_md = description + (f"\n\n**Remediation:** {check.remediation}" if check.remediation else "")
    if tags:
        help_md += "\n\n**Controls:** " + ", ".join(f"`{t}`" for t in tags)
    properties: dict[str, Any] = {
        "security-severity": SECURITY_SEVERITY.get(check.severity, "1.0"),
        "severity": check.severity,
        "tags": ["security", "kubernetes", "compliance", *tags],
        "precision": "high",
    }
    if check.references:
        properties["references"] = check.references
    if check.applies_to:
        properties["kinds"] = check.applies_to
    if not check.bundled:
        properties["custom"] = True
    return {
        "id": check.id,
        "name": _pascal(check.id),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": description},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": LEVELS.get(check.severity, "note")},
        "properties": properties,
    }


def _physical(origin: Origin, line: int | None) -> dict[str, Any] | None:
    if origin.type != "file" or not origin.path:
        return None
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(origin.path)}}
    if line and line > 0:
        physical["region"] = {"startLine": line}
    return physical


def _logical(f: Finding) -> dict[str, Any]:
    return {
        "name": f.resource.name,
        "fullyQualifiedName": f.resource.label(),
        "kind": "resource",
    }


def _result(f: Finding, rule_index: dict[str, int], justifications: dict[str, str], baselined_scan: bool = False) -> dict[str, Any]:
    location: dict[str, Any] = {"logicalLocations": [_logical(f)]}
    physical = _physical(f.origin, f.origin.line)
    if physical:
        location = {"physicalLocation": physical, **location}
    properties: dict[str, Any] = {
        "severity": f.severity,
        "status": f.status,
        "resource": f.resource.to_dict(),
    }
    if f.path:
        properties["fieldPath"] = f.path
    if f.origin.type == "cluster":
        properties["cluster"] = {k: v for k, v in (("context", f.origin.context), ("server", f.origin.server)) if v}
    out: dict[str, Any] = {
        "ruleId": f.policy,
        "level": LEVELS.get(f.severity, "note"),
        "message": {"text": f.message or f.title},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
        "properties": properties,
    }
    if f.policy in rule_index:
        out["ruleIndex"] = rule_index[f.policy]
    if baselined_scan and f.status in ("fail", "baselined"):
        # SARIF's own word for it: a finding accepted in the baseline is "unchanged", any other "new".
        out["baselineState"] = "unchanged" if f.status == "baselined" else "new"
    if f.status == "waived":
        suppression: dict[str, Any] = {"kind": "external", "status": "accepted"}
        justification = justifications.get(f.waiver or "")
        if justification:
            suppression["justification"] = justification
        if f.waiver:
            suppression["properties"] = {"waiver": f.waiver}
        out["suppressions"] = [suppression]
    return out


def _notification(gap: CoverageGap, rule_index: dict[str, int]) -> dict[str, Any]:
    level = "warning" if gap.type == "kind" else "error"
    note: dict[str, Any] = {"level": level, "message": {"text": gap.label()}, "descriptor": {"id": f"gap/{gap.type}"}}
    if gap.type == "file" and gap.path:
        physical = _physical(Origin(type="file", path=gap.path), gap.line)
        if physical:
            note["locations"] = [{"physicalLocation": physical}]
    elif gap.type == "check" and gap.check:
        note["associatedRule"] = {"id": gap.check, **({"index": rule_index[gap.check]} if gap.check in rule_index else {})}
        note["locations"] = [{"logicalLocations": [{"name": gap.check, "kind": "module"}]}]
    elif gap.type == "kind":
        name = "/".join(p for p in (gap.cluster, gap.apiVersion, gap.kind) if p)
        note["locations"] = [{"logicalLocations": [{"name": gap.kind or name, "fullyQualifiedName": name, "kind": "type"}]}]
    properties = {k: v for k, v in gap.to_dict().items() if k not in ("reason",)}
    note["properties"] = properties
    return note


def _skeleton(result: ScanResult) -> dict[str, Any]:
    checks = catalogue(result)
    tags = controls_by_check(result)
    rules = [_rule(c, tags.get(c.id, [])) for c in checks]
    rule_index = {c.id: i for i, c in enumerate(checks)}
    scan = result.scan
    invocation: dict[str, Any] = {
        # The tool ran every check it loaded; a file it could not parse or a check
        # that failed is reported below and makes the run unsuccessful.
        "executionSuccessful": not any(g.type in ("check", "file") for g in result.gaps),
        "toolExecutionNotifications": [_notification(g, rule_index) for g in result.gaps] + [
            # Checks left out on purpose (their --data is missing): not a failure of the run.
            {
                "level": "note",
                "message": {"text": f"{c.id} was not run: {c.not_run}"},
                "descriptor": {"id": "check/not-run"},
                "associatedRule": {"id": c.id, "index": rule_index[c.id]},
            }
            for c in checks
            if c.not_run
        ],
    }
    if scan.get("started"):
        invocation["startTimeUtc"] = scan["started"]
    if scan.get("finished"):
        invocation["endTimeUtc"] = scan["finished"]
    run_properties = {
        k: scan[k]
        for k in ("policy_bundle", "engine", "engine_version", "source", "targets", "frameworks", "frameworks_selected")
        if scan.get(k) is not None
    }
    run_properties["schema_version"] = result.schema_version
    run_properties["summary"] = {
        "resources": result.summary.get("resources", 0),
        "findings_by_status": result.summary.get("findings_by_status", {}),
        "gaps": len(result.gaps),
    }
    run_properties["frameworkScores"] = [
        {
            "id": fw.id, "score": fw.score, "scoreWithExceptions": fw.score_with_exceptions, "scoring": fw.scoring,
            "coverage": fw.coverage, "counts": fw.counts, "controlsTotal": fw.scope.get("controls_total", len(fw.controls)),
        }
        for fw in result.frameworks
    ]
    driver: dict[str, Any] = {
        "name": "kubecomply",
        "rules": rules,
    }
    if scan.get("version"):
        driver["version"] = str(scan["version"])
        driver["semanticVersion"] = str(scan["version"])
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "results": [],  # filled by to_sarif, or streamed by sarif_chunks
        "columnKind": "unicodeCodePoints",
        "properties": run_properties,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _log(result: ScanResult) -> tuple[dict[str, Any], Any]:
    """The log without its results, and a generator of the results in finding order."""
    log = _skeleton(result)
    rule_index = {rule["id"]: i for i, rule in enumerate(log["runs"][0]["tool"]["driver"]["rules"])}
    justifications = {w.id: w.justification for w in result.waivers}
    baselined = result.baseline is not None
    return log, (_result(f, rule_index, justifications, baselined) for f in result.findings)


def to_sarif(result: ScanResult) -> dict[str, Any]:
    """The whole SARIF log as one document (tests, and callers that want the dicts)."""
    log, results = _log(result)
    log["runs"][0]["results"] = list(results)
    return log


# Stands for the results in the encoded run; the results are spliced in at its line.
_RESULTS_MARK = "\x00kubecomply-sarif-results\x00"


def sarif_chunks(result: ScanResult) -> Iterator[bytes]:
    """The SARIF log as UTF-8 chunks whose concatenation is ``render_sarif``'s bytes.

    The run is encoded with one placeholder result; each result is then
    encoded alone, re-indented to its depth, and written in the
    placeholder's place.  JSON strings hold no raw newline, so re-indenting
    every newline of a result's bytes is exact.
    """
    if not result.findings:  # an empty list is written "[]": nothing to splice
        yield pretty(to_sarif(result))
        return
    log, results = _log(result)
    log["runs"][0]["results"] = [_RESULTS_MARK]
    head = pretty(log)  # small: rules, invocation, properties (its floats are checked there)
    mark = pretty(_RESULTS_MARK)[:-1]
    at = head.index(mark)
    line_start = head.rindex(b"\n", 0, at) + 1
    indent = head[line_start:at]
    newline = b"\n" + indent
    yield head[:line_start]
    separator = indent
    for item in results:
        checked = float_safe(item["properties"]["resource"].get("uid"))  # the only value a result does not type
        yield separator + pretty(item, checked)[:-1].replace(b"\n", newline)
        separator = b",\n" + indent
    yield head[at + len(mark):]


def render_sarif(result: ScanResult) -> bytes:
    return b"".join(sarif_chunks(result))
