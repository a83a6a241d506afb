"""`kubecomply waivers check`: invalid, expired, unused and soon-expiring waivers, and the exit codes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from conftest import write
from scanner.cli import main

TODAY = dt.date.today()

POD = """
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers:
    - {name: c, image: x, securityContext: {privileged: true}, ports: [{containerPort: 80, hostPort: 80}]}
"""


def entry(check: str, days: int, name: str = "api", extra: str = "") -> str:
    expires = (TODAY + dt.timedelta(days=days)).isoformat()
    return (
        f"  - check: {check}\n    match: {{kind: Pod, namespace: shop, name: {name}}}\n"
        f"    justification: because\n    approved_by: sec@example.com\n    expires: {expires}\n{extra}"
    )


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture
def k8s(tmp_path):
    write(tmp_path / "k8s", "pod.yaml", POD)
    return tmp_path / "k8s"


def check(tmp_path, k8s, entries: str, *extra: str):
    path = write(tmp_path, "waivers.yaml", "waivers:\n" + entries)
    return run(["waivers", "check", str(path), str(k8s), *extra])


def test_healthy_waivers_exit_0(tmp_path, k8s):
    result = check(tmp_path, k8s, entry("privileged-containers", 365) + entry("host-ports", 200))
    assert result.exit_code == 0, result.output
    assert "2 waiver(s) in" in result.stdout and "2 applied; 0 invalid, 0 expired, 0 unused, 0 expiring" in result.stdout


def test_expiring_soon_is_listed_but_passes(tmp_path, k8s):
    result = check(tmp_path, k8s, entry("privileged-containers", 10))
    assert result.exit_code == 0
    assert "EXPIRING" in result.stdout and "in 10 day(s)" in result.stdout
    assert "1 expire soon" in result.stderr
    quiet = check(tmp_path, k8s, entry("privileged-containers", 10), "--expiring-within", "5")
    assert "EXPIRING" not in quiet.stdout


def test_unused_and_expired_exit_1(tmp_path, k8s):
    result = check(tmp_path, k8s, entry("privileged-containers", -1) + entry("host-ports", 100, name="other"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("EXPIRED  waivers.yaml#1: expired on")
    assert lines[1].startswith("UNUSED   waivers.yaml#2: matches no finding")
    assert "1 expired, 1 unused waiver(s)" in result.stderr


def test_every_invalid_entry_is_listed_and_exits_2(tmp_path, k8s):
    bad = entry("no-such-check", 100) + "  - check: host-ports\n    justification: j\n" + entry("privileged-containers", 100)
    result = check(tmp_path, k8s, bad, "-f", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["counts"] == {"invalid": 2, "expired": 0, "unused": 0, "expiring": 0}
    details = [p["detail"] for p in doc["problems"]]
    assert [p["waiver"] for p in doc["problems"]] == ["waivers.yaml#1", "waivers.yaml#2"]
    assert "names unknown check 'no-such-check'" in details[0]
    assert "is missing approved_by, expires" in details[1]
    assert doc["applied"] == 1  # the valid third entry was still applied
    assert "2 invalid waiver(s)" in result.stderr


def test_inline_annotation_for_an_unknown_check_is_invalid(tmp_path):
    write(tmp_path / "k8s", "pod.yaml", POD.replace("namespace: shop}", "namespace: shop, annotations: {kubecomply.io/waive.typo: x}}"))
    result = check(tmp_path, tmp_path / "k8s", entry("privileged-containers", 100))
    assert result.exit_code == 2
    assert "INVALID  annotation:Pod/shop/api:typo" in result.stdout


def test_custom_checks_are_known_with_their_policy_dir(tmp_path, k8s):
    policies = tmp_path / "policies"
    write(policies, "label.rego", """
        # METADATA
        # title: Team label
        # description: test
        # custom:
        #   id: team-label
        #   severity: low
        #   kinds: [Pod]
        #   remediation: Add it.
        package t.team

        deny contains {"msg": "no team label", "path": ["metadata"]} if not input.metadata.labels.team
    """)
    assert check(tmp_path, k8s, entry("team-label", 100)).exit_code == 2
    assert check(tmp_path, k8s, entry("team-label", 100), "--policy-dir", str(policies)).exit_code == 0


def test_unreadable_waivers_file_is_a_one_line_error(tmp_path, k8s):
    path = write(tmp_path, "waivers.yaml", "waivers: [unclosed\n")
    result = run(["waivers", "check", str(path), str(k8s)])
    assert result.exit_code == 2
    assert "invalid YAML" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_incomplete_scan_exits_2(tmp_path, k8s):
    write(k8s, "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n")
    result = check(tmp_path, k8s, entry("privileged-containers", 100))
    assert result.exit_code == 2 and "scan was incomplete" in result.stderr
    assert check(tmp_path, k8s, entry("privileged-containers", 100), "--allow-parse-errors").exit_code == 0


def test_scan_still_stops_at_the_first_invalid_waiver(tmp_path, k8s):
    path = write(tmp_path, "waivers.yaml", "waivers:\n" + entry("no-such-check", 100))
    result = run(["scan", "manifests", str(k8s), "--waivers", str(path)])
    assert result.exit_code == 2 and "names unknown check 'no-such-check'" in result.stderr
