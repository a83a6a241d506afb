"""The resources and network checks through the real scan pipeline, on multi-document YAML.

The cross-resource checks (pdb-coverage, namespace-resource-quota, namespace-limit-range,
namespace-network-policy, default-deny-ingress, default-deny-egress) read the scanned set as
data.inventory; these tests scan real files so that the inventory is built by the scanner
itself, and check both directions: the companion object present, then removed.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.cli import main
from scanner.pipeline import ScanOptions, scan_manifests

CROSS_RESOURCE = {
    "pdb-coverage",
    "namespace-resource-quota",
    "namespace-limit-range",
    "namespace-network-policy",
    "default-deny-ingress",
    "default-deny-egress",
}

NAMESPACE = """
apiVersion: v1
kind: Namespace
metadata:
  name: shop
"""

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, tier: frontend}
    spec:
      containers:
        - name: web
          image: registry.example.com/shop/web:1.2.3
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
"""

PDB = """
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  maxUnavailable: 1
  selector:
    matchExpressions:
      - {key: tier, operator: In, values: [frontend]}
"""

DENY_ALL = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
"""

ALLOW_WEB = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-web
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: web}
  ingress:
    - ports:
        - port: 8080
"""

QUOTA = """
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: shop
spec:
  hard: {requests.cpu: "4", requests.memory: 8Gi, limits.cpu: "8", limits.memory: 16Gi}
"""

LIMITS = """
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: shop
spec:
  limits:
    - type: Container
      default: {cpu: 500m, memory: 256Mi}
      defaultRequest: {cpu: 100m, memory: 128Mi}
"""

SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: 8080
"""

INGRESS = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  tls:
    - hosts: [shop.example.com]
      secretName: shop-tls
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port: {number: 80}
"""

EVERYTHING = [NAMESPACE, DEPLOYMENT, PDB, DENY_ALL, ALLOW_WEB, QUOTA, LIMITS, SERVICE, INGRESS]
OURS = CROSS_RESOURCE | {
    "cpu-requests", "memory-requests", "cpu-limits", "memory-limits", "liveness-probe", "readiness-probe",
    "single-replica", "allow-all-network-policy", "service-nodeport", "loadbalancer-source-ranges",
    "service-external-ips", "ingress-tls",
}


def scan(tmp_path, documents, name="app.yaml"):
    folder = tmp_path / "manifests"
    write(folder, name, "---\n".join(d.lstrip("\n") for d in documents))
    return scan_manifests([str(folder)], ScanOptions(workers=1))


def failing(result, checks=OURS):
    return sorted((f.policy, f.resource.kind, f.resource.name) for f in result.findings if f.policy in checks)


def test_complete_application_passes_every_resources_and_network_check(tmp_path):
    result = scan(tmp_path, EVERYTHING)
    assert result.gaps == []
    assert failing(result) == []
    checks = {c.id for c in result.checks}
    assert OURS <= checks


@pytest.mark.parametrize(
    ("removed", "expected"),
    [
        (PDB, [("pdb-coverage", "Deployment", "web")]),
        (QUOTA, [("namespace-resource-quota", "Namespace", "shop")]),
        (LIMITS, [("namespace-limit-range", "Namespace", "shop")]),
        (DENY_ALL, [("default-deny-egress", "Namespace", "shop"), ("default-deny-ingress", "Namespace", "shop")]),
    ],
    ids=["pdb", "quota", "limit-range", "deny-all"],
)
def test_removing_the_companion_object_fails_its_check(tmp_path, removed, expected):
    result = scan(tmp_path, [d for d in EVERYTHING if d is not removed])
    assert failing(result, CROSS_RESOURCE) == expected


