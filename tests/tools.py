"""Where the tests find the real tools `make tools` builds (tests/tools/build.sh).

The contract with build.sh: each pinned tool is at
``${KUBECOMPLY_TOOLS_CACHE:-~/.cache/kubecomply-test-tools}/bin/<tool>`` (a symlink to
``<tool>-<version>/<tool>``); a tool the Go module proxy refused has ``bin/<tool>.error``
instead, holding the error. Tests call :func:`require_tool`, which skips with the reason when
a tool is missing - except on CI (env ``CI`` set), where a tool that build.sh did not report
as unobtainable must be there: CI fails rather than skipping in silence.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

VERSIONS_FILE = Path(__file__).resolve().parent / "tools" / "versions.txt"


def tools_cache() -> Path:
    """The cache build.sh writes to; the same default as the script's."""
    configured = os.environ.get("KUBECOMPLY_TOOLS_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "kubecomply-test-tools"


def tools_bin() -> Path:
    """The folder of stable symlinks, one per tool: what tests and PATH use."""
    return tools_cache() / "bin"


def pinned_versions() -> dict[str, str]:
    """Tool name -> pinned version, from tests/tools/versions.txt (build.sh's own list)."""
    versions: dict[str, str] = {}
    for line in VERSIONS_FILE.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#"):
            versions[fields[0]] = fields[1]
    return versions


def tool_path(name: str) -> Path | None:
    """The built, pinned binary of `name`, or None when it is not built (or is not a pinned tool)."""
    if name not in pinned_versions():
        return None
    path = tools_bin() / name
    return path.resolve() if path.is_file() and os.access(path, os.X_OK) else None


def build_error(name: str) -> str | None:
    """What build.sh recorded when it could not get the tool's modules, if it did."""
    path = tools_bin() / f"{name}.error"
    return path.read_text(encoding="utf-8", errors="replace").strip() if path.is_file() else None


def require_tool(name: str) -> Path:
    """The tool's path; otherwise skip (locally) or fail (on CI) with the reason.

    On CI (`CI` set) a missing tool fails the test unless build.sh recorded why it could not be
    built (the module proxy refused it): then the skip carries that error, so it is visible.
    """
    if name not in pinned_versions():
        raise ValueError(f"{name!r} is not a tool pinned in {VERSIONS_FILE}")
    path = tool_path(name)
    if path is not None:
        return path
    error = build_error(name)
    if error:
        first = error.splitlines()[-1] if error.splitlines() else error
        pytest.skip(f"tool {name} not built: {first} (see {tools_bin() / (name + '.error')})")
    reason = f"tool {name} not built: run make tools"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI runs make tools first, so {tools_bin() / name} should exist)")
    pytest.skip(reason)
