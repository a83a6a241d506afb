"""Which commit of which checkout a scanned path belongs to, and whether the files differ from it.

Manifest and rendered sources record it in ``scan.targets`` so a report names
exactly what was scanned: the commit, whether the target holds uncommitted
changes (``git_dirty``), and which files differ from HEAD.  A commit alone would
let a scan of edited files pass for a scan of the commit.
"""

from __future__ import annotations

import bisect
import os
import subprocess
from pathlib import Path
from typing import Any, Collection

# More changed files than this are counted, not listed: a result is evidence, not a diff.
MAX_CHANGED_LISTED = 1000
GIT_TIMEOUT = 30

_STATUS_NAMES = {"?": "untracked", "!": "ignored", "D": "deleted", "A": "added", "R": "renamed", "C": "copied", "U": "unmerged", "M": "modified", "T": "modified"}


def _git(folder: str, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", folder, *args], capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.decode("utf-8", "surrogateescape")


def _folder(path: str) -> str:
    folder = Path(path)
    return str(folder if folder.is_dir() else folder.parent)


def git_commit(path: str) -> str | None:
    """The commit of the checkout a target lives in; None outside a checkout or without git."""
    out = _git(_folder(path), "rev-parse", "HEAD")
    return (out or "").strip() or None


def _status_name(xy: str) -> str:
    if xy in ("??", "!!"):
        return _STATUS_NAMES[xy[0]]
    if "U" in xy or xy in ("AA", "DD"):
        return "unmerged"
    for code in (xy[0], xy[1]):
        if code in "DARC":
            return _STATUS_NAMES[code]
    return "modified"


def _display(absolute: str, root_abs: str) -> str:
    """As the loader names files: relative to the scan root when under it, else absolute."""
    if absolute.startswith(root_abs.rstrip(os.sep) + os.sep):
        absolute = os.path.relpath(absolute, root_abs)
    return absolute.replace(os.sep, "/")


def git_state(path: str, scanned: Collection[str] | None = None, root: str | None = None) -> dict[str, Any]:
    """``git_commit``, ``git_dirty`` and ``files_changed_from_head`` for one target; {} outside a checkout.

    ``git status`` limited to ``path``: tracked files modified, staged, deleted or
    renamed, and untracked files, each ``{"path", "status"}`` with paths named as
    the loader names them (relative to ``root``, the working directory by
    default).  Ignored files count only when they are in ``scanned`` (a
    git-ignored manifest the scan read is not in any commit, so the commit alone
    does not reproduce the scan).  ``git_dirty`` is true when anything is listed.
    More than MAX_CHANGED_LISTED changes are cut off, and
    ``files_changed_from_head_count`` gives the full count.
    """
    folder = _folder(path)
    head = _git(folder, "rev-parse", "--show-toplevel", "HEAD")
    if not head:
        return {}
    lines = head.splitlines()
    if len(lines) < 2:
        return {}
    top, commit = lines[0], lines[1].strip()
    status = _git(top, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--", os.path.abspath(path))
    info: dict[str, Any] = {"git_commit": commit}
    if status is None:
        info["git_dirty"] = None  # unknown: git status failed
        return info
    root_abs = os.path.abspath(root or os.getcwd())
    wanted = set(scanned) if scanned is not None else set()
    wanted_sorted = sorted(wanted)
    changed: list[dict[str, str]] = []
    fields = status.split("\0")
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if len(entry) < 4:
            continue
        xy, rel = entry[:2], entry[3:]
        if xy[0] in "RC":
            i += 1  # the original path follows a rename or copy
        name = _display(os.path.join(top, rel), root_abs)
        if xy == "!!":
            # git names an ignored folder, not its files: the scanned files inside it count
            if rel.endswith("/"):
                prefix = name.rstrip("/") + "/"
                start = bisect.bisect_left(wanted_sorted, prefix)
                end = bisect.bisect_left(wanted_sorted, prefix[:-1] + chr(ord("/") + 1))
                changed.extend({"path": f, "status": "ignored"} for f in wanted_sorted[start:end])
            elif name in wanted:
                changed.append({"path": name, "status": "ignored"})
            continue
        changed.append({"path": name.rstrip("/"), "status": _status_name(xy)})
    changed.sort(key=lambda c: c["path"])
    info["git_dirty"] = bool(changed)
    info["files_changed_from_head"] = changed[:MAX_CHANGED_LISTED]
    if len(changed) > MAX_CHANGED_LISTED:
        info["files_changed_from_head_count"] = len(changed)
    return info
