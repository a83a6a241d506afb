"""Parity: the embedded engine (regorus) and a REAL OPA give identical findings.

Every bundled check, plus the example custom policies, over the shared Pod Security
Standards fixtures (bare and wrapped in every workload kind) and examples/manifests, through
both engines; findings and gaps must be identical.

It needs a real OPA: set KUBECOMPLY_TEST_OPA_URL (and, if needed, KUBECOMPLY_TEST_OPA_TOKEN_FILE
and KUBECOMPLY_TEST_OPA_CA_FILE), or put `opa` on PATH and a local `opa run --server` is
started.  Otherwise it is skipped.  It never runs against tests/opa_fixture.py: that fixture
answers queries with regorus, so the comparison would be regorus against itself.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO_ROOT
from scanner.pipeline import ScanOptions, scan_manifests
from test_pss_conformance import WRAPPERS, wrap

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "pss-fixtures"
OPA_URL = os.environ.get("KUBECOMPLY_TEST_OPA_URL")

pytestmark = [
    pytest.mark.skipif(
        not OPA_URL and shutil.which("opa") is None,
        reason="needs a real OPA: set KUBECOMPLY_TEST_OPA_URL=http://host:8181 or put the `opa` binary on PATH",
    ),
    pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"{FIXTURES} is not present"),
]


@pytest.fixture(scope="module")
def targets(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("parity")
    for number, fixture in enumerate(sorted(FIXTURES.glob("*/*/*.yaml"))):
        pod = yaml.safe_load(fixture.read_text())
        docs = [wrap(pod, kind, f"f{number}-{kind.lower()}") for kind in WRAPPERS]
        (folder / f"{number:03d}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return [str(folder), str(REPO_ROOT / "examples" / "manifests")]


def opa_options() -> dict:
    options: dict = {"url": OPA_URL}  # None: start a local `opa run --server`
    if os.environ.get("KUBECOMPLY_TEST_OPA_TOKEN_FILE"):
        options["token_file"] = os.environ["KUBECOMPLY_TEST_OPA_TOKEN_FILE"]
    if os.environ.get("KUBECOMPLY_TEST_OPA_CA_FILE"):
        options["ca_file"] = os.environ["KUBECOMPLY_TEST_OPA_CA_FILE"]
    return options


def test_embedded_and_opa_give_identical_findings(targets):
    policy_dirs = [str(REPO_ROOT / "examples" / "policies")]
    embedded = scan_manifests(targets, ScanOptions(policy_dirs=policy_dirs, engine="embedded", workers=1))
    opa = scan_manifests(targets, ScanOptions(policy_dirs=policy_dirs, engine="opa", engine_options=opa_options()))
    assert embedded.summary["resources"] == opa.summary["resources"] > 1000
    left = [f.to_dict() for f in embedded.findings]
    right = [f.to_dict() for f in opa.findings]
    assert len(left) == len(right) and left == right
    assert [g.to_dict() for g in embedded.gaps] == [g.to_dict() for g in opa.gaps]