def test_without_any_network_policy_three_network_checks_fail(tmp_path):
    result = scan(tmp_path, [d for d in EVERYTHING if d not in (DENY_ALL, ALLOW_WEB)])
    assert failing(result, CROSS_RESOURCE) == [
        ("default-deny-egress", "Namespace", "shop"),
        ("default-deny-ingress", "Namespace", "shop"),
        ("namespace-network-policy", "Namespace", "shop"),
    ]
    [finding] = [f for f in result.findings if f.policy == "namespace-network-policy"]
    assert finding.message == 'no NetworkPolicy in namespace "shop" among the scanned resources'
    assert finding.path == "metadata.name" and finding.origin.line == 4  # "  name: shop" of the Namespace


def test_companions_in_separate_files_are_seen(tmp_path):
    folder = tmp_path / "manifests"
    write(folder, "namespace.yaml", NAMESPACE)
    write(folder, "app/web.yaml", "---\n".join(d.lstrip("\n") for d in (DEPLOYMENT, SERVICE, INGRESS)))
    write(folder, "policy/guardrails.yaml", "---\n".join(d.lstrip("\n") for d in (PDB, DENY_ALL, QUOTA, LIMITS)))
    result = scan_manifests([str(folder)], ScanOptions(workers=1))
    assert failing(result) == []


def test_companion_in_another_namespace_does_not_count(tmp_path):
    other = [d.replace("namespace: shop", "namespace: payments") for d in (PDB, DENY_ALL, QUOTA, LIMITS)]
    result = scan(tmp_path, [NAMESPACE, DEPLOYMENT, SERVICE, INGRESS, *other])
    assert failing(result, CROSS_RESOURCE) == [
        ("default-deny-egress", "Namespace", "shop"),
        ("default-deny-ingress", "Namespace", "shop"),
        ("namespace-limit-range", "Namespace", "shop"),
        ("namespace-network-policy", "Namespace", "shop"),
        ("namespace-resource-quota", "Namespace", "shop"),
        ("pdb-coverage", "Deployment", "web"),
    ]


def test_pdb_that_selects_other_pods_does_not_cover(tmp_path):
    pdb = PDB.replace("values: [frontend]", "values: [backend]")
    result = scan(tmp_path, [pdb if d is PDB else d for d in EVERYTHING])
    [finding] = [f for f in result.findings if f.policy == "pdb-coverage"]
    assert "no PodDisruptionBudget in namespace \"shop\" among the scanned resources" in finding.message
    assert finding.path == "spec.replicas"


def test_single_object_checks_on_a_weak_application(tmp_path):
    weak = [
        NAMESPACE,
        DEPLOYMENT.replace("replicas: 3", "replicas: 1").replace("limits: {cpu: 500m, memory: 256Mi}", "limits: {}"),
        SERVICE.replace("spec:\n", "spec:\n  type: LoadBalancer\n  externalIPs: [203.0.113.7]\n"),
        INGRESS.replace("  tls:\n    - hosts: [shop.example.com]\n      secretName: shop-tls\n", ""),
        ALLOW_WEB.replace("    - ports:\n        - port: 8080\n", "    - {}\n"),
    ]
    result = scan(tmp_path, weak)
    assert set(failing(result, OURS - CROSS_RESOURCE)) == {
        ("allow-all-network-policy", "NetworkPolicy", "allow-web"),
        ("cpu-limits", "Deployment", "web"),
        ("ingress-tls", "Ingress", "web"),
        ("loadbalancer-source-ranges", "Service", "web"),
        ("memory-limits", "Deployment", "web"),
        ("service-external-ips", "Service", "web"),
        ("single-replica", "Deployment", "web"),
    }


def test_cli_json_reports_the_cross_resource_findings(tmp_path):
    folder = tmp_path / "manifests"
    write(folder, "app.yaml", "---\n".join(d.lstrip("\n") for d in (NAMESPACE, DEPLOYMENT, SERVICE)))
    result = CliRunner().invoke(main, ["scan", "manifests", str(folder), "-f", "json"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    found = sorted((f["policy"], f["resource"]["name"]) for f in doc["findings"] if f["policy"] in CROSS_RESOURCE)
    assert found == sorted((check, "web" if check == "pdb-coverage" else "shop") for check in CROSS_RESOURCE)
