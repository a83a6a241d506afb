"""A realistic population of Kubernetes objects, for the real API server tests (tests/real_cluster.py).

The same objects are written as manifests and created in the cluster, so a manifest
scan and a cluster scan can be compared.  Every workload kind is here, hardened and
careless ones, RBAC with the usual mistakes, NetworkPolicies (default deny, allow all),
Services of every type, Ingresses with and without TLS, quotas, PDB and HPA, Istio
PeerAuthentications and Velero Schedules (custom resources), a mirror Pod of
kube-apiserver, and Secrets whose values are random for each test session
(``SECRET_VALUES``): tests search every output for them.

Objects that only make sense with real uids (a ReplicaSet owned by a Deployment, a Pod
owned by that ReplicaSet) come from ``owned_objects(uids)`` after the owners exist.
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
from pathlib import Path
from typing import Any

import yaml

# Random per session, so no test can pass by matching a constant; long enough that a
# chance match in any output is impossible.
SECRET_VALUES: dict[str, str] = {
    "db-password": "kc-secret-" + secrets.token_hex(16),
    "api-key": "kc-secret-" + secrets.token_hex(16),
    "tls-key": "kc-secret-" + secrets.token_hex(16),
    "legacy-token": "kc-secret-" + secrets.token_hex(16),
    "applied-password": "kc-secret-" + secrets.token_hex(16),
}
# Literal credentials in ConfigMaps and env: checks report them, reports must redact them.
LITERAL_CREDENTIALS: dict[str, str] = {
    "configmap-password": "kc-literal-" + secrets.token_hex(12),
    "env-password": "kc-literal-" + secrets.token_hex(12),
}


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def secret_needles() -> list[str]:
    """Every form a Secret value could take in an output: plain, base64, and JSON-escaped base64."""
    out = []
    for value in SECRET_VALUES.values():
        out += [value, b64(value)]
    return out


CRDS: list[dict[str, Any]] = [
    {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group, "scope": "Namespaced",
            "names": {"plural": plural, "singular": kind.lower(), "kind": kind, "listKind": f"{kind}List"},
            "versions": [{"name": "v1", "served": True, "storage": True,
                          "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}],
        },
    }
    for group, plural, kind in (("security.istio.io", "peerauthentications", "PeerAuthentication"), ("velero.io", "schedules", "Schedule"))
]


def _ns(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta}


def _meta(name: str, namespace: str, labels: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "labels": labels or {"app.kubernetes.io/name": name}, **extra}


HARDENED_CONTAINER: dict[str, Any] = {
    "name": "api",
    "image": "registry.example/payments/api@sha256:" + "a" * 64,
    "imagePullPolicy": "IfNotPresent",
    "ports": [{"containerPort": 8080}],
    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
    "livenessProbe": {"httpGet": {"path": "/live", "port": 8080}},
    "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
                        "runAsUser": 10001, "runAsGroup": 10001, "capabilities": {"drop": ["ALL"]},
                        "seccompProfile": {"type": "RuntimeDefault"}},
}
HARDENED_POD: dict[str, Any] = {
    "serviceAccountName": "api",
    "automountServiceAccountToken": False,
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [HARDENED_CONTAINER],
}


def _careless_pod(image: str = "registry.example/shop/web:1.4") -> dict[str, Any]:
    return {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}],
                            "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]}]}


def _template(labels: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"labels": labels}, "spec": copy.deepcopy(spec)}


def population() -> list[dict[str, Any]]:
    """The objects created in (and written as manifests for) the cluster, owners before what they own."""
    objs: list[dict[str, Any]] = [
        _ns("shop", {"pod-security.kubernetes.io/enforce": "baseline", "kubecomply.io/holds-data": "true"}),
        _ns("payments", {"pod-security.kubernetes.io/enforce": "restricted", "kubecomply.io/holds-data": "true"}),
        _ns("platform"),
        _ns("istio-system"),
        _ns("velero"),
    ]
    # ---- workloads, every kind
    web_labels = {"app": "web"}
    objs.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("web", "shop"),
                 "spec": {"replicas": 2, "selector": {"matchLabels": web_labels}, "template": _template(web_labels, _careless_pod())}})
    objs.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("cache", "shop"),
                 # no tag and no pull policy: the API defaults imagePullPolicy to Always
                 "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "cache"}},
                          "template": _template({"app": "cache"}, {"containers": [{"name": "redis", "image": "redis"}]})}})
    api_labels = {"app": "api"}
    objs.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("api", "payments"),
                 "spec": {"replicas": 3, "selector": {"matchLabels": api_labels}, "template": _template(api_labels, HARDENED_POD)}})
    objs.append({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": _meta("ledger", "payments"),
                 "spec": {"replicas": 1, "serviceName": "ledger", "selector": {"matchLabels": {"app": "ledger"}},
                          "template": _template({"app": "ledger"}, HARDENED_POD)}})
    agent = {"hostNetwork": True, "hostPID": True,
             "containers": [{"name": "agent", "image": "registry.example/platform/agent:2.0", "imagePullPolicy": "Always",
                             "securityContext": {"privileged": True, "capabilities": {"add": ["SYS_ADMIN", "NET_RAW"]}},
                             "volumeMounts": [{"name": "sock", "mountPath": "/run/containerd/containerd.sock"}]}],
             "volumes": [{"name": "sock", "hostPath": {"path": "/run/containerd/containerd.sock"}}]}
    objs.append({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": _meta("node-agent", "platform"),
                 "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": _template({"app": "agent"}, agent)}})
    job_pod = {"restartPolicy": "Never", "containers": [{"name": "migrate", "image": "registry.example/platform/migrate:latest",
                                                          "args": ["--password", LITERAL_CREDENTIALS["env-password"]]}]}
    objs.append({"apiVersion": "batch/v1", "kind": "Job", "metadata": _meta("migrate", "platform"),
                 "spec": {"backoffLimit": 1, "template": {"spec": copy.deepcopy(job_pod)}}})
    objs.append({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": _meta("nightly", "platform"),
                 "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": {"spec": copy.deepcopy(job_pod)}}}}})
    objs.append({"apiVersion": "v1", "kind": "ReplicationController", "metadata": _meta("legacy", "platform"),
                 "spec": {"replicas": 1, "selector": {"app": "legacy"}, "template": _template({"app": "legacy"}, _careless_pod("registry.example/legacy:0.9"))}})
    objs.append({"apiVersion": "v1", "kind": "PodTemplate", "metadata": _meta("worker", "platform"),
                 "template": _template({"app": "worker"}, {"containers": [{"name": "w", "image": "docker.io/library/busybox:1.36",
                                                                            "env": [{"name": "API_PASSWORD", "value": LITERAL_CREDENTIALS["env-password"]}]}]})})
    objs.append({"apiVersion": "v1", "kind": "Pod", "metadata": _meta("debug", "default"),
                 "spec": {"containers": [{"name": "sh", "image": "busybox:1.36", "securityContext": {"privileged": True, "runAsUser": 0}}]}})
    apiserver_argv = ["kube-apiserver", "--authorization-mode=RBAC", "--profiling=false", "--anonymous-auth=false",
                      "--secure-port=6443", "--etcd-servers=https://127.0.0.1:2379"]
    objs.append({"apiVersion": "v1", "kind": "Pod",
                 "metadata": _meta("kube-apiserver-node-1", "kube-system", {"component": "kube-apiserver", "tier": "control-plane"},
                                   annotations={"kubernetes.io/config.mirror": "0123456789abcdef"}),
                 "spec": {"nodeName": "node-1", "hostNetwork": True, "priorityClassName": "system-node-critical",
                          "containers": [{"name": "kube-apiserver", "image": "registry.k8s.io/kube-apiserver:v1.36.3", "command": apiserver_argv}]}})
    # ---- services and ingress
    objs += [
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("web", "shop"), "spec": {"selector": web_labels, "ports": [{"port": 80, "targetPort": 80}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("web-nodeport", "shop"), "spec": {"type": "NodePort", "selector": web_labels, "ports": [{"port": 80}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("web-lb", "shop"), "spec": {"type": "LoadBalancer", "selector": web_labels, "ports": [{"port": 443}]}},
        {"apiVersion": "v1", "kind": "Service", "metadata": _meta("external", "platform"), "spec": {"selector": {"app": "agent"}, "ports": [{"port": 9100}], "externalIPs": ["203.0.113.10"]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": _meta("web", "shop"),
         "spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": _meta("api", "payments"),
         "spec": {"tls": [{"hosts": ["pay.example.com"], "secretName": "pay-tls"}],
                  "rules": [{"host": "pay.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 8080}}}}]}}]}},
    ]
    # ---- network policies
    objs += [
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta("default-deny", "payments"),
         "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": _meta("allow-all", "shop"),
         "spec": {"podSelector": {}, "ingress": [{}], "policyTypes": ["Ingress"]}},
    ]
    # ---- accounts, quotas, availability
    objs += [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta("web", "shop")},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta("api", "payments"), "automountServiceAccountToken": False},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": _meta("quota", "payments"), "spec": {"hard": {"pods": "50", "requests.cpu": "8"}}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": _meta("limits", "payments"),
         "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"}, "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": _meta("api", "payments"), "spec": {"minAvailable": 2, "selector": {"matchLabels": api_labels}}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": _meta("api", "payments"),
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}, "minReplicas": 3, "maxReplicas": 6,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}},
    ]
    # ---- RBAC, with the usual mistakes
    rbac = "rbac.authorization.k8s.io/v1"
    objs += [
        {"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": "ops-everything"}, "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]},
        {"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": "pod-debugger"},
         "rules": [{"apiGroups": [""], "resources": ["pods/exec", "pods"], "verbs": ["create", "get"]}]},
        {"apiVersion": rbac, "kind": "ClusterRoleBinding", "metadata": {"name": "alice-admin"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
         "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"}]},
        {"apiVersion": rbac, "kind": "ClusterRoleBinding", "metadata": {"name": "everyone-debug"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "pod-debugger"},
         "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:authenticated"}]},
        {"apiVersion": rbac, "kind": "Role", "metadata": _meta("secret-reader", "shop"), "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]},
        {"apiVersion": rbac, "kind": "RoleBinding", "metadata": _meta("web-secrets", "shop"),
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "secret-reader"},
         "subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": "shop"}]},
        {"apiVersion": rbac, "kind": "Role", "metadata": _meta("config-reader", "payments"), "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]},
    ]
    # ---- config and secrets (values random per session)
    applied = json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "applied", "namespace": "shop"},
                          "data": {"password": b64(SECRET_VALUES["applied-password"])}})
    objs += [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("settings", "shop"), "data": {"mode": "prod", "log-level": "info"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("legacy-config", "platform"),
         "data": {"db_password": LITERAL_CREDENTIALS["configmap-password"], "db_host": "db.platform.svc"}},
        {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "metadata": _meta("db", "shop"),
         "data": {"password": b64(SECRET_VALUES["db-password"])}, "stringData": {"api-key": SECRET_VALUES["api-key"]}},
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls", "metadata": _meta("pay-tls", "payments"),
         "data": {"tls.crt": b64("-----BEGIN CERTIFICATE-----\nnot-a-real-cert\n-----END CERTIFICATE-----\n"), "tls.key": b64(SECRET_VALUES["tls-key"])}},
        {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
         "metadata": _meta("web-legacy-token", "shop", annotations={"kubernetes.io/service-account.name": "web"}),
         "data": {"token": b64(SECRET_VALUES["legacy-token"])}},
        # As `kubectl apply` leaves it: the values repeated in the last-applied annotation.
        {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
         "metadata": _meta("applied", "shop", annotations={"kubectl.kubernetes.io/last-applied-configuration": applied}),
         "data": {"password": b64(SECRET_VALUES["applied-password"])}},
    ]
    # ---- custom resources
    objs += [
        {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": _meta("default", "istio-system"), "spec": {"mtls": {"mode": "PERMISSIVE"}}},
        {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": _meta("strict", "payments"), "spec": {"mtls": {"mode": "STRICT"}}},
        {"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": _meta("daily", "velero"),
         "spec": {"schedule": "0 1 * * *", "template": {"includedNamespaces": ["payments"], "ttl": "720h0m0s"}}},
    ]
    return copy.deepcopy(objs)


def owned_objects(web_uid: str) -> tuple[dict[str, Any], Any]:
    """The ReplicaSet a Deployment controller would make for shop/web, and a function giving its Pod from the RS's uid."""
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": _meta("web-5d8f7c", "shop", {"app": "web", "pod-template-hash": "5d8f7c"},
                            ownerReferences=[{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": web_uid, "controller": True, "blockOwnerDeletion": True}]),
          "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "5d8f7c"}},
                   "template": _template({"app": "web", "pod-template-hash": "5d8f7c"}, _careless_pod())}}

    def pod(rs_uid: str) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Pod",
                "metadata": _meta("web-5d8f7c-x2k9p", "shop", {"app": "web", "pod-template-hash": "5d8f7c"},
                                  ownerReferences=[{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8f7c", "uid": rs_uid, "controller": True, "blockOwnerDeletion": True}]),
                "spec": _careless_pod()}

    return rs, pod


def write_manifests(folder: Path, objects: list[dict[str, Any]]) -> Path:
    """One multi-document YAML file per namespace (cluster-scoped objects in cluster.yaml)."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        files.setdefault(obj["metadata"].get("namespace") or "cluster", []).append(obj)
    for name, docs in files.items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
    return folder


def identity(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    return (obj["apiVersion"], obj["kind"], meta.get("namespace") or "", meta["name"])


# ------------------------------------------------------------------ into a cluster

def populate(rest: Any) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    """Create the CRDs, the population and the owned ReplicaSet and Pod; identity -> the object as stored.

    ``rest`` is ``real_cluster.Rest``.  Namespaces first (everything else lives in them),
    then the rest concurrently; the owned objects last, with their owners' real uids.
    """
    stored: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for crd in rest.create_all(CRDS):
        stored[identity(crd)] = crd
    objs = population()
    namespaces = [o for o in objs if o["kind"] == "Namespace"]
    for obj in rest.create_all(namespaces):
        stored[identity(obj)] = obj
    rest.wait_served("security.istio.io/v1", "peerauthentications")
    rest.wait_served("velero.io/v1", "schedules")
    for obj in rest.create_all([o for o in objs if o["kind"] != "Namespace"]):
        stored[identity(obj)] = obj
    rs, pod = owned_objects(stored[("apps/v1", "Deployment", "shop", "web")]["metadata"]["uid"])
    rs = rest.create(rs)
    stored[identity(rs)] = rs
    pod_obj = rest.create(pod(rs["metadata"]["uid"]))
    stored[identity(pod_obj)] = pod_obj
    return stored
