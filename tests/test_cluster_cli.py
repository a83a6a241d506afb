"""`kubecomply scan cluster`, `export cluster`, `scan snapshot` and fleets, end to end over HTTPS."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest
from click.testing import CliRunner

pytest.importorskip("kubernetes")
if shutil.which("openssl") is None:
    pytest.skip("openssl is needed to make the fixture server's certificates", allow_module_level=True)

from cluster_helpers import SECRET_B64, SECRET_PLAINTEXT, cluster_objects, write_mapping, write_policies  # noqa: E402
from k8s_fixture_server import Fault, K8sFixture, make_tls, merge_kubeconfigs  # noqa: E402

from scanner.cli import main  # noqa: E402
from scanner.pipeline import evaluate_collections, scan_snapshot
from scanner.sources.clusters import ClusterTarget  # noqa: E402
from scanner.pipeline import ScanOptions, load_bundle  # noqa: E402
from scanner.sources.cluster import ClusterOptions, collect, connect, required_kinds  # noqa: E402
from scanner.sources.snapshot import read_snapshot, write_snapshot  # noqa: E402


def run(args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


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


def without_times(doc):
    """A JSON result without what differs between two runs: scan and collection times, who and where
    ran it (``scan.run``: user and host vary by machine), and the digest over all of that."""
    doc = json.loads(json.dumps(doc))
    for key in ("started", "finished", "run", "result_digest"):
        doc["scan"].pop(key, None)
    for target in doc["scan"]["targets"]:
        for key in ("collected_at", "snapshot", "objects_sha256", "scanner_version"):
            target.pop(key, None)
    for item in doc["findings"] + doc.get("resources", []):
        item["origin"].pop("collected_at", None)
    doc["scan"].pop("source", None)
    return doc


def test_scan_cluster_json_and_exit_code(kubeconfig, server):
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json"])
    assert out.exit_code == 1, out.output
    doc = json.loads(out.stdout)
    assert doc["scan"]["source"] == "cluster"
    assert doc["scan"]["targets"][0]["server"] == server.url
    assert "fleet" not in doc  # a single cluster keeps the single-result shape
    assert doc["summary"]["skipped_owned"] == {"Pod": 1, "ReplicaSet": 1}
    assert "open finding(s) at or above low" in out.stderr.splitlines()[-1]


def test_table_shows_gaps_first_and_fail_on_gaps_exits_2(kubeconfig, server):
    server.fault("pods", Fault(status=403, times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig])
    # Pods forbidden leave Pod-only controls not assessed: exit 2 by default (was 1, a silent pass).
    assert out.exit_code == 2
    assert "--allow-gaps" in out.stderr.strip().splitlines()[-1]
    text = out.stdout
    assert f"from cluster fixture ({server.url}, v1.30.2-fixture" in text
    assert text.index("NOT SCANNED") < text.index("Findings (")
    assert "cluster fixture: v1 Pod: 403 forbidden" in text
    server.fault("pods", Fault(status=403, times=None))
    assert run(["scan", "cluster", "--kubeconfig", kubeconfig, "--allow-gaps"]).exit_code == 1
    server.fault("pods", Fault(status=403, times=None))
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "--fail-on-gaps", "-f", "json"])
    assert out.exit_code == 2
    assert out.stderr.strip().splitlines()[-1] == "kubecomply: exit 2: gate: --fail-on-gaps: 1 gap(s): inputs or checks not assessed"


def test_unreachable_single_cluster_is_one_line_exit_2(server, tmp_path):
    config = server.kubeconfig(tmp_path / "kc")
    config.write_text(config.read_text().replace(server.url, "https://127.0.0.1:9"))
    out = run(["scan", "cluster", "--kubeconfig", config, "--request-timeout", "2"])
    assert out.exit_code == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kubecomply: error: cannot read cluster fixture")


def test_missing_kubeconfig_context_is_one_line(kubeconfig):
    out = run(["scan", "cluster", "--kubeconfig", kubeconfig, "--context", "nope"])
    assert out.exit_code == 2
    assert len(out.stderr.strip().splitlines()) == 1 and "nope" in out.stderr


def test_snapshot_scan_equals_live_scan(kubeconfig, tmp_path):
    """The same collection scanned live and from its snapshot gives identical findings and controls."""
    policies = write_policies(tmp_path / "policies")
    mappings = write_mapping(tmp_path / "mappings")
    options = ScanOptions(policy_dirs=[str(policies)], mapping_dirs=[str(mappings)])
    bundle = load_bundle(options)
    kinds, explicit = required_kinds(bundle.policy_set.policies)
    conn = connect(str(kubeconfig))
    collection = collect(conn, kinds, explicit, ClusterOptions())
    conn.close()
    snapshot = tmp_path / "evidence.json.gz"
    write_snapshot(collection, snapshot)
    live = evaluate_collections([collection], [ClusterTarget("fixture")], options, bundle, "start")
    offline = scan_snapshot(str(snapshot), options)
    assert [f.to_dict() for f in offline.findings] == [f.to_dict() for f in live.findings]
    assert [fw.to_dict() for fw in offline.frameworks] == [fw.to_dict() for fw in live.frameworks]
    assert [g.to_dict() for g in offline.gaps] == [g.to_dict() for g in live.gaps]
    assert offline.summary == live.summary
    assert offline.findings  # not vacuous


def test_export_then_scan_snapshot_through_the_cli(kubeconfig, tmp_path):
    snapshot = tmp_path / "evidence.json.gz"
    out = run(["export", "cluster", "--kubeconfig", kubeconfig, "-o", snapshot])
    assert out.exit_code == 0, out.output
    assert "objects sha256:" in out.stderr
    live = run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json"])
    offline = run(["scan", "snapshot", snapshot, "-f", "json"])
    assert offline.exit_code == live.exit_code == 1
    live_doc, offline_doc = json.loads(live.stdout), json.loads(offline.stdout)
    assert offline_doc["scan"]["source"] == "snapshot"
    assert offline_doc["scan"]["targets"][0]["objects_sha256"].startswith("sha256:")
    assert without_times(offline_doc) == without_times(live_doc)


def test_snapshot_holds_metadata_only_secrets_and_evidence_fields(kubeconfig, tmp_path):
    snapshot = tmp_path / "evidence.json.gz"
    policies = write_policies(tmp_path / "policies")
    assert run(["export", "cluster", "--kubeconfig", kubeconfig, "-o", snapshot, "--policy-dir", policies]).exit_code == 0
    raw = gzip.decompress(snapshot.read_bytes()).decode()
    assert SECRET_PLAINTEXT not in raw and SECRET_B64 not in raw
    doc = json.loads(raw)
    for key in ("server", "version", "context", "collected_at", "scanner_version", "gaps", "objects", "digests"):
        assert key in doc
    assert doc["version"] == "v1.30.2-fixture" and doc["context"] == "fixture"
    secrets = [o for o in doc["objects"] if o["kind"] == "Secret"]
    assert {s["metadata"]["name"] for s in secrets} == {"db", "legacy-token"}
    assert all(set(s) <= {"apiVersion", "kind", "metadata", "type"} for s in secrets)
    assert not any("managedFields" in o["metadata"] for o in doc["objects"])


@pytest.mark.parametrize("change", ["object", "context"])
def test_tampered_snapshot_is_refused(kubeconfig, tmp_path, change):
    snapshot = tmp_path / "evidence.json.gz"
    assert run(["export", "cluster", "--kubeconfig", kubeconfig, "-o", snapshot]).exit_code == 0
    doc = json.loads(gzip.decompress(snapshot.read_bytes()))
    if change == "object":
        pod = next(o for o in doc["objects"] if o["kind"] == "Pod" and o["metadata"]["name"] == "debug")
        pod["spec"]["containers"][0]["securityContext"]["privileged"] = False
    else:
        doc["context"] = "someone-else"
    snapshot.write_bytes(gzip.compress(json.dumps(doc).encode()))
    out = run(["scan", "snapshot", snapshot])
    assert out.exit_code == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "changed after it was written" in lines[0]
    with pytest.raises(Exception, match="changed after it was written"):
        read_snapshot(snapshot)


def test_snapshot_that_is_not_gzip_json_is_one_line(tmp_path):
    bogus = tmp_path / "x.json.gz"
    bogus.write_text("hello")
    out = run(["scan", "snapshot", bogus])
    assert out.exit_code == 2 and len(out.stderr.strip().splitlines()) == 1


def fleet_config(tls, tmp_path, servers):
    configs = []
    for name, fx in servers.items():
        configs.append(fx.kubeconfig(tmp_path / f"kc-{name}", context=name))
    down = servers["prod-eu"].kubeconfig(tmp_path / "kc-down", context="down")
    down.write_text(down.read_text().replace(servers["prod-eu"].url, "https://127.0.0.1:9"))
    return merge_kubeconfigs(tmp_path / "kubeconfig", [*configs, down], current="prod-eu")


def test_fleet_scan_reports_each_cluster_and_a_control_matrix(tls, tmp_path):
    second = cluster_objects()
    for obj in second:  # prod-us has no privileged containers
        for c in (obj.get("spec") or {}).get("containers", []) + (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers", []):
            c.pop("securityContext", None)
    with K8sFixture(cluster_objects(), tls=tls) as eu, K8sFixture(second, tls=tls) as us:
        config = fleet_config(tls, tmp_path, {"prod-eu": eu, "prod-us": us})
        out = run(["scan", "cluster", "--kubeconfig", config, "--context", "prod-eu", "--context", "prod-us", "--context", "down", "-f", "json", "--request-timeout", "2"])
        # The unreachable cluster is a gap, not an abort; it leaves controls not assessed, so exit 2 (was 1: a silent pass).
        assert out.exit_code == 2, out.output
        assert "cluster down" in out.stderr.strip().splitlines()[-1]
        doc = json.loads(out.stdout)
        clusters = {c["name"]: c for c in doc["fleet"]["clusters"]}
        assert clusters["down"]["status"] == "unreachable" and "cannot connect" in clusters["down"]["error"]
        assert clusters["prod-eu"]["status"] == clusters["prod-us"]["status"] == "scanned"
        assert clusters["prod-eu"]["open_findings"] > clusters["prod-us"]["open_findings"] > 0
        assert {g["type"] for g in doc["gaps"]} == {"cluster"}
        row = next(c for c in doc["fleet"]["controls"] if c["framework"] == "pss-baseline" and c["id"] == "Privileged Containers")
        assert row["clusters"] == {"prod-eu": "fail", "prod-us": "pass", "down": "not-assessed"}
        assert {f["origin"]["context"] for f in doc["findings"]} == {"prod-eu", "prod-us"}
        assert {f["origin"]["context"] for f in doc["findings"] if f["policy"] == "privileged-containers"} == {"prod-eu"}
        # A fleet with an unread cluster cannot pass a control fleet-wide.
        fw = next(f for f in doc["frameworks"] if f["id"] == "pss-baseline")
        assert not any(c["status"] == "pass" for c in fw["controls"])
        assert "cluster down was not scanned" in next(c for c in fw["controls"] if c["status"] == "not-assessed")["reason"]

        table = run(["scan", "cluster", "--kubeconfig", config, "--all-contexts", "--request-timeout", "2", "--allow-gaps"])
        assert table.exit_code == 1
        assert "Fleet:" in table.stdout and "UNREACHABLE" in table.stdout
        assert "2 of 3 cluster(s)" in table.stdout
        gated = run(["scan", "cluster", "--kubeconfig", config, "--all-contexts", "--fail-on-gaps", "-f", "json", "--request-timeout", "2"])
        assert gated.exit_code == 2


def test_every_report_format_renders_a_cluster_result(kubeconfig, server, tmp_path):
    server.fault("pods", Fault(status=403, times=None))
    results = tmp_path / "results.json"
    assert run(["scan", "cluster", "--kubeconfig", kubeconfig, "-f", "json", "-o", results, "--allow-gaps"]).exit_code == 1
    for fmt in ("table", "sarif", "junit", "csv", "policyreport", "html"):
        out_file = tmp_path / f"report.{fmt}"
        out = run(["report", results, "-f", fmt, "-o", out_file])
        assert out.exit_code == 0, (fmt, out.output)
        text = out_file.read_text()
        assert "cart" in text, fmt
        assert SECRET_PLAINTEXT not in text and SECRET_B64 not in text


def test_snapshot_scanned_with_checks_it_was_not_exported_for_has_gaps(kubeconfig, tmp_path):
    snapshot = tmp_path / "evidence.json.gz"
    assert run(["export", "cluster", "--kubeconfig", kubeconfig, "-o", snapshot]).exit_code == 0
    # Nodes: served by the cluster, but no bundled check needs them, so the export left them out.
    policies = write_policies(tmp_path / "policies", {"node-check": ("[Node]", 'deny contains {"msg": "x"} if { false }')})
    out = run(["scan", "snapshot", snapshot, "--policy-dir", policies, "-f", "json", "--fail-on-gaps"])
    assert out.exit_code == 2
    gaps = json.loads(out.stdout)["gaps"]
    assert [(g["kind"], g["reason"].split(" (")[0]) for g in gaps] == [("Node", "not in the snapshot")]


def test_fleet_html_report_lists_the_unreachable_cluster(tls, tmp_path):
    with K8sFixture(cluster_objects(), tls=tls) as eu:
        config = fleet_config(tls, tmp_path, {"prod-eu": eu})
        html = tmp_path / "fleet.html"
        out = run(["scan", "cluster", "--kubeconfig", config, "--all-contexts", "-f", "html", "-o", html, "--request-timeout", "2"])
        assert out.exit_code == 2, out.output  # the unreachable cluster leaves controls not assessed (was 1: a silent pass)
        text = html.read_text()
        assert "cannot read cluster down" in text
