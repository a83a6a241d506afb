"""deploy/: the ClusterRole grants exactly what the loaded checks need, and the manifests pass restricted checks.

The kinds come from the checks' METADATA (``required_kinds``), so a new check that
declares a kind the ClusterRole does not grant fails here, naming the kind.
"""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO_ROOT
from scanner.cli import main
from scanner.policies import load_policies
from scanner.sources.cluster import required_kinds

DEPLOY = REPO_ROOT / "deploy"

# kind -> (API group, resource) for the kinds checks may declare.  A kind missing here
# fails the test below: add it, and a rule to deploy/rbac.yaml.
KIND_RESOURCES: dict[str, tuple[str, str]] = {
    "Namespace": ("", "namespaces"),
    "Pod": ("", "pods"),
    "PodTemplate": ("", "podtemplates"),
    "ReplicationController": ("", "replicationcontrollers"),
    "Service": ("", "services"),
    "ConfigMap": ("", "configmaps"),
    "Secret": ("", "secrets"),
    "ServiceAccount": ("", "serviceaccounts"),
    "ResourceQuota": ("", "resourcequotas"),
    "LimitRange": ("", "limitranges"),
    "Node": ("", "nodes"),
    "Deployment": ("apps", "deployments"),
    "StatefulSet": ("apps", "statefulsets"),
    "DaemonSet": ("apps", "daemonsets"),
    "ReplicaSet": ("apps", "replicasets"),
    "Job": ("batch", "jobs"),
    "CronJob": ("batch", "cronjobs"),
    "DeploymentConfig": ("apps.openshift.io", "deploymentconfigs"),
    "NetworkPolicy": ("networking.k8s.io", "networkpolicies"),
    "Ingress": ("networking.k8s.io", "ingresses"),
    "PodDisruptionBudget": ("policy", "poddisruptionbudgets"),
    "HorizontalPodAutoscaler": ("autoscaling", "horizontalpodautoscalers"),
    "Role": ("rbac.authorization.k8s.io", "roles"),
    "RoleBinding": ("rbac.authorization.k8s.io", "rolebindings"),
    "ClusterRole": ("rbac.authorization.k8s.io", "clusterroles"),
    "ClusterRoleBinding": ("rbac.authorization.k8s.io", "clusterrolebindings"),
    "PeerAuthentication": ("security.istio.io", "peerauthentications"),
    "Schedule": ("velero.io", "schedules"),
}


def documents(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((DEPLOY / name).read_text()) if d]


def cluster_role() -> dict:
    return next(d for d in documents("rbac.yaml") if d["kind"] == "ClusterRole")


def granted() -> set[tuple[str, str]]:
    out = set()
    for rule in cluster_role()["rules"]:
        assert rule["verbs"] == ["list"], f"only list is needed, rule grants {rule['verbs']}"
        assert "resourceNames" not in rule and "nonResourceURLs" not in rule
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                assert "*" not in (group, resource), "no wildcards in a read-only role"
                out.add((group, resource))
    return out


def needed() -> set[tuple[str, str]]:
    kinds, _explicit = required_kinds(load_policies().policies)
    unknown = sorted(k for k in kinds if k not in KIND_RESOURCES)
    assert not unknown, f"checks declare kinds with no known API resource: {unknown}; add them to KIND_RESOURCES and deploy/rbac.yaml"
    return {KIND_RESOURCES[k] for k in kinds}


def test_cluster_role_grants_every_kind_the_loaded_checks_need():
    missing = sorted(needed() - granted())
    assert not missing, f"deploy/rbac.yaml ClusterRole lacks list on {missing} (needed by the bundled checks' kinds)"


def test_cluster_role_grants_nothing_the_checks_do_not_need():
    extra = sorted(granted() - needed())
    assert not extra, f"deploy/rbac.yaml ClusterRole grants list on {extra}, which no bundled check needs"


def test_binding_names_the_service_account_the_cronjob_uses():
    binding = next(d for d in documents("rbac.yaml") if d["kind"] == "ClusterRoleBinding")
    account = next(d for d in documents("rbac.yaml") if d["kind"] == "ServiceAccount")
    cron = next(d for d in documents("cronjob.yaml") if d["kind"] == "CronJob")
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert binding["roleRef"]["name"] == cluster_role()["metadata"]["name"]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": account["metadata"]["namespace"]}]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    command = " ".join(pod["containers"][0]["args"])
    assert "kubecomply scan cluster" in command and "-f json" in command and "-f html" in command
    assert 'kubecomply history add "/results/kubecomply-$stamp.json" --store /results/history' in command


@pytest.mark.parametrize("framework", ["pss-restricted", "pss-baseline"])
def test_kubecomplys_own_scan_of_deploy_passes(framework):
    import json

    out = CliRunner().invoke(main, ["scan", "manifests", str(DEPLOY), "-f", "json", "--framework", framework], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["findings"] == [] and doc["gaps"] == []
    assert doc["summary"]["resources_by_kind"]["CronJob"] == 1
    fw = doc["frameworks"][0]
    assert fw["counts"]["fail"] == 0 and fw["counts"]["not-assessed"] == 0


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl for the fixture server")
def test_a_scan_with_only_the_cluster_role_has_no_gaps(tmp_path):
    """Against a fixture server that forbids every list the ClusterRole does not grant."""
    pytest.importorskip("kubernetes")
    from cluster_helpers import cluster_objects
    from k8s_fixture_server import DEFAULT_RESOURCES, Fault, K8sFixture, make_tls

    allowed = granted()
    with K8sFixture(cluster_objects(), tls=make_tls(tmp_path / "tls")) as fx:
        for res in DEFAULT_RESOURCES:
            if (res.group, res.plural) not in allowed:
                fx.fault(res.plural, Fault(status=403, times=None))
        config = fx.kubeconfig(tmp_path / "kc")
        out = CliRunner().invoke(main, ["scan", "cluster", "--kubeconfig", str(config), "--fail-on-gaps", "--fail-on", "none"], catch_exceptions=False)
        assert out.exit_code == 0, out.output
        assert not any(r.status == 403 for r in fx.state.requests)
