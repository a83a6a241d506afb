"""End to end through the command line, on the bundled examples and on temporary files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT, check_module, write, DEMO_ARGS
from scanner.cli import main
from scanner.model import ScanResult

EXAMPLES = REPO_ROOT / "examples"
SECRET_VALUE = "not-a-real-password-but-never-shown"


def run(args, input=None):
    return CliRunner().invoke(main, args, input=input, catch_exceptions=False)


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


@pytest.fixture(scope="module")
def demo_json():
    result = run(DEMO_ARGS + ["-f", "json"])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


def findings_of(doc, policy, name):
    """Findings whole, as reports read them (schema 1.2 leaves the check's title, remediation and controls out of each)."""
    return [f.to_dict() for f in ScanResult.from_dict(doc).findings if f.policy == policy and f.resource.name == name]


def test_demo_finds_the_deliberate_violations_at_their_lines(demo_json):
    [privileged] = findings_of(demo_json, "privileged-containers", "payments-api")
    manifest = EXAMPLES / "manifests/payments/payments-api.yaml"
    assert privileged["origin"]["line"] == line_of(manifest, "privileged: true")
    assert privileged["path"] == "spec.template.spec.containers[0].securityContext.privileged"
    assert privileged["status"] == "fail" and privileged["severity"] == "critical"
    assert privileged["controls"]["pss-baseline"] == ["Privileged Containers"]
    assert findings_of(demo_json, "host-ports", "payments-api")
    assert findings_of(demo_json, "run-as-root-user", "cart")
    [unlabelled] = findings_of(demo_json, "require-team-label", "cart")  # the custom check from --policy-dir
    assert unlabelled["severity"] == "low" and unlabelled["controls"] == {}
    assert findings_of(demo_json, "require-team-label", "frontend") == []
    # the hardened frontend passes every check
    assert [f for f in demo_json["findings"] if f["resource"]["name"] == "frontend"] == []


def test_demo_waivers_file_inline_and_expired(demo_json):
    waived = findings_of(demo_json, "host-namespaces", "node-exporter")
    assert [(f["path"], f["status"], f["waiver"]) for f in waived] == [
        ("spec.template.spec.hostNetwork", "waived", "waivers.yaml#1"),
        ("spec.template.spec.hostPID", "waived", "waivers.yaml#1"),
    ]
    # The demo's inline annotation gives only a justification: no approver, no expiry, so it waives nothing.
    [inline] = findings_of(demo_json, "privilege-escalation", "cart-cleanup")
    assert inline["status"] == "fail" and "waiver" not in inline
    statuses = {w["id"]: w["status"] for w in demo_json["waivers"]}
    assert statuses["annotation:CronJob/shop/cart-cleanup:privilege-escalation"] == "invalid"
    assert statuses["waivers.yaml#3"] == "expired"
    # the expired waiver's finding is open again
    assert all(f["status"] == "fail" for f in findings_of(demo_json, "run-as-root-user", "cart"))


def test_demo_rolls_up_frameworks_and_custom_checks(demo_json):
    frameworks = {fw["id"]: fw for fw in demo_json["frameworks"]}
    assert set(frameworks) == {"pss-baseline", "pss-restricted", "cis-kubernetes", "soc2", "iso27001", "pci-dss", "gdpr", "isms-p"}
    controls = {c["id"]: c for c in frameworks["pss-baseline"]["controls"]}
    assert controls["Privileged Containers"]["status"] == "fail"
    assert controls["Host Namespaces"]["status"] == "pass-with-exceptions"  # its only violation is waived
    assert controls["Host Namespaces"]["waivers"] == ["waivers.yaml#1"]
    assert "require-team-label" in demo_json["scan"]["checks"]
    assert demo_json["summary"]["scope"] == "files"
    assert demo_json["schema_version"] == "1.2"


def test_secret_values_never_reach_any_output(demo_json):
    table = run(DEMO_ARGS)
    assert SECRET_VALUE not in table.output
    assert SECRET_VALUE not in json.dumps(demo_json)


def test_json_is_deterministic_apart_from_timestamps():
    first, second = (json.loads(run(DEMO_ARGS + ["-f", "json"]).stdout) for _ in range(2))
    for doc in (first, second):
        # the times differ between runs, and so the digest over them; who and where ran it may too
        doc["scan"].pop("started"), doc["scan"].pop("finished"), doc["scan"].pop("result_digest"), doc["scan"].pop("run")
    assert first == second


def test_table_shows_findings_frameworks_and_the_exit_reason():
    result = run(DEMO_ARGS)
    assert result.exit_code == 1
    assert "privileged-containers" in result.stdout
    assert "pss-restricted" in result.stdout
    assert "expired on 2026-01-31" in result.stdout
    assert "exit 1:" in result.stderr


@pytest.mark.parametrize("fail_on, code", [("critical", 1), ("none", 0)])
def test_fail_on_threshold(fail_on, code):
    assert run(DEMO_ARGS + ["--fail-on", fail_on, "-f", "json"]).exit_code == code


def test_fail_on_ignores_findings_below_the_threshold(tmp_path):
    write(tmp_path, "pod.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
          containers:
            - name: c
              image: x
              securityContext:
                allowPrivilegeEscalation: false
                capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
              ports: [{containerPort: 80, hostPort: 80}]
    """)
    assert run(["scan", "manifests", str(tmp_path), "--fail-on", "high"]).exit_code == 0
    assert run(["scan", "manifests", str(tmp_path), "--fail-on", "medium"]).exit_code == 1


def test_parse_errors_exit_2_unless_allowed_and_never_lose_other_results(tmp_path):
    write(tmp_path, "good.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec:\n  hostPID: true\n  containers: [{name: c, image: x}]\n")
    write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n")
    result = run(["scan", "manifests", str(tmp_path), "-f", "json"])
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert [g["path"].split("/")[-1] for g in doc["gaps"]] == ["bad.yaml"]
    assert findings_of(doc, "host-namespaces", "ok")
    assert run(["scan", "manifests", str(tmp_path), "--allow-parse-errors", "-f", "json"]).exit_code == 1


def test_stdin_is_scanned():
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: from-stdin}\nspec:\n  containers:\n    - name: c\n      image: x\n      securityContext: {privileged: true}\n"
    result = run(["scan", "manifests", "-", "-f", "json"], input=pod)
    doc = json.loads(result.stdout)
    [finding] = findings_of(doc, "privileged-containers", "from-stdin")
    assert finding["origin"]["type"] == "stdin" and finding["origin"]["line"] == 8


def test_framework_narrows_the_checks():
    doc = json.loads(run(DEMO_ARGS[:3] + ["--framework", "pss-baseline", "-f", "json"]).stdout)
    assert [fw["id"] for fw in doc["frameworks"]] == ["pss-baseline"]
    assert "run-as-non-root" not in doc["scan"]["checks"]
    assert not [f for f in doc["findings"] if f["policy"] == "run-as-non-root"]


def test_unknown_framework_is_a_usage_error():
    result = run(DEMO_ARGS[:3] + ["--framework", "sox"])
    assert result.exit_code == 2
    assert "unknown framework(s): sox; available:" in result.stderr


def test_broken_user_policy_exits_2_with_file_and_line(tmp_path):
    write(tmp_path, "p.rego", check_module("broken", "t.broken", 'deny contains "x" if {\n  input.a ==\n}'))
    result = run(["scan", "manifests", str(EXAMPLES / "manifests"), "--policy-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "p.rego:13: expecting expression" in result.stderr  # where the parser gives up
    # One error line, last; before it only the progress lines of the phases that finished (scanner.progress).
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("kubecomply: error: ") and not [line for line in lines[:-1] if "error" in line or not line.endswith(" s")]
    quiet = run(["scan", "manifests", str(EXAMPLES / "manifests"), "--policy-dir", str(tmp_path), "--quiet"])
    assert quiet.exit_code == 2 and quiet.stderr.strip().splitlines() == [lines[-1]]


def test_missing_target_is_a_usage_error(tmp_path):
    result = run(["scan", "manifests", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_output_file_and_report_round_trip(tmp_path):
    out = tmp_path / "results.json"
    assert run(DEMO_ARGS + ["-f", "json", "-o", str(out)]).exit_code == 1
    again = run(["report", str(out), "-f", "json"])
    assert json.loads(again.stdout) == json.loads(out.read_text())
    table = run(["report", str(out)])
    assert "privileged-containers" in table.stdout


def test_report_rejects_a_non_result(tmp_path):
    path = write(tmp_path, "x.json", '{"hello": 1}')
    result = run(["report", str(path)])
    assert result.exit_code == 2 and "not a kubecomply JSON result" in result.stderr


def test_policy_commands():
    listing = run(["policy", "list"])
    assert "privileged-containers" in listing.stdout and "critical" in listing.stdout
    shown = run(["policy", "show", "privileged-containers"])
    assert "Remediation:" in shown.stdout and "trivy: KSV-0017" in shown.stdout
    assert run(["policy", "show", "nope"]).exit_code == 2
    tested = run(["policy", "test", "--policy-dir", str(EXAMPLES / "policies")])
    assert tested.exit_code == 0, tested.stdout
    assert " passed, 0 failed" in tested.stdout


def test_policy_test_fails_on_a_failing_test(tmp_path):
    write(tmp_path, "a.rego", check_module("a-check", "t.a", 'deny contains "x" if input.bad'))
    write(tmp_path, "a_test.rego", "package t.a_test\n\nimport data.t.a\n\ntest_wrong if {\n\tcount(a.deny) == 1 with input as {}\n}\n")
    result = run(["policy", "test", "--policy-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "test_wrong" in result.stdout


def test_framework_commands():
    listing = run(["framework", "list"])
    assert "pss-baseline" in listing.stdout and "pss-restricted" in listing.stdout
    shown = run(["framework", "show", "pss-restricted", "--control", "Privileged Containers"])
    assert "privileged-containers" in shown.stdout


def test_framework_show_with_results_gives_each_control_s_last_status(tmp_path):
    saved = tmp_path / "results.json"
    assert run(["scan", "manifests", str(EXAMPLES / "manifests"), "-f", "json", "-o", str(saved)]).exit_code == 1
    result = json.loads(saved.read_text())
    (fw,) = [f for f in result["frameworks"] if f["id"] == "pss-baseline"]
    expected = {c["id"]: c["status"] for c in fw["controls"]}
    assert "fail" in expected.values() and "pass" in expected.values()
    table = run(["framework", "show", "pss-baseline", "--results", str(saved)]).stdout
    assert "LAST RESULT" in table
    for line in table.splitlines():
        for control_id, status in expected.items():
            if line.startswith(control_id + "  "):
                assert line.rstrip().endswith(status), line
    failing = next(c for c in fw["controls"] if c["status"] == "fail")
    shown = run(["framework", "show", "pss-baseline", "--control", failing["id"], "--results", str(saved)])
    assert shown.exit_code == 0
    assert ": fail" in shown.stdout and f"Findings behind the failure ({len(failing['findings'])})" in shown.stdout
    first = result["findings"][failing["findings"][0]]
    assert first["resource"]["name"] in shown.stdout


def test_framework_show_errors_are_one_line(tmp_path):
    unknown = run(["framework", "show", "pss-baseline", "--control", "No Such Control"])
    assert unknown.exit_code == 2 and "has no control 'No Such Control'" in unknown.stderr
    bad = write(tmp_path, "bad.json", "{}")
    broken = run(["framework", "show", "pss-baseline", "--results", str(bad)])
    assert broken.exit_code == 2 and "bad.json" in broken.stderr and "not a kubecomply JSON result" in broken.stderr


def test_cross_resource_checks_see_the_scanned_set_as_inventory(tmp_path):
    body = """
deny contains {"msg": "namespace has no NetworkPolicy", "path": ["metadata", "name"]} if {
\tnot data.inventory.namespace[input.metadata.name]["networking.k8s.io/v1"].NetworkPolicy
}
"""
    write(tmp_path / "policies", "netpol.rego", check_module("ns-without-netpol", "t.netpol", body, kinds="[Namespace]", reads="[NetworkPolicy]"))
    doc = json.loads(run(["scan", "manifests", str(EXAMPLES / "manifests"), "--policy-dir", str(tmp_path / "policies"), "-f", "json"]).stdout)
    flagged = sorted(f["resource"]["name"] for f in doc["findings"] if f["policy"] == "ns-without-netpol")
    assert flagged == ["monitoring", "payments"]  # shop has NetworkPolicies in another file


def test_nothing_to_scan_is_not_a_pass(tmp_path):
    write(tmp_path, "README.md", "no manifests here\n")
    write(tmp_path, "values.yaml", "replicas: 3\n")  # YAML, but not a Kubernetes object
    result = run(["scan", "manifests", str(tmp_path)])
    assert result.exit_code == 2
    assert "no Kubernetes resources found" in result.stderr
    assert run(["scan", "manifests", str(tmp_path), "--allow-empty"]).exit_code == 0


def test_table_says_why_controls_were_not_assessed(tmp_path):
    write(tmp_path, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n")
    result = run(["scan", "manifests", str(tmp_path)])
    assert result.exit_code == 0
    assert "Not assessed:" in result.stdout
    assert "found no resources of its kinds in scope" in result.stdout or "found no resource in its population" in result.stdout
