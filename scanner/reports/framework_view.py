"""``kubecomply framework show``: what a framework's controls rest on, and how they fared last time.

An auditor's first question about a control is "what gives evidence for it?",
the second "and what did the last scan say?".  Both answers come from data we
already have: the mapping (checks, automation, human evidence) and, when the
user passes one, a saved JSON result, so no rescan is needed.
"""

from __future__ import annotations

from typing import Sequence

from tabulate import tabulate

from ..compliance.frameworks import Control, Framework
from ..model import ControlResult, Policy, ScanResult

FINDINGS_SHOWN = 20


def _last_results(result: ScanResult | None, framework_id: str) -> dict[str, ControlResult] | None:
    if result is None:
        return None
    for fw in result.frameworks:
        if fw.id == framework_id:
            return {c.id: c for c in fw.controls}
    return {}


def render_framework(fw: Framework, controls: Sequence[Control], result: ScanResult | None) -> str:
    """One row per control; with a result, its status in that scan."""
    last = _last_results(result, fw.id)
    lines = [f"{fw.id}: {fw.title} ({fw.version})", ""]
    if last == {}:
        lines += [f"The results file has no roll-up for {fw.id} (the scan was narrowed with --framework).", ""]
    headers = ["CONTROL", "TITLE", "AUTOMATION", "CHECKS"]
    rows = []
    for c in controls:
        row = [c.id, f"{c.title} ({c.title_en})" if c.title_en else c.title, c.automation, ", ".join(c.checks) or "-"]
        if last:
            row.append(last[c.id].status_label() if c.id in last else "not in result")
        rows.append(row)
    if last:
        headers.append("LAST RESULT")
    lines.append(tabulate(rows, headers=headers, tablefmt="simple", maxcolwidths=[None, 40, None, 60, None]))
    return "\n".join(lines) + "\n"


def render_control(fw: Framework, control: Control, checks: dict[str, Policy], result: ScanResult | None, results_name: str | None) -> str:
    """Everything about one control: the checks behind it, the human evidence it needs, the last verdict."""
    title = f"{control.title} ({control.title_en})" if control.title_en else control.title
    lines = [f"{fw.id} {control.id}: {title}", f"Framework: {fw.title} ({fw.version})", f"Automation: {control.automation}"]
    if control.description:
        lines.append(f"Why: {' '.join(control.description.split())}")
    if control.manual_evidence:
        lines.append(f"Human evidence needed: {' '.join(control.manual_evidence.split())}")
    lines.append("")
    if control.checks:
        rows = []
        for check_id in control.checks:
            policy = checks.get(check_id)
            rows.append([check_id, policy.severity if policy else "?", policy.title if policy else "(not loaded)"])
        lines += ["Checks that give evidence:", tabulate(rows, headers=["CHECK", "SEVERITY", "TITLE"], tablefmt="simple", maxcolwidths=[None, None, 60]), ""]
    else:
        lines += ["No automated check gives evidence for this control.", ""]
    last = _last_results(result, fw.id)
    if last is None:
        lines.append("Last result: pass --results FILE (a JSON result) to see how this control fared.")
        return "\n".join(lines) + "\n"
    scanned = (result.scan.get("finished") or result.scan.get("started") or "unknown time") if result else ""
    outcome = last.get(control.id)
    if outcome is None:
        lines.append(f"Last result ({results_name}, {scanned}): this control is not in the result")
        return "\n".join(lines) + "\n"
    lines.append(f"Last result ({results_name}, {scanned}): {outcome.status_label()}")
    if outcome.reason:
        lines.append(f"  reason: {outcome.reason}")
    if outcome.status != "manual":
        lines.append(
            f"  population (distinct resources): {outcome.resources_evaluated} evaluated, {outcome.resources_passed} passed, "
            f"{outcome.resources_failed} failed, {outcome.resources_excepted} passed only through exceptions"
        )
    for check_id, status in outcome.check_status.items():
        lines.append(f"  check {check_id}: {status}")
    if outcome.waivers:
        lines.append(f"  exceptions (exception register): {', '.join(outcome.waivers)}")
    if outcome.findings and result is not None:
        rows = []
        for index in outcome.findings[:FINDINGS_SHOWN]:
            f = result.findings[index]
            rows.append([f.severity.upper(), f.policy, f.resource.label(), f.origin.label(), f.message])
        lines += ["", f"Findings behind the failure ({len(outcome.findings)}):"]
        lines.append(tabulate(rows, headers=["SEVERITY", "CHECK", "RESOURCE", "LOCATION", "MESSAGE"], tablefmt="simple", maxcolwidths=[None, None, 40, 40, 60]))
        if len(outcome.findings) > FINDINGS_SHOWN:
            lines.append(f"... and {len(outcome.findings) - FINDINGS_SHOWN} more (see the JSON result)")
    return "\n".join(lines) + "\n"
