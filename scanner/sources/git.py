"""Which commit of which checkout a scanned path belongs to.

Manifest and rendered sources record it in ``scan.targets`` so a report names
exactly what was scanned.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_commit(path: str) -> str | None:
    """The commit of the checkout a target lives in; None outside a checkout or without git."""
    folder = Path(path)
    folder = folder if folder.is_dir() else folder.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None
