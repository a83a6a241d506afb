"""Parity: the embedded engine (regorus) and a REAL OPA give identical results.

Every bundled check, plus the example custom policies with their --data, over the shared Pod
Security Standards fixtures (bare, in a Deployment and in a CronJob), the real-world corpus
(../shared/corpus) and examples/manifests, through both engines via the CLI; the JSON results
(findings, gaps, resources, framework scores, summary) must be identical.

OPA is the one `make tools` builds (tests/tools/), started by the scanner itself
(scanner/engine/opa_local.py finds it first on PATH), or an existing server named by
KUBECOMPLY_TEST_OPA_URL (with KUBECOMPLY_TEST_OPA_TOKEN_FILE / KUBECOMPLY_TEST_OPA_CA_FILE if
it needs them).  It never runs against tests/opa_fixture.py: that fixture answers queries with
regorus, so the comparison would be regorus against itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO_ROOT, SHARED
from scanner.cli import main
from test_pss_conformance import wrap
from tools import pinned_versions, require_tool

FIXTURES = SHARED / "pss-fixtures"
CORPUS = SHARED / "corpus"
OPA_URL = os.environ.get("KUBECOMPLY_TEST_OPA_URL")

pytestmark = [
    pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"{FIXTURES} is not present"),
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is not present"),
]

# Three of test_pss_conformance's workload kinds, one per pod spec path (bare, template,
# jobTemplate): all ten would double this test's time for paths that test already covers.
WRAPPERS = ("Pod", "Deployment", "CronJob")
# Fields of the JSON result that say how the scan ran rather than what it found.
RUN_FIELDS = {"scan"}


@pytest.fixture(scope="module")
def targets(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("parity")
    for number, fixture in enumerate(sorted(FIXTURES.glob("*/*/*.yaml"))):
        pod = yaml.safe_load(fixture.read_text())
        docs = [wrap(pod, kind, f"f{number}-{kind.lower()}") for kind in WRAPPERS]
        (folder / f"{number:03d}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return [str(folder), str(CORPUS), str(REPO_ROOT / "examples" / "manifests")]


def opa_args() -> list[str]:
    if not OPA_URL:
        require_tool("opa")  # started by the scanner from PATH, where conftest put the tools' bin/
        return []
    args = ["--opa-url", OPA_URL]
    if os.environ.get("KUBECOMPLY_TEST_OPA_TOKEN_FILE"):
        args += ["--opa-token-file", os.environ["KUBECOMPLY_TEST_OPA_TOKEN_FILE"]]
    if os.environ.get("KUBECOMPLY_TEST_OPA_CA_FILE"):
        args += ["--opa-ca-file", os.environ["KUBECOMPLY_TEST_OPA_CA_FILE"]]
    return args


def scan(targets: list[str], engine_args: list[str], out: Path) -> tuple[int, dict]:
    args = ["scan", "manifests", *targets, "--policy-dir", str(REPO_ROOT / "examples" / "policies"),
            "--data", str(REPO_ROOT / "examples" / "allowed-registries.yaml"), "--allow-parse-errors",
            *engine_args, "-f", "json", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert out.is_file(), result.stderr
    return result.exit_code, json.loads(out.read_text(encoding="utf-8"))


def test_embedded_and_real_opa_give_identical_results(targets, tmp_path):
    engine = opa_args()
    code_embedded, embedded = scan(targets, ["--engine", "embedded", "--workers", "1"], tmp_path / "embedded.json")
    code_opa, opa = scan(targets, ["--engine", "opa", *engine], tmp_path / "opa.json")
    assert (embedded["scan"]["engine"], opa["scan"]["engine"]) == ("embedded", "opa")
    if not OPA_URL:  # the pinned OPA answered, not some other opa on PATH
        assert pinned_versions()["opa"].lstrip("v") in str(opa["scan"]["engine_version"])
    assert embedded["summary"]["resources"] > 1500
    assert len(embedded["findings"]) > 5000
    # every check ran on both: a check that errored is a gap, and there must be none
    assert embedded["summary"]["checks_failed_to_run"] == opa["summary"]["checks_failed_to_run"] == 0
    assert code_embedded == code_opa == 1
    for field in sorted(set(embedded) - RUN_FIELDS):
        assert embedded[field] == opa[field], f"{field} differs between the embedded engine and OPA"
