"""Issue 15 item 18: a bearer token or a JWT in an env value is reported, and its value appears in no output.

The Rego tests beside credentials-in-env pin the rule; this scans a real
manifest and renders the result in every text format (and the saved result
again through ``report``), looking for any part of the credential.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.cli import main
from scanner.reports import FORMATS

# Built from pieces so that no secret scanner mistakes this file for a leak.
BEARER = "abc123def456" + "ghi789jkl012"
JWT = ".".join(["eyJhbGciOiJIUzI1NiJ9", "eyAic3ViIjogIjk4NzY1In0", "c2lnbmF0dXJlOTg3"])

MANIFEST = f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: gateway, namespace: edge}}
spec:
  template:
    spec:
      containers:
        - name: proxy
          image: registry.example.com/proxy:1.0
          env:
            - name: AUTH_HEADER
              value: bearer {BEARER}
            - name: SESSION
              value: {JWT}
"""

PIECES = (BEARER, BEARER[:12], BEARER[12:], JWT, JWT.split(".")[1], JWT.split(".")[2])


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("env-token")
    write(folder / "k8s", "gateway.yaml", MANIFEST)
    out = folder / "result.json"
    result = CliRunner().invoke(main, ["scan", "manifests", str(folder / "k8s"), "-f", "json", "-o", str(out)])
    assert result.exit_code == 1, result.stderr
    return out


def test_both_are_reported_with_their_line(saved):
    doc = json.loads(saved.read_text())
    lines = (saved.parent / "k8s" / "gateway.yaml").read_text().splitlines()
    bearer_line = next(i for i, t in enumerate(lines, start=1) if "value: bearer" in t)
    findings = [f for f in doc["findings"] if f["policy"] == "credentials-in-env"]
    assert sorted((f["path"], f["origin"]["line"]) for f in findings) == [
        ("spec.template.spec.containers[0].env[0].value", bearer_line),
        ("spec.template.spec.containers[0].env[1].value", bearer_line + 2),
    ]
    assert {"a bearer token" in f["message"] or "a JSON Web Token" in f["message"] for f in findings} == {True}


@pytest.mark.parametrize("fmt", FORMATS)
def test_value_appears_in_no_format(saved, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(main, ["report", str(saved), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "credentials-in-env" in text or "credentials" in text.lower()
    for piece in PIECES:
        assert piece not in text, f"{fmt} shows part of the credential"


def test_value_not_in_saved_result(saved):
    text = saved.read_text()
    for piece in PIECES:
        assert piece not in text
