"""Paging through a real kube-apiserver: thousands of objects in small pages, and continue tokens that expire.

3,000 ConfigMaps in namespace ``bulk`` of the session's real cluster (removed again
after this module).  A continue token expires for real when etcd is compacted past
the revision the list started at; ``ApiProxy`` only picks the moment (between two
pages) and counts requests, the 410 is the API server's own.
"""

from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner

from real_cluster import ApiProxy
from scanner.cli import main

BULK = 3000
PAGE = 100


def scan_json(*args: object) -> tuple[int, dict, str]:
    out = CliRunner().invoke(main, ["scan", *[str(a) for a in args], "-f", "json"], catch_exceptions=False)
    assert out.exit_code in (0, 1, 2), out.output
    return out.exit_code, json.loads(out.stdout), out.stderr


@pytest.fixture(scope="module")
def bulk(real_cluster):
    rest = real_cluster.server.rest(pool_size=12)
    try:
        rest.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bulk"}})
        rest.create_all([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i:05d}", "namespace": "bulk", "labels": {"batch": str(i % 10)}},
                          "data": {"index": str(i), "mode": "prod"}} for i in range(BULK)], threads=12)
        yield real_cluster
    finally:
        # No namespace controller runs, so the namespace would stay Terminating: empty it instead.
        rest.request("DELETE", "/api/v1/namespaces/bulk/configmaps")
        rest.close()


def configmap_lists(proxy: ApiProxy) -> list:
    return [s for s in proxy.seen if s.path == "/api/v1/namespaces/bulk/configmaps"]


def tick(cluster) -> None:
    """Advance etcd's revision with a key no API server reads, so a compaction at the new revision expires older lists."""
    cluster.etcd_post("/v3/kv/put", {"key": base64.b64encode(b"/kubecomply-test/tick").decode(), "value": base64.b64encode(b"x").decode()})


def test_small_pages_read_every_object_exactly_once(bulk, tmp_path):
    with ApiProxy(bulk.server) as proxy:
        code, doc, _ = scan_json("cluster", "--kubeconfig", proxy.kubeconfig(tmp_path / "kc", "proxied"), "--namespace", "bulk", "--page-size", PAGE)
    configmaps = [r for r in doc["resources"] if r["kind"] == "ConfigMap"]
    assert len(configmaps) == BULK == len({r["name"] for r in configmaps})
    assert doc["summary"]["resources_by_kind"]["ConfigMap"] == BULK
    assert doc["gaps"] == []
    lists = configmap_lists(proxy)
    assert len(lists) == BULK // PAGE and all(s.status == 200 for s in lists)
    assert all(s.query["limit"] == [str(PAGE)] for s in lists)
    tokens = [s.query.get("continue", [""])[0] for s in lists]
    assert tokens[0] == "" and all(tokens[1:]) and len(set(tokens)) == len(tokens)


def test_a_continue_token_expired_by_compaction_relists_the_kind_once(bulk, tmp_path):
    compactions = []

    def compact_once(seen):
        if seen.path.endswith("/bulk/configmaps") and "continue" in seen.query and not compactions:
            tick(bulk.cluster)
            compactions.append(bulk.cluster.compact())

    with ApiProxy(bulk.server, compact_once) as proxy:
        code, doc, _ = scan_json("cluster", "--kubeconfig", proxy.kubeconfig(tmp_path / "kc", "proxied"), "--namespace", "bulk", "--page-size", PAGE, "--fail-on-gaps")
    lists = configmap_lists(proxy)
    statuses = [s.status for s in lists]
    assert statuses.count(410) == 1, statuses
    after = lists[statuses.index(410) + 1]
    assert "continue" not in after.query  # listed again from the start
    assert doc["gaps"] == [] and code != 2
    assert doc["summary"]["resources_by_kind"]["ConfigMap"] == BULK


def test_a_list_that_expires_twice_is_a_gap_never_a_partial_kind(bulk, tmp_path):
    def compact_always(seen):
        if seen.path.endswith("/bulk/configmaps") and "continue" in seen.query:
            tick(bulk.cluster)
            bulk.cluster.compact()

    with ApiProxy(bulk.server, compact_always) as proxy:
        code, doc, stderr = scan_json("cluster", "--kubeconfig", proxy.kubeconfig(tmp_path / "kc", "proxied"), "--namespace", "bulk", "--page-size", PAGE, "--fail-on-gaps")
    assert [s.status for s in configmap_lists(proxy)].count(410) == 2
    assert code == 2 and "--fail-on-gaps" in stderr
    [gap] = doc["gaps"]
    assert (gap["type"], gap["kind"]) == ("kind", "ConfigMap") and gap["reason"].startswith("410 gone")
    assert "ConfigMap" not in doc["summary"]["resources_by_kind"]  # what was read of it is dropped
    control = next(c for fw in doc["frameworks"] for c in fw["controls"] if "credentials-in-configmap" in (c.get("checks") or []))
    assert control["status"] == "not-assessed" and "kind ConfigMap was not collected (410 gone)" in control["reason"]
