"""Issue 16, start-up: the shortcuts taken to start faster give the answers of the slow way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import REPO_ROOT, write
from scanner.policies import BUNDLED_POLICY_DIR, display_path, display_paths, iter_rego_files


def _layout(tmp_path: Path) -> Path:
    """A policy folder with a nested file, a file that is a link (to outside the folder) and a linked folder rglob skips."""
    root = tmp_path / "work"
    write(root / "pol" / "sub", "a.rego", "package a\n")
    write(root / "pol", "b.rego", "package b\n")
    write(tmp_path / "elsewhere", "c.rego", "package c\n")
    write(tmp_path / "elsewhere" / "dir", "d.rego", "package d\n")
    (root / "pol" / "c.rego").symlink_to(tmp_path / "elsewhere" / "c.rego")
    (root / "pol" / "linked").symlink_to(tmp_path / "elsewhere" / "dir")
    (root / "alias").symlink_to(root / "pol")
    return root


@pytest.mark.parametrize(
    "cwd, folder",
    [
        ("work", "pol"),  # relative folder under the working directory
        ("work", "."),  # the folder given as "."
        ("work/pol", "."),
        ("work/pol/sub", ".."),
        ("work", "alias"),  # the folder is itself a link
        ("elsewhere", "../work/pol"),  # files outside the working directory, except the linked one
        ("work", "ABSOLUTE"),
    ],
)
def test_display_paths_match_display_path(tmp_path, monkeypatch, cwd, folder):
    root = _layout(tmp_path)
    monkeypatch.chdir(tmp_path / cwd)
    where = Path(root / "pol") if folder == "ABSOLUTE" else Path(folder)
    files = iter_rego_files(where)
    assert len(files) >= 2
    assert display_paths(where, files) == [display_path(f) for f in files]


def test_display_paths_of_the_bundled_policies(monkeypatch, tmp_path):
    files = iter_rego_files(BUNDLED_POLICY_DIR)
    for cwd in (REPO_ROOT, REPO_ROOT / "policies" / "rbac", tmp_path, Path("/")):
        monkeypatch.chdir(cwd)
        assert display_paths(BUNDLED_POLICY_DIR, files) == [display_path(f) for f in files], cwd
    assert os.sep in display_paths(BUNDLED_POLICY_DIR, files)[0]
