"""Cluster scans against a hostile or broken API server (issue 15): gaps, malformed answers, faults.

Every test drives the CLI against tests/k8s_fixture_server.py over HTTPS; the faults are
set per resource on the fixture, so each test says exactly what the server does wrong.
"""

from __future__ import annotations

import gzip
import json
import shutil
import signal

import pytest
from click.testing import CliRunner

pytest.importorskip("kubernetes")
if shutil.which("openssl") is None:
    pytest.skip("openssl is needed to make the fixture server's certificates", allow_module_level=True)

from cluster_helpers import cluster_objects, write_mapping, write_policies  # noqa: E402
from k8s_fixture_server import DEFAULT_RESOURCES, Fault, K8sFixture, make_tls  # noqa: E402

from scanner.cli import main  # noqa: E402

LISTED = [r.plural for r in DEFAULT_RESOURCES if r.plural != "namespaces"]


def run(args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def last_line(out) -> str:
    return out.stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def server(tls):
    with K8sFixture(cluster_objects(), tls=tls) as fx:
        yield fx


@pytest.fixture
def kubeconfig(server, tmp_path):
    return server.kubeconfig(tmp_path / "kubeconfig")


# ------------------------------------------------------------------ item 3: gaps make the exit code 2


def test_most_kinds_forbidden_exits_2_by_default_and_allow_gaps_accepts(server, kubeconfig):
    for plural in LISTED:
        server.fault(plural, Fault(status=403, times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json"])
    assert out.exit_code == 2, out.output
    doc = json.loads(out.stdout)
    not_assessed = [c for fw in doc["frameworks"] for c in fw["controls"] if c["status"] == "not-assessed"]
    assert not_assessed and not any(c["status"] == "pass" for fw in doc["frameworks"] for c in fw["controls"])
    line = last_line(out)
    assert line.startswith("kubecomply: exit 2: ") and "mapped control(s) not assessed" in line and "--allow-gaps" in line
    kinds = {g["kind"] for g in doc["gaps"] if g["type"] == "kind"}
    assert "Pod" in kinds and f"{len(kinds)} kind(s) or cluster(s) could not be collected" in line
    # The checks that lacked kinds say so in the result, so a saved result tells why.
    assert any(c.get("not_collected") for c in doc["checks"])

    for plural in LISTED:
        server.fault(plural, Fault(status=403, times=None))
    allowed = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json", "--allow-gaps"])
    assert allowed.exit_code in (0, 1), allowed.output
    assert json.loads(allowed.stdout)["gaps"]  # still reported, only the exit code is accepted


def test_gap_that_leaves_no_mapped_control_unassessed_keeps_the_findings_exit_code(server, kubeconfig, tmp_path):
    """Secrets forbidden, but the only control that needs them has its own evidence elsewhere: no exit 2."""
    policies = write_policies(tmp_path / "policies")
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "pods.yaml").write_text(
        'id: pods-fw\ntitle: Pods only\nversion: "1"\ncontrols:\n'
        '  - id: "P1"\n    title: "Pods carry a team label"\n    automation: automated\n    checks: [pod-team-label, legacy-sa-token]\n'
    )
    server.fault("secrets", Fault(status=403, times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "--policy-dir", policies, "--mapping-dir", mappings, "--framework", "pods-fw", "-f", "json"])
    doc = json.loads(out.stdout)
    control = next(c for fw in doc["frameworks"] if fw["id"] == "pods-fw" for c in fw["controls"])
    assert control["status"] == "fail"  # pods without team label: evidence enough to fail it
    assert any(g["type"] == "kind" and g["kind"] == "Secret" for g in doc["gaps"])
    assert out.exit_code == 1, out.output


def test_snapshot_missing_a_needed_kind_exits_2_unless_allow_gaps(server, kubeconfig, tmp_path):
    snapshot = tmp_path / "evidence.json.gz"
    assert run(["export", "cluster", "--kubeconfig", kubeconfig, "-o", snapshot]).exit_code == 0
    policies = write_policies(tmp_path / "policies", {"node-check": ("[Node]", 'deny contains {"msg": "x"} if { false }')})
    mappings = write_mapping(tmp_path / "mappings")
    (mappings / "nodes.yaml").write_text('id: nodes-fw\ntitle: Nodes\nversion: "1"\ncontrols:\n  - id: "N1"\n    title: "Nodes"\n    automation: automated\n    checks: [node-check]\n')
    args = ["scan", "snapshot", snapshot, "--policy-dir", policies, "--mapping-dir", mappings, "--framework", "nodes-fw", "-f", "json"]
    out = run(args)
    assert out.exit_code == 2, out.output
    assert "1 kind(s) or cluster(s) could not be collected (Node)" in last_line(out)
    assert run([*args, "--allow-gaps"]).exit_code == 0


# ------------------------------------------------------------------ item 7: malformed answers are gaps


MALFORMED_LISTS = {
    "items-object": {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": {"a": {"metadata": {"name": "x"}}}},
    "items-strings": {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": ["pod-a", "pod-b"]},
    "json-list-body": [{"metadata": {"name": "x"}}],
    "uid-object": {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [{"metadata": {"name": "x", "namespace": "shop", "uid": {"$gt": ""}}, "spec": {}}]},
    "metadata-list": {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [{"metadata": ["x"]}]},
    "continue-object": {"kind": "PodList", "apiVersion": "v1", "metadata": {"continue": {"x": 1}}, "items": []},
    "not-json": b"<html>proxy error</html>",
}


@pytest.mark.parametrize("case", sorted(MALFORMED_LISTS))
def test_malformed_list_answer_is_a_gap_for_that_kind(server, kubeconfig, case):
    server.fault("pods", Fault(body=MALFORMED_LISTS[case], times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json"])
    assert out.exit_code == 2, out.output  # an incomplete scan, said so; not a traceback
    assert "Traceback" not in out.output
    doc = json.loads(out.stdout)
    gaps = {g["kind"]: g["reason"] for g in doc["gaps"] if g["type"] == "kind"}
    assert set(gaps) == {"Pod"}, gaps
    assert "malformed answer" in gaps["Pod"] or "not JSON" in gaps["Pod"]
    assert doc["summary"]["resources_by_kind"].get("Deployment") == 1  # the other kinds were scanned


def test_owner_reference_with_an_object_uid_does_not_crash(server, kubeconfig):
    pods = cluster_objects()
    pod = next(o for o in pods if o["kind"] == "Pod" and o["metadata"]["name"] == "orphan")
    pod["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "x", "uid": {"a": 1}, "controller": True}, "junk"]
    body = {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [{k: v for k, v in pod.items() if k not in ("apiVersion", "kind")}]}
    server.fault("pods", Fault(body=body, times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json", "--allow-gaps"])
    assert out.exit_code == 1, out.output
    assert any(r["kind"] == "Pod" and r["name"] == "orphan" for r in json.loads(out.stdout)["resources"])


@pytest.mark.parametrize("retry_after", ["nan", "inf", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "1e309"])
def test_odd_retry_after_is_retried_with_backoff_not_a_traceback(server, kubeconfig, retry_after):
    server.fault("pods", Fault(status=429, retry_after=retry_after, times=1))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json"])
    assert out.exit_code == 1, out.output
    assert not json.loads(out.stdout)["gaps"]
    assert [r.status for r in server.requests_for("pods")][:2] == [429, 200]


@pytest.mark.parametrize("path,body", [("/api", ["v1"]), ("/api", {"versions": "v1"}), ("/apis", {"groups": {"apps": 1}}), ("/version", ["v1.30"]), ("/apis", b"not json")])
def test_malformed_core_discovery_is_one_line_exit_2(server, kubeconfig, path, body):
    server.fault(f"path:{path}", Fault(body=body, times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig])
    assert out.exit_code == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kubecomply: error: cannot read cluster fixture"), lines


def test_malformed_group_entry_in_apis_makes_missing_kinds_gaps(server, kubeconfig):
    apis = {"kind": "APIGroupList", "groups": [{"name": "apps", "versions": "v1"}, {"name": "batch", "preferredVersion": {"groupVersion": "batch/v1"}}]}
    server.fault("path:/apis", Fault(body=apis, times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json"])
    assert out.exit_code == 2, out.output
    gaps = {g["kind"]: g["reason"] for g in json.loads(out.stdout)["gaps"] if g["type"] == "kind"}
    assert "Deployment" in gaps and "group 0 has no usable preferred version" in gaps["Deployment"]
    assert "CronJob" not in gaps  # batch/v1 was still read


def test_malformed_group_discovery_makes_its_kinds_gaps(server, kubeconfig):
    server.fault("discovery:apps/v1", Fault(body={"groupVersion": "apps/v1", "resources": [{"name": "deployments", "kind": {"x": 1}}]}, times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json"])
    assert out.exit_code == 2, out.output
    gaps = {g["kind"]: g["reason"] for g in json.loads(out.stdout)["gaps"] if g["type"] == "kind"}
    assert {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"} <= set(gaps)
    assert "apps/v1: malformed answer" in gaps["Deployment"]


# ------------------------------------------------------------------ item 14: export cluster -o is atomic


@pytest.mark.parametrize("mode", ["kill", "fail"])
def test_export_cluster_killed_while_writing_keeps_the_previous_snapshot(server, kubeconfig, tmp_path, mode):
    from test_output_safety import run_limited

    snapshot = tmp_path / "out" / "evidence.json.gz"
    snapshot.parent.mkdir()
    snapshot.write_bytes(b"previous snapshot")
    proc = run_limited(["export", "cluster", "--kubeconfig", kubeconfig, "-o", snapshot], mode, 200)
    assert proc.returncode == (-signal.SIGXFSZ if mode == "kill" else 2), proc.stderr
    assert snapshot.read_bytes() == b"previous snapshot"
    if mode == "fail":
        assert len(proc.stderr.strip().splitlines()) == 1 and "cannot write" in proc.stderr
        assert [p.name for p in snapshot.parent.iterdir()] == ["evidence.json.gz"]


# ------------------------------------------------------------------ item 16: secrets in evidence


def test_server_echoing_the_token_does_not_put_it_in_reports(server, kubeconfig, tmp_path):
    server.fault("pods", Fault(status=403, message="pods is forbidden: request with Authorization: {authorization} denied", times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json", "--allow-gaps"])
    doc = json.loads(out.stdout)
    reason = next(g["reason"] for g in doc["gaps"] if g.get("kind") == "Pod")
    assert "Authorization: Bearer <redacted> denied" in reason
    assert "fixture-token" not in out.stdout and "fixture-token" not in out.stderr
    server.fault("pods", Fault(status=403, message="echo {authorization}", times=None))
    table = run(["scan", "cluster", "--kubeconfig", kubeconfig, "--allow-gaps"])
    assert "fixture-token" not in table.output and "Bearer <redacted>" in table.stdout


def test_failing_exec_credential_plugin_is_reported_as_such_not_as_401(server, tmp_path):
    import sys

    plugin = {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": sys.executable,
              "args": ["-c", "import sys; sys.stderr.write('SSO session expired, run: login'); sys.exit(1)"], "interactiveMode": "Never"}
    config = server.kubeconfig(tmp_path / "kubeconfig", token="", extra={"exec": plugin})
    out = run(["scan", "cluster", "--kubeconfig", config])
    assert out.exit_code == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "the exec credential plugin failed" in lines[0] and "SSO session expired" in lines[0]
    assert "401" not in lines[0]
    assert not server.state.requests  # nothing was sent without credentials


LEAKY_VALUES = ("hunter2-literal", "AKIAQWERTYUIOPASDFGH", "s3cr3t-flag-value", "ghp_" + "k" * 36)


def leaky_objects():
    objs = cluster_objects()
    deploy = next(o for o in objs if o["kind"] == "Deployment")
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [{"name": "DB_PASSWORD", "value": LEAKY_VALUES[0]}, {"name": "AWS_KEY_ID", "value": LEAKY_VALUES[1]},
                        {"name": "FROM_REF", "value": "$(OTHER)"}]
    container["args"] = ["--listen=:8080", f"--api-token={LEAKY_VALUES[2]}"]
    deploy["metadata"]["annotations"]["ci/github-token"] = LEAKY_VALUES[3]
    return objs


def test_snapshot_masks_literal_credentials_and_still_scans_like_the_live_cluster(tls, tmp_path):
    from test_cluster_cli import without_times

    with K8sFixture(leaky_objects(), tls=tls) as fx:
        config = fx.kubeconfig(tmp_path / "kubeconfig")
        snapshot = tmp_path / "evidence.json.gz"
        out = run(["export", "cluster", "--kubeconfig", config, "-o", snapshot])
        assert out.exit_code == 0, out.output
        assert "4 literal credential(s) masked" in out.stderr
        raw = gzip.decompress(snapshot.read_bytes()).decode()
        for value in LEAKY_VALUES:
            assert value not in raw
        doc = json.loads(raw)
        fields = {(f["check"], f["path"]) for f in doc["redacted"]["fields"]}
        assert ("credentials-in-env", "spec.template.spec.containers.0.env.0.value") in fields
        assert ("credentials-in-annotations", "metadata.annotations.ci/github-token") in fields
        assert "masked" in doc["redacted"]["note"]
        env = next(o for o in doc["objects"] if o["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]
        assert env[2]["value"] == "$(OTHER)"  # references are not credentials: untouched

        live = run(["scan", "cluster", "--kubeconfig", config, "-f", "json"])
        offline = run(["scan", "snapshot", snapshot, "-f", "json"])
        assert offline.exit_code == live.exit_code == 1
        live_doc, offline_doc = without_times(json.loads(live.stdout)), without_times(json.loads(offline.stdout))
        assert {f["policy"] for f in live_doc["findings"]} >= {"credentials-in-env", "credentials-in-args", "credentials-in-annotations"}
        assert offline_doc["findings"] == live_doc["findings"]  # same checks, same fields, same messages
        for value in LEAKY_VALUES:
            assert value not in offline.stdout

        kept = tmp_path / "kept.json.gz"
        assert run(["export", "cluster", "--kubeconfig", config, "-o", kept, "--keep-literal-credentials"]).exit_code == 0
        kept_doc = json.loads(gzip.decompress(kept.read_bytes()))
        assert LEAKY_VALUES[0] in json.dumps(kept_doc) and "kept" in kept_doc["redacted"]["note"]


# ------------------------------------------------------------------ item 11: bounded collection


def test_a_server_trickling_bytes_is_stopped_by_the_request_deadline(server, kubeconfig):
    import time

    server.fault("pods", Fault(trickle=0.2, trickle_bytes=16, times=None))  # each read gets bytes; the answer never ends in time
    started = time.monotonic()
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json", "--request-timeout", "2", "--allow-gaps"])
    took = time.monotonic() - started
    gaps = {g["kind"]: g["reason"] for g in json.loads(out.stdout)["gaps"]}
    assert gaps["Pod"].startswith("timed out after 2s (--request-timeout)") and "kept sending" in gaps["Pod"]
    assert took < 20, took  # the whole pods answer would take minutes at this pace


def test_a_continue_token_repeated_for_ever_is_a_gap(server, kubeconfig):
    body = {"kind": "PodList", "apiVersion": "v1", "metadata": {"continue": "same-token"}, "items": []}
    server.fault("pods", Fault(body=body, times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json", "--allow-gaps"])
    gaps = {g["kind"]: g["reason"] for g in json.loads(out.stdout)["gaps"]}
    assert "continue token it had already returned" in gaps["Pod"]
    assert len(server.requests_for("pods")) == 2


def collect_with(kubeconfig, **options):
    from scanner.sources.cluster import ClusterOptions, collect, connect

    conn = connect(str(kubeconfig))
    try:
        return collect(conn, {"Pod", "Deployment", "ConfigMap", "Secret"}, {"Pod", "Deployment", "ConfigMap", "Secret"}, ClusterOptions(**options))
    finally:
        conn.close()


def test_pages_per_kind_are_capped(server, kubeconfig):
    collection = collect_with(kubeconfig, page_size=1, max_pages=2)
    gaps = {g.kind: g.reason for g in collection.gaps}
    assert "more than 2 pages of 1" in gaps["Pod"]  # the fixture has four pods
    assert "Deployment" in collection.collected_kinds  # one deployment: one page


def test_memory_budget_makes_gaps_not_memory_errors(server, kubeconfig):
    whole = collect_with(kubeconfig).bytes_read
    collection = collect_with(kubeconfig, memory_budget=whole - 200, workers=1)  # the last kind listed does not fit
    gaps = {g.kind: g.reason for g in collection.gaps}
    assert gaps and all("memory budget" in reason for reason in gaps.values()), gaps
    assert collection.collected_kinds  # what fitted was kept
