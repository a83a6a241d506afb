"""Where resources come from: manifest files, Helm and Kustomize renders, live clusters, snapshots.

A source is the only part of a scan that knows where resources came from.
Everything it knows that later stages need travels as data: the origin on each
resource, the gaps it could not read, the ``scan.targets`` entries and the
summary keys of its kind.  The pipeline (``scanner.pipeline``) asks a source
for one ``Reading`` and never looks at the source again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Protocol, Sequence

from ..model import CoverageGap, Origin, Resource

if TYPE_CHECKING:
    from ..policies import PolicySet


class RenderError(Exception):
    """The chart or overlay could not be rendered: the tool is missing, failed or hung (sources/render.py)."""


class LineResolver(Protocol):
    """Finds the line of a field in the file a resource was read from."""

    gaps: list[CoverageGap]  # the part's gaps: a file that changed before its lines were read is one

    def resolve_line(self, origin: Origin, path: Sequence[str | int]) -> int | None: ...

    def files_changed_since_read(self, paths: Iterable[str]) -> list[CoverageGap]: ...


@dataclass
class Part:
    """What a source read from one place: a set of files, or one cluster of a fleet.

    Each part is evaluated on its own (with its own ``data.inventory``), so a
    fleet's clusters never see each other's resources.  ``error`` says the place
    could not be read at all (a fleet member that was unreachable): the part is
    then not evaluated, and every control is not assessed for it.
    """

    name: str
    resources: list[Resource] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    missing_kinds: dict[str, str] = field(default_factory=dict)  # kind -> why it was not collected
    lines: LineResolver | None = None
    error: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # what a fleet's per-cluster entry shows


@dataclass
class Reading:
    """Everything a source hands the pipeline."""

    source: str  # scan.source: manifests, helm, kustomize, cluster, snapshot
    scope: str  # what cross-resource checks saw: "files" or "cluster"
    parts: list[Part]
    targets: list[dict[str, Any]]  # scan.targets
    summary: dict[str, Any]  # the summary keys of this kind of source
    fleet: bool = False  # several clusters: the result gets the per-cluster view
    inputs: list[dict[str, Any]] | None = None  # scan.inputs: files read, with their SHA-256 (file sources only)


class Source(Protocol):
    """Something the pipeline can scan."""

    has_files: bool  # findings point at files, so --changed-since can select them

    def read(self, policies: "PolicySet") -> Reading:
        """Read what ``policies`` need; raise the source's own error when nothing can be read."""
        ...
