"""`scan cluster`, `export cluster` and `scan snapshot` against a REAL kube-apiserver (tests/real_cluster.py).

The cluster is the session's (conftest ``real_cluster``): etcd and kube-apiserver built
by `make tools`, holding tests/cluster_population.py's objects, which are also written
out as manifests.  These tests drive the CLI as users do.  The fixture server
(tests/k8s_fixture_server.py) stays for the faults a real server will not produce on
demand (429, 5xx, truncated bodies, slow answers).
"""

from __future__ import annotations

import copy
import gzip
import json
import subprocess
import sys

import yaml
from click.testing import CliRunner

from cluster_population import LITERAL_CREDENTIALS, identity, population, secret_needles
from conftest import REPO_ROOT
from scanner.cli import main

DEPLOY = REPO_ROOT / "deploy"


def run(args: list) -> "object":
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def scan_json(*args: object) -> tuple[int, dict, str]:
    out = run(["scan", *args, "-f", "json"])
    assert out.exit_code in (0, 1, 2), out.output
    return out.exit_code, json.loads(out.stdout), out.stderr


def finding_keys(doc: dict, only: set | None = None) -> set[tuple]:
    """(check, apiVersion, kind, namespace, name, field path) of every finding, optionally only on given resources."""
    keys = set()
    for f in doc["findings"]:
        r = f["resource"]
        ident = (r["apiVersion"], r["kind"], r.get("namespace") or "", r["name"])
        if only is None or ident in only:
            keys.add((f["policy"], *ident, f.get("path") or ""))
    return keys


def control_statuses(doc: dict) -> dict[tuple[str, str], str]:
    return {(fw["id"], c["id"]): c["status"] for fw in doc["frameworks"] for c in fw["controls"]}


def without_times(doc: dict) -> dict:
    """A result without what differs between two runs: scan and collection times, the snapshot's own fields."""
    doc = copy.deepcopy(doc)
    for key in ("started", "finished", "source"):
        doc["scan"].pop(key, None)
    for target in doc["scan"]["targets"]:
        for key in ("collected_at", "snapshot", "objects_sha256", "scanner_version"):
            target.pop(key, None)
    for item in doc["findings"] + doc.get("resources", []):
        item["origin"].pop("collected_at", None)
    return doc


# API defaults that change what a check reports between a manifest and the object the
# API server stored.  Both are the same violation; the finding's field path goes one
# level deeper in the cluster because the server added the (empty) field:
#   check -> (suffix the cluster's path has in addition, the default responsible)
API_DEFAULT_PATHS = {
    **{check: (".resources", "the API server sets resources: {} on every container")
       for check in ("cpu-limits", "cpu-requests", "memory-limits", "memory-requests")},
    "psa-enforce-label": (".labels", "the API server labels every Namespace kubernetes.io/metadata.name"),
}


def as_in_manifest(key: tuple) -> tuple:
    """A cluster finding's key with the path it would have without the API defaults above."""
    suffix = API_DEFAULT_PATHS.get(key[0], ("",))[0]
    if suffix and key[-1].endswith(suffix):
        return (*key[:-1], key[-1][: -len(suffix)])
    return key


def test_scan_cluster_finds_what_scan_manifests_finds_on_the_same_objects(real_cluster):
    """Same objects, two sources: the same findings, with paths differing only by the API defaults named above."""
    manifest_code, manifest_doc, _ = scan_json("manifests", real_cluster.manifests)
    cluster_code, cluster_doc, _ = scan_json("cluster", "--kubeconfig", real_cluster.kubeconfig)
    ours = {identity(o) for o in population()}
    from_manifests = finding_keys(manifest_doc)
    from_cluster = finding_keys(cluster_doc, ours)
    assert len(from_manifests) > 100  # not vacuous: the population is full of mistakes
    assert len(from_cluster) == len(from_manifests)
    assert {as_in_manifest(k) for k in from_cluster} == from_manifests
    # Each default named above did change some path (so the list stays true, not just allowed).
    changed = {k[0] for k in from_cluster if as_in_manifest(k) != k}
    assert changed == set(API_DEFAULT_PATHS)
    assert manifest_code == cluster_code == 1
    # Every object of the population was collected; the owned ReplicaSet and Pod were skipped.
    scanned = {(r["apiVersion"], r["kind"], r.get("namespace") or "", r["name"]) for r in cluster_doc["resources"]}
    assert ours <= scanned
    assert cluster_doc["summary"]["skipped_owned"] == {"Pod": 1, "ReplicaSet": 1}
    assert cluster_doc["summary"]["kinds_not_served"] == ["DeploymentConfig"]
    assert cluster_doc["gaps"] == []
    target = cluster_doc["scan"]["targets"][0]
    assert target["server"] == real_cluster.server.url and target["version"].startswith("v1.")


