"""Live cluster scans against the HTTPS fixture server (tests/k8s_fixture_server.py).

The scanner connects the way it does to a real cluster: through a generated kubeconfig
naming the server's CA and a bearer token, via the kubernetes client's config loading.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("kubernetes")
if shutil.which("openssl") is None:
    pytest.skip("openssl is needed to make the fixture server's certificates", allow_module_level=True)

from cluster_helpers import SECRET_B64, SECRET_PLAINTEXT, cluster_objects, write_mapping, write_policies  # noqa: E402
from k8s_fixture_server import METADATA_ACCEPT, Fault, K8sFixture, make_tls  # noqa: E402

from scanner.pipeline import scan_cluster
from scanner.sources.clusters import ClusterTarget  # noqa: E402
from scanner.pipeline import ScanOptions, load_bundle  # noqa: E402
from scanner.sources.cluster import ClusterError, ClusterOptions, collect, connect, required_kinds  # noqa: E402


@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    return make_tls(tmp_path_factory.mktemp("tls"), client=True)


@pytest.fixture
def server(tls):
    fx = K8sFixture(cluster_objects(), tls=tls).start()
    yield fx
    fx.stop()


@pytest.fixture
def kubeconfig(server, tmp_path):
    return server.kubeconfig(tmp_path / "kubeconfig")


def fast(**kw) -> ClusterOptions:
    """No real sleeping between retries; the sleeps asked for are recorded."""
    slept: list[float] = []
    opts = ClusterOptions(sleep=slept.append, **kw)
    opts.slept = slept  # type: ignore[attr-defined]
    return opts


def run(kubeconfig: Path, options: ScanOptions | None = None, cluster: ClusterOptions | None = None, context: str | None = None):
    return scan_cluster([ClusterTarget(context, str(kubeconfig))], options or ScanOptions(), cluster or fast())


def collect_all(kubeconfig: Path, cluster: ClusterOptions | None = None, policy_dirs=()):
    bundle = load_bundle(ScanOptions(policy_dirs=policy_dirs))
    kinds, explicit = required_kinds(bundle.policy_set.policies)
    conn = connect(str(kubeconfig))
    try:
        return collect(conn, kinds, explicit, cluster or fast())
    finally:
        conn.close()


def labels(result, check: str) -> set[str]:
    return {f.resource.label() for f in result.findings if f.policy == check}


def test_scan_finds_violations_and_skips_owned_pods(kubeconfig, server):
    result = run(kubeconfig)
    # The Deployment is what to fix; its ReplicaSet and Pod are left out and counted.
    assert labels(result, "privileged-containers") == {"Deployment/shop/cart", "Pod/payments/debug", "Pod/kube-system/kube-proxy-a"}
    assert result.summary["skipped_owned"] == {"Pod": 1, "ReplicaSet": 1}
    assert result.summary["scope"] == "cluster"
    assert "Pod/shop/orphan" in {r.resource.label() for r in result.resources}  # owner not collected: kept
    assert result.summary["resources_by_kind"]["Namespace"] == 4
    finding = next(f for f in result.findings if f.resource.name == "cart")
    assert finding.origin.type == "cluster" and finding.origin.context == "fixture"
    assert finding.origin.server == server.url and finding.origin.collected_at.endswith("Z")
    assert finding.resource.uid == "uid-deploy-cart"
    target = result.scan["targets"][0]
    assert target["type"] == "cluster" and target["version"] == "v1.30.2-fixture" and target["server"] == server.url
    # DeploymentConfig comes only from expanding `workloads`; not served here, so not a gap.
    assert "DeploymentConfig" in result.summary["kinds_not_served"]
    assert result.gaps == []
    # Every list went through discovery's plural paths, never a subresource.
    assert not any("/status" in r.path for r in server.state.requests)


def test_objects_are_raw_dicts_stripped_of_managed_fields_and_last_applied(kubeconfig):
    coll = collect_all(kubeconfig)
    deploy = next(o for o in coll.objects if o["kind"] == "Deployment")
    assert deploy["apiVersion"] == "apps/v1"  # list items carry none; set from discovery
    assert "managedFields" not in deploy["metadata"]
    assert deploy["metadata"]["annotations"] == {"team": "shop"}


def test_pagination_follows_continue_tokens(kubeconfig, server):
    coll = collect_all(kubeconfig, fast(page_size=1))
    assert sum(1 for o in coll.objects if o["kind"] == "Namespace") == 4
    ns_requests = server.requests_for("namespaces")
    assert len(ns_requests) == 4
    assert all(r.query["limit"] == ["1"] for r in ns_requests)
    assert [bool(r.query.get("continue")) for r in ns_requests] == [False, True, True, True]


def test_secrets_are_listed_as_metadata_only_and_never_reach_the_result(kubeconfig, server, tmp_path):
    policies = write_policies(tmp_path / "policies")
    result = run(kubeconfig, ScanOptions(policy_dirs=[str(policies)]))
    secret_requests = server.requests_for("secrets")
    assert secret_requests and all(METADATA_ACCEPT in r.accept and "application/json," not in r.accept for r in secret_requests)
    assert any(r.query.get("fieldSelector") == ["type=kubernetes.io/service-account-token"] for r in secret_requests)
    assert labels(result, "legacy-sa-token") == {"Secret/shop/legacy-token"}  # type set from the typed metadata list
    assert not any(f.message == "secret data visible to checks" for f in result.findings)
    text = json.dumps(result.to_dict())
    assert SECRET_PLAINTEXT not in text and SECRET_B64 not in text
    coll = collect_all(kubeconfig, policy_dirs=[str(policies)])
    secrets = {o["metadata"]["name"]: o for o in coll.objects if o["kind"] == "Secret"}
    assert set(secrets) == {"db", "legacy-token"}
    assert "data" not in secrets["db"] and "type" not in secrets["db"]
    assert secrets["legacy-token"]["type"] == "kubernetes.io/service-account-token"


def test_without_a_token_the_server_says_401_and_the_scan_stops(server, tmp_path):
    config = server.kubeconfig(tmp_path / "kc", token="wrong-token")
    with pytest.raises(ClusterError, match="401 unauthorized"):
        run(config)


def test_forbidden_kind_is_a_gap_and_its_checks_are_not_assessed(kubeconfig, server, tmp_path):
    server.fault("pods", Fault(status=403, times=None))
    policies = write_policies(tmp_path / "policies")
    mappings = write_mapping(tmp_path / "mappings")
    result = run(kubeconfig, ScanOptions(policy_dirs=[str(policies)], mapping_dirs=[str(mappings)], frameworks=["pods-fw"]))
    gaps = [g for g in result.gaps if g.type == "kind"]
    assert [(g.apiVersion, g.kind) for g in gaps] == [("v1", "Pod")]
    assert gaps[0].reason.startswith("403 forbidden") and gaps[0].cluster == "fixture"
    fw = result.frameworks[0]
    control = next(c for c in fw.controls if c.id == "P1")
    assert control.status == "not-assessed"
    assert "kind Pod was not collected (403 forbidden" in control.reason
    assert next(c for c in fw.controls if c.id == "S1").status == "fail"  # Secret check still ran
    assert fw.score == 0.0


def test_stale_continue_token_relists_the_kind_once(kubeconfig, server):
    server.fault("namespaces", Fault(gone=True, times=1))
    coll = collect_all(kubeconfig, fast(page_size=2))
    assert sum(1 for o in coll.objects if o["kind"] == "Namespace") == 4
    statuses = [r.status for r in server.requests_for("namespaces")]
    assert statuses == [200, 410, 200, 200]  # first page, stale second page, then a fresh list
    assert coll.gaps == []


def test_stale_continue_token_twice_is_a_gap(kubeconfig, server):
    server.fault("namespaces", Fault(gone=True, times=None))
    coll = collect_all(kubeconfig, fast(page_size=2))
    gap = next(g for g in coll.gaps if g.kind == "Namespace")
    assert "410 gone" in gap.reason and "relisted once" in gap.reason
    assert not any(o["kind"] == "Namespace" for o in coll.objects)


def test_429_is_retried_after_the_servers_retry_after(kubeconfig, server):
    server.fault("deployments", Fault(status=429, retry_after="3", times=2))
    options = fast()
    coll = collect_all(kubeconfig, options)
    assert any(o["kind"] == "Deployment" for o in coll.objects)
    assert options.slept == [3.0, 3.0]
    assert coll.retries == 2 and coll.gaps == []


def test_5xx_is_retried_with_backoff_then_reported(kubeconfig, server):
    server.fault("statefulsets", Fault(status=500, times=None))
    options = fast(retries=3, backoff=0.5)
    coll = collect_all(kubeconfig, options)
    gap = next(g for g in coll.gaps if g.kind == "StatefulSet")
    assert gap.apiVersion == "apps/v1"
    assert "500" in gap.reason and "gave up after 4 attempts" in gap.reason
    assert len(options.slept) == 3
    assert 0.25 <= options.slept[0] <= 0.75 and 1.0 <= options.slept[2] <= 3.0  # doubling, with jitter


def test_dropped_connection_mid_list_is_retried(kubeconfig, server):
    server.fault("namespaces", Fault(drop=True, after=1, times=1))
    coll = collect_all(kubeconfig, fast(page_size=2))
    assert sum(1 for o in coll.objects if o["kind"] == "Namespace") == 4
    assert coll.retries == 1 and coll.gaps == []


def test_timeout_is_a_gap(kubeconfig, server):
    server.fault("nodes", Fault(delay=1.5, times=1))
    bundle_dirs = ()
    coll = collect_all(kubeconfig, fast(request_timeout=0.3), policy_dirs=bundle_dirs)
    # Node is not needed by the bundled checks: nothing listed, nothing missing.
    assert not any(g.kind == "Node" for g in coll.gaps)
    server.fault("pods", Fault(delay=1.5, times=1))
    coll = collect_all(kubeconfig, fast(request_timeout=0.3))
    gap = next(g for g in coll.gaps if g.kind == "Pod")
    assert "timed out after 0.3s" in gap.reason


def test_namespace_globs_and_excludes(kubeconfig, server):
    result = run(kubeconfig, cluster=fast(namespaces=("s*", "pay*"), exclude_namespaces=("payments",)))
    namespaces = {r.resource.namespace for r in result.resources}
    assert namespaces == {None, "shop"}
    assert {r.resource.name for r in result.resources if r.resource.kind == "Namespace"} == {"shop"}
    assert "Pod/kube-system/kube-proxy-a" not in labels(result, "privileged-containers")


def test_literal_namespaces_are_listed_per_namespace(kubeconfig, server, tmp_path):
    policies = write_policies(tmp_path / "policies", {"admin-roles": ("[ClusterRole]", 'deny contains {"msg": "wildcard"} if { input.rules[_].verbs[_] == "*" }')})
    result = run(kubeconfig, ScanOptions(policy_dirs=[str(policies)]), fast(namespaces=("shop",)))
    pod_paths = {r.path for r in server.requests_for("pods")}
    assert pod_paths == {"/api/v1/namespaces/shop/pods"}
    assert labels(result, "admin-roles") == {"ClusterRole/admin-ish"}  # cluster-scoped kinds still collected
    assert {r.resource.namespace for r in result.resources} == {None, "shop"}


def test_explicit_kind_not_served_is_a_gap(kubeconfig, tmp_path):
    policies = write_policies(tmp_path / "policies", {"mesh-mtls": ("[WasmPlugin]", 'deny contains {"msg": "x"} if { false }')})
    result = run(kubeconfig, ScanOptions(policy_dirs=[str(policies)]))
    gap = next(g for g in result.gaps if g.kind == "WasmPlugin")
    assert gap.type == "kind" and "not served by this cluster" in gap.reason
    info = next(c for c in result.checks if c.id == "mesh-mtls")
    assert info.resources_evaluated == 0


def test_client_certificate_authentication(tls, tmp_path):
    fx = K8sFixture(cluster_objects(), tls=tls, token=None, client_ca=tls.ca_cert)
    fx.state.token = "unused-only-certs-count"
    with fx:
        config = fx.kubeconfig(tmp_path / "kc", token="", extra={"client-certificate": str(tls.client_cert), "client-key": str(tls.client_key)})
        result = run(config)
        assert result.summary["resources"] > 0
        assert all(r.authorized for r in fx.state.requests)


def test_exec_credential_plugin_supplies_the_token(server, tmp_path):
    plugin = tmp_path / "plugin.py"
    plugin.write_text(
        "import json\n"
        'print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", '
        '"status": {"token": "fixture-token"}}))\n'
    )
    exec_user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": sys.executable, "args": [str(plugin)], "interactiveMode": "Never"}}
    config = server.kubeconfig(tmp_path / "kc", token="", extra=exec_user)
    result = run(config)
    assert result.summary["resources"] > 0


def test_in_cluster_service_account_config(server, tmp_path, monkeypatch):
    from kubernetes.config import incluster_config

    token = tmp_path / "token"
    token.write_text("fixture-token")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(server.tls.ca_cert))
    port = server.url.rsplit(":", 1)[1]
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", port)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "does-not-exist"))
    result = scan_cluster([ClusterTarget()], ScanOptions(), fast())
    assert result.scan["targets"][0]["context"] == "in-cluster"
    assert result.summary["resources"] > 0


def test_unreachable_cluster_raises_one_line(tmp_path, server):
    config = server.kubeconfig(tmp_path / "kc")
    text = config.read_text().replace(server.url, "https://127.0.0.1:1")
    config.write_text(text)
    with pytest.raises(ClusterError) as info:
        run(config)
    assert "\n" not in str(info.value) and "cannot connect" in str(info.value)


def test_unknown_context_is_an_error(kubeconfig):
    with pytest.raises(ClusterError, match="nope"):
        run(kubeconfig, context="nope")


def test_waivers_apply_to_cluster_resources(tls, tmp_path):
    objs = cluster_objects()
    deploy = next(o for o in objs if o["kind"] == "Deployment")
    deploy["metadata"]["annotations"]["kubecomply.io/waive.privileged-containers"] = '{"justification": "node agent, reviewed", "approved_by": "sec@example.com", "expires": "2099-01-01"}'
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - check: privileged-containers\n"
        "    match: {kind: Pod, namespace: payments, name: debug}\n"
        "    justification: break-glass debug pod\n"
        "    approved_by: sec@example.com\n"
        "    expires: 2099-01-01\n"
    )
    with K8sFixture(objs, tls=tls) as fx:
        result = run(fx.kubeconfig(tmp_path / "kc"), ScanOptions(waivers_file=str(waivers)))
    status = {f.resource.label(): f.status for f in result.findings if f.policy == "privileged-containers"}
    assert status == {"Deployment/shop/cart": "waived", "Pod/payments/debug": "waived", "Pod/kube-system/kube-proxy-a": "fail"}
    assert [(w.status, w.findings) for w in result.waivers if "waivers.yaml" in w.source] == [("applied", 1)]


def test_failed_group_discovery_is_named_in_the_gap_of_a_kind_it_would_serve(kubeconfig, server):
    server.fault("discovery:apps/v1", Fault(status=503, times=None))
    options = fast()
    coll = collect_all(kubeconfig, options)
    gap = next(g for g in coll.gaps if g.kind == "Deployment")
    assert gap.reason.startswith("not found in API discovery, which failed for apps/v1: 503")
    assert len(options.slept) == 1  # discovery is retried once, not four times
    assert any(o["kind"] == "Pod" for o in coll.objects)  # the other groups were still read


def test_a_kind_failing_mid_list_is_a_gap_and_its_first_pages_are_dropped(kubeconfig, server):
    server.fault("namespaces", Fault(status=503, after=1, times=None))
    server.fault("deployments", Fault(status=404, times=None))
    coll = collect_all(kubeconfig, fast(page_size=1, retries=1))
    reasons = {g.kind: g.reason for g in coll.gaps}
    assert reasons["Namespace"].startswith("503") and "gave up after 2 attempts" in reasons["Namespace"]
    assert reasons["Deployment"].startswith("404 not found")
    assert not any(o["kind"] in ("Namespace", "Deployment") for o in coll.objects)
    # The Deployment was not collected, so its ReplicaSet is kept: something must answer for the pods.
    assert any(o["kind"] == "ReplicaSet" for o in coll.objects)
