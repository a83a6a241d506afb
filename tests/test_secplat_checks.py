"""The secrets and platform checks end to end: real YAML through the command line.

A kubeadm-style kube-apiserver static Pod manifest, a ConfigMap holding a fake AWS
access key id and a PEM private key block, and a Deployment with a literal password
in an environment variable. The findings must name the right checks, paths and
lines, and no output format may contain any of the credential values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.cli import main

# Fake credentials (AWS's documented example key id; a truncated, invalid key body).
AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"
PEM_BODY = "MIIEowIBAAKCAQEAnotARealKeyJustTestBytesForKubecomply0123456789"
PASSWORD = "Sup3r-S3cret-Passw0rd!"
ARG_TOKEN = "tok-4f1b2c9e7d"
SECRETS = (AWS_KEY, PEM_BODY, PASSWORD, ARG_TOKEN)

APISERVER = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: kube-apiserver
      namespace: kube-system
      labels: {component: kube-apiserver, tier: control-plane}
    spec:
      hostNetwork: true
      containers:
        - name: kube-apiserver
          image: registry.k8s.io/kube-apiserver:v1.31.2
          command:
            - kube-apiserver
            - --advertise-address=192.168.49.2
            - --allow-privileged=true
            - --authorization-mode=Node,RBAC
            - --client-ca-file=/etc/kubernetes/pki/ca.crt
            - --enable-admission-plugins=NodeRestriction
            - --secure-port=8443
            - --service-account-key-file=/etc/kubernetes/pki/sa.pub
            - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key
            - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key
            - --audit-log-maxage
            - "7"
"""

CONFIGMAP = f"""
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: legacy-app
      namespace: shop
    data:
      MODE: prod
      aws.env: |
        AWS_REGION=eu-west-1
        AWS_ACCESS_KEY_ID={AWS_KEY}
      client.key: |
        -----BEGIN RSA PRIVATE KEY-----
        {PEM_BODY}
        -----END RSA PRIVATE KEY-----
"""

DEPLOYMENT = f"""
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: orders
      namespace: shop
    spec:
      selector:
        matchLabels: {{app: orders}}
      template:
        metadata:
          labels: {{app: orders}}
        spec:
          containers:
            - name: orders
              image: ghcr.io/example/orders:2.0.1
              args: ["--listen=:8080", "--admin-token", "{ARG_TOKEN}"]
              env:
                - name: LOG_LEVEL
                  value: info
                - name: DB_PASSWORD
                  value: "{PASSWORD}"
                - name: API_KEY
                  valueFrom:
                    secretKeyRef: {{name: orders, key: api-key}}
"""


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("secplat")
    write(root, "kube-apiserver.yaml", APISERVER)
    write(root, "configmap.yaml", CONFIGMAP)
    write(root, "deployment.yaml", DEPLOYMENT)
    return root


@pytest.fixture(scope="module")
def doc(folder):
    result = run(["scan", "manifests", str(folder), "-f", "json"])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def found(doc, policy, name):
    return [f for f in doc["findings"] if f["policy"] == policy and f["resource"]["name"] == name]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


def test_no_check_failed_to_run(doc):
    assert [g for g in doc["gaps"] if g["type"] == "check"] == []


def test_apiserver_flags(doc, folder):
    expected = {"apiserver-anonymous-auth", "apiserver-audit-log", "apiserver-encryption", "apiserver-profiling", "apiserver-audit-retention"}
    for policy in expected:
        assert found(doc, policy, "kube-apiserver"), policy
    for authorization in ("apiserver-authorization-not-always-allow", "apiserver-authorization-node", "apiserver-authorization-rbac"):
        assert authorization in doc["scan"]["checks"] and found(doc, authorization, "kube-apiserver") == [], authorization
    assert found(doc, "apiserver-insecure-port", "kube-apiserver") == []
    retention = found(doc, "apiserver-audit-retention", "kube-apiserver")
    assert len(retention) == 3  # maxage too low, maxbackup and maxsize missing
    [low] = [f for f in retention if "maxage" in f["message"]]
    assert low["path"] == "spec.containers[0].command[10]"  # the flag; its value is the next element
    assert low["origin"]["line"] == line_of(folder / "kube-apiserver.yaml", "--audit-log-maxage")
    [missing] = found(doc, "apiserver-profiling", "kube-apiserver")
    assert missing["path"] == "spec.containers[0]"
    # file flags such as --tls-private-key-file are references, not credentials
    assert found(doc, "credentials-in-args", "kube-apiserver") == []


def test_configmap_credentials(doc, folder):
    findings = found(doc, "credentials-in-configmap", "legacy-app")
    assert sorted(f["path"] for f in findings) == ["data.aws.env", "data.client.key"]
    messages = " ".join(f["message"] for f in findings)
    assert "an AWS access key id" in messages and "a PEM private key block" in messages
    by_path = {f["path"]: f for f in findings}
    assert by_path["data.aws.env"]["origin"]["line"] == line_of(folder / "configmap.yaml", "aws.env:")


def test_workload_credentials(doc, folder):
    [env] = found(doc, "credentials-in-env", "orders")
    assert env["path"] == "spec.template.spec.containers[0].env[1].value"
    assert env["origin"]["line"] == line_of(folder / "deployment.yaml", PASSWORD)
    assert '"DB_PASSWORD"' in env["message"]
    [arg] = found(doc, "credentials-in-args", "orders")
    assert arg["path"] == "spec.template.spec.containers[0].args[2]" and "--admin-token" in arg["message"]
    [ref] = found(doc, "secrets-in-env", "orders")
    assert ref["path"] == "spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef"


@pytest.mark.parametrize("fmt", ["table", "json", "sarif"])
def test_no_output_format_contains_a_credential(folder, fmt):
    result = run(["scan", "manifests", str(folder), "-f", fmt])
    assert result.exit_code == 1, result.output
    for value in SECRETS:
        assert value not in result.output, f"{fmt} output contains a credential"
    # nor a recognisable piece of one
    for piece in (AWS_KEY[4:], PEM_BODY[:16], PASSWORD[:8]):
        assert piece not in result.output, f"{fmt} output contains part of a credential"
