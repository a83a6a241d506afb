"""Populations in one unit: distinct resources, per check, per control and per resource.

An auditor re-performs a control by looking at the resources it is about: the
population (every resource in scope of its checks), and which of them failed,
passed only through an approved exception, or passed.  Counts here are always
distinct resources, never check x resource pairs, so a control's counts can
never exceed the resources scanned.

Resources are numbered by their place in ``ScanResult.resources`` (sorted by
kind first, so the resources of one kind are one run of numbers), and the
lists are written as inclusive ``[first, last]`` ranges: a population of
100,000 passing resources is a handful of ranges, not 100,000 numbers.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from ..model import Policy, Resource
from ..policies import ALL_KINDS
from .frameworks import CheckCoverage

OUTCOMES = ("fail", "excepted", "pass")


def as_ranges(indexes: Iterable[int], shared: Callable[[int], int] = int) -> list[list[int]]:
    """Sorted indexes as inclusive [first, last] runs: [1, 2, 3, 7] -> [[1, 3], [7, 7]].

    ``shared`` gives the int object to store for an index (Populations shares them).
    """
    runs: list[list[int]] = []
    for i in sorted(indexes):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = shared(i)
        else:
            i = shared(i)
            runs.append([i, i])
    return runs


def expand_ranges(runs: Iterable[Sequence[int]]) -> list[int]:
    """The inverse of as_ranges, for readers of a result."""
    return [i for first, last in runs for i in range(first, last + 1)]


@dataclass
class CheckPopulation:
    """One check's population, by index into the scanned resources."""

    kinds: frozenset[str] | None  # None: every kind
    failed: set[int] = field(default_factory=set)
    excepted: set[int] = field(default_factory=set)  # only waived violations (failed ones removed)
    not_applicable: set[int] = field(default_factory=set)
    counted: bool = True  # False: the check did not run, so it has no population to speak of


@dataclass
class ControlPopulation:
    resources: int = 0
    failed: int = 0
    excepted: int = 0
    passed: int = 0
    lists: dict[str, list[list[int]]] = field(default_factory=dict)  # outcome -> index ranges


class Populations:
    """Every check's population over the sorted resources of one result."""

    def __init__(self, kinds: Sequence[str], checks: Mapping[str, CheckPopulation]):
        self.kinds = list(kinds)  # kind of each resource, in result order
        self.checks = dict(checks)
        self.runs: dict[str, tuple[int, int]] = {}  # kind -> [start, end) in result order
        # Range ends as shared int objects (one per resource, not two per range), and one
        # population per distinct set of checks: controls that map the same checks (and a
        # check's own population) share their lists.  With failures spread over 100,000
        # resources the ranges are millions; these halve what they hold.
        self._shared: dict[int, int] = {}
        self._controls: dict[tuple[str, ...], ControlPopulation] = {}
        for i, kind in enumerate(self.kinds):
            start, _end = self.runs.get(kind, (i, i))
            self.runs[kind] = (start, i + 1)

    @classmethod
    def build(cls, resources: Sequence[Resource], policies: Sequence[Policy], coverage: Mapping[str, CheckCoverage]) -> "Populations":
        """From resources already in result order and the coverage (which names resources by id())."""
        index = {id(r): i for i, r in enumerate(resources)}
        checks = {}
        for policy in policies:
            cov = coverage.get(policy.id)
            if cov is None:
                continue
            failed = {index[k] for k in cov.failed_resources if k in index}
            checks[policy.id] = CheckPopulation(
                kinds=None if ALL_KINDS in policy.kinds else frozenset(policy.kinds),
                failed=failed,
                excepted={index[k] for k in cov.excepted_resources if k in index} - failed,
                not_applicable={index[k] for k in cov.not_applicable if k in index},
                counted=not cov.not_run,
            )
        return cls([r.kind for r in resources], checks)

    def _runs(self, kinds: frozenset[str] | None) -> list[tuple[int, int]]:
        if kinds is None:
            return [(0, len(self.kinds))] if self.kinds else []
        return sorted(self.runs[k] for k in kinds if k in self.runs)

    def _covers(self, check: CheckPopulation, i: int) -> bool:
        return check.kinds is None or self.kinds[i] in check.kinds

    def _int(self, i: int) -> int:
        got = self._shared.get(i)
        if got is None:
            got = self._shared[i] = i
        return got

    def control(self, check_ids: Sequence[str]) -> ControlPopulation:
        """A control's population: resources in the population of any of its checks; worst outcome wins.

        The same object for the same checks: callers read it, never change it.
        """
        key = tuple(sorted({c for c in check_ids if c in self.checks and self.checks[c].counted}))
        if not key:
            return ControlPopulation()
        found = self._controls.get(key)
        if found is None:
            found = self._controls[key] = self._control([self.checks[c] for c in key])
        return found

    def _control(self, checks: list[CheckPopulation]) -> ControlPopulation:
        kinds: frozenset[str] | None = frozenset()
        for check in checks:
            kinds = None if kinds is None or check.kinds is None else kinds | check.kinds
        failed = set().union(*(c.failed for c in checks))
        excepted = set().union(*(c.excepted for c in checks)) - failed
        # Outside the control's population: outside the population of every check that evaluates its kind.
        outside = {
            i for i in set().union(*(c.not_applicable for c in checks))
            if all(i in c.not_applicable for c in checks if self._covers(c, i))
        } - failed - excepted
        runs = self._runs(kinds)
        total = sum(end - start for start, end in runs) - len(outside)
        taken = sorted(failed | excepted | outside)
        passing: list[list[int]] = []
        for start, end in runs:
            cut = taken[bisect_left(taken, start):bisect_left(taken, end)]
            at = start
            for i in cut + [end]:
                if i > at:
                    passing.append([self._int(at), self._int(i - 1)])
                at = i + 1
        population = ControlPopulation(total, len(failed), len(excepted), total - len(failed) - len(excepted))
        population.lists = {
            k: v for k, v in (("fail", as_ranges(failed, self._int)), ("excepted", as_ranges(excepted, self._int)), ("pass", passing)) if v
        }
        return population

    def check(self, check_id: str) -> ControlPopulation:
        return self.control([check_id])

    def outcomes(self) -> list[dict[str, int]]:
        """Per resource: how many checks failed, were excepted, passed on it, or did not apply to it."""
        counts = [{"fail": 0, "excepted": 0, "pass": 0, "not-applicable": 0} for _ in self.kinds]
        per_kind: dict[str, int] = {}
        every = 0
        for check in self.checks.values():
            if not check.counted:
                continue
            if check.kinds is None:
                every += 1
            else:
                for kind in check.kinds:
                    per_kind[kind] = per_kind.get(kind, 0) + 1
            for key, found in (("fail", check.failed), ("excepted", check.excepted), ("not-applicable", check.not_applicable)):
                for i in found:
                    counts[i][key] += 1
        for i, kind in enumerate(self.kinds):
            entry = counts[i]
            entry["pass"] = every + per_kind.get(kind, 0) - entry["fail"] - entry["excepted"] - entry["not-applicable"]
        return counts
