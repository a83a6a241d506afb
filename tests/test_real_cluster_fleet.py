"""Fleets of real clusters: two kube-apiservers at once, and one of them stopping.

The second cluster is a second kube-apiserver on the session's etcd under its own
prefix (its own objects, its own RBAC bootstrap): a separate cluster as far as any
client can tell.  It is killed during this module, so it is this module's alone.
"""

from __future__ import annotations

import json
import threading

import pytest
from click.testing import CliRunner

from k8s_fixture_server import merge_kubeconfigs
from real_cluster import ApiProxy
from scanner.cli import main


def scan_json(*args: object) -> tuple[int, dict, str]:
    """A scan with the Pod Security baseline's checks only: the workload kinds and Namespaces are
    listed, enough for the fleet's mechanics, and a cluster that refuses connections costs
    seconds per kind (retries), so fewer kinds keep this module quick."""
    out = CliRunner().invoke(main, ["scan", *[str(a) for a in args], "--framework", "pss-baseline", "-f", "json"], catch_exceptions=False)
    assert out.exit_code in (0, 1, 2), out.output
    return out.exit_code, json.loads(out.stdout), out.stderr


@pytest.fixture(scope="module")
def second(real_cluster):
    """A second real cluster holding one careless Deployment in namespace edge."""
    [server] = real_cluster.cluster.add_servers(["second"])
    rest = server.rest()
    try:
        rest.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "edge"}})
        rest.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "gateway", "namespace": "edge"},
                     "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "gw"}},
                              "template": {"metadata": {"labels": {"app": "gw"}},
                                           "spec": {"containers": [{"name": "gw", "image": "registry.example/gw:3.1", "securityContext": {"privileged": True}}]}}}})
    finally:
        rest.close()
    yield server
    server.stop()


def by_context(doc: dict) -> dict[str, set]:
    out: dict[str, set] = {}
    for f in doc["findings"]:
        r = f["resource"]
        out.setdefault(f["origin"]["context"], set()).add((f["policy"], r["kind"], r.get("namespace") or "", r["name"], f.get("path") or ""))
    return out


def test_a_fleet_of_two_real_clusters_and_one_that_stops(real_cluster, second, tmp_path):
    main_kc = real_cluster.server.kubeconfig(tmp_path / "kc-main", context="main")

    # Both up: each cluster's findings name it, and each is what a scan of it alone gives.
    direct = merge_kubeconfigs(tmp_path / "kc", [main_kc, second.kubeconfig(tmp_path / "kc-second", context="second")], current="main")
    code, both, _ = scan_json("cluster", "--kubeconfig", direct, "--context", "main", "--context", "second")
    assert code == 1
    assert [c["status"] for c in both["fleet"]["clusters"]] == ["scanned", "scanned"]
    found = by_context(both)
    assert ("privileged-containers", "Deployment", "edge", "gateway", "spec.template.spec.containers[0].securityContext.privileged") in found["second"]
    assert not any(ns == "edge" for _p, _k, ns, _n, _path in found["main"])
    _code, main_alone, _ = scan_json("cluster", "--kubeconfig", main_kc)
    assert by_context(main_alone)["main"] == found["main"]

    # The second dies while it is being read (after discovery, at its first list).
    died = threading.Event()

    def die(seen):
        if "limit" in seen.query and not died.is_set():
            died.set()
            second.kill()
            threading.Thread(target=proxy.stop, daemon=True).start()  # its port refuses from now on
            return False

    proxy = ApiProxy(second, die)
    try:
        config = merge_kubeconfigs(tmp_path / "kc-mid", [main_kc, proxy.kubeconfig(tmp_path / "kc-proxy", "second")], current="main")
        code, mid, stderr = scan_json("cluster", "--kubeconfig", config, "--context", "main", "--context", "second")
    finally:
        proxy.stop()
    assert died.is_set()
    assert code == 1, stderr  # a cluster gap alone does not raise the exit code without --fail-on-gaps
    assert by_context(mid) == {"main": found["main"]}  # the other cluster's results are kept whole
    clusters = {c["name"]: c for c in mid["fleet"]["clusters"]}
    assert clusters["second"]["status"] == "unreachable"
    assert "no kind could be listed" in clusters["second"]["error"] and "cannot connect" in clusters["second"]["error"]
    assert [(g["type"], g["cluster"]) for g in mid["gaps"]] == [("cluster", "second")]
    assert {c["clusters"]["second"] for c in mid["fleet"]["controls"]} == {"not-assessed"}

    # Stopped before the scan: the cluster is unreachable, the other's results are kept.
    code, down, stderr = scan_json("cluster", "--kubeconfig", direct, "--context", "main", "--context", "second", "--request-timeout", "5")
    assert code == 1, stderr
    clusters = {c["name"]: c for c in down["fleet"]["clusters"]}
    assert clusters["second"]["status"] == "unreachable" and "cannot connect" in clusters["second"]["error"]
    assert clusters["main"]["status"] == "scanned"
    assert [(g["type"], g["cluster"]) for g in down["gaps"]] == [("cluster", "second")]
    assert by_context(down) == {"main": found["main"]}
    assert not any(s == "pass" for fw in down["frameworks"] for s in (c["status"] for c in fw["controls"]))
    code, _gated, stderr = scan_json("cluster", "--kubeconfig", direct, "--context", "main", "--context", "second", "--fail-on-gaps")
    assert code == 2 and "--fail-on-gaps" in stderr
