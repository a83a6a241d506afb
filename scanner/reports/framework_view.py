"""``kubecomply framework show``: what a framework's controls rest on, and how they fared last time.

An auditor's first question about a control is "what gives evidence for it?",
the second "and what did the last scan say?".  Both answers come from data we
already have: the mapping (checks, automation, human evidence) and, when the
user passes one, a saved JSON result, so no rescan is needed.
"""

from __future__ import annotations

from typing import Sequence

from ..compliance.frameworks import Control, Framework
from ..model import ControlResult, Policy, ScanResult
from ..textsafe import safe_text
from .columns import Column, Table, terminal_width, wrap_line

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
    lines = wrap_line(f"{fw.id}: {fw.title} ({fw.version})", terminal_width(), "", "  ") + [""]
    if last == {}:
        lines += [f"The results file has no roll-up for {fw.id} (the scan was narrowed with --framework).", ""]
    columns = [Column("CONTROL", whole=True), Column("TITLE", floor=20, priority=0), Column("AUTOMATION", whole=True), Column("CHECKS", whole_words=True, priority=1)]
    rows = []
    for c in controls:
        row = [safe_text(c.id), safe_text(f"{c.title} ({c.title_en})" if c.title_en else c.title), c.automation, ", ".join(c.checks) or "-"]
        if last:
            row.append(last[c.id].status_label() if c.id in last else "not in result")
        rows.append(row)
    if last:
        columns.append(Column("LAST RESULT", floor=12, priority=2))
    lines += Table(columns, rows).fit(terminal_width())
    return "\n".join(lines) + "\n"


def render_control(fw: Framework, control: Control, checks: dict[str, Policy], result: ScanResult | None, results_name: str | None) -> str:
    """Everything about one control: the checks behind it, the human evidence it needs, the last verdict."""
    width = terminal_width()
    title = f"{control.title} ({control.title_en})" if control.title_en else control.title
    lines = wrap_line(f"{fw.id} {control.id}: {title}", width, "", "  ") + wrap_line(f"Framework: {fw.title} ({fw.version})", width, "", "  ")
    lines.append(f"Automation: {control.automation}")
    if control.description:
        lines += wrap_line(f"Why: {' '.join(control.description.split())}", width, "", "  ")
    if control.manual_evidence:
        lines += wrap_line(f"Human evidence needed: {' '.join(control.manual_evidence.split())}", width, "", "  ")
    lines.append("")
    if control.checks:
        rows = []
        for check_id in control.checks:
            policy = checks.get(check_id)
            rows.append([check_id, policy.severity if policy else "?", policy.title if policy else "(not loaded)"])
        table = Table([Column("CHECK", whole=True), Column("SEVERITY", whole=True), Column("TITLE", floor=20)], rows)
        lines += ["Checks that give evidence:", *table.fit(terminal_width()), ""]
    else:
        lines += ["No automated check gives evidence for this control.", ""]
    last = _last_results(result, fw.id)
    if last is None:
        lines += wrap_line("Last result: pass --results FILE (a JSON result) to see how this control fared.", width, "", "  ")
        return "\n".join(lines) + "\n"
    scanned = (result.scan.get("finished") or result.scan.get("started") or "unknown time") if result else ""
    outcome = last.get(control.id)
    if outcome is None:
        lines += wrap_line(safe_text(f"Last result ({results_name}, {scanned}): this control is not in the result"), width, "", "  ")
        return "\n".join(lines) + "\n"
    lines += wrap_line(safe_text(f"Last result ({results_name}, {scanned}): {outcome.status_label()}"), width, "", "  ")
    if outcome.reason:
        lines += wrap_line(f"reason: {outcome.reason}", width, "  ", "    ")
    if outcome.status != "manual":
        lines += wrap_line(
            f"population (distinct resources): {outcome.resources_evaluated} evaluated, {outcome.resources_passed} passed, "
            f"{outcome.resources_failed} failed, {outcome.resources_excepted} passed only through exceptions",
            width, "  ", "    ",
        )
    for check_id, status in outcome.check_status.items():
        lines += wrap_line(f"check {check_id}: {status}", width, "  ", "    ")
    if outcome.waivers:
        lines += wrap_line(safe_text(f"exceptions (exception register): {', '.join(outcome.waivers)}"), width, "  ", "    ")
    if outcome.findings and result is not None:
        rows = []
        for index in outcome.findings[:FINDINGS_SHOWN]:
            f = result.findings[index]
            rows.append([f.severity.upper(), safe_text(f.policy), f"{safe_text(f.resource.label())}\n{safe_text(f.origin.label())}", safe_text(f.message)])
        lines += ["", f"Findings behind the failure ({len(outcome.findings)}):"]
        table = Table([Column("SEVERITY", whole=True), Column("CHECK", whole=True), Column("RESOURCE / LOCATION", floor=24), Column("MESSAGE", floor=30, priority=1)], rows)
        lines += table.fit(terminal_width())
        if len(outcome.findings) > FINDINGS_SHOWN:
            lines.append(f"... and {len(outcome.findings) - FINDINGS_SHOWN} more (see the JSON result)")
    return "\n".join(lines) + "\n"
