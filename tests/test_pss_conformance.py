"""Pod Security Standards conformance against Kubernetes' own admission fixtures.

../shared/pss-fixtures holds the pod-security-admission test data (policy
v1.37): 148 pods and the verdict Kubernetes gives each at baseline and at
restricted.  Every fixture is scanned as a bare Pod and wrapped in six workload
kinds, through the real scanner (files on disk, loader, engine, --framework),
and the verdicts must agree 100%, with no exceptions list.
"""

from __future__ import annotations

import copy
import csv

import pytest
import yaml

from conftest import SHARED
from scanner.pipeline import ScanOptions, scan_manifests

FIXTURES = SHARED / "pss-fixtures"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"{FIXTURES} is not present")

# The six kinds the issue names, plus the other workload kinds the checks declare.
WRAPPERS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet",
            "ReplicationController", "PodTemplate", "DeploymentConfig")
API_VERSIONS = {"Pod": "v1", "Job": "batch/v1", "CronJob": "batch/v1", "ReplicationController": "v1",
                "PodTemplate": "v1", "DeploymentConfig": "apps.openshift.io/v1"}


def wrap(pod: dict, kind: str, name: str) -> dict:
    """The same pod as a workload's template, the way Kubernetes' own test wraps it in a Deployment."""
    if kind == "Pod":
        out = copy.deepcopy(pod)
        out["metadata"]["name"] = name
        return out
    template = {"metadata": copy.deepcopy(pod.get("metadata", {})), "spec": copy.deepcopy(pod["spec"])}
    template["metadata"].pop("name", None)
    labels = {"fixture": name[:63]}
    spec: dict = {"template": template}
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        spec["selector"] = {"matchLabels": labels}
    if kind == "CronJob":
        spec = {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": template}}}
    out = {"apiVersion": API_VERSIONS.get(kind, "apps/v1"), "kind": kind, "metadata": {"name": name, "namespace": "pss"}}
    if kind == "PodTemplate":  # the template sits at the top level, not under spec
        out["template"] = template
    else:
        out["spec"] = spec
    return out


@pytest.fixture(scope="module")
def expectations() -> dict[str, dict[str, str]]:
    with open(FIXTURES / "expectations.csv", newline="") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    assert len(rows) == 148
    return rows


@pytest.fixture(scope="module")
def manifests(tmp_path_factory, expectations) -> dict[str, tuple[str, str]]:
    """Write every fixture in every wrapper as files; return resource name -> (fixture file, kind)."""
    folder = tmp_path_factory.mktemp("pss")
    names = {}
    for number, fixture in enumerate(sorted(expectations)):
        pod = yaml.safe_load((FIXTURES / fixture).read_text())
        docs = []
        for kind in WRAPPERS:
            name = f"f{number}-{kind.lower()}"
            names[name] = (fixture, kind)
            docs.append(wrap(pod, kind, name))
        (folder / f"{number:03d}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return {"folder": str(folder), "names": names}


@pytest.mark.parametrize("level", ["baseline", "restricted"])
def test_every_fixture_bare_and_wrapped_gets_the_kubernetes_verdict(manifests, expectations, level):
    result = scan_manifests([manifests["folder"]], ScanOptions(frameworks=[f"pss-{level}"]))
    assert result.gaps == []
    assert result.summary["resources"] == 148 * len(WRAPPERS)
    failing = {f.resource.name for f in result.findings}
    disagreements = []
    for name, (fixture, kind) in manifests["names"].items():
        expected = expectations[fixture][f"expected_{level}"]
        actual = "fail" if name in failing else "pass"
        if actual != expected:
            disagreements.append(f"{fixture} as {kind}: expected {expected}, got {actual}")
    assert disagreements == [], f"{len(disagreements)} disagreements at {level}:\n" + "\n".join(disagreements[:40])


# At restricted, pod-security-admission replaces these baseline checks with their
# restricted counterparts (OverrideCheckIDs), so either one names the fixture's reason.
RESTRICTED_OVERRIDES = {"capabilities_baseline": "capabilities_restricted", "seccompProfile_baseline": "seccompProfile_restricted"}


def test_fail_fixtures_are_caught_by_the_check_they_are_about(manifests, expectations):
    """Not just any failure: the fixture's own PSS check must be among the reasons, at the fixture's level."""
    hits: dict[tuple[str, str], set[str]] = {}
    for level in ("baseline", "restricted"):
        result = scan_manifests([manifests["folder"]], ScanOptions(frameworks=[f"pss-{level}"]))
        for f in result.findings:
            hits.setdefault((level, f.resource.name), set()).update(POLICY_PSA_CHECKS[f.policy])
    missing = []
    checked = 0
    for name, (fixture, kind) in manifests["names"].items():
        level, verdict = fixture.split("/")[:2]
        if verdict != "fail":
            continue
        checked += 1
        expected = expectations[fixture]["check"]
        if level == "restricted":
            expected = RESTRICTED_OVERRIDES.get(expected, expected)
        found = hits.get((level, name), set())
        if expected not in found:
            missing.append(f"{fixture} as {kind}: {expected} not among {sorted(found)}")
    assert checked == 110 * len(WRAPPERS)
    assert missing == [], "\n".join(missing[:40])


def _psa_checks() -> dict[str, tuple[str, ...]]:
    """Our check id -> the pod-security-admission check ids it implements (from METADATA references)."""
    from scanner.policies import load_policies

    return {p.id: tuple(p.references.get("psa_check", ())) for p in load_policies().policies}


POLICY_PSA_CHECKS = _psa_checks()


WINDOWS_POD = """
apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  securityContext: {runAsNonRoot: true}
  containers:
    - name: c
      image: mcr.microsoft.com/windows/nanoserver
      securityContext:
        capabilities: {add: [SYS_ADMIN]}
        seccompProfile: {type: Unconfined}
"""


def test_restricted_overrides_baseline_capabilities_and_seccomp_for_windows(tmp_path):
    """PSA replaces the baseline capabilities and seccomp checks at restricted with ones that exempt Windows pods."""
    (tmp_path / "win.yaml").write_text(WINDOWS_POD)
    restricted = scan_manifests([str(tmp_path)], ScanOptions(frameworks=["pss-restricted"]))
    assert [f.policy for f in restricted.findings] == []
    baseline = scan_manifests([str(tmp_path)], ScanOptions(frameworks=["pss-baseline"]))
    assert sorted(f.policy for f in baseline.findings) == ["baseline-capabilities", "seccomp-unconfined"]