def apply_deploy_rbac(rest, role: dict, account: str) -> None:
    """deploy/rbac.yaml's ServiceAccount, the given ClusterRole and a binding of one to the other."""
    for doc in yaml.safe_load_all((DEPLOY / "namespace.yaml").read_text()):
        if doc and rest.request("GET", f"/api/v1/namespaces/{doc['metadata']['name']}")[0] == 404:
            rest.create(doc)
    rest.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": account, "namespace": "kubecomply"}})
    rest.create(role)
    rest.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": role["metadata"]["name"]},
                 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role["metadata"]["name"]},
                 "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": "kubecomply"}]})


def deploy_documents() -> dict[str, dict]:
    return {d["kind"]: d for d in yaml.safe_load_all((DEPLOY / "rbac.yaml").read_text()) if d}


def test_deploy_cluster_role_is_enough_and_each_rule_is_needed(real_cluster, tmp_path):
    """The deploy/ ClusterRole through a TokenRequest token: a complete scan; one rule less: exactly its kinds are gaps."""
    server, docs = real_cluster.server, deploy_documents()
    role = docs["ClusterRole"]
    account = docs["ServiceAccount"]["metadata"]["name"]
    rest = server.rest()
    try:
        apply_deploy_rbac(rest, role, account)
        partial = copy.deepcopy(role)
        partial["metadata"]["name"] = "kubecomply-reader-partial"
        removed = next(r for r in partial["rules"] if r["apiGroups"] == ["networking.k8s.io"])
        partial["rules"].remove(removed)
        apply_deploy_rbac(rest, partial, "kubecomply-partial")
    finally:
        rest.close()
    full_kc = server.kubeconfig(tmp_path / "kc-sa", context="sa", token=server.token_for("kubecomply", account))
    partial_kc = server.kubeconfig(tmp_path / "kc-partial", context="partial", token=server.token_for("kubecomply", "kubecomply-partial"))

    code, as_admin, _ = scan_json("cluster", "--kubeconfig", real_cluster.kubeconfig, "--fail-on", "none")
    code, full, stderr = scan_json("cluster", "--kubeconfig", full_kc, "--fail-on", "none", "--fail-on-gaps")
    assert code == 0, stderr
    assert full["gaps"] == [] and full["summary"]["kinds_not_served"] == ["DeploymentConfig"]
    assert finding_keys(full) == finding_keys(as_admin)  # the role sees everything the checks need
    assert control_statuses(full) == control_statuses(as_admin)

    # In namespace payments every network check passes with the whole role (a default-deny
    # policy, an Ingress with TLS), so losing the rule must turn passes into not-assessed.
    code, before_doc, _ = scan_json("cluster", "--kubeconfig", full_kc, "--fail-on", "none", "--namespace", "payments")
    assert code == 0 and before_doc["gaps"] == []
    code, part, stderr = scan_json("cluster", "--kubeconfig", partial_kc, "--fail-on", "none", "--fail-on-gaps", "--namespace", "payments")
    assert code == 2 and "--fail-on-gaps" in stderr
    assert sorted((g["apiVersion"], g["kind"]) for g in part["gaps"]) == [("networking.k8s.io/v1", "Ingress"), ("networking.k8s.io/v1", "NetworkPolicy")]
    assert all(g["type"] == "kind" and g["reason"].startswith("403 forbidden: ") for g in part["gaps"])
    # The checks that evaluate or read those kinds, from the policies themselves.
    policies = json.loads(run(["policy", "list", "-f", "json"]).stdout)
    blind = {p["id"] for p in policies if {"Ingress", "NetworkPolicy"} & set(p["kinds"] + (p.get("reads") or []))}
    assert {"ingress-tls", "allow-all-network-policy", "namespace-network-policy", "default-deny-ingress"} <= blind
    before, after = control_statuses(before_doc), control_statuses(part)
    changed = 0
    for fw in part["frameworks"]:
        for control in fw["controls"]:
            key = (fw["id"], control["id"])
            if blind & set(control.get("checks") or []):
                assert after[key] != "pass", key
                if before[key] == "pass":
                    assert after[key] == "not-assessed" and "was not collected (403 forbidden)" in control["reason"], control
                    changed += 1
            else:
                assert after[key] == before[key], key
    assert changed > 0
    # A check that only reads NetworkPolicies judged nothing: no finding of it, not "every namespace lacks one".
    readers = {p["id"] for p in policies if "NetworkPolicy" in (p.get("reads") or [])}
    assert readers and not any(f["policy"] in readers for f in part["findings"])
    # Findings of checks that never look at those kinds are unchanged.
    assert {k for k in finding_keys(part) if k[0] not in blind} == {k for k in finding_keys(before_doc) if k[0] not in blind}


