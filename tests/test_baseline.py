"""Baselines through the command line: create, rescan, survive line moves, catch new violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.cli import main

PRIVILEGED_POD = """
apiVersion: v1
kind: Pod
metadata: {{name: {name}, namespace: shop}}
spec:
  containers:
    - name: c
      image: x
      securityContext: {{privileged: true}}
"""

OTHER = """
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {a: b}
"""


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def scan(folder: Path, baseline: Path, *extra: str):
    result = run(["scan", "manifests", str(folder), "--baseline", str(baseline), "--framework", "pss-baseline", "-f", "json", *extra])
    return result.exit_code, json.loads(result.stdout)


def statuses(doc, status):
    return [f for f in doc["findings"] if f["status"] == status]


@pytest.fixture
def repo(tmp_path):
    """k8s/ with one privileged pod in a two-document file; the baseline beside k8s/."""
    k8s = tmp_path / "k8s"
    write(k8s, "app.yaml", OTHER + "---" + PRIVILEGED_POD.format(name="api"))
    baseline = tmp_path / ".kubecomply-baseline.json"
    created = run(["baseline", "create", str(k8s), "--framework", "pss-baseline", "-o", str(baseline)])
    assert created.exit_code == 0, created.output
    assert "1 open finding(s) accepted" in created.stderr
    return k8s, baseline


def test_baseline_file_is_versioned_sorted_and_line_free(repo, monkeypatch):
    k8s, baseline = repo
    doc = json.loads(baseline.read_text())
    assert doc["format"] == "kubecomply-baseline" and doc["version"] == 1
    [entry] = doc["entries"]
    assert entry == {
        "check": "privileged-containers",
        "resource": {"apiVersion": "v1", "kind": "Pod", "namespace": "shop", "name": "api"},
        "file": "k8s/app.yaml",  # relative to the baseline's folder, not the working directory
        "path": "spec.containers[0].securityContext.privileged",
        "count": 1,
    }
    assert "\"line\"" not in baseline.read_text() and "\"document\"" not in baseline.read_text()
    monkeypatch.chdir(k8s.parent)  # on stdout, paths are relative to the working directory
    again = run(["baseline", "create", "k8s", "--framework", "pss-baseline", "-o", "-"])
    assert json.loads(again.stdout)["entries"] == doc["entries"]


def test_rescan_baselines_known_findings_and_exits_0(repo):
    k8s, baseline = repo
    code, doc = scan(k8s, baseline)
    assert code == 0
    [finding] = doc["findings"]
    assert finding["status"] == "baselined"
    assert doc["summary"]["findings_by_status"] == {"fail": 0, "waived": 0, "baselined": 1}
    assert doc["baseline"]["matched"] == 1 and doc["baseline"]["new"] == 0 and doc["baseline"]["resolved"] == []
    assert doc["baseline"]["digest"].startswith("sha256:")
    # still a violation for the frameworks: a baseline is accepted debt, not an approved exception
    controls = {c["id"]: c for c in doc["frameworks"][0]["controls"]}
    assert controls["Privileged Containers"]["status"] == "fail"


def test_moving_lines_and_reordering_documents_creates_no_new_findings(repo):
    k8s, baseline = repo
    moved = "# a comment\n\n# another\n" + PRIVILEGED_POD.format(name="api").replace("image: x", "image: x\n      imagePullPolicy: Always") + "---" + OTHER
    (k8s / "app.yaml").write_text(moved)
    code, doc = scan(k8s, baseline)
    assert code == 0, doc["findings"]
    assert [f["status"] for f in doc["findings"]] == ["baselined"]
    assert doc["findings"][0]["origin"]["document"] == 1  # it did move


def test_a_new_resource_with_the_same_violation_is_new(repo):
    k8s, baseline = repo
    write(k8s, "more.yaml", PRIVILEGED_POD.format(name="worker"))
    code, doc = scan(k8s, baseline)
    assert code == 1
    [new] = statuses(doc, "fail")
    assert new["resource"]["name"] == "worker"
    assert doc["baseline"]["new"] == 1


def test_another_field_of_the_same_resource_is_new(repo):
    k8s, baseline = repo
    text = (k8s / "app.yaml").read_text().replace("securityContext: {privileged: true}", "securityContext: {privileged: true}\n      ports: [{containerPort: 80, hostPort: 80}]")
    (k8s / "app.yaml").write_text(text)
    code, doc = scan(k8s, baseline)
    assert code == 1
    assert [f["policy"] for f in statuses(doc, "fail")] == ["host-ports"]
    assert len(statuses(doc, "baselined")) == 1


def test_counts_matter_a_second_identical_finding_is_new(repo):
    k8s, baseline = repo
    # the same pod twice in the same file: the same key, one entry with count 1
    (k8s / "app.yaml").write_text((k8s / "app.yaml").read_text() + "---" + PRIVILEGED_POD.format(name="api"))
    code, doc = scan(k8s, baseline)
    assert code == 1
    assert len(statuses(doc, "baselined")) == 1 and len(statuses(doc, "fail")) == 1


def test_moving_to_another_file_is_new_and_the_old_entry_resolved(repo):
    k8s, baseline = repo
    (k8s / "app.yaml").write_text(OTHER)
    write(k8s, "pod.yaml", PRIVILEGED_POD.format(name="api"))
    code, doc = scan(k8s, baseline)
    assert code == 1
    assert len(statuses(doc, "fail")) == 1
    [resolved] = doc["baseline"]["resolved"]
    assert resolved["file"] == "k8s/app.yaml" and resolved["check"] == "privileged-containers"


def test_fixed_findings_are_reported_resolved(repo):
    k8s, baseline = repo
    (k8s / "app.yaml").write_text((k8s / "app.yaml").read_text().replace("privileged: true", "privileged: false"))
    code, doc = scan(k8s, baseline)
    assert code == 0
    assert doc["baseline"]["matched"] == 0 and len(doc["baseline"]["resolved"]) == 1
    table = run(["scan", "manifests", str(k8s), "--baseline", str(baseline), "--framework", "pss-baseline"])
    assert "resolved: privileged-containers Pod/shop/api" in table.stdout


def test_baseline_matches_from_another_working_directory(repo, tmp_path, monkeypatch):
    k8s, baseline = repo
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run(["scan", "manifests", "../k8s", "--baseline", "../.kubecomply-baseline.json", "--framework", "pss-baseline", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [f["status"] for f in json.loads(result.stdout)["findings"]] == ["baselined"]


def test_waived_findings_are_not_baselined_and_stay_waived(tmp_path):
    k8s = tmp_path / "k8s"
    write(k8s, "app.yaml", PRIVILEGED_POD.format(name="api").replace("namespace: shop}", "namespace: shop, annotations: {kubecomply.io/waive.privileged-containers: '{justification: vendor, approved_by: sec@example.com, expires: 2099-01-01}'}}"))
    baseline = tmp_path / "b.json"
    assert run(["baseline", "create", str(k8s), "--framework", "pss-baseline", "-o", str(baseline)]).exit_code == 0
    assert json.loads(baseline.read_text())["entries"] == []


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "not a JSON baseline file"),
        ('{"format": "something-else"}', "not a kubecomply baseline"),
        ('{"format": "kubecomply-baseline", "version": 99, "entries": []}', "baseline version 99 is not supported"),
        ('{"format": "kubecomply-baseline", "version": 1, "entries": [{"check": "x"}]}', "entry #1"),
    ],
)
def test_unusable_baseline_is_an_error(repo, content, message):
    k8s, baseline = repo
    baseline.write_text(content)
    result = run(["scan", "manifests", str(k8s), "--baseline", str(baseline)])
    assert result.exit_code == 2
    assert message in result.stderr


def test_baseline_create_refuses_an_incomplete_scan(tmp_path):
    write(tmp_path / "k8s", "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n")
    write(tmp_path / "k8s", "ok.yaml", PRIVILEGED_POD.format(name="api"))
    out = tmp_path / "b.json"
    result = run(["baseline", "create", str(tmp_path / "k8s"), "-o", str(out)])
    assert result.exit_code == 2 and "baseline not written" in result.stderr and not out.exists()
    assert run(["baseline", "create", str(tmp_path / "k8s"), "-o", str(out), "--allow-parse-errors"]).exit_code == 0
    assert out.exists()


def test_report_renders_baselined_findings_from_the_json_alone(repo, tmp_path):
    k8s, baseline = repo
    out = tmp_path / "r.json"
    run(["scan", "manifests", str(k8s), "--baseline", str(baseline), "-f", "json", "-o", str(out)])
    table = run(["report", str(out)])
    assert "baselined (critical)" in table.stdout and "baselined: 1" in table.stdout
    assert json.loads(run(["report", str(out), "-f", "json"]).stdout) == json.loads(out.read_text())


def test_sarif_marks_baselined_results_unchanged_and_others_new(repo):
    from test_reports_machine import validate_sarif

    k8s, baseline = repo
    write(k8s, "more.yaml", PRIVILEGED_POD.format(name="worker"))
    doc = json.loads(run(["scan", "manifests", str(k8s), "--baseline", str(baseline), "--framework", "pss-baseline", "-f", "sarif"]).stdout)
    states = {r["properties"]["resource"]["name"]: r["baselineState"] for r in doc["runs"][0]["results"]}
    assert states == {"api": "unchanged", "worker": "new"}
    validate_sarif(doc)


def test_junit_skips_baselined_findings_and_fails_new_ones(repo):
    import xml.etree.ElementTree as ET

    k8s, baseline = repo
    write(k8s, "more.yaml", PRIVILEGED_POD.format(name="worker"))
    xml = run(["scan", "manifests", str(k8s), "--baseline", str(baseline), "--framework", "pss-baseline", "-f", "junit"]).stdout
    suite = next(s for s in ET.fromstring(xml) if s.get("name") == "privileged-containers")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["Pod/shop/worker"].find("failure") is not None
    skipped = cases["Pod/shop/api"].find("skipped")
    assert skipped is not None and skipped.get("message") == "baselined (accepted in the baseline)"


def test_html_counts_baselined_findings_neither_open_nor_waived(repo):
    k8s, baseline = repo
    html = run(["scan", "manifests", str(k8s), "--baseline", str(baseline), "--framework", "pss-baseline", "-f", "html"]).stdout
    assert "row-baselined" in html
    assert '<td class="big">0</td><td class="big muted">0</td>' in html  # open, waived
