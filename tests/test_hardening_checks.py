"""The hardening and image checks through the whole scan pipeline, on real YAML.

The Rego unit tests beside each check cover the rules; this makes sure that the
paths they report resolve to the right lines of a manifest, that the
inventory lookup of automount-sa-token sees a ServiceAccount from the scanned
files, and that allowed-registries stays silent when no list is configured.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import write
from scanner.cli import main

MANIFEST = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: builder
  namespace: default
spec:
  template:
    spec:
      serviceAccountName: builder
      containers:
        - name: build
          image: docker:latest
          volumeMounts:
            - name: docker
              mountPath: /var/run/docker.sock
            - name: logs
              mountPath: /host/logs
              readOnly: true
      volumes:
        - name: docker
          hostPath:
            path: /var/run/docker.sock
        - name: logs
          hostPath:
            path: /var/log
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: builder
  namespace: default
automountServiceAccountToken: false
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: tools
spec:
  containers:
    - name: shell
      image: evil.example.net/toolbox:1.0
"""


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


def scan(folder: Path) -> dict:
    result = CliRunner().invoke(main, ["scan", "manifests", str(folder), "-f", "json"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def findings(doc: dict, policy: str, name: str) -> list[dict]:
    return [f for f in doc["findings"] if f["policy"] == policy and f["resource"]["name"] == name]


def test_hardening_and_image_findings_point_at_their_lines(tmp_path):
    manifest = write(tmp_path, "builder.yaml", MANIFEST)
    doc = scan(tmp_path)

    [socket] = findings(doc, "container-runtime-socket", "builder")
    assert socket["severity"] == "high"
    assert socket["path"] == "spec.template.spec.volumes[0].hostPath.path"
    assert socket["origin"]["line"] == line_of(manifest, "path: /var/run/docker.sock")

    # Only the docker.sock mount is writable; the /var/log one is read-only.
    [writable] = findings(doc, "writable-hostpath", "builder")
    assert writable["path"] == "spec.template.spec.containers[0].volumeMounts[0]"
    assert writable["origin"]["line"] == line_of(manifest, "- name: docker")

    [latest] = findings(doc, "image-latest-tag", "builder")
    assert latest["path"] == "spec.template.spec.containers[0].image"
    assert latest["origin"]["line"] == line_of(manifest, "image: docker:latest")

    [namespace] = findings(doc, "default-namespace", "builder")
    assert namespace["origin"]["line"] == line_of(manifest, "namespace: default")

    # The Pod is flagged as naked and for its token; the Deployment's token is
    # disabled by its ServiceAccount, found in data.inventory.
    assert findings(doc, "naked-pods", "debug")
    assert findings(doc, "automount-sa-token", "debug")
    assert findings(doc, "automount-sa-token", "builder") == []


def test_allowed_registries_reports_nothing_without_a_list(tmp_path):
    write(tmp_path, "builder.yaml", MANIFEST)
    doc = scan(tmp_path)
    assert "allowed-registries" in doc["scan"]["checks"]
    assert [f for f in doc["findings"] if f["policy"] == "allowed-registries"] == []
