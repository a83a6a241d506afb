"""The result as evidence: populations, statuses an auditor can rely on, exceptions that hold up.

Each test scans real YAML with real Rego (checks written here, or the bundled
library) through the CLI, and reads the JSON result the way a reviewer would.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import check_module, write
from scanner.cli import main

NAMESPACES = """
apiVersion: v1
kind: Namespace
metadata: {{name: payments{labels}}}
---
apiVersion: v1
kind: Namespace
metadata: {{name: web}}
"""

# A check with a population narrower than its kinds: only namespaces that hold data.
HOLDS_DATA_CHECK = """
applies if input.metadata.labels["holds-data"] == "true"

deny contains {"msg": "data namespace without backup label", "path": ["metadata", "labels"]} if {
    applies
    not input.metadata.labels.backup
}
"""

MAPPING = """
id: evidence-fw
title: Evidence test framework
version: "1"
scoring: {scoring}
not_evidenced:
  - id: ORG-1
    title: Governance
    reason: organisational
controls:
  - id: D1
    title: Data namespaces are backed up
    automation: partial
    manual_evidence: Restore test records.
    checks: [data-backup]
"""


def run(args: list[str]):
    return CliRunner().invoke(main, [str(a) for a in args])


def scan_json(tmp_path: Path, labels: str, scoring: str = "score", extra: list[str] | None = None) -> dict:
    k8s = write(tmp_path / "k8s", "ns.yaml", NAMESPACES.format(labels=labels))
    policies = tmp_path / "policies"
    module = check_module("data-backup", "test.data_backup", HOLDS_DATA_CHECK, kinds="[Namespace]")
    module = module.replace("#   remediation: Fix it.\n", "#   remediation: Fix it.\n#   population: Namespaces labelled holds-data=true\n")
    write(policies, "data_backup.rego", module)
    mappings = write(tmp_path / "mappings", "fw.yaml", MAPPING.format(scoring=scoring)).parent
    out = run(["scan", "manifests", k8s.parent, "--policy-dir", policies, "--mapping-dir", mappings, "--framework", "evidence-fw", "-f", "json", *(extra or [])])
    assert out.exit_code in (0, 1), out.output
    return json.loads(out.stdout)


def control(doc: dict, framework: str, control_id: str) -> dict:
    fw = next(f for f in doc["frameworks"] if f["id"] == framework)
    return next(c for c in fw["controls"] if c["id"] == control_id)


def test_a_check_with_an_empty_population_leaves_its_control_not_assessed(tmp_path):
    doc = scan_json(tmp_path, labels="")
    d1 = control(doc, "evidence-fw", "D1")
    assert d1["status"] == "not-assessed"
    assert "no resource in its population: Namespaces labelled holds-data=true" in d1["reason"]
    check = next(c for c in doc["checks"] if c["id"] == "data-backup")
    assert (check["resources_evaluated"], check["resources_not_applicable"]) == (0, 2)


def test_population_counts_only_resources_the_check_applies_to(tmp_path):
    doc = scan_json(tmp_path, labels=', labels: {holds-data: "true", backup: daily}')
    d1 = control(doc, "evidence-fw", "D1")
    assert d1["status"] == "pass" and d1["manual_evidence_pending"] is True
    assert (d1["resources_evaluated"], d1["resources_passed"], d1["resources_failed"]) == (1, 1, 0)
    # The population names the resource, by its place in the result's inventory.
    [[first, last]] = d1["population"]["pass"]
    assert first == last and doc["resources"][first]["name"] == "payments"
    web = next(r for r in doc["resources"] if r["name"] == "web")
    assert web["outcomes"] == {"excepted": 0, "fail": 0, "not-applicable": 1, "pass": 0}


def test_failing_resource_in_population(tmp_path):
    doc = scan_json(tmp_path, labels=', labels: {holds-data: "true"}')
    d1 = control(doc, "evidence-fw", "D1")
    assert d1["status"] == "fail"
    assert (d1["resources_evaluated"], d1["resources_failed"], d1["resources_passed"]) == (1, 1, 0)
    assert "manual_evidence_pending" not in d1


def test_whole_framework_scope_and_risk_based_scoring(tmp_path):
    doc = scan_json(tmp_path, labels=', labels: {holds-data: "true", backup: daily}', scoring="counts")
    fw = doc["frameworks"][0]
    assert fw["scoring"] == "counts" and fw["score"] is None and fw["score_with_exceptions"] is None
    assert fw["scope"]["controls_total"] == 2 and fw["scope"]["not_evidenced"] == 1
    assert fw["coverage"] == 0.5  # one assessed control of the framework's two
    assert fw["not_evidenced"] == [{"id": "ORG-1", "reason": "organisational", "title": "Governance", "title_source": "paraphrase"}]


def test_fail_under_refuses_a_risk_based_framework(tmp_path):
    scan_json(tmp_path, labels="", scoring="counts")  # writes the fixture files
    out = run([
        "scan", "manifests", tmp_path / "k8s", "--policy-dir", tmp_path / "policies", "--mapping-dir", tmp_path / "mappings",
        "--framework", "evidence-fw", "--fail-under", "evidence-fw=50",
    ])
    assert out.exit_code == 2 and "evidence-fw is risk-based" in out.stderr


def test_demo_waived_only_controls_are_pass_with_exceptions_linked_to_the_register(demo_json):
    doc = json.loads(demo_json.read_text())
    register = {w["id"]: w for w in doc["waivers"]}
    excepted = [(fw["id"], c) for fw in doc["frameworks"] for c in fw["controls"] if c["status"] == "pass-with-exceptions"]
    assert excepted, "the demo waives node-exporter's host namespaces"
    for _fw, c in excepted:
        assert c["waivers"] and all(register[w]["status"] == "applied" for w in c["waivers"])
        assert c["resources_excepted"] >= 1 and c["resources_failed"] == 0
    cis = {c["id"]: c["status"] for c in next(f for f in doc["frameworks"] if f["id"] == "cis-kubernetes")["controls"]}
    assert cis["5.2.3"] == "pass-with-exceptions"
    assert not any(c["status"] == "pass" and c.get("waivers") for fw in doc["frameworks"] for c in fw["controls"])


def test_demo_counts_are_distinct_resources_never_above_the_scan(demo_json):
    doc = json.loads(demo_json.read_text())
    scanned = doc["summary"]["resources"]
    for fw in doc["frameworks"]:
        for c in fw["controls"]:
            n = c.get("resources_evaluated", 0)
            assert n <= scanned, (fw["id"], c["id"], n, scanned)
            assert c.get("resources_passed", 0) + c.get("resources_failed", 0) + c.get("resources_excepted", 0) == n
            if c["status"] == "pass":
                assert n > 0, f"{fw['id']} {c['id']} passes on an empty population"
            listed = sum(last - first + 1 for runs in c.get("population", {}).values() for first, last in runs)
            assert listed == n
    assert len(doc["resources"]) == scanned and all("outcomes" in r for r in doc["resources"])


def test_demo_inline_waiver_without_approver_does_not_apply(demo_json):
    doc = json.loads(demo_json.read_text())
    inline = [w for w in doc["waivers"] if w["id"].startswith("annotation:")]
    assert inline and all(w["status"] == "invalid" and "approved_by" in w["problem"] for w in inline)
    findings = [f for f in doc["findings"] if f["policy"] == "privilege-escalation" and f["resource"]["name"] == "cart-cleanup"]
    assert findings and all(f["status"] == "fail" for f in findings)


def test_waivers_file_can_refuse_inline_waivers(tmp_path):
    pod = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n  namespace: shop\n  annotations:\n"
        "    kubecomply.io/waive.privileged-containers: '{justification: vendor, approved_by: sec@example.com, expires: 2099-01-01}'\n"
        "spec:\n  containers:\n  - name: c\n    image: x\n    securityContext: {privileged: true}\n"
    )
    k8s = write(tmp_path / "k8s", "pod.yaml", pod)
    allowed = run(["scan", "manifests", k8s, "--framework", "pss-baseline", "-f", "json"])
    assert [f["status"] for f in json.loads(allowed.stdout)["findings"] if f["policy"] == "privileged-containers"] == ["waived"]
    waivers = write(tmp_path, "waivers.yaml", "inline_waivers: deny\nwaivers: []\n")
    for extra in (["--waivers", waivers], ["--inline-waivers", "deny"]):
        denied = json.loads(run(["scan", "manifests", k8s, "--framework", "pss-baseline", "-f", "json", *extra]).stdout)
        assert [f["status"] for f in denied["findings"] if f["policy"] == "privileged-containers"] == ["fail"]
        assert [w["status"] for w in denied["waivers"]] == ["refused"]
    check = run(["waivers", "check", waivers, k8s, "--framework", "pss-baseline"])
    assert "INLINE   annotation:Pod/shop/api:privileged-containers: refused" in check.stdout


def test_every_format_says_pass_with_exceptions_and_pending_manual_evidence(demo_json, tmp_path):
    for fmt, needle in (("table", "PASS W/ EXC."), ("markdown", "Pass w/ exceptions"), ("csv", "pass-with-exceptions")):
        extra = ["--csv-controls"] if fmt == "csv" else []
        out = run(["report", demo_json, "-f", fmt, *extra])
        assert out.exit_code == 0, out.output
        assert needle in out.stdout, fmt
    html = tmp_path / "r.html"
    assert run(["report", demo_json, "-f", "html", "-o", html]).exit_code == 0
    page = html.read_text()
    assert "pass with exceptions" in page and "manual evidence pending" in page and "Appendix B: inventory of resources in scope" in page


def test_demo_gdpr_has_no_percentage_and_frameworks_are_measured_whole(demo_json):
    doc = json.loads(demo_json.read_text())
    by_id = {fw["id"]: fw for fw in doc["frameworks"]}
    gdpr = by_id["gdpr"]
    assert gdpr["scoring"] == "counts" and gdpr["score"] is None and gdpr["score_with_exceptions"] is None
    soc2 = by_id["soc2"]
    assert soc2["scope"]["controls_total"] == 61 and soc2["scope"]["in_scope"] == 19
    assert soc2["coverage"] < 0.5 and soc2["title_source"] == "paraphrase"
    table = run(["report", demo_json, "-f", "table"]).stdout
    gdpr_row = next(line for line in table.splitlines() if line.startswith("gdpr "))
    assert "%" not in gdpr_row.split()[1] and "counts" in gdpr_row
