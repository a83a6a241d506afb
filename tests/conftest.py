"""Shared test helpers: write real Rego and YAML files into a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
EXAMPLES = REPO_ROOT / "examples"
# The scan `make demo` runs, for tests that check what a newcomer sees.
DEMO_ARGS = [
    "scan", "manifests", str(EXAMPLES / "manifests"), "--policy-dir", str(EXAMPLES / "policies"),
    "--waivers", str(EXAMPLES / "waivers.yaml"), "--data", str(EXAMPLES / "allowed-registries.yaml"),
]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def check_module(check_id: str, package: str, body: str, kinds: str = "[Deployment]", severity: str = "high", reads: str | None = None) -> str:
    """A minimal, valid check module with METADATA, for loader and engine tests."""
    return (
        "# METADATA\n"
        f"# title: Test check {check_id}\n"
        "# description: A check written by a test.\n"
        "# custom:\n"
        f"#   id: {check_id}\n"
        f"#   severity: {severity}\n"
        f"#   kinds: {kinds}\n"
        "#   remediation: Fix it.\n"
        + (f"#   reads: {reads}\n" if reads else "")
        + f"package {package}\n\n"
        f"{textwrap.dedent(body).strip()}\n"
    )


@pytest.fixture(scope="session")
def demo_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo scan saved with -f json -o, once per test session; report tests read it, never write it."""
    from click.testing import CliRunner

    from scanner.cli import main

    saved = tmp_path_factory.mktemp("demo-json") / "results.json"
    result = CliRunner().invoke(main, DEMO_ARGS + ["-f", "json", "-o", str(saved)])
    assert result.exit_code == 1, result.output
    return saved


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def real_cluster(tmp_path_factory: pytest.TempPathFactory):
    """A real etcd + kube-apiserver with the population of tests/cluster_population.py, once per session.

    Skipped (failed under CI) when `make tools` has not built etcd and kube-apiserver.
    Stopped, and its folder removed, at the end of the session whatever happened.
    """
    import shutil

    from tools import require_tool

    pytest.importorskip("kubernetes")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the real cluster's certificates")
    etcd, apiserver = require_tool("etcd"), require_tool("kube-apiserver")
    from cluster_population import population, write_manifests
    from real_cluster import PopulatedCluster, RealCluster

    cluster = RealCluster.start(etcd, apiserver)
    try:
        folder = tmp_path_factory.mktemp("real-cluster")
        session = PopulatedCluster.create(cluster, folder, write_manifests(folder / "manifests", population()))
    except BaseException:
        cluster.stop()
        raise
    yield session
    cluster.stop()
