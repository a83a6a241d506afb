"""Live clusters and evidence snapshots as sources of a scan; a fleet is several clusters.

A fleet's clusters are collected concurrently (at most four at once) and each
becomes its own part, so each is evaluated with only its own resources in
``data.inventory``.  A fleet member that cannot be read is a part with an
error (and a ``cluster`` gap), not the end of the scan; a single cluster that
cannot be read is a ClusterError, as there is nothing left to scan.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from scanner import progress
from scanner.model import CoverageGap
from scanner.threads import map_threads
from scanner.sources import Part, Reading
from scanner.sources.cluster import ClusterCollection, ClusterError, ClusterOptions, collect, connect, required_kinds

if TYPE_CHECKING:
    from scanner.policies import PolicySet


@dataclass(frozen=True)
class ClusterTarget:
    """One cluster to scan: a kubeconfig context (None: the current one)."""

    context: str | None = None
    kubeconfig: str | None = None
    in_cluster: bool | None = None


def collect_target(target: ClusterTarget, policies: "PolicySet", options: ClusterOptions) -> ClusterCollection:
    """Connect and collect what ``policies`` need from one cluster; ClusterError when it cannot be used at all."""
    kinds, explicit = required_kinds(policies.policies)
    conn = connect(target.kubeconfig, target.context, target.in_cluster)
    try:
        return collect(conn, kinds, explicit, options)
    finally:
        conn.close()


def collect_targets(targets: Sequence[ClusterTarget], policies: "PolicySet", options: ClusterOptions) -> list[ClusterCollection | ClusterError]:
    """Every target, concurrently (at most four clusters at once); failures are returned, not raised."""

    fleet = len(targets) > 1

    def one(target: ClusterTarget) -> ClusterCollection | ClusterError:
        started = time.monotonic()
        outcome: ClusterCollection | ClusterError
        try:
            outcome = collect_target(target, policies, options)
        except ClusterError as exc:
            outcome = exc
        progress.active().advance(clusters=1)
        if fleet:  # a line as each cluster finishes, so a slow or dead one shows while the others go on
            progress.event(cluster_line(target, outcome, time.monotonic() - started))
        return outcome

    # Daemon threads: Ctrl-C ends the scan at once instead of waiting for every request in flight.
    return map_threads(one, targets, min(4, len(targets)), name="cluster")


def cluster_line(target: ClusterTarget, outcome: ClusterCollection | ClusterError, elapsed: float) -> str:
    """``cluster prod-eu: ok, 12,345 objects in 3.2 s``, ``..: 2 gaps, ...`` or ``..: failed: <reason>``."""
    if isinstance(outcome, ClusterError):
        return f"cluster {target.context or 'current-context'}: failed: {outcome} ({progress.seconds(elapsed)})"
    gaps = len(outcome.gaps)
    state = "ok" if not gaps else f"{gaps} gap{'s' if gaps != 1 else ''}"
    name = outcome.context or outcome.server
    listed = len(outcome.objects) + sum(outcome.skipped_owned.values())  # as the collection phase counts them
    kinds = len(outcome.collected_kinds)
    return f"cluster {name}: {state}, {progress.counted(listed, 'objects')}, {progress.counted(kinds, 'kinds')} in {progress.seconds(elapsed)}"


def collection_part(collection: ClusterCollection) -> Part:
    """One collected cluster as a part: its resources, kind gaps and what the fleet view shows of it."""
    return Part(
        name=collection.context or collection.server,
        resources=collection.resources(),
        gaps=list(collection.gaps),
        missing_kinds=collection.missing_kinds(),
        facts={"context": collection.context, "server": collection.server, "version": collection.version,
               "collected_at": collection.collected_at, "gaps": len(collection.gaps), "cluster_uid": collection.cluster_uid},
    )


def clusters_reading(outcomes: Sequence[ClusterCollection | ClusterError], targets: Sequence[ClusterTarget], source: str = "cluster") -> Reading:
    """Collected clusters (and the errors of those that could not be read) as one reading."""
    parts: list[Part] = []
    scan_targets: list[dict[str, Any]] = []
    skipped: Counter[str] = Counter()
    not_served: set[str] = set()
    for target, outcome in zip(targets, outcomes):
        if isinstance(outcome, ClusterError):
            name = target.context or "current-context"
            parts.append(Part(name=name, error=str(outcome), gaps=[CoverageGap(type="cluster", cluster=name, reason=str(outcome))]))
            scan_targets.append({"type": "cluster", "context": name, "error": str(outcome)})
            continue
        parts.append(collection_part(outcome))
        scan_targets.append(outcome.target())
        skipped.update(outcome.skipped_owned)
        not_served.update(outcome.not_served)
    summary = {
        "scope": "cluster",
        "clusters": len(parts),
        "clusters_scanned": sum(1 for p in parts if not p.error),
        "skipped_owned": dict(sorted(skipped.items())),
        "kinds_not_served": sorted(not_served),
    }
    return Reading(source=source, scope="cluster", parts=parts, targets=scan_targets, summary=summary, fleet=len(targets) > 1)


@dataclass
class ClusterSource:
    """One live cluster, or a fleet of them (several targets)."""

    targets: Sequence[ClusterTarget]
    options: ClusterOptions = field(default_factory=ClusterOptions)
    has_files = False

    def read(self, policies: "PolicySet") -> Reading:
        units = ("clusters", "kinds", "objects") if len(self.targets) > 1 else ("kinds", "objects")
        with progress.phase("collecting", "collected", units, rate="objects") as step:
            outcomes = collect_targets(self.targets, policies, self.options)
            if len(self.targets) == 1 and isinstance(outcomes[0], ClusterError):
                raise outcomes[0]  # inside the phase: a cluster that could not be read gets no "collected" line
            if step.verbose:
                step.kinds(Counter(str(o.get("kind")) for c in outcomes if isinstance(c, ClusterCollection) for o in c.objects))
        return clusters_reading(outcomes, self.targets)


@dataclass
class CollectedSource:
    """Clusters already collected (and the errors of those that were not), scanned as a live scan would be."""

    outcomes: Sequence[ClusterCollection | ClusterError]
    targets: Sequence[ClusterTarget]
    source: str = "cluster"
    has_files = False

    def read(self, policies: "PolicySet") -> Reading:
        return clusters_reading(self.outcomes, self.targets, self.source)


@dataclass
class SnapshotSource:
    """An evidence snapshot (``export cluster``), scanned exactly as the live cluster was.

    Kinds the loaded checks need that the snapshot does not hold (it was
    exported with other checks) become kind gaps, as they would be for a live
    cluster that refused them.  Raises SnapshotError when it does not verify.
    """

    path: str
    has_files = False

    def read(self, policies: "PolicySet") -> Reading:
        from scanner.sources.snapshot import read_snapshot

        with progress.phase("reading the snapshot", "read the snapshot:", ("objects",)) as step:
            collection = read_snapshot(self.path)
            step.set(objects=len(collection.objects))
        kinds, _explicit = required_kinds(policies.policies)
        known = set(collection.collected_kinds) | set(collection.not_served) | set(collection.missing_kinds())
        for kind in sorted(kinds - known):
            collection.gaps.append(CoverageGap(type="kind", cluster=collection.context or collection.server, kind=kind, reason="not in the snapshot (it was exported without a check that needs this kind)"))
        collection.gaps.sort(key=CoverageGap.sort_key)
        return clusters_reading([collection], [ClusterTarget(collection.context)], source="snapshot")
