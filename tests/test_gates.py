"""Exit gates through the command line: --fail-on, --fail-under, --fail-on-gaps, and which one tripped."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import REPO_ROOT, write, DEMO_ARGS
from scanner.cli import main
from scanner.compliance.gates import parse_fail_under

EXAMPLES = REPO_ROOT / "examples"


def run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture(scope="module")
def scores():
    """The demo's framework scores with accepted exceptions (what --fail-under gates), in percent as the reports show them."""
    doc = json.loads(run(DEMO_ARGS + ["-f", "json"]).stdout)
    return {fw["id"]: round(fw["score_with_exceptions"] * 100, 2) for fw in doc["frameworks"] if fw["scoring"] == "score"}


def test_fail_under_trips_below_the_score_and_says_which_gate(scores):
    baseline = scores["pss-baseline"]  # 75% in the demo
    result = run(DEMO_ARGS + ["--fail-on", "none", "--fail-under", f"pss-baseline={baseline + 1}"])
    assert result.exit_code == 1
    assert f"gate: pss-baseline score {baseline:g}% < {baseline + 1:g}%" in result.stderr
    assert f"gate: pss-baseline score {baseline:g}% < {baseline + 1:g}%" in result.stdout  # the table says it too


def test_fail_under_at_the_score_passes(scores):
    baseline = scores["pss-baseline"]
    result = run(DEMO_ARGS + ["--fail-on", "none", "--fail-under", f"pss-baseline={baseline:g}%", "-f", "json"])
    assert result.exit_code == 0
    [on, under] = json.loads(result.stdout)["gates"]
    assert on == {"gate": "fail-on", "threshold": "none", "tripped": False, "detail": "--fail-on none"}
    assert under["gate"] == "fail-under" and under["framework"] == "pss-baseline" and under["score"] == baseline and not under["tripped"]


def test_several_gates_are_all_named(scores):
    result = run(DEMO_ARGS + ["--fail-on", "critical", "--fail-under", "pss-baseline=100", "--fail-under", "pss-restricted=0"])
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "gate: 1 open finding(s) at or above critical" in last and "gate: pss-baseline score" in last
    assert "pss-restricted" not in last  # 0% is met by any score


def test_a_framework_without_score_trips_the_gate(tmp_path):
    write(tmp_path, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n")
    result = run(["scan", "manifests", str(tmp_path), "--fail-under", "pss-baseline=50"])
    assert result.exit_code == 1
    assert "gate: pss-baseline has no score (no control assessed), needs 50%" in result.stderr


@pytest.mark.parametrize(
    "value, message",
    [("pss-baseline", "is not FRAMEWORK=SCORE"), ("pss-baseline=high", "is not FRAMEWORK=SCORE"), ("pss-baseline=101", "percentage from 0 to 100"), ("=80", "is not FRAMEWORK=SCORE")],
)
def test_malformed_fail_under_is_a_usage_error(value, message):
    result = run(DEMO_ARGS + ["--fail-under", value])
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_framework_in_fail_under_is_an_error_before_any_report():
    result = run(DEMO_ARGS + ["--framework", "pss-baseline", "--framework", "pss-restricted", "--fail-under", "soc2=80", "-f", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--fail-under: unknown framework(s) soc2; this scan has: pss-baseline, pss-restricted" in result.stderr


def test_parse_fail_under_accepts_percent_signs_and_decimals():
    assert parse_fail_under(["soc2=80", "pci-dss = 92.5%"]) == {"soc2": 80.0, "pci-dss": 92.5}


def test_fail_on_gaps_exits_2_even_when_parse_errors_are_allowed(tmp_path):
    write(tmp_path, "good.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")
    write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n")
    assert run(["scan", "manifests", str(tmp_path), "--allow-parse-errors"]).exit_code == 0
    result = run(["scan", "manifests", str(tmp_path), "--allow-parse-errors", "--fail-on-gaps"])
    assert result.exit_code == 2
    assert "gate: --fail-on-gaps: 1 gap(s)" in result.stderr


def test_fail_on_gaps_without_gaps_changes_nothing(tmp_path):
    write(tmp_path, "good.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")
    result = run(["scan", "manifests", str(tmp_path), "--fail-on-gaps", "-f", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["gates"][-1] == {"gate": "fail-on-gaps", "tripped": False, "detail": "no gaps"}


def test_baselined_findings_do_not_trip_fail_on_but_count_for_fail_under(tmp_path):
    write(tmp_path / "k8s", "pod.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers: [{name: c, image: x, securityContext: {privileged: true}}]
    """)
    baseline = tmp_path / "b.json"
    assert run(["baseline", "create", str(tmp_path / "k8s"), "--framework", "pss-baseline", "-o", str(baseline)]).exit_code == 0
    args = ["scan", "manifests", str(tmp_path / "k8s"), "--framework", "pss-baseline", "--baseline", str(baseline)]
    assert run(args).exit_code == 0
    result = run(args + ["--fail-under", "pss-baseline=100"])
    assert result.exit_code == 1 and "gate: pss-baseline score" in result.stderr


def test_gates_survive_the_json_round_trip(tmp_path, scores):
    out = tmp_path / "r.json"
    run(DEMO_ARGS + ["--fail-under", "pss-baseline=100", "-f", "json", "-o", str(out)])
    table = run(["report", str(out)])
    assert "gate: pss-baseline score" in table.stdout
