"""The RBAC checks end to end: a multi-document RBAC manifest through the CLI, findings at their lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.cli import main

MANIFEST = """
# A least-privilege role: nothing to report.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: pod-reader
  namespace: shop
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ops
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get"]
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get", "list"]
  - apiGroups:
      - "*"
    resources:
      - "*"
    verbs:
      - "*"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: debugger
  namespace: shop
rules:
  - apiGroups: [""]
    resources: ["pods/exec", "pods/attach"]
    verbs: ["create"]
---
# The cluster's own roles: reconciled by the API server, not reported.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:controller:example
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: edit
  labels:
    kubernetes.io/bootstrapping: rbac-defaults
aggregationRule:
  clusterRoleSelectors:
    - matchLabels:
        rbac.authorization.k8s.io/aggregate-to-edit: "true"
rules:
  - apiGroups: [""]
    resources: ["pods/exec", "secrets", "serviceaccounts"]
    verbs: ["create", "get", "impersonate"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cluster-admin
  labels:
    kubernetes.io/bootstrapping: rbac-defaults
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: system:masters
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:public-info-viewer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:public-info-viewer
subjects:
  - kind: Group
    name: system:authenticated
  - kind: Group
    name: system:unauthenticated
---
# Bindings that are reported.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: Group
    name: system:masters
  - kind: ServiceAccount
    name: deployer
    namespace: ci
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: open-reader
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: pod-reader
subjects:
  - kind: User
    name: system:anonymous
"""


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("rbac")
    manifest = write(folder, "rbac.yaml", MANIFEST)
    result = CliRunner().invoke(main, ["scan", "manifests", str(folder), "-f", "json"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return manifest, json.loads(result.stdout)


def lines_of(path: Path, text: str) -> list[int]:
    return [i for i, line in enumerate(path.read_text().splitlines(), start=1) if text in line]


def findings(doc: dict, policy: str, name: str) -> list[dict]:
    return [f for f in doc["findings"] if f["policy"] == policy and f["resource"]["name"] == name]


def test_rbac_checks_run_on_rbac_kinds(scanned):
    _, doc = scanned
    for check in ("rbac-wildcard", "cluster-admin-binding", "anonymous-binding", "system-masters-group", "rbac-secrets-read", "rbac-pods-exec"):
        assert check in doc["scan"]["checks"]
    assert doc["gaps"] == []


def test_secrets_read_points_at_the_rule(scanned):
    manifest, doc = scanned
    by_path = {f["path"]: f for f in findings(doc, "rbac-secrets-read", "ops")}
    assert set(by_path) == {"rules[1]", "rules[2]"}
    [secrets_rule] = lines_of(manifest, 'resources: ["secrets"]')
    assert by_path["rules[1]"]["origin"]["line"] == secrets_rule - 1  # the "- apiGroups" line opening the rule
    assert by_path["rules[1]"]["message"] == 'ClusterRole "ops" grants get, list on secrets (rules[1])'
    assert by_path["rules[1]"]["severity"] == "high"
    assert by_path["rules[2]"]["message"] == 'ClusterRole "ops" grants get, list, watch on secrets (rules[2])'


def test_wildcards_point_at_each_entry(scanned):
    manifest, doc = scanned
    found = sorted((f["origin"]["line"], f["path"]) for f in findings(doc, "rbac-wildcard", "ops"))
    assert found == list(zip(lines_of(manifest, '- "*"'), ["rules[2].apiGroups[0]", "rules[2].resources[0]", "rules[2].verbs[0]"]))


def test_binding_findings_point_at_the_subject(scanned):
    manifest, doc = scanned
    [admin] = findings(doc, "cluster-admin-binding", "ci-admin")
    assert admin["path"] == "subjects[1]" and admin["severity"] == "critical"
    assert admin["origin"]["line"] == lines_of(manifest, "- kind: ServiceAccount")[0]
    assert admin["message"] == 'ClusterRoleBinding "ci-admin" binds ClusterRole "cluster-admin" to ServiceAccount "ci/deployer" (subjects[1])'
    [masters] = findings(doc, "system-masters-group", "ci-admin")
    assert masters["path"] == "subjects[0]"
    # the last "- kind: Group" followed by system:masters is the one in ci-admin
    assert masters["origin"]["line"] == lines_of(manifest, "name: system:masters")[-1] - 1
    [anonymous] = findings(doc, "anonymous-binding", "open-reader")
    assert anonymous["severity"] == "critical"
    assert anonymous["origin"]["line"] == lines_of(manifest, "name: system:anonymous")[0] - 1
    assert anonymous["message"].startswith('RoleBinding "open-reader" in namespace "shop" binds Role "pod-reader" to User "system:anonymous"')


def test_exec_role_is_reported_once(scanned):
    _, doc = scanned
    [execs] = findings(doc, "rbac-pods-exec", "debugger")
    assert execs["message"] == 'Role "debugger" grants create on pods/exec, pods/attach (rules[0])'


def test_least_privilege_and_system_objects_pass(scanned):
    _, doc = scanned
    quiet = {"pod-reader", "system:controller:example", "edit", "cluster-admin", "system:public-info-viewer"}
    assert [f for f in doc["findings"] if f["resource"]["name"] in quiet] == []
    # every finding comes from an RBAC check, on the objects meant to fail
    assert {f["resource"]["name"] for f in doc["findings"]} == {"ops", "debugger", "ci-admin", "open-reader"}
