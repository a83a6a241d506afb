"""What the auditor's report shows per control, per resource and per framework scope.

Plain values derived from the ScanResult alone, so the template only prints:
each control's checks (listed when few, summarised when many, the full list
then in an appendix so no table cell runs over a page), its population in
distinct resources, the inventory of every resource with its outcome per
framework (re-performable from the controls' population ranges), and the scope
statement (how much of each framework this tool evidences, the rest grouped by
reason).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Sequence

from ..model import ControlResult, FrameworkResult, ScanResult

# A control with more checks than this shows counts by status and the failing checks
# by name; its full list goes to the appendix.  Five fit one short cell.
CHECKS_INLINE = 5
FAILING_NAMED = 6
CHECK_STATUSES = ("fail", "pass-with-exceptions", "pass", "not-assessed")
# A resource's outcome in a framework, worst first: one failing control makes it fail.
RESOURCE_OUTCOMES = ("fail", "excepted", "pass", "not-applicable")
NOT_EVIDENCED_REASONS = ("organisational", "physical", "out-of-cluster", "not-applicable")
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def anchor(framework_id: str, control_id: str) -> str:
    """The HTML id of a control's row (no spaces: Pod Security Standards ids have them)."""
    return "ctl-" + _NOT_IN_ID.sub("-", f"{framework_id}-{control_id}")


def _checks(c: ControlResult) -> dict[str, Any]:
    """The control's checks with their own status: listed, or summarised with the failing ones named."""
    statuses = [(check, c.check_status.get(check, "")) for check in c.checks]
    counts = Counter(status for _, status in statuses)
    failing = [check for check, status in statuses if status == "fail"]
    return {
        "listed": statuses if len(statuses) <= CHECKS_INLINE else [],
        "summarised": len(statuses) > CHECKS_INLINE,
        "total": len(statuses),
        "counts": [(s, counts[s]) for s in CHECK_STATUSES if counts.get(s)] + [(s, n) for s, n in sorted(counts.items()) if s not in CHECK_STATUSES],
        "failing": failing[:FAILING_NAMED],
        "failing_more": max(0, len(failing) - FAILING_NAMED),
        "all": statuses,
    }


def control_rows(fw: FrameworkResult, resources_total: int) -> list[dict[str, Any]]:
    """One row per control: the result, its checks and its population (passed, failed, excepted, not applicable)."""
    rows = []
    for c in fw.controls:
        rows.append({
            "c": c,
            "anchor": anchor(fw.id, c.id),
            "checks": _checks(c),
            "population": None if c.status == "manual" or not c.checks else {
                "pass": c.resources_passed,
                "fail": c.resources_failed,
                "excepted": c.resources_excepted,
                "not-applicable": max(0, resources_total - c.resources_evaluated),
            },
        })
    return rows


def long_check_lists(frameworks: Sequence[FrameworkResult]) -> list[dict[str, Any]]:
    """The appendix of full check lists: every control whose checks the table only summarised."""
    out = []
    for fw in frameworks:
        for c in fw.controls:
            if len(c.checks) > CHECKS_INLINE:
                out.append({"framework": fw.id, "id": c.id, "anchor": anchor(fw.id, c.id), "checks": [(ch, c.check_status.get(ch, "")) for ch in c.checks]})
    return out


def resource_outcomes(fw: FrameworkResult, resources_total: int) -> list[str]:
    """Each resource's outcome in one framework, from its controls' population ranges (worst wins)."""
    return [RESOURCE_OUTCOMES[code] for code in _outcome_codes(fw, resources_total)]


def _outcome_codes(fw: FrameworkResult, resources_total: int) -> bytearray:
    """Each resource's outcome as an index into RESOURCE_OUTCOMES (lower is worse, and wins).

    Written range by range, best outcome first and worst last, so a later write
    always wins and no per-resource comparison is needed: at 100,000 resources
    and eight frameworks, expanding every range to a list of ints and comparing
    each was most of the inventory's cost.
    """
    codes = bytearray([RESOURCE_OUTCOMES.index("not-applicable")]) * resources_total
    for kind in ("pass", "excepted", "fail"):
        code = RESOURCE_OUTCOMES.index(kind)
        for c in fw.controls:
            for first, last in c.population.get(kind, []):
                first, last = max(0, first), min(resources_total - 1, last)
                if first <= last:
                    codes[first:last + 1] = bytes([code]) * (last - first + 1)
    return codes


