"""Provenance of cluster scans (issue 13, item 8): which cluster, as whom, allowed to list what.

End to end through the CLI against the HTTPS fixture server, which answers
SelfSubjectReview as the API server does (and 404 for versions it does not
serve, as older servers do).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil

import pytest
from click.testing import CliRunner

pytest.importorskip("kubernetes")
if shutil.which("openssl") is None:
    pytest.skip("openssl is needed to make the fixture server's certificates", allow_module_level=True)

from cluster_helpers import cluster_objects  # noqa: E402
from k8s_fixture_server import DEFAULT_USER_INFO, EXTRA_SECRET, Fault, K8sFixture, make_tls  # noqa: E402

from scanner.cli import main  # noqa: E402

SCANNER = "system:serviceaccount:kubecomply:scanner"


def run(args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_tls(tmp_path_factory.mktemp("tls"))


def scan(fx: K8sFixture, tmp_path, *extra) -> dict:
    kubeconfig = fx.kubeconfig(tmp_path / "kubeconfig")
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json", *extra])
    assert out.exit_code in (0, 1, 2), out.output
    return json.loads(out.stdout)


def test_cluster_target_names_the_cluster_uid_the_identity_and_its_access(tls, tmp_path):
    with K8sFixture(cluster_objects(), tls=tls) as fx:
        doc = scan(fx, tmp_path)
        posts = [r for r in fx.state.requests if r.method == "POST"]
    [target] = doc["scan"]["targets"]
    assert target["cluster_uid"] == "uid-ns-kube-system"
    assert target["version"] == "v1.30.2-fixture"
    assert target["identity"] == {
        "username": SCANNER, "uid": "uid-sa-scanner", "groups": sorted(DEFAULT_USER_INFO["groups"]),
        "source": "SelfSubjectReview authentication.k8s.io/v1",
    }
    assert target["access"]["kinds_listed"] >= len(doc["summary"]["resources_by_kind"])  # kinds listed, some may be empty
    assert target["access"]["kinds_forbidden"] == []
    assert [p.path for p in posts] == ["/apis/authentication.k8s.io/v1/selfsubjectreviews"]
    # extra is dropped: providers put signed assertions there
    assert EXTRA_SECRET not in json.dumps(doc) and "extra" not in target["identity"]


def test_older_servers_fall_back_to_beta_then_say_the_review_is_not_served(tls, tmp_path):
    with K8sFixture(cluster_objects(), tls=tls, review_versions=("v1beta1",)) as fx:
        beta = scan(fx, tmp_path)
    assert beta["scan"]["targets"][0]["identity"]["source"] == "SelfSubjectReview authentication.k8s.io/v1beta1"
    with K8sFixture(cluster_objects(), tls=tls, review_versions=()) as fx:
        none = scan(fx, tmp_path)
    assert none["scan"]["targets"][0]["identity"] == {"unknown": "SelfSubjectReview not served (authentication.k8s.io v1, v1beta1, v1alpha1)"}


def test_a_refused_review_is_unknown_with_the_reason_and_the_scan_goes_on(tls, tmp_path):
    with K8sFixture(cluster_objects(), tls=tls) as fx:
        fx.fault("selfsubjectreviews", Fault(status=403))
        doc = scan(fx, tmp_path)
    identity = doc["scan"]["targets"][0]["identity"]
    assert set(identity) == {"unknown"} and identity["unknown"].startswith("SelfSubjectReview failed: 403 forbidden")
    assert doc["summary"]["resources"] > 0


def test_forbidden_kinds_are_in_the_access_summary(tls, tmp_path):
    with K8sFixture(cluster_objects(), tls=tls) as fx:
        allowed = scan(fx, tmp_path)["scan"]["targets"][0]["access"]
        fx.fault("secrets", Fault(status=403, times=None))
        access = scan(fx, tmp_path)["scan"]["targets"][0]["access"]
    assert allowed["kinds_forbidden"] == [] and access["kinds_forbidden"] == ["Secret"]
    assert access["kinds_listed"] == allowed["kinds_listed"] - 1
    assert "Secret" not in access["kinds_not_read"]


def test_a_namespace_scoped_scan_still_finds_the_cluster_uid(tls, tmp_path):
    """kube-system is outside --namespace shop, so the UID comes from one list of only that namespace
    (a list, not a GET: the scanner's role grants list only)."""
    with K8sFixture(cluster_objects(), tls=tls) as fx:
        doc = scan(fx, tmp_path, "--namespace", "shop")
        selected = [r for r in fx.requests_for("namespaces") if r.query.get("fieldSelector") == ["metadata.name=kube-system"]]
    assert doc["scan"]["targets"][0]["cluster_uid"] == "uid-ns-kube-system" and len(selected) == 1
    assert "kube-system" not in {r["name"] for r in doc["resources"] if r["kind"] == "Namespace"}  # still out of scope


def test_an_unreadable_kube_system_leaves_the_uid_unknown_with_the_reason(tls, tmp_path):
    with K8sFixture(cluster_objects(), tls=tls) as fx:
        fx.fault("namespaces", Fault(status=403, after=1))  # the scan's own list of Namespaces passes; the kube-system one is refused
        doc = scan(fx, tmp_path, "--namespace", "shop")
    target = doc["scan"]["targets"][0]
    assert "cluster_uid" not in target and target["cluster_uid_error"].startswith("cannot read namespace kube-system: 403 forbidden")


# ------------------------------------------------------------------ snapshots

def redigest(document: dict) -> dict:
    """Recompute a snapshot's digests after editing it, as scanner.sources.snapshot defines them."""
    def canonical(value):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    objects = "sha256:" + hashlib.sha256(canonical(document["objects"])).hexdigest()
    rest = {k: v for k, v in document.items() if k != "digests"} | {"digests": {"objects": objects}}
    document["digests"] = {"objects": objects, "document": "sha256:" + hashlib.sha256(canonical(rest)).hexdigest()}
    return document


def test_snapshots_keep_the_provenance_and_older_snapshots_without_it_still_read(tls, tmp_path):
    snapshot = tmp_path / "evidence.json.gz"
    with K8sFixture(cluster_objects(), tls=tls) as fx:
        fx.fault("secrets", Fault(status=403, times=None))
        kubeconfig = fx.kubeconfig(tmp_path / "kubeconfig")
        assert run(["export", "cluster", "--kubeconfig", kubeconfig, "-o", snapshot]).exit_code == 0
    document = json.loads(gzip.decompress(snapshot.read_bytes()))
    assert document["format_version"] == 1
    assert document["cluster_uid"] == "uid-ns-kube-system" and document["identity"]["username"] == SCANNER
    assert document["access"]["kinds_forbidden"] == ["Secret"]
    assert EXTRA_SECRET not in json.dumps(document)
    offline = json.loads(run(["scan", "snapshot", snapshot, "-f", "json"]).stdout)
    target = offline["scan"]["targets"][0]
    assert (target["cluster_uid"], target["identity"]["username"], target["access"]["kinds_forbidden"]) == ("uid-ns-kube-system", SCANNER, ["Secret"])

    # a snapshot written before these fields existed: no UID or identity, access rebuilt from its gaps
    for key in ("cluster_uid", "identity", "access"):
        del document[key]
    old = tmp_path / "old.json.gz"
    old.write_bytes(gzip.compress(json.dumps(redigest(document)).encode()))
    out = run(["scan", "snapshot", old, "-f", "json"])
    assert out.exit_code in (0, 1, 2) and "error" not in out.stderr
    target = json.loads(out.stdout)["scan"]["targets"][0]
    assert "cluster_uid" not in target and "identity" not in target
    assert target["access"]["kinds_forbidden"] == ["Secret"]


def test_the_table_header_names_the_cluster_uid_and_identity(tls, tmp_path):
    with K8sFixture(cluster_objects(), tls=tls) as fx:
        kubeconfig = fx.kubeconfig(tmp_path / "kubeconfig")
        out = run(["scan", "cluster", "--kubeconfig", kubeconfig])
    header = out.stdout.split("\n\n", 1)[0]
    assert f"cluster fixture: uid uid-ns-kube-system, read as {SCANNER}" in header


def test_each_cluster_of_a_fleet_has_its_own_uid_and_identity(tls, tmp_path):
    from k8s_fixture_server import merge_kubeconfigs

    us_objects = cluster_objects()
    for obj in us_objects:
        if obj["kind"] == "Namespace":
            obj["metadata"]["uid"] = obj["metadata"]["uid"].replace("uid-", "uid-us-")
    us_user = {"username": "us-scanner", "groups": ["system:authenticated"]}
    with K8sFixture(cluster_objects(), tls=tls) as eu, K8sFixture(us_objects, tls=tls, review_versions=("v1beta1",), user_info=us_user) as us:
        configs = [eu.kubeconfig(tmp_path / "kc-eu", context="prod-eu"), us.kubeconfig(tmp_path / "kc-us", context="prod-us")]
        config = merge_kubeconfigs(tmp_path / "kubeconfig", configs, current="prod-eu")
        doc = json.loads(run(["scan", "cluster", "--kubeconfig", config, "--context", "prod-eu", "--context", "prod-us", "-f", "json"]).stdout)
    targets = {t["context"]: t for t in doc["scan"]["targets"]}
    assert (targets["prod-eu"]["cluster_uid"], targets["prod-eu"]["identity"]["username"]) == ("uid-ns-kube-system", SCANNER)
    assert targets["prod-us"]["cluster_uid"] == "uid-us-ns-kube-system"
    assert targets["prod-us"]["identity"] == {"username": "us-scanner", "groups": ["system:authenticated"], "source": "SelfSubjectReview authentication.k8s.io/v1beta1"}
    assert {c["name"]: c["cluster_uid"] for c in doc["fleet"]["clusters"]} == {"prod-eu": "uid-ns-kube-system", "prod-us": "uid-us-ns-kube-system"}
