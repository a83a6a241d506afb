"""``--data``: facts for checks as ``data.kubecomply.config``, and checks that cannot run without them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import write
from opa_fixture import OpaFixture
from scanner.cli import main

CHECK = '''
# METADATA
# title: Registry allow-list (test)
# description: Images must come from a listed registry.
# custom:
#   id: test-registry
#   severity: high
#   kinds: [Deployment]
#   remediation: Use an allowed registry.
#   requires_data: [allowed_registries]
package kubecomply.test.registry

import rego.v1

deny contains {"msg": sprintf("%s is not allowed", [c.image]), "path": ["spec", "template", "spec", "containers", i, "image"]} if {
	some i, c in input.spec.template.spec.containers
	not allowed(c.image)
}

allowed(image) if {
	some prefix in data.kubecomply.config.allowed_registries
	startswith(image, prefix)
}
'''

MAPPING = '''
id: test-fw
title: Test framework
version: "1"
controls:
  - id: "R.1"
    title: Registries
    automation: automated
    checks: [test-registry]
'''

DEPLOYMENT = '''
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: app
          image: docker.io/library/nginx:1.27
'''


@pytest.fixture
def layout(tmp_path):
    write(tmp_path, "policies/registry.rego", CHECK)
    write(tmp_path, "mappings/test.yaml", MAPPING)
    write(tmp_path, "k8s/web.yaml", DEPLOYMENT)
    return tmp_path


def scan(layout, *extra: str) -> tuple[int, dict, str]:
    args = ["scan", "manifests", str(layout / "k8s"), "--policy-dir", str(layout / "policies"), "--mapping-dir", str(layout / "mappings"), "--framework", "test-fw", "-f", "json", *extra]
    run = CliRunner().invoke(main, args)
    return run.exit_code, json.loads(run.stdout) if run.stdout.startswith("{") else {}, run.stderr


def control(result: dict) -> dict:
    (fw,) = [f for f in result["frameworks"] if f["id"] == "test-fw"]
    return fw["controls"][0]


def test_without_data_the_check_is_not_run_and_its_control_not_assessed(layout):
    code, result, _ = scan(layout)
    assert code == 0 and result["findings"] == []
    assert "allowed_registries" in result["summary"]["checks_not_run"]["test-registry"]
    assert control(result)["status"] == "not-assessed"
    assert "--data" in control(result)["reason"]
    (info,) = [c for c in result["checks"] if c["id"] == "test-registry"]
    assert info["resources_evaluated"] == 0 and "--data" in info["not_run"]


def test_table_says_the_check_was_not_run(layout):
    run = CliRunner().invoke(main, ["scan", "manifests", str(layout / "k8s"), "--policy-dir", str(layout / "policies"), "--mapping-dir", str(layout / "mappings"), "--framework", "test-fw"])
    assert "Scope:" in run.stdout and "test-registry: needs allowed_registries" in run.stdout


@pytest.mark.parametrize("allowed, findings", [("[registry.example.com/]", 1), ("[docker.io/]", 0)])
def test_with_data_the_check_runs(layout, allowed, findings):
    write(layout, "data.yaml", f"allowed_registries: {allowed}\n")
    code, result, _ = scan(layout, "--data", str(layout / "data.yaml"))
    assert len(result["findings"]) == findings
    assert code == (1 if findings else 0)
    assert result["summary"]["checks_not_run"] == {}
    assert control(result)["status"] == ("fail" if findings else "pass")


def test_later_data_files_win(layout):
    write(layout, "a.yaml", "allowed_registries: [docker.io/]\n")
    write(layout, "b.yaml", "allowed_registries: [registry.example.com/]\n")
    _, result, _ = scan(layout, "--data", str(layout / "a.yaml"), "--data", str(layout / "b.yaml"))
    assert len(result["findings"]) == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("allowed_registries: registry.example.com\n", "'allowed_registries' must be a list of non-empty strings"),
        ("- a\n- b\n", "must be a mapping"),
        ("allowed_registries: [a\n", "not valid YAML"),
    ],
)
def test_bad_data_file_is_one_line_error_naming_it(layout, text, expected):
    write(layout, "bad.yaml", text)
    code, _, err = scan(layout, "--data", str(layout / "bad.yaml"))
    assert code == 2
    assert "bad.yaml" in err and expected in err
    assert len(err.strip().splitlines()) == 1


def test_opa_engine_sees_the_scan_s_own_config(layout):
    write(layout, "data.yaml", "allowed_registries: [registry.example.com/]\n")
    with OpaFixture() as opa:
        code, result, err = scan(layout, "--data", str(layout / "data.yaml"), "--engine", "opa", "--opa-url", opa.url)
        assert code == 1, err
        assert [f["policy"] for f in result["findings"]] == ["test-registry"]
        puts = [r for r in opa.requests("PUT") if "/v1/data/" in r.path]
        assert puts and all("/v1/data/kubecomply/" in r.path for r in puts)


def test_html_report_lists_the_check_not_run(layout, tmp_path):
    out = tmp_path / "report.html"
    run = CliRunner().invoke(main, ["scan", "manifests", str(layout / "k8s"), "--policy-dir", str(layout / "policies"), "--mapping-dir", str(layout / "mappings"), "--framework", "test-fw", "-f", "html", "-o", str(out)])
    assert run.exit_code == 0, run.output
    gaps = out.read_text().split('<section id="gaps">')[1].split("</section>")[0]
    assert "Checks not run" in gaps and "test-registry" in gaps and "needs allowed_registries" in gaps


def test_machine_formats_say_the_check_was_not_run(layout, tmp_path):
    base = ["scan", "manifests", str(layout / "k8s"), "--policy-dir", str(layout / "policies"), "--mapping-dir", str(layout / "mappings"), "--framework", "test-fw"]
    sarif = json.loads(CliRunner().invoke(main, [*base, "-f", "sarif"]).stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["associatedRule"]["id"] for n in notes if n["descriptor"]["id"] == "check/not-run"] == ["test-registry"]
    junit = CliRunner().invoke(main, [*base, "-f", "junit"]).stdout
    assert 'name="(not run)"' in junit and "needs allowed_registries" in junit
