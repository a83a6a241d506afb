"""Manifest files, stdin and Helm/Kustomize renders as sources of a scan.

Both read into a ``ManifestLoad`` (renders map each resource back to the file
it came from), so both hand the pipeline one part whose resources carry file
origins and whose ``lines`` answer for them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence, TextIO

from scanner import progress
from scanner.sources import Part, Reading
from scanner.sources.git import git_state
from scanner.sources.manifests import DEFAULT_MAX_FILE_SIZE, ManifestLoad, load_manifests

if TYPE_CHECKING:
    from scanner.policies import PolicySet
    from scanner.sources.render import RenderedLoad


def path_targets(targets: Sequence[str], scanned: Sequence[str] = ()) -> list[dict[str, Any]]:
    """``scan.targets`` for files, folders and stdin, with the git commit and state of each checkout.

    ``scanned`` are the files read (as the loader names them): a git-ignored
    one among them counts as differing from HEAD (scanner.sources.git).
    """
    targets_info = []
    read = set(scanned)
    for target in targets:
        info: dict[str, Any] = {"type": "stdin" if target == "-" else "path", "path": target}
        if target != "-":
            info.update(git_state(target, read))
        targets_info.append(info)
    return targets_info


def input_digests(load: ManifestLoad) -> list[dict[str, Any]]:
    """``scan.inputs``: every file read whole, with the SHA-256 and size of its bytes as read, by path."""
    return [{"path": path, "sha256": digest, "bytes": size} for path, (digest, size) in sorted(load.digests.items())]


def files_reading(load: ManifestLoad, source: str, targets: list[dict[str, Any]]) -> Reading:
    """One part holding every resource read; the summary counts files and skipped documents."""
    # The load's own gap list: files found changed while lines are resolved are added to it later.
    part = Part(name="files", resources=load.resources, gaps=load.gaps, lines=load)
    summary = {"scope": "files", "files": len(load.files), "documents_skipped": dict(sorted(load.skipped.items()))}
    return Reading(source=source, scope="files", parts=[part], targets=targets, summary=summary, inputs=input_digests(load))


def count_read(step: progress.Phase, load: ManifestLoad) -> None:
    """The final counts of a read: forked readers' files are only known once they are back."""
    step.set(files=len(load.files), resources=len(load.resources))
    if step.verbose:
        step.kinds(Counter(str(r.obj.get("kind")) for r in load.resources))


@dataclass
class ManifestSource:
    """Files, folders (recursive) and ``-`` for stdin."""

    targets: Sequence[str]
    stdin: TextIO | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    workers: int = 1  # forked readers on large inputs
    has_files = True

    def read(self, policies: "PolicySet") -> Reading:
        with progress.phase("reading files", "read", ("files", "resources")) as step:
            load = load_manifests(self.targets, max_file_size=self.max_file_size, stdin=self.stdin, workers=self.workers)
            count_read(step, load)
        return files_reading(load, "manifests", path_targets(self.targets, load.files))


@dataclass
class RenderedSource:
    """What a Helm chart or Kustomize overlay renders to (``scanner.sources.render``).

    ``render`` runs the tool and reads its output; it raises RenderError when
    the tool is missing or fails.
    """

    render: Callable[[], "RenderedLoad"]
    has_files = True

    def read(self, policies: "PolicySet") -> Reading:
        with progress.phase("rendering", "rendered", ("files", "resources")) as step:
            rendered = self.render()
            count_read(step, rendered)
        return files_reading(rendered, rendered.source, rendered.targets)  # source: "helm" or "kustomize"