def inventory(result: ScanResult, max_rows: int = 0) -> dict[str, Any]:
    """Every resource in scope with its outcome per framework, grouped by namespace then kind.

    With ``max_rows`` (0: no cap) below the number of resources, the resources
    are not listed one by one: each namespace and kind gets one row instead, with
    how many of its resources have each outcome per framework (at most
    ``max_rows`` such rows, the rest counted).  The totals stay exact either way,
    and the full list is the JSON result's ``resources`` with the controls'
    population ranges, which the integrity section's digest identifies.
    """
    total = len(result.resources)
    per_fw = [(fw.id, _outcome_codes(fw, total)) for fw in result.frameworks]
    tallies = [[codes.count(i) for i in range(len(RESOURCE_OUTCOMES))] for _, codes in per_fw]
    base = {"frameworks": [fw_id for fw_id, _ in per_fw], "tallies": tallies, "total": total}
    refs = [r.resource for r in result.resources]
    if max_rows and total > max_rows:
        return {**base, "listed": False, **_inventory_summary(refs, per_fw, max_rows)}
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for i, r in enumerate(result.resources):
        ref = r.resource
        groups.setdefault(ref.namespace or "", {}).setdefault(ref.kind, []).append({
            "index": i,
            "name": ref.name,
            "api_version": ref.apiVersion,
            "location": r.origin.label(),
            "outcomes": [RESOURCE_OUTCOMES[codes[i]] for _, codes in per_fw],
        })
    return {
        **base,
        "listed": True,
        "groups": [
            {"namespace": ns, "kinds": [(kind, sorted(rows, key=lambda r: r["name"])) for kind, rows in sorted(kinds.items())]}
            for ns, kinds in _ordered_namespaces(groups)
        ],
    }


def _ordered_namespaces(groups: dict[str, Any]) -> list[tuple[str, Any]]:
    """Namespaces by name, cluster-scoped resources (no namespace) last."""
    return sorted(groups.items(), key=lambda item: (item[0] == "", item[0]))


def _inventory_summary(refs: Sequence[Any], per_fw: Sequence[tuple[str, bytearray]], max_rows: int) -> dict[str, Any]:
    """One row per namespace and kind: its resources counted, and per framework how many have each outcome."""
    members: dict[str, dict[str, list[int]]] = {}
    for i, ref in enumerate(refs):
        members.setdefault(ref.namespace or "", {}).setdefault(ref.kind, []).append(i)
    rows = []
    for ns, kinds in _ordered_namespaces(members):
        for kind, indexes in sorted(kinds.items()):
            counts = []
            for _, codes in per_fw:
                seen = Counter(codes[i] for i in indexes)
                counts.append([seen.get(n, 0) for n in range(len(RESOURCE_OUTCOMES))])
            rows.append({"namespace": ns, "kind": kind, "resources": len(indexes), "outcomes": counts})
    shown = rows[:max_rows]
    return {
        "summary": shown,
        "summary_more": len(rows) - len(shown),
        "summary_more_resources": sum(r["resources"] for r in rows[len(shown):]),
    }


def scope_statement(fw: FrameworkResult) -> dict[str, Any]:
    """How many of the framework's controls this tool evidences, and the rest grouped by reason and note."""
    total = fw.scope.get("controls_total", len(fw.controls) + len(fw.not_evidenced))
    by_reason: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for n in fw.not_evidenced:
        key = (str(n.get("reason") or ""), str(n.get("note") or ""))
        by_reason.setdefault(key, []).append(n)
    order = {r: i for i, r in enumerate(NOT_EVIDENCED_REASONS)}
    groups = [
        {"reason": reason, "note": note, "controls": items}
        for (reason, note), items in sorted(by_reason.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0][1]))
    ]
    reasons = Counter(str(n.get("reason") or "") for n in fw.not_evidenced)
    return {
        "total": total,
        "in_scope": len(fw.controls),
        "not_evidenced": len(fw.not_evidenced),
        "by_automation": [(a, sum(1 for c in fw.controls if c.automation == a)) for a in ("automated", "partial", "manual")],
        "reasons": [(r, reasons[r]) for r in NOT_EVIDENCED_REASONS if reasons.get(r)] + [(r, n) for r, n in sorted(reasons.items()) if r not in NOT_EVIDENCED_REASONS],
        "groups": groups,
        "paraphrased": fw.title_source == "paraphrase" or any(n.get("title_source") == "paraphrase" for n in fw.not_evidenced),
    }
