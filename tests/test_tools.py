"""tests/tools.py: the pinned tools are found through the cache's bin/ symlinks, and a missing
one skips locally but fails on CI unless build.sh recorded why it could not be built."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools import build_error, pinned_versions, require_tool, tool_path


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KUBECOMPLY_TOOLS_CACHE", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    (tmp_path / "bin").mkdir()
    return tmp_path


def install(cache: Path, name: str) -> Path:
    version = pinned_versions()[name]
    binary = cache / f"{name}-{version}" / name
    binary.parent.mkdir()
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    (cache / "bin" / name).symlink_to(binary)
    return binary


def test_versions_file_pins_the_five_tools():
    assert set(pinned_versions()) == {"opa", "kube-apiserver", "etcd", "helm", "kustomize"}
    assert all(version.startswith("v") for version in pinned_versions().values())


def test_a_built_tool_is_found_through_its_symlink(cache):
    binary = install(cache, "opa")
    assert tool_path("opa") == binary.resolve()
    assert require_tool("opa") == binary.resolve()
    assert tool_path("helm") is None
    assert tool_path("not-a-pinned-tool") is None


def test_a_missing_tool_skips_locally_with_the_make_target(cache):
    with pytest.raises(pytest.skip.Exception, match="tool helm not built: run make tools"):
        require_tool("helm")


def test_a_missing_tool_fails_on_ci(cache, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="tool helm not built: run make tools"):
        require_tool("helm")


def test_a_refused_tool_skips_even_on_ci_naming_the_error(cache, monkeypatch):
    monkeypatch.setenv("CI", "true")
    (cache / "bin" / "etcd.error").write_text("go mod download failed for etcd v3.6.8:\nnot found: go.etcd.io/etcd/server/v3@v3.6.8: 410 Gone\n")
    assert "410 Gone" in build_error("etcd")
    with pytest.raises(pytest.skip.Exception, match="tool etcd not built: .*410 Gone"):
        require_tool("etcd")


def test_a_non_executable_file_is_not_a_tool(cache):
    binary = install(cache, "kustomize")
    binary.chmod(0o644)
    assert tool_path("kustomize") is None


def test_an_unpinned_name_is_a_programming_error(cache):
    with pytest.raises(ValueError, match="not a tool pinned"):
        require_tool("kubectl")


def test_conftest_puts_the_cache_bin_first_on_path():
    from tools import tools_bin

    assert str(tools_bin()) in os.environ["PATH"].split(os.pathsep)
