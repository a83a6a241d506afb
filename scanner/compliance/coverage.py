"""What each check actually saw: how many resources, which failed, and why it did not run.

The roll-up (``frameworks.roll_up``) turns this into control status, so this
is where "did not look" is kept apart from "looked and found nothing": a check
that failed to run, was left out for missing ``--data``, or needed a kind that
was not collected carries the reason, and its controls are not assessed.
"""

from __future__ import annotations

from collections import Counter
from typing import Mapping, Sequence

from ..model import VIOLATION_STATUSES, Finding, Policy, Resource
from ..policies import ALL_KINDS
from .frameworks import CheckCoverage


def coverage_by_check(
    policies: Sequence[Policy],
    not_run: Mapping[str, str],
    failed_checks: Mapping[str, str],
    resources: Sequence[Resource],
    findings: Sequence[Finding],
    behind: Sequence[Resource],
    not_applicable: Mapping[str, set[int]] | None = None,
) -> dict[str, CheckCoverage]:
    """Per check: its population (resources of its kinds where its ``applies`` holds), what failed, and why it did not run.

    ``behind[i]`` is the resource of ``findings[i]``; ``not_run`` are checks
    left out on purpose, ``failed_checks`` those the engine could not run;
    ``not_applicable`` the indexes (into ``resources``) outside each check's
    population.  Resources are told apart by identity (``id``), so a
    population counts distinct resources.
    """
    kinds = Counter(r.kind for r in resources)
    outside = not_applicable or {}
    coverage = {}
    for policy in policies:
        of_kinds = sum(kinds.values()) if ALL_KINDS in policy.kinds else sum(kinds[k] for k in policy.kinds)
        reason = not_run.get(policy.id)
        excluded = {id(resources[i]) for i in outside.get(policy.id, ())}
        coverage[policy.id] = CheckCoverage(
            evaluated=0 if reason else of_kinds - len(excluded), error=failed_checks.get(policy.id), not_run=reason,
            not_applicable=set() if reason else excluded, population=policy.population,
        )
    for finding, resource in zip(findings, behind):
        cov = coverage[finding.policy]
        if finding.status in VIOLATION_STATUSES:
            cov.failed_resources.add(id(resource))
        elif finding.status == "waived":
            cov.excepted_resources.add(id(resource))
        # A resource with a violation was evaluated, whatever its applies rule said.
        if id(resource) in cov.not_applicable:
            cov.not_applicable.discard(id(resource))
            cov.evaluated += 1
    return coverage


def withhold_blind(
    findings: list[Finding], behind: list[Resource], policies: Sequence[Policy], missing: Mapping[str, str]
) -> tuple[list[Finding], list[Resource], Counter[str]]:
    """Leave out the findings of checks that look up (``custom.reads``) a kind that was not collected.

    Such a finding was judged without that kind: namespace-network-policy, with
    NetworkPolicies forbidden, finds every namespace "without a NetworkPolicy".
    Unlike a finding on an object that was collected, it is not evidence; the
    check is not assessed instead, and the count withheld is in its reason.
    """
    blind = {p.id for p in policies if any(k in missing for k in p.reads)}
    withheld: Counter[str] = Counter(f.policy for f in findings if f.policy in blind)
    if not withheld:
        return findings, behind, withheld
    kept = [(f, r) for f, r in zip(findings, behind) if f.policy not in blind]
    return [f for f, _r in kept], [r for _f, r in kept], withheld


def mark_not_collected(
    coverage: dict[str, CheckCoverage], policies: Sequence[Policy], missing: Mapping[str, str], withheld: Mapping[str, int] | None = None
) -> None:
    """Checks that evaluate or read a kind that was not collected are not assessed, with the reason."""
    for policy in policies:
        kinds = sorted(missing) if ALL_KINDS in policy.kinds else [k for k in (*policy.kinds, *policy.reads) if k in missing]
        if kinds:
            # The short reason ("403 forbidden"); the kind gap carries the server's full message.
            reason = "; ".join(f"kind {k} was not collected ({missing[k].split(':', 1)[0]})" for k in kinds)
            if withheld and withheld.get(policy.id):
                reason += f"; {withheld[policy.id]} finding(s) judged without it withheld"
            coverage[policy.id].not_collected = reason


def merge_coverage(
    parts: Sequence[tuple[str, dict[str, CheckCoverage] | None, str | None]], policies: Sequence[Policy], not_run: Mapping[str, str]
) -> dict[str, CheckCoverage]:
    """One coverage over the parts of a scan: (name, coverage, error), coverage None where the part could not be read.

    A check is not assessed for the whole where any part could not be read or
    did not collect a kind the check needs; with several parts (a fleet) the
    reason names the cluster.
    """
    merged = {p.id: CheckCoverage(population=p.population) for p in policies}
    unreadable = [(name, error) for name, coverage, error in parts if coverage is None]
    for check, cov in merged.items():
        notes = []
        for name, part_coverage, _error in parts:
            part = part_coverage.get(check) if part_coverage is not None else None
            if part is None:
                continue
            cov.evaluated += part.evaluated
            cov.failed_resources |= part.failed_resources
            cov.excepted_resources |= part.excepted_resources
            cov.not_applicable |= part.not_applicable
            cov.error = cov.error or part.error
            cov.not_run = cov.not_run or part.not_run
            if part.not_collected:
                notes.append(part.not_collected if len(parts) == 1 else f"cluster {name}: {part.not_collected}")
        notes += [f"cluster {name} was not scanned ({error})" for name, error in unreadable]
        cov.not_collected = "; ".join(notes) or None
        cov.not_run = cov.not_run or not_run.get(check)
    return merged
