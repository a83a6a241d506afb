"""Issue 15 item 4: NaN and infinities in resources and --data files.

JSON has neither, so the engine refused the whole batch and the scan died with
the good files' findings.  Now the resource holding one is a gap naming file,
document, line and field, everything else is scanned; a --data file holding one
is a one-line error.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.cli import main
from scanner.sources.cluster import ClusterCollection
from scanner.sources.snapshot import write_snapshot

PRIVILEGED = """
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: shop}}
spec:
  containers:
    - name: c
      image: x
      securityContext: {{privileged: true}}
"""

NAN_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {{name: odd, namespace: shop}}
spec:
  replicas: {value}
  template:
    spec:
      containers: [{{name: c, image: x}}]
"""


def scan(*args: str):
    result = CliRunner().invoke(main, ["scan", *args, "-f", "json", "--framework", "pss-baseline"])
    return result.exit_code, (json.loads(result.stdout) if result.stdout.strip() else None), result.stderr


@pytest.mark.parametrize("value", [".nan", ".inf", "-.Inf", "1.0e+400"])
def test_yaml_non_finite_document_is_a_gap_and_the_rest_is_scanned(tmp_path, value):
    write(tmp_path, "a.yaml", PRIVILEGED.format(name="good") + "---" + NAN_DEPLOYMENT.format(value=value))
    write(tmp_path, "b.yaml", PRIVILEGED.format(name="other"))
    code, doc, err = scan("manifests", str(tmp_path))
    assert code == 2, err  # a document not evaluated makes the scan incomplete
    assert sorted(f["resource"]["name"] for f in doc["findings"]) == ["good", "other"]
    gaps = [g for g in doc["gaps"] if g["type"] == "file"]
    assert len(gaps) == 1
    gap = gaps[0]
    assert gap["path"].endswith("a.yaml") and gap["document"] == 2 and gap["line"] == 14  # the line of replicas
    assert "field spec.replicas is " in gap["reason"] and "Deployment was not evaluated" in gap["reason"]
    assert doc["summary"]["resources"] == 2
    assert "odd" not in {r["name"] for r in doc["resources"]}


def test_allow_parse_errors_accepts_the_gap(tmp_path):
    write(tmp_path, "a.yaml", PRIVILEGED.format(name="good") + "---" + NAN_DEPLOYMENT.format(value=".nan"))
    code, doc, err = scan("manifests", str(tmp_path), "--allow-parse-errors")
    assert code == 1, err
    assert doc["summary"]["gaps"] == 1


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_json_non_finite_names_the_nested_field(tmp_path, token):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j", "namespace": "shop", "annotations": {"a": "b"}},
           "spec": {"containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": 1}}}]}}
    text = json.dumps(pod).replace('"cpu": 1', f'"cpu": {token}')
    write(tmp_path, "pod.json", text)
    write(tmp_path, "b.yaml", PRIVILEGED.format(name="other"))
    code, doc, err = scan("manifests", str(tmp_path))
    assert code == 2, err
    gap = next(g for g in doc["gaps"] if g["type"] == "file")
    assert "field spec.containers[0].resources.limits.cpu is" in gap["reason"]
    assert [f["resource"]["name"] for f in doc["findings"]] == ["other"]


def test_non_finite_across_forked_workers(tmp_path):
    """Enough resources to fork evaluation workers: the refusal travels back from a child."""
    docs = [PRIVILEGED.format(name=f"p{i}") for i in range(2100)]
    docs[1900] = NAN_DEPLOYMENT.format(value=".nan")
    write(tmp_path, "many.yaml", "---".join(docs))
    code, doc, err = scan("manifests", str(tmp_path), "--workers", "2")
    assert code == 2, err
    assert len([g for g in doc["gaps"] if g["type"] == "file"]) == 1
    assert len(doc["findings"]) == 2099


def test_snapshot_object_with_nan_is_a_resource_gap(tmp_path):
    good = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "good", "namespace": "shop"},
            "spec": {"containers": [{"name": "c", "image": "x", "securityContext": {"privileged": True}}]}}
    odd = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "odd", "namespace": "shop"},
           "spec": {"containers": [{"name": "c", "image": "x"}], "priority": float("nan")}}
    collection = ClusterCollection(context="lab", server="https://lab", version="v1.30.0", collected_at="2026-12-01T00:00:00Z",
                                   objects=[good, odd], collected_kinds=["Pod", "Namespace"])
    snapshot = tmp_path / "evidence.json.gz"
    write_snapshot(collection, snapshot)
    code, doc, err = scan("snapshot", str(snapshot))
    assert code == 2, err
    gap = next(g for g in doc["gaps"] if g["type"] == "resource")
    assert gap["kind"] == "Pod" and gap["cluster"] == "lab"
    assert gap["reason"].startswith("shop/odd: field spec.priority is NaN")
    assert [f["resource"]["name"] for f in doc["findings"]] == ["good"]
    assert "could not be evaluated" in err


@pytest.mark.parametrize("text", ["limit: .nan\n", "nested: {a: [1, .inf]}\n", '{"limit": NaN}\n', '{"a": {"b": -Infinity}}\n'])
def test_data_file_with_non_finite_is_a_one_line_error(tmp_path, text):
    write(tmp_path, "k8s/a.yaml", PRIVILEGED.format(name="good"))
    data = write(tmp_path, "facts.json" if text.startswith("{") else "facts.yaml", text)
    code, doc, err = scan("manifests", str(tmp_path / "k8s"), "--data", str(data))
    assert code == 2 and doc is None
    lines = err.strip().splitlines()
    assert len(lines) == 1 and data.name in lines[0] and "policy engine cannot take" in lines[0]
