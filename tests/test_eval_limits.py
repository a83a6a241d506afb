"""Issue 15 item 12: user Rego that never finishes, or wants all the memory, cannot hang or kill the scan.

regorus cannot be interrupted, so evaluation runs in forked workers with a
deadline and an address-space limit; a check that overstays or dies is pinned
by running the checks one at a time, becomes a check gap naming it (exit 2),
and every other check's findings are kept.
"""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from conftest import check_module, write
from scanner.cli import main

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

# 10^10 iterations: finishes long after anyone stopped waiting.
SLOW = """
deny contains {"msg": "never", "path": ["metadata"]} if {
    input.kind == "Pod"
    n := count([x | some a in numbers.range(1, 100000); some b in numbers.range(1, 100000); x := a * b])
    n < 0
}
"""

# A list of 300 million numbers: gigabytes in the engine.
GREEDY = """
deny contains {"msg": "never", "path": ["metadata"]} if {
    input.kind == "Pod"
    n := count(numbers.range(1, 300000000))
    n < 0
}
"""

QUICK = 'deny contains {"msg": "user finding", "path": ["metadata"]} if { input.kind == "Pod" }'


# A framework of the two user checks, so --framework evaluates only them: the
# limits in these tests are short, and the bundled checks on a busy machine
# could take longer than that without being at fault.
MAPPING = """
id: limits
title: Limits
version: "1"
controls:
  - {id: C1, title: bad, checks: [user-bad]}
  - {id: C2, title: quick, checks: [user-quick]}
"""


def scan(tmp_path, body: str, *extra: str, framework: bool = True):
    write(tmp_path / "k8s", "pod.yaml", POD)
    write(tmp_path / "policies", "bad.rego", check_module("user-bad", "user.bad", body, kinds="[Pod]"))
    write(tmp_path / "policies", "quick.rego", check_module("user-quick", "user.quick", QUICK, kinds="[Pod]"))
    write(tmp_path / "mappings", "limits.yaml", MAPPING)
    narrow = ["--mapping-dir", str(tmp_path / "mappings"), "--framework", "limits"] if framework else []
    started = time.monotonic()
    result = CliRunner().invoke(main, ["scan", "manifests", str(tmp_path / "k8s"), "--policy-dir", str(tmp_path / "policies"), *narrow, "-f", "json", *extra])
    return result, time.monotonic() - started


def assert_culprit_only(result, reason: str):
    assert result.exit_code == 2, result.stderr
    doc = json.loads(result.stdout)
    gaps = [g for g in doc["gaps"] if g["type"] == "check"]
    assert [g["check"] for g in gaps] == ["user-bad"]
    assert reason in gaps[0]["reason"]
    assert {f["policy"] for f in doc["findings"]} == {"user-quick"}  # the other check's findings are kept
    control = {c["id"]: c for c in doc["frameworks"][0]["controls"]}
    assert control["C1"]["status"] == "not-assessed" and control["C2"]["status"] == "fail"
    assert "1 check(s) could not run" in result.stderr


def test_check_over_the_time_limit_is_a_gap_and_the_rest_is_kept(tmp_path):
    result, elapsed = scan(tmp_path, SLOW, "--check-timeout", "1")
    assert_culprit_only(result, "took longer than the limit of 1 s")
    assert elapsed < 30


def test_check_over_the_memory_limit_is_a_gap_and_the_rest_is_kept(tmp_path):
    result, _elapsed = scan(tmp_path, GREEDY, "--eval-memory", "300MiB")
    assert_culprit_only(result, "out of memory")


def test_limits_apply_to_large_scans_split_over_workers(tmp_path):
    pods = "---".join(POD.replace("name: api", f"name: api{i}") for i in range(2100))
    write(tmp_path / "k8s", "pods.yaml", pods)
    result, _elapsed = scan(tmp_path, SLOW, "--check-timeout", "2", "--workers", "2")
    assert_culprit_only(result, "took longer than the limit of 2 s")
    doc = json.loads(result.stdout)
    assert sum(1 for f in doc["findings"] if f["policy"] == "user-quick") == 2101


def test_same_findings_guarded_or_not(tmp_path):
    """The guarded path (the default) and the unguarded one give the same findings, bundled checks included."""
    found = []
    for extra in ((), ("--check-timeout", "0", "--eval-memory", "0")):
        result, _ = scan(tmp_path, QUICK.replace("user finding", "second"), *extra, framework=False)
        assert result.exit_code == 1, result.stderr
        doc = json.loads(result.stdout)
        assert doc["gaps"] == []
        found.append(sorted((f["policy"], f["message"], f["path"] or "") for f in doc["findings"]))
    assert found[0] == found[1]
    assert {"user-bad", "user-quick", "privileged-containers"} <= {f[0] for f in found[0]}


def test_run_guarded_outcomes():
    from scanner.forking import run_guarded

    def spin():
        while True:
            pass

    def greedy():
        return len(bytearray(2 * 2**30))

    outcomes = run_guarded([lambda: 41 + 1, spin, greedy, lambda: 1 / 0], timeout=1.5, memory=256 * 2**20)
    assert outcomes == [("ok", 42), ("timeout", 1.5), ("died", "ran out of memory"), ("error", "ZeroDivisionError: division by zero")]
