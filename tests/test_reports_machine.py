"""The machine formats (SARIF, JUnit, CSV, PolicyReport) on the real demo scan, through the CLI and `report`."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO_ROOT, write, DEMO_ARGS
from scanner.cli import main
from scanner.model import ScanResult
from scanner.reports import FORMATS, renderers

EXAMPLES = REPO_ROOT / "examples"
SARIF_SCHEMA = Path(__file__).resolve().parents[1].parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
MACHINE = ("sarif", "junit", "csv", "policyreport")
PAYMENTS = EXAMPLES / "manifests/payments/payments-api.yaml"


def run(args, input=None):
    return CliRunner().invoke(main, args, input=input, catch_exceptions=False)


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


@pytest.fixture(scope="module")
def demo(demo_json):
    """The demo scan saved as JSON, and each machine format rendered from it by `kubecomply report`."""
    saved = demo_json
    rendered = {}
    for fmt in MACHINE:
        out = run(["report", str(saved), "-f", fmt])
        assert out.exit_code == 0, out.output
        rendered[fmt] = out.stdout
    return {"json": json.loads(saved.read_text()), "path": saved, **rendered}


def demo_result(demo) -> ScanResult:
    return ScanResult.from_dict(copy.deepcopy(demo["json"]))


def sarif_results(doc, rule, name):
    return [r for r in doc["runs"][0]["results"] if r["ruleId"] == rule and r["properties"]["resource"]["name"] == name]


def validate_sarif(doc):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra: pip install -e .[test]")
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA}")
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))


# ---------------------------------------------------------------- every format

def test_formats_are_registered_and_offered_by_the_cli():
    assert set(MACHINE) <= set(FORMATS) == set(renderers())


@pytest.mark.parametrize("fmt", MACHINE)
def test_scan_and_report_give_the_same_output(demo, fmt):
    """`scan -f X` and `report results.json -f X` agree; two renders of one result are byte-identical."""
    direct = run(DEMO_ARGS + ["-f", fmt])
    assert direct.exit_code == 1
    again = run(["report", str(demo["path"]), "-f", fmt]).stdout
    assert again == demo[fmt]

    def normalise(text):  # only the scan's own timestamps may differ between two scans
        text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "T", text)
        return re.sub(r"seconds: \d+", "seconds: S", text)

    assert normalise(direct.stdout) == normalise(demo[fmt])


# ---------------------------------------------------------------- SARIF

def test_sarif_validates_against_the_schema(demo):
    validate_sarif(json.loads(demo["sarif"]))


def test_sarif_rules_one_per_check_with_help_and_severity(demo):
    run_ = json.loads(demo["sarif"])["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "kubecomply" and driver["version"] == demo["json"]["scan"]["version"]
    assert [r["id"] for r in driver["rules"]] == sorted(demo["json"]["scan"]["checks"])
    rule = next(r for r in driver["rules"] if r["id"] == "privileged-containers")
    assert rule["name"] == "PrivilegedContainers"
    assert rule["shortDescription"]["text"] == "Privileged containers"
    assert rule["fullDescription"]["text"] and "Remediation: Remove securityContext.privileged" in rule["help"]["text"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"]["security-severity"] == "9.5"
    assert "pss-baseline:Privileged Containers" in rule["properties"]["tags"]
    custom = next(r for r in driver["rules"] if r["id"] == "require-team-label")
    assert custom["defaultConfiguration"]["level"] == "note" and custom["properties"]["custom"] is True
    # run facts: the policy bundle digest, and a complete scan is a successful invocation
    assert run_["properties"]["policy_bundle"] == demo["json"]["scan"]["policy_bundle"]
    assert run_["invocations"][0]["executionSuccessful"] is True
    assert run_["invocations"][0]["toolExecutionNotifications"] == []
    for result in run_["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_region_is_the_line_of_the_offending_field(demo):
    [result] = sarif_results(json.loads(demo["sarif"]), "privileged-containers", "payments-api")
    [location] = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("examples/manifests/payments/payments-api.yaml")
    assert not physical["artifactLocation"]["uri"].startswith("/")
    assert physical["region"]["startLine"] == line_of(PAYMENTS, "privileged: true")
    assert location["logicalLocations"] == [{"name": "payments-api", "fullyQualifiedName": "StatefulSet/payments/payments-api", "kind": "resource"}]
    assert result["level"] == "error" and "suppressions" not in result


def test_sarif_waived_findings_are_suppressed_with_the_justification(demo):
    doc = json.loads(demo["sarif"])
    waived = sarif_results(doc, "host-namespaces", "node-exporter")
    assert len(waived) == 2
    for result in waived:
        assert result["suppressions"] == [{
            "kind": "external", "status": "accepted",
            "justification": "node-exporter reads host network and process statistics; it has no other way to do its job.",
            "properties": {"waiver": "waivers.yaml#1"},
        }]
    [inline] = sarif_results(doc, "privilege-escalation", "cart-cleanup")
    assert "suppressions" not in inline  # the demo's inline annotation has no approver or expiry: not a waiver
    assert len([r for r in doc["runs"][0]["results"] if "suppressions" in r]) == demo["json"]["summary"]["findings_by_status"]["waived"]


def test_sarif_fingerprints_survive_a_blank_line_above_the_finding(tmp_path):
    copy_ = tmp_path / "payments-api.yaml"
    shutil.copy(PAYMENTS, copy_)

    def scan():
        out = run(["scan", "manifests", str(copy_), "-f", "sarif"])
        doc = json.loads(out.stdout)
        return {(r["ruleId"], r["properties"].get("fieldPath")): (r["partialFingerprints"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in doc["runs"][0]["results"]}

    before = scan()
    lines = copy_.read_text().splitlines(keepends=True)
    lines.insert(line_of(copy_, "privileged: true") - 1, "\n")
    copy_.write_text("".join(lines))
    after = scan()
    assert before.keys() == after.keys() and len(before) >= 5
    key = ("privileged-containers", "spec.template.spec.containers[0].securityContext.privileged")
    assert after[key][1] == before[key][1] + 1 == line_of(copy_, "privileged: true")
    assert {k: v[0] for k, v in before.items()} == {k: v[0] for k, v in after.items()}
    assert len({json.dumps(v[0]) for v in before.values()}) == len(before)  # distinct per finding


def with_gaps(result: ScanResult) -> ScanResult:
    from scanner.model import CoverageGap

    result.gaps = [
        CoverageGap(type="check", check="host-ports", reason="evaluation error at host_ports.rego:12: boom"),
        CoverageGap(type="file", path="chart/templates/deployment.yaml", line=4, reason="looks like a Helm template"),
        CoverageGap(type="kind", cluster="prod-eu", apiVersion="v1", kind="Secret", reason="forbidden: list secrets"),
    ]
    for check in result.checks:
        if check.id == "host-ports":
            check.error = "evaluation error at host_ports.rego:12: boom"
    return result


def test_sarif_gaps_are_tool_execution_notifications(demo):
    from scanner.reports.sarif import to_sarif

    doc = to_sarif(with_gaps(demo_result(demo)))
    validate_sarif(doc)
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = {n["descriptor"]["id"]: n for n in invocation["toolExecutionNotifications"]}
    assert notes["gap/file"]["level"] == "error"
    assert notes["gap/file"]["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "chart/templates/deployment.yaml"}, "region": {"startLine": 4}}
    assert notes["gap/check"]["associatedRule"]["id"] == "host-ports" and "boom" in notes["gap/check"]["message"]["text"]
    assert notes["gap/kind"]["level"] == "warning"
    assert notes["gap/kind"]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "prod-eu/v1/Secret"


def test_sarif_from_an_older_result_without_the_catalogue(demo):
    from scanner.reports.sarif import to_sarif

    # Written as schema 1.0 was: every finding carries its title, remediation and controls.
    older = ScanResult.from_dict(copy.deepcopy(demo["json"]))
    older.schema_version = "1.0"
    data = older.to_dict()
    del data["checks"], data["resources"]
    assert all("title" in f and "controls" in f for f in data["findings"])
    doc = to_sarif(ScanResult.from_dict(data))
    validate_sarif(doc)
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert sorted(rules) == sorted(data["scan"]["checks"])
    assert rules["privileged-containers"]["shortDescription"]["text"] == "Privileged containers"
    assert rules["privileged-containers"]["defaultConfiguration"]["level"] == "error"


# ---------------------------------------------------------------- JUnit

def suites_of(text):
    root = ET.fromstring(text)
    return root, {s.get("name"): s for s in root.findall("testsuite")}


def test_junit_one_suite_per_check_one_case_per_evaluated_resource(demo):
    root, suites = suites_of(demo["junit"])
    checks = {c["id"]: c for c in demo["json"]["checks"]}
    assert set(suites) == set(checks)
    for name, suite in suites.items():
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases) == max(checks[name]["resources_evaluated"], 1)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))
        assert int(suite.get("errors")) == 0
    for key in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(key)) == sum(int(s.get(key)) for s in suites.values())
    # open findings: one failing case per (check, resource); waived: skipped
    open_pairs = {(f["policy"], f["resource"]["name"]) for f in demo["json"]["findings"] if f["status"] == "fail"}
    waived_pairs = {(f["policy"], f["resource"]["name"]) for f in demo["json"]["findings"] if f["status"] == "waived"}
    assert int(root.get("failures")) == len(open_pairs)
    # a check that evaluated nothing (no Pod in the demo for naked-pods) adds one skipped case
    nothing_evaluated = sum(1 for c in checks.values() if c["resources_evaluated"] == 0)
    assert len(waived_pairs - open_pairs) == 2
    assert int(root.get("skipped")) == len(waived_pairs - open_pairs) + nothing_evaluated

    privileged = suites["privileged-containers"]
    names = [c.get("name") for c in privileged.findall("testcase")]
    assert names == sorted(names) and "Deployment/shop/frontend" in names
    [failing] = [c for c in privileged.findall("testcase") if c.find("failure") is not None]
    assert failing.get("name") == "StatefulSet/payments/payments-api"
    failure = failing.find("failure")
    assert failure.get("type") == "critical" and "privileged" in failure.get("message")
    assert f"payments-api.yaml:{line_of(PAYMENTS, 'privileged: true')}" in failure.text

    [skipped] = [c for c in suites["host-namespaces"].findall("testcase") if c.find("skipped") is not None]
    assert skipped.get("name") == "DaemonSet/monitoring/node-exporter"
    assert "no other way to do its job" in skipped.find("skipped").get("message")


def test_junit_gaps_are_errors_in_their_own_suite(demo):
    from scanner.reports.junit import render_junit

    root, suites = suites_of(render_junit(with_gaps(demo_result(demo))))
    gaps = suites["kubecomply.gaps"]
    assert gaps.get("errors") == "3" and root.get("errors") == "3"
    assert sorted(c.get("name") for c in gaps.findall("testcase")) == ["chart/templates/deployment.yaml:4", "check host-ports", "prod-eu v1 Secret"]
    # a check that could not run passes nothing: only its findings remain
    assert [c.get("name") for c in suites["host-ports"].findall("testcase")] == ["StatefulSet/payments/payments-api"]


def test_junit_from_an_older_result_counts_per_finding(demo):
    from scanner.reports.junit import render_junit

    data = copy.deepcopy(demo["json"])
    del data["checks"], data["resources"]
    root, suites = suites_of(render_junit(ScanResult.from_dict(data)))
    cases = suites["privileged-containers"].findall("testcase")
    assert [c.get("name") for c in cases] == ["StatefulSet/payments/payments-api", "(0 other resources evaluated without findings)"]
    assert root.get("failures") == str(len({(f["policy"], f["resource"]["name"]) for f in data["findings"] if f["status"] == "fail"}))


def test_junit_survives_control_characters(demo):
    from scanner.reports.junit import render_junit

    result = demo_result(demo)
    result.findings[0].message = "bad \x00\x1b value <script>"
    root, _ = suites_of(render_junit(result))
    assert "<script>" in ET.tostring(root, encoding="unicode").replace("&lt;", "<").replace("&gt;", ">")


# ---------------------------------------------------------------- CSV

def test_csv_findings(demo):
    rows = list(csv.DictReader(io.StringIO(demo["csv"])))
    assert len(rows) == len(demo["json"]["findings"])
    [privileged] = [r for r in rows if r["check"] == "privileged-containers"]
    assert privileged["severity"] == "critical" and privileged["status"] == "fail"
    assert (privileged["apiVersion"], privileged["kind"], privileged["namespace"], privileged["name"]) == ("apps/v1", "StatefulSet", "payments", "payments-api")
    assert privileged["line"] == str(line_of(PAYMENTS, "privileged: true"))
    assert privileged["field_path"] == "spec.template.spec.containers[0].securityContext.privileged"
    controls = privileged["controls"].split(";")
    assert [c.split(":")[0] for c in controls] == sorted(c.split(":")[0] for c in controls)  # grouped by framework
    assert {"pss-baseline:Privileged Containers", "pss-restricted:Privileged Containers", "cis-kubernetes:5.2.2", "soc2:CC6.8"} <= set(controls)
    waived = [r for r in rows if r["status"] == "waived"]
    assert {r["waiver"] for r in waived} >= {"waivers.yaml#1", "waivers.yaml#2"}
    assert all(r["waiver_justification"] for r in waived)


def test_csv_controls_table(demo):
    out = run(["report", str(demo["path"]), "-f", "csv", "--csv-controls"])
    assert out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == sum(len(fw["controls"]) for fw in demo["json"]["frameworks"])
    [row] = [r for r in rows if r["framework"] == "pss-baseline" and r["control"] == "Privileged Containers"]
    assert (row["status"], row["checks"], row["resources_evaluated"], row["resources_failed"]) == ("fail", "privileged-containers", "5", "1")
    assert run(["report", str(demo["path"]), "-f", "json", "--csv-controls"]).exit_code == 2


def test_csv_neutralises_formulas_from_manifests(tmp_path):
    write(tmp_path, "evil.yaml", """
        apiVersion: v1
        kind: Pod
        metadata:
          name: "=HYPERLINK(\\"http://evil\\",\\"x\\")"
          namespace: "@SUM(A1)"
        spec:
          containers:
            - name: "-cmd"
              image: "+1"
              securityContext: {privileged: true}
    """)
    out = run(["scan", "manifests", str(tmp_path), "-f", "csv"])
    assert out.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows
    for row in rows:
        assert row["name"] == "'=HYPERLINK(\"http://evil\",\"x\")"
        assert row["namespace"] == "'@SUM(A1)"
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    from scanner.reports.csv_report import safe_cell

    assert [safe_cell(v) for v in ("-1+2", "+x", "\tx", "ok", 7, None)] == ["'-1+2", "'+x", "'\tx", "ok", 7, ""]


# ---------------------------------------------------------------- PolicyReport

def test_policyreport_one_report_per_namespace_with_summaries(demo):
    everything = list(yaml.safe_load_all(demo["policyreport"]))
    # findings on Namespace objects (cluster-scoped) go to the ClusterPolicyReport at the end
    docs = [d for d in everything if d["kind"] == "PolicyReport"]
    assert [d["kind"] for d in everything] == ["PolicyReport"] * 3 + ["ClusterPolicyReport"]
    assert [(d["apiVersion"], d["kind"], d["metadata"]["namespace"]) for d in docs] == [
        ("wgpolicyk8s.io/v1alpha2", "PolicyReport", ns) for ns in ("monitoring", "payments", "shop")
    ]
    findings = demo["json"]["findings"]
    for doc in docs:
        ns = doc["metadata"]["namespace"]
        counts = {k: sum(1 for r in doc["results"] if r["result"] == k) for k in ("pass", "fail", "warn", "error", "skip")}
        assert doc["summary"] == counts
        assert counts["fail"] == sum(1 for f in findings if f["resource"].get("namespace") == ns and f["status"] == "fail")
        assert counts["skip"] == sum(1 for f in findings if f["resource"].get("namespace") == ns and f["status"] == "waived")
        assert all(r["resources"][0]["namespace"] == ns for r in doc["results"])
        assert all(r["severity"] in ("critical", "high", "medium", "low", "info") for r in doc["results"])
    payments = docs[1]
    [privileged] = [r for r in payments["results"] if r["policy"] == "privileged-containers"]
    assert privileged["result"] == "fail" and privileged["rule"] == "privileged-containers" and privileged["severity"] == "critical"
    assert privileged["resources"] == [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "payments-api", "namespace": "payments",
                                        "fieldPath": "spec.template.spec.containers[0].securityContext.privileged"}]
    assert privileged["properties"]["pss-baseline"] == "Privileged Containers"
    assert privileged["properties"]["line"] == str(line_of(PAYMENTS, "privileged: true"))
    skipped = [r for r in docs[0]["results"] if r["result"] == "skip"]
    assert {r["properties"]["waiver"] for r in skipped} == {"waivers.yaml#1", "waivers.yaml#2"}
    # a clean resource passes each check it was evaluated by
    shop = docs[2]
    frontend = [r for r in shop["results"] if r["resources"][0]["name"] == "frontend"]
    assert frontend and {r["result"] for r in frontend} == {"pass"}


def test_policyreport_cluster_scoped_and_defaulted_namespaces(demo):
    from scanner.model import Finding, Origin, ResourceRef
    from scanner.reports.policyreport import to_policy_reports

    result = demo_result(demo)
    base = result.findings[0]
    result.findings += [
        Finding(policy="rbac-wildcards", severity="high", title="t", message="ClusterRole grants *", resource=ResourceRef("rbac.authorization.k8s.io/v1", "ClusterRole", None, "too-much"), origin=Origin(type="file", path="rbac.yaml", line=3)),
        Finding(policy=base.policy, severity=base.severity, title=base.title, message="m", resource=ResourceRef("apps/v1", "Deployment", None, "nameless"), origin=Origin(type="file", path="d.yaml", line=9)),
    ]
    docs = to_policy_reports(result)
    assert [(d["kind"], d["metadata"].get("namespace")) for d in docs] == [
        ("PolicyReport", "default"), ("PolicyReport", "monitoring"), ("PolicyReport", "payments"), ("PolicyReport", "shop"), ("ClusterPolicyReport", None),
    ]
    cluster = docs[-1]
    # the demo's own cluster-scoped findings (on Namespace objects) plus the ClusterRole added here
    cluster_scoped = sum(1 for f in result.findings if f.resource.namespace is None and f.resource.kind != "Deployment" and f.status == "fail")
    assert cluster["metadata"]["name"] == "kubecomply-cluster" and cluster["summary"]["fail"] == cluster_scoped
    [too_much] = [r for r in cluster["results"] if r["resources"][0]["name"] == "too-much"]
    assert too_much["resources"][0] == {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "name": "too-much"}
    assert docs[0]["results"][0]["properties"]["namespaceDefaulted"] == "true"


def test_policyreport_yaml_reads_back_exactly():
    """The report's own YAML writer (PyYAML's emitter is too slow for big scans) round-trips awkward strings."""
    from scanner.reports.policyreport import dump_documents

    strings = ["", "true", "No", "1.5", "0x10", "- x", "a: b", "#c", "x #y", "é 한국", "\x00\x07\x1b", "\x85\u2028\ufeff",
               "'q'", '"dq"', "line\nbreak", "~", "null", "@x", "*a", "&a", "!t", "%p", "{}", "?", "|", " lead", "trail ", "=SUM(1)"]
    docs = [{"a": strings, "b": {}, "c": [], "k: x": {"n": [1, True, {"x": [{"y": "z"}]}]}}, {"second": "doc"}]
    assert list(yaml.safe_load_all(dump_documents(docs))) == docs
