"""Issue 15 item 8: `report` on a malformed or foreign result is a one-line error, exit 2.

A saved result is checked against docs/result-schema.md before any renderer
sees it, so a hand-edited or foreign document never ends in a traceback or a
plausible-looking report of something else.
"""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.cli import main
from scanner.integrity import sealed

POD = """
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers:
    - name: c
      image: x
      securityContext: {privileged: true}
"""


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("result")
    write(folder, "pod.yaml", POD)
    out = folder / "result.json"
    result = CliRunner().invoke(main, ["scan", "manifests", str(folder), "-f", "json", "-o", str(out), "--framework", "pss-baseline"])
    assert result.exit_code == 1, result.stderr
    return json.loads(out.read_text())


def _set(doc: dict, dotted: str, value) -> dict:
    doc = copy.deepcopy(doc)
    node = doc
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return doc


CASES = [
    ("findings.0.origin", None, "result.findings[0].origin must be an object, not null"),
    ("summary", None, "result.summary must be an object, not null"),
    ("frameworks.0.score", "75", "result.frameworks[0].score must be a finite number, not string"),
    ("scan", [], "result.scan must be an object, not array"),
    ("schema_version", "2.0", "schema_version 2.0 is not supported: this kubecomply reads 1.x results"),
    ("schema_version", 1, "schema_version 1 is not a version"),
    ("findings.0.severity", "urgent", "result.findings[0].severity is 'urgent', not one of"),
    ("findings.0.resource", "Pod/api", "result.findings[0].resource must be an object, not string"),
    ("frameworks.0.controls.0.findings", [99], "findings[0] is 99, but there are 1 findings"),
    ("gaps", {"a": 1}, "result.gaps must be an array, not object"),
    ("summary.resources", "1", "result.summary.resources must be an integer, not string"),
]


@pytest.mark.parametrize("field, value, expected", CASES)
@pytest.mark.parametrize("fmt", ["table", "html", "sarif"])
def test_malformed_result_is_one_line_error(tmp_path, good, field, value, expected, fmt):
    saved = tmp_path / "bad.json"
    saved.write_text(json.dumps(_set(good, field, value)))
    result = CliRunner().invoke(main, ["report", str(saved), "-f", fmt])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "bad.json" in lines[0] and expected in lines[0]
    assert result.stdout == ""


def test_nan_score_is_refused(tmp_path, good):
    saved = tmp_path / "bad.json"
    saved.write_text(json.dumps(_set(good, "frameworks.0.score", float("nan"))))  # Python writes NaN, as a careless tool would
    assert '"score": NaN' in saved.read_text()
    result = CliRunner().invoke(main, ["report", str(saved)])
    assert result.exit_code == 2 and "score must be a finite number, not nan" in result.stderr


def test_a_good_result_and_newer_minor_version_render(tmp_path, good):
    newer = _set(good, "schema_version", "1.7")
    newer["something_new"] = {"added": "later"}
    saved = tmp_path / "ok.json"
    # As the newer version would have written it: sealed with its own digest (scanner.integrity).
    saved.write_text(json.dumps(sealed(newer)))
    result = CliRunner().invoke(main, ["report", str(saved), "-f", "markdown"])
    assert result.exit_code == 0, result.stderr
    assert "privileged" in result.stdout.lower()


def test_framework_show_results_is_validated_too(tmp_path, good):
    saved = tmp_path / "bad.json"
    saved.write_text(json.dumps(_set(good, "summary", None)))
    result = CliRunner().invoke(main, ["framework", "show", "pss-baseline", "--results", str(saved)])
    assert result.exit_code == 2 and "result.summary must be an object" in result.stderr
