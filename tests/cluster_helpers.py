"""Fixture objects and helpers shared by the cluster tests (tests/test_cluster*.py)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from conftest import check_module, write

SECRET_PLAINTEXT = "hunter2-do-not-leak"
SECRET_B64 = "aHVudGVyMi1kby1ub3QtbGVhaw=="  # base64 of SECRET_PLAINTEXT


def ns(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "uid": f"uid-ns-{name}"}}


def pod_spec(privileged: bool = False) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "app", "image": "registry.example/app:1.0"}
    if privileged:
        container["securityContext"] = {"privileged": True}
    return {"containers": [container]}


def owner(kind: str, name: str, uid: str) -> list[dict[str, Any]]:
    api = "apps/v1" if kind in ("ReplicaSet", "Deployment", "StatefulSet", "DaemonSet") else "batch/v1"
    return [{"apiVersion": api, "kind": kind, "name": name, "uid": uid, "controller": True}]


def cluster_objects() -> list[dict[str, Any]]:
    """A small cluster: a privileged Deployment with its ReplicaSet and Pod, a bare privileged Pod, secrets, RBAC."""
    objs: list[dict[str, Any]] = [ns(n) for n in ("default", "kube-system", "payments", "shop")]
    objs.append({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {
            "name": "cart", "namespace": "shop", "uid": "uid-deploy-cart",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": '{"password": "' + SECRET_PLAINTEXT + '"}', "team": "shop"},
            "managedFields": [{"manager": "kubectl", "operation": "Apply"}],
        },
        "spec": {"replicas": 1, "template": {"metadata": {"labels": {"app": "cart"}}, "spec": pod_spec(privileged=True)}},
    })
    objs.append({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": "cart-5d8f", "namespace": "shop", "uid": "uid-rs-cart", "ownerReferences": owner("Deployment", "cart", "uid-deploy-cart")},
        "spec": {"template": {"spec": pod_spec(privileged=True)}},
    })
    objs.append({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "cart-5d8f-x1", "namespace": "shop", "uid": "uid-pod-cart", "ownerReferences": owner("ReplicaSet", "cart-5d8f", "uid-rs-cart")},
        "spec": pod_spec(privileged=True),
    })
    objs.append({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug", "namespace": "payments", "uid": "uid-pod-debug"}, "spec": pod_spec(privileged=True)})
    objs.append({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-proxy-a", "namespace": "kube-system", "uid": "uid-pod-kp"}, "spec": pod_spec(privileged=True)})
    objs.append({
        "apiVersion": "v1", "kind": "Pod",
        # owned by a controller that is not collected (no such ReplicaSet): kept
        "metadata": {"name": "orphan", "namespace": "shop", "uid": "uid-pod-orphan", "ownerReferences": owner("ReplicaSet", "gone", "uid-rs-gone")},
        "spec": pod_spec(),
    })
    objs.append({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "ledger", "namespace": "payments", "uid": "uid-sts-ledger"},
                 "spec": {"template": {"spec": pod_spec()}}})
    # kubectl apply leaves the values in the last-applied annotation, which metadata lists do return.
    last_applied = '{"apiVersion":"v1","kind":"Secret","data":{"password":"' + SECRET_B64 + '"}}'
    objs.append({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                 "metadata": {"name": "db", "namespace": "shop", "uid": "uid-secret-db",
                              "annotations": {"kubectl.kubernetes.io/last-applied-configuration": last_applied}},
                 "data": {"password": SECRET_B64}, "stringData": {"plain": SECRET_PLAINTEXT}})
    objs.append({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
                 "metadata": {"name": "legacy-token", "namespace": "shop", "uid": "uid-secret-tok", "annotations": {"kubernetes.io/service-account.name": "default"}},
                 "data": {"token": SECRET_B64}})
    objs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop", "uid": "uid-cm"}, "data": {"mode": "prod"}})
    objs.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "cart", "namespace": "shop", "uid": "uid-svc"}, "spec": {"ports": [{"port": 80}]}})
    objs.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "admin-ish", "uid": "uid-cr"},
                 "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]})
    return copy.deepcopy(objs)


SECRET_CHECK = """
deny contains {"msg": sprintf("secret %s is a long-lived service-account token", [input.metadata.name]), "path": ["type"]} if {
    input.type == "kubernetes.io/service-account-token"
}

deny contains {"msg": "secret data visible to checks", "path": ["data"]} if {
    input.data
}
"""

POD_ONLY_CHECK = """
deny contains {"msg": sprintf("pod %s has no team label", [input.metadata.name]), "path": ["metadata"]} if {
    not input.metadata.labels.team
}
"""


def write_policies(folder: Path, extra: dict[str, tuple[str, str]] | None = None) -> Path:
    """A policy folder with checks on Secret and on Pod only; ``extra``: id -> (kinds, body)."""
    write(folder, "secret_tokens.rego", check_module("legacy-sa-token", "test.legacy_sa_token", SECRET_CHECK, kinds="[Secret]", severity="medium"))
    write(folder, "pod_team.rego", check_module("pod-team-label", "test.pod_team_label", POD_ONLY_CHECK, kinds="[Pod]", severity="low"))
    for check_id, (kinds, body) in (extra or {}).items():
        write(folder, f"{check_id.replace('-', '_')}.rego", check_module(check_id, f"test.{check_id.replace('-', '_')}", body, kinds=kinds))
    return folder


def write_mapping(folder: Path) -> Path:
    """A framework whose one control depends only on the Pod-only check."""
    write(folder, "pods.yaml", """
        id: pods-fw
        title: Pods only
        version: "1"
        controls:
          - id: "P1"
            title: "Pods carry a team label"
            automation: automated
            checks: [pod-team-label]
          - id: "S1"
            title: "No legacy service-account tokens"
            automation: automated
            checks: [legacy-sa-token]
    """)
    return folder
