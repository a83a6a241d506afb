"""Paging through a real kube-apiserver: thousands of objects in small pages, and continue tokens that expire.

3,000 ConfigMaps and 300 Events in namespace ``bulk`` of the session's real cluster.

A continue token expires for real when etcd is compacted past the revision its list
started at, and the API server answers 410 Gone.  Since Kubernetes 1.34
(``ListFromCacheSnapshot``, on by default) the server answers the next pages of a
watch-cached kind (ConfigMaps, and nearly every other) from snapshots of its cache, and
compacting etcd does not expire them (measured on v1.36.3: still 200 after 25 s);
Events are not watch-cached by default, so their pages come from etcd and expire.
The 410 tests therefore page through Events, which a check of the test's own asks for.
``ApiProxy`` only picks the moment (between two pages) and counts requests; the 410 is
the API server's own.
"""

from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner

from conftest import check_module, write
from real_cluster import ApiProxy
from scanner.cli import main

BULK = 3000
EVENTS = 300
PAGE = 100
EVENT_CHECK = """
deny contains {"msg": "never", "path": ["reason"]} if {
    input.reason == "no event has this reason"
}
"""


def scan_json(*args: object) -> tuple[int, dict, str]:
    out = CliRunner().invoke(main, ["scan", *[str(a) for a in args], "-f", "json"], catch_exceptions=False)
    assert out.exit_code in (0, 1, 2), out.output
    return out.exit_code, json.loads(out.stdout), out.stderr


@pytest.fixture(scope="module")
def bulk(real_cluster):
    """The objects stay until the session's cluster stops: deleting 3,000 takes longer than making them,
    and the other real-cluster tests compare only what they created, so they do not mind them."""
    rest = real_cluster.server.rest(pool_size=12)
    try:
        rest.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bulk"}})
        rest.create_all([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i:05d}", "namespace": "bulk", "labels": {"batch": str(i % 10)}},
                          "data": {"index": str(i), "mode": "prod"}} for i in range(BULK)]
                        + [{"apiVersion": "v1", "kind": "Event", "metadata": {"name": f"ev-{i:04d}", "namespace": "bulk"}, "type": "Normal", "reason": "Scheduled",
                            "message": "scheduled", "involvedObject": {"kind": "Pod", "namespace": "bulk", "name": f"pod-{i}"}} for i in range(EVENTS)], threads=12)
    finally:
        rest.close()
    return real_cluster


@pytest.fixture(scope="module")
def narrow(tmp_path_factory) -> list[str]:
    """Scan options that evaluate only a check on ConfigMaps and one on Events, so only those kinds
    (and Namespaces) are listed: each scan then costs what paging costs, not the whole bundle."""
    folder = tmp_path_factory.mktemp("paging-checks")
    write(folder / "policies", "events.rego", check_module("event-reason", "test.event_reason", EVENT_CHECK, kinds="[Event]"))
    write(folder / "mappings", "paging.yaml", """
        id: paging-test
        title: Paging test
        version: "1"
        controls:
          - id: "C1"
            title: "No credentials in ConfigMaps"
            automation: automated
            checks: [credentials-in-configmap]
          - id: "E1"
            title: "Events read"
            automation: automated
            checks: [event-reason]
    """)
    return ["--policy-dir", str(folder / "policies"), "--mapping-dir", str(folder / "mappings"), "--framework", "paging-test", "--namespace", "bulk", "--page-size", str(PAGE)]


def configmap_lists(proxy: ApiProxy) -> list:
    return [s for s in proxy.seen if s.path == "/api/v1/namespaces/bulk/configmaps"]


def event_lists(proxy: ApiProxy) -> list:
    return [s for s in proxy.seen if s.path == "/api/v1/namespaces/bulk/events"]


def tick(cluster) -> None:
    """Advance etcd's revision with a key no API server reads, so a compaction at the new revision expires older lists."""
    cluster.etcd_post("/v3/kv/put", {"key": base64.b64encode(b"/kubecomply-test/tick").decode(), "value": base64.b64encode(b"x").decode()})


def test_small_pages_read_every_object_exactly_once_and_cached_pages_survive_compaction(bulk, narrow, tmp_path):
    """3,000 ConfigMaps in pages of 100; etcd compacted after the first page changes nothing
    (the later pages come from the watch cache's snapshot)."""
    compactions = []

    def compact_once(seen):
        if seen.path.endswith("/bulk/configmaps") and "continue" in seen.query and not compactions:
            tick(bulk.cluster)
            compactions.append(bulk.cluster.compact())

    with ApiProxy(bulk.server, compact_once) as proxy:
        code, doc, _ = scan_json("cluster", "--kubeconfig", proxy.kubeconfig(tmp_path / "kc", "proxied"), *narrow, "--fail-on-gaps")
    configmaps = [r for r in doc["resources"] if r["kind"] == "ConfigMap"]
    assert len(configmaps) == BULK == len({r["name"] for r in configmaps})
    assert doc["summary"]["resources_by_kind"] == {"ConfigMap": BULK, "Event": EVENTS, "Namespace": 1}
    assert doc["gaps"] == [] and code == 0
    lists = configmap_lists(proxy)
    assert compactions and [s.status for s in lists] == [200] * (BULK // PAGE)
    assert all(s.query["limit"] == [str(PAGE)] for s in lists)
    tokens = [s.query.get("continue", [""])[0] for s in lists]
    assert tokens[0] == "" and all(tokens[1:]) and len(set(tokens)) == len(tokens)


def test_a_continue_token_expired_by_compaction_relists_the_kind_once(bulk, narrow, tmp_path):
    compactions = []

    def compact_once(seen):
        if seen.path.endswith("/bulk/events") and "continue" in seen.query and not compactions:
            tick(bulk.cluster)
            compactions.append(bulk.cluster.compact())

    with ApiProxy(bulk.server, compact_once) as proxy:
        code, doc, _ = scan_json("cluster", "--kubeconfig", proxy.kubeconfig(tmp_path / "kc", "proxied"), *narrow, "--fail-on-gaps")
    statuses = [s.status for s in event_lists(proxy)]
    assert statuses == [200, 410] + [200] * (EVENTS // PAGE), statuses  # the 410, then the whole list again
    assert "continue" not in event_lists(proxy)[2].query
    assert doc["gaps"] == [] and code == 0
    assert doc["summary"]["resources_by_kind"]["Event"] == EVENTS


def test_a_list_that_expires_twice_is_a_gap_never_a_partial_kind(bulk, narrow, tmp_path):
    def compact_always(seen):
        if seen.path.endswith("/bulk/events") and "continue" in seen.query:
            tick(bulk.cluster)
            bulk.cluster.compact()

    with ApiProxy(bulk.server, compact_always) as proxy:
        code, doc, stderr = scan_json("cluster", "--kubeconfig", proxy.kubeconfig(tmp_path / "kc", "proxied"), *narrow, "--fail-on-gaps")
    assert [s.status for s in event_lists(proxy)] == [200, 410, 200, 410]
    assert code == 2 and "--fail-on-gaps" in stderr
    [gap] = doc["gaps"]
    assert (gap["type"], gap["kind"]) == ("kind", "Event") and gap["reason"].startswith("410 gone")
    assert doc["summary"]["resources_by_kind"] == {"ConfigMap": BULK, "Namespace": 1}  # no half-read Events
    control = next(c for fw in doc["frameworks"] for c in fw["controls"] if c["id"] == "E1")
    assert control["status"] == "not-assessed" and "kind Event was not collected (410 gone)" in control["reason"]
