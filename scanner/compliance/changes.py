"""``--changed-since REF``: which files a change touched, from git.

The scan itself still reads the whole tree, so cross-resource checks see every
resource; only the findings are narrowed to files in the change set.  The
change set is what a pull request would show, plus whatever is not committed
yet, because a pre-merge scan runs on the working tree:

* files changed between the merge base of REF and HEAD and the working tree
  (``git diff --name-status -M <merge-base>``): committed, staged and unstaged
  changes alike; when REF and HEAD share no history, REF itself is the base;
* untracked files that are not ignored (``git ls-files --others --exclude-standard``);
* a renamed or copied file counts under its new path; deleted files have no
  findings and are left out.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..model import Finding, FrameworkResult

GIT_TIMEOUT = 60


class ChangesError(Exception):
    """git cannot say what changed (not a repository, unknown ref, git missing); one line."""


@dataclass
class ChangeSet:
    """The files changed since ``ref``, as real absolute paths."""

    ref: str
    commit: str  # the commit REF named
    base: str  # the commit compared against (the merge base)
    files: set[str] = field(default_factory=set)

    def contains(self, path: str) -> bool:
        """Whether a finding's origin path (relative to the working directory, or absolute) is in the change set."""
        return os.path.realpath(path) in self.files


def _git(folder: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", folder, *args], capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise ChangesError("--changed-since needs git on the PATH") from None
    except subprocess.TimeoutExpired:
        raise ChangesError(f"--changed-since: git {args[0]} took longer than {GIT_TIMEOUT} s") from None


def _first_line(out: bytes) -> str:
    text = out.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else ""


def repository_folder(targets: Sequence[str]) -> str:
    """The folder git is asked in: that of the first file or folder target (stdin has none), else the working directory."""
    for target in targets:
        if target != "-":
            return target if os.path.isdir(target) else (os.path.dirname(target) or ".")
    return "."


def parse_name_status(out: bytes) -> list[str]:
    """Paths that exist after the change, from ``git diff --name-status -z``; new paths of renames and copies."""
    fields = out.decode("utf-8", "surrogateescape").split("\0")
    paths: list[str] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[0] in "RC":
            paths.append(fields[i + 2])
            i += 3
            continue
        if status[0] != "D":
            paths.append(fields[i + 1])
        i += 2
    return paths


def changed_since(ref: str, targets: Sequence[str]) -> ChangeSet:
    """The change set for ``--changed-since REF``; raises ChangesError with a one-line reason."""
    folder = repository_folder(targets)
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise ChangesError(f"--changed-since needs a git repository, and {os.path.abspath(folder)} is not in one")
    toplevel = top.stdout.decode("utf-8", "surrogateescape").strip()
    resolved = _git(folder, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if resolved.returncode != 0 or not resolved.stdout.strip():
        raise ChangesError(f"--changed-since: unknown git revision {ref!r} (fetch it first, e.g. git fetch origin main)")
    commit = resolved.stdout.decode().strip()
    merge_base = _git(folder, "merge-base", commit, "HEAD")
    base = merge_base.stdout.decode().strip() if merge_base.returncode == 0 and merge_base.stdout.strip() else commit
    diff = _git(toplevel, "diff", "--name-status", "-M", "-z", base, "--")
    if diff.returncode != 0:
        raise ChangesError(f"--changed-since: git diff failed: {_first_line(diff.stderr)}")
    untracked = _git(toplevel, "ls-files", "--others", "--exclude-standard", "-z")
    if untracked.returncode != 0:
        raise ChangesError(f"--changed-since: git ls-files failed: {_first_line(untracked.stderr)}")
    paths = parse_name_status(diff.stdout)
    paths += [p for p in untracked.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
    files = {os.path.realpath(Path(toplevel, p)) for p in paths}
    return ChangeSet(ref=ref, commit=commit, base=base, files=files)


def keep_changed(findings: Sequence[Finding], frameworks: Sequence[FrameworkResult], changes: ChangeSet) -> tuple[list[Finding], int]:
    """The findings to report under ``--changed-since``, and how many were left out.

    Findings from files outside the change set are dropped; findings without
    a file (stdin, clusters) are kept.  The framework roll-up was computed on
    the whole tree and stays so (the score is the posture of the tree after the
    change); each control's ``findings`` indexes are renumbered to the kept
    findings, and a failing control whose findings all lie outside says so.
    """
    kept: list[Finding] = []
    new_index: dict[int, int] = {}
    for index, finding in enumerate(findings):
        if finding.origin.type == "file" and finding.origin.path and not changes.contains(finding.origin.path):
            continue
        new_index[index] = len(kept)
        kept.append(finding)
    for fw in frameworks:
        for control in fw.controls:
            if not control.findings:
                continue
            control.findings = [new_index[i] for i in control.findings if i in new_index]
            if control.status == "fail" and not control.findings and not control.reason:
                control.reason = "its failing findings are in files outside --changed-since"
    return kept, len(findings) - len(kept)