def test_secret_values_never_leave_the_cluster(real_cluster, tmp_path):
    """Every output format, the snapshot and the process's own stderr: no Secret value, in any encoding."""
    kc = real_cluster.kubeconfig
    results = tmp_path / "results.json"
    scan = subprocess.run([sys.executable, "-m", "scanner", "scan", "cluster", "--kubeconfig", str(kc), "-f", "json", "-o", str(results)],
                          capture_output=True, cwd=REPO_ROOT, timeout=120)
    assert scan.returncode == 1, scan.stderr.decode()
    outputs: dict[str, bytes] = {"json": results.read_bytes(), "scan stdout": scan.stdout, "scan stderr": scan.stderr}
    for fmt in ("table", "sarif", "junit", "csv", "policyreport", "html", "markdown"):
        out = run(["report", results, "-f", fmt])
        assert out.exit_code == 0, out.output
        outputs[fmt] = out.stdout_bytes + out.stderr_bytes
    out = run(["report", results, "-f", "csv", "--csv-controls"])
    outputs["csv controls"] = out.stdout_bytes
    snapshot = tmp_path / "evidence.json.gz"
    export = run(["export", "cluster", "--kubeconfig", kc, "-o", snapshot])
    assert export.exit_code == 0, export.output
    outputs["snapshot (gzip)"] = snapshot.read_bytes()
    outputs["snapshot"] = gzip.decompress(snapshot.read_bytes())
    outputs["export stderr"] = export.stderr_bytes + export.stdout_bytes
    for name, data in outputs.items():
        assert data or name == "scan stdout", name  # -o: the report went to the file
        for needle in secret_needles():
            assert needle.encode() not in data, f"a Secret value ({needle[:12]}...) is in {name}"
    # Literal credentials in a ConfigMap and in env/args are findings; reports redact them
    # (the snapshot holds the objects as the cluster has them, so it is not searched for these).
    for name, data in outputs.items():
        if name.startswith("snapshot"):
            continue
        for value in LITERAL_CREDENTIALS.values():
            assert value.encode() not in data, f"a literal credential is in {name}"
    doc = json.loads(outputs["json"])
    assert {f["policy"] for f in doc["findings"]} >= {"credentials-in-configmap", "sa-token-secret", "secrets-in-env"}
    secrets = [o for o in json.loads(outputs["snapshot"])["objects"] if o["kind"] == "Secret"]
    assert {s["metadata"]["name"] for s in secrets} >= {"db", "pay-tls", "web-legacy-token", "applied"}
    assert all(set(s) <= {"apiVersion", "kind", "metadata", "type"} for s in secrets)


def test_export_then_scan_snapshot_equals_scan_cluster(real_cluster, tmp_path):
    kc = real_cluster.kubeconfig
    snapshot = tmp_path / "evidence.json.gz"
    out = run(["export", "cluster", "--kubeconfig", kc, "-o", snapshot])
    assert out.exit_code == 0, out.output
    live_code, live, _ = scan_json("cluster", "--kubeconfig", kc)
    offline_code, offline, _ = scan_json("snapshot", snapshot)
    assert offline_code == live_code == 1
    assert offline["scan"]["source"] == "snapshot" and offline["scan"]["targets"][0]["objects_sha256"].startswith("sha256:")
    assert without_times(offline) == without_times(live)
    assert live["findings"]
