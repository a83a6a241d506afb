"""Exit gates: which conditions make a scan fail a build, and which one did.

Three gates, each recorded in the result (``gates``) so every report can say
which one tripped, not only the exit code:

* ``fail-on SEVERITY``: an open finding (status ``fail``; not waived, not
  baselined) at or above the severity; exit 1;
* ``fail-under FRAMEWORK=SCORE``: a framework's score, in percent as the
  reports show it (``score_text.whole_percent``: the gate compares the very
  number its message and every report print), below the threshold; exit 1.  A framework with no assessed
  control has no score, and that trips the gate: "could not tell" is not a pass;
* ``fail-on-gaps``: anything not scanned (files not parsed, kinds not
  collected, checks that could not run); exit 2, because the scan was
  incomplete, which is what 2 means everywhere else.

Without any gate asked for, a scan is still incomplete (exit 2) when a kind or
a cluster could not be collected and that leaves a mapped control
``not-assessed`` (``--allow-gaps`` accepts it, as ``--allow-parse-errors`` does
for files): "most kinds were forbidden" must never read as a clean 0.

Exit 2 for an incomplete scan wins over 1 for findings; the reason line lists
every gate that tripped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..model import ScanResult, severity_rank
from ..score_text import percent_text, threshold_text, whole_percent

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_UNDER_PATTERN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*=\s*(\d+(?:\.\d+)?)\s*%?\s*$")


class GateError(Exception):
    """A gate that cannot be evaluated as written (unknown framework); one line."""


@dataclass
class GatePolicy:
    """The gates asked for on the command line."""

    fail_on: str = "low"
    fail_under: dict[str, float] = field(default_factory=dict)  # framework id -> minimum score in percent
    fail_on_gaps: bool = False


def parse_fail_under(values: tuple[str, ...] | list[str]) -> dict[str, float]:
    """``["soc2=80", "pss-restricted=92.5%"]`` -> ``{"soc2": 80.0, ...}``; raises ValueError naming the bad value."""
    out: dict[str, float] = {}
    for value in values:
        match = FAIL_UNDER_PATTERN.match(value)
        if not match:
            raise ValueError(f"{value!r} is not FRAMEWORK=SCORE (a percentage, e.g. soc2=80)")
        score = float(match.group(2))
        if score > 100:
            raise ValueError(f"{value!r}: the score is a percentage from 0 to 100")
        out[match.group(1)] = score
    return out


def check_frameworks(result: ScanResult, fail_under: dict[str, float]) -> None:
    """Every framework named in --fail-under must be in the result and have a score; a typo must not pass silently."""
    present = [fw.id for fw in result.frameworks]
    unknown = sorted(set(fail_under) - set(present))
    if unknown:
        raise GateError(f"--fail-under: unknown framework(s) {', '.join(unknown)}; this scan has: {', '.join(present) or 'none'}")
    unscored = sorted(fw.id for fw in result.frameworks if fw.id in fail_under and fw.scoring == "counts")
    if unscored:
        raise GateError(f"--fail-under: {', '.join(unscored)} is risk-based and reported as control counts, not a score")


def evaluate_gates(result: ScanResult, policy: GatePolicy) -> list[dict[str, Any]]:
    """Every gate asked for, whether it tripped and why, in a fixed order (fail-on, fail-under, fail-on-gaps)."""
    gates: list[dict[str, Any]] = []
    if policy.fail_on == "none":
        gates.append({"gate": "fail-on", "threshold": "none", "tripped": False, "detail": "--fail-on none"})
    else:
        threshold = severity_rank(policy.fail_on)
        failing = sum(1 for f in result.findings if f.status == "fail" and severity_rank(f.severity) <= threshold)
        detail = f"{failing} open finding(s) at or above {policy.fail_on}" if failing else f"no open findings at or above {policy.fail_on}"
        gates.append({"gate": "fail-on", "threshold": policy.fail_on, "tripped": bool(failing), "detail": detail})
    # Approved exceptions count as passed, as waived findings do not trip --fail-on.
    scores = {fw.id: fw.score_with_exceptions for fw in result.frameworks}
    for framework_id, minimum in sorted(policy.fail_under.items()):
        score = scores.get(framework_id)
        actual = None if score is None else whole_percent(score)
        if actual is None:
            detail, tripped = f"{framework_id} has no score (no control assessed), needs {threshold_text(minimum)}", True
        else:
            tripped = actual < minimum
            detail = f"{framework_id} score {percent_text(score)} {'<' if tripped else '>='} {threshold_text(minimum)}"
        gates.append({"gate": "fail-under", "framework": framework_id, "threshold": minimum, "score": actual, "tripped": tripped, "detail": detail})
    if policy.fail_on_gaps:
        count = len(result.gaps)
        gates.append({"gate": "fail-on-gaps", "tripped": bool(count), "detail": f"{count} gap(s): inputs or checks not assessed" if count else "no gaps"})
    return gates


def controls_left_by_collection_gaps(result: ScanResult) -> list[str]:
    """``framework/control`` of every not-assessed control one of whose checks lacked collected kinds.

    A check's ``not_collected`` is set when a kind it evaluates or reads was not
    collected (a ``kind`` gap), or a cluster of the fleet was not read at all.
    """
    uncollected = {c.id for c in result.checks if c.not_collected}
    if not uncollected:
        return []
    return [
        f"{fw.id} {control.id}"
        for fw in result.frameworks
        for control in fw.controls
        if control.status == "not-assessed" and uncollected.intersection(control.checks)
    ]


def _first(names: list[str], count: int) -> str:
    return ", ".join(names[:count]) + (f" and {len(names) - count} more" if len(names) > count else "")


def exit_code(
    result: ScanResult, policy: GatePolicy, allow_parse_errors: bool = False, allow_empty: bool = False, allow_gaps: bool = False
) -> tuple[int, str]:
    """0 clean, 1 a findings gate tripped, 2 the scan was incomplete; with the reason (naming the gates)."""
    check_gaps = [g for g in result.gaps if g.type == "check"]
    file_gaps = [g for g in result.gaps if g.type == "file"]
    resource_gaps = [g for g in result.gaps if g.type == "resource"]  # cluster objects the engine could not take
    gates = result.gates or evaluate_gates(result, policy)
    tripped = [g for g in gates if g["tripped"]]
    gap_gate = [g for g in tripped if g["gate"] == "fail-on-gaps"]
    if check_gaps:
        return EXIT_ERROR, f"{len(check_gaps)} check(s) could not run"
    if gap_gate:
        return EXIT_ERROR, f"gate: --fail-on-gaps: {gap_gate[0]['detail']}"
    if file_gaps and not allow_parse_errors:
        return EXIT_ERROR, f"{len(file_gaps)} file(s) could not be parsed (use --allow-parse-errors to accept)"
    if resource_gaps and not allow_parse_errors:
        return EXIT_ERROR, f"{len(resource_gaps)} resource(s) could not be evaluated (use --allow-parse-errors to accept)"
    left = [] if allow_gaps else controls_left_by_collection_gaps(result)
    if left:
        missing = sorted({g.kind or f"cluster {g.cluster}" for g in result.gaps if g.type in ("kind", "cluster")})
        return EXIT_ERROR, (
            f"{len(left)} mapped control(s) not assessed (e.g. {left[0]}): {len(missing)} kind(s) or cluster(s) could not be collected "
            f"({_first(missing, 4)}); use --allow-gaps to accept"
        )
    if not result.summary.get("resources") and not allow_empty:
        # Nothing was looked at: a clean exit here would read as "compliant".
        return EXIT_ERROR, "no Kubernetes resources found in the targets, nothing was checked (use --allow-empty to accept)"
    if tripped:
        if len(tripped) == 1 and tripped[0]["gate"] == "fail-on":
            return EXIT_FINDINGS, tripped[0]["detail"]
        return EXIT_FINDINGS, "; ".join(f"gate: {g['detail']}" for g in tripped)
    fail_on = next(g for g in gates if g["gate"] == "fail-on")
    return EXIT_OK, fail_on["detail"]
