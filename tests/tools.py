"""Where the real tools built by tests/tools/build.sh live, for tests that run them.

A stand-in with the same API as the tests/tools.py of branch issue-17-tools-opa
(``tool_path``, ``require_tool``); that branch's file replaces this one on merge.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def cache_dir() -> Path:
    return Path(os.environ.get("KUBECOMPLY_TOOLS_CACHE") or Path.home() / ".cache" / "kubecomply-test-tools")


def tool_path(name: str) -> Path | None:
    """The built tool at <cache>/bin/<name>, or None when it was not built."""
    path = cache_dir() / "bin" / name
    return path if path.is_file() and os.access(path, os.X_OK) else None


def require_tool(name: str) -> Path:
    """The tool's path; skips the test when it is missing (fails under CI, where `make tools` ran)."""
    path = tool_path(name)
    if path is not None:
        return path
    error = cache_dir() / "bin" / f"{name}.error"
    reason = f"{name} is not built (run `make tools`)"
    if error.is_file():
        reason = f"{name} could not be built: {error.read_text().strip()}"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
