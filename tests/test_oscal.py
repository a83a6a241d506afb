"""OSCAL output loads back through compliance-trestle's models and keeps every control status:
a manifest scan, a cluster scan (HTTPS fixture server) and the component definition.
(The period's OSCAL is tested with the period, in test_evidence_period.py.)"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter

import pytest
from click.testing import CliRunner

from conftest import DEMO_ARGS
from oscal_helpers import load_assessment_results, load_component_definition, prop, statuses_from
from scanner.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def expected_statuses(doc):
    return {(fw["id"], c["id"]): c["status"] for fw in doc["frameworks"] for c in fw["controls"]}


def scan_to_oscal(tmp_path, *scan_args):
    result = tmp_path / "r.json"
    out = run(*scan_args, "--fail-on", "none", "-f", "json", "-o", result)
    assert out.exit_code == 0, out.output
    oscal = tmp_path / "r.oscal.json"
    out = run("report", result, "-f", "oscal", "-o", oscal)
    assert out.exit_code == 0, out.output
    return json.loads(result.read_text()), result, load_assessment_results(oscal)


def test_manifest_scan_round_trip(tmp_path):
    doc, result, ar = scan_to_oscal(tmp_path, *DEMO_ARGS)
    (res,) = ar.results
    expected = expected_statuses(doc)
    assert statuses_from(res) == expected
    assert {"pass", "fail", "not-assessed", "manual"} <= set(expected.values())  # every status kind went through
    assert prop(res, "result-digest") == "sha256:" + hashlib.sha256(result.read_bytes()).hexdigest()
    assert prop(res, "policy-bundle") == doc["scan"]["policy_bundle"] and prop(res, "source") == "manifests"
    assert prop(res, "open-findings") == str(sum(1 for f in doc["findings"] if f["status"] == "fail"))
    # one observation per check and resource with findings, one per evaluated check
    groups = Counter((f["policy"], f["resource"]["kind"], f["resource"].get("namespace"), f["resource"]["name"]) for f in doc["findings"])
    finding_obs = [o for o in res.observations if o.types]
    assert len(finding_obs) == len(groups)
    assert len(res.observations) - len(finding_obs) == len(doc["checks"])
    waived = [o for o in finding_obs if prop(o, "finding-status") == "waived"]
    assert waived and all(prop(o, "waiver") for o in waived)
    # a failing control links the observations of its findings
    obs_ids = {o.uuid for o in res.observations}
    failing = [f for f in res.findings if prop(f, "control-status") == "fail"]
    assert failing and all(f.related_observations and {r.observation_uuid for r in f.related_observations} <= obs_ids for f in failing)
    na = [f for f in res.findings if prop(f, "control-status") == "not-assessed"]
    assert all(f.target.status.reason == "other" and f.target.status.remarks for f in na)
    # same result, same document (UUIDs derive from the digest)
    again = tmp_path / "again.json"
    run("report", result, "-f", "oscal", "-o", again)
    assert again.read_text() == (tmp_path / "r.oscal.json").read_text()


def test_oscal_of_a_result_without_frameworks_is_an_error(tmp_path):
    doc = {"schema_version": "1.0", "scan": {"started": "2026-01-01T00:00:00Z", "targets": []}, "summary": {}, "findings": [], "gaps": [], "frameworks": [], "waivers": []}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    out = run("report", path, "-f", "oscal")
    assert out.exit_code == 2 and "rolls up into no framework" in out.stderr


def test_component_definition_maps_every_check(tmp_path):
    out = run("policy", "export", "--oscal-component", "-o", tmp_path / "c.json")
    assert out.exit_code == 0, out.output
    comp = load_component_definition(tmp_path / "c.json")
    (component,) = comp.components
    checks = json.loads(run("policy", "list", "-f", "json").stdout)
    assert {p.value for p in component.props if p.name == "check"} == {c["id"] for c in checks}
    mapped = {}
    for impl in component.control_implementations:
        for req in impl.implemented_requirements:
            mapped[(prop(impl, "framework"), prop(req, "control-id"))] = {p.value for p in req.props if p.name == "check"}
    frameworks = run("framework", "list").stdout
    assert ("pss-baseline", "Privileged Containers") in mapped and mapped[("pss-baseline", "Privileged Containers")] == {"privileged-containers"}
    assert "soc2" in {k[0] for k in mapped} and "soc2" in frameworks
    only = run("policy", "export", "--oscal-component", "--framework", "pss-baseline")
    one = json.loads(only.stdout)["component-definition"]["components"][0]
    assert [impl["props"][0]["value"] for impl in one["control-implementations"]] == ["pss-baseline"]
    assert run("policy", "export").exit_code == 2


pytest.importorskip("kubernetes")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make the fixture server's certificates")
def test_cluster_scan_round_trip(tmp_path):
    from cluster_helpers import cluster_objects
    from k8s_fixture_server import Fault, K8sFixture, make_tls

    with K8sFixture(cluster_objects(), tls=make_tls(tmp_path / "tls")) as server:
        server.fault("pods", Fault(status=403, times=None))  # some controls become not-assessed
        kubeconfig = server.kubeconfig(tmp_path / "kubeconfig")
        doc, _, ar = scan_to_oscal(tmp_path, "scan", "cluster", "--kubeconfig", kubeconfig, "--allow-gaps")  # the 403 is the point
        url = server.url
    (res,) = ar.results
    assert statuses_from(res) == expected_statuses(doc)
    assert "not-assessed" in expected_statuses(doc).values()
    assert prop(res, "source") == "cluster"
    assert prop(res, "cluster") == f"fixture {url}"
    assert prop(res, "subject") == f"cluster fixture ({url})"
    assert prop(res, "gaps") == str(len(doc["gaps"])) != "0"


def test_values_with_newlines_become_one_line_props(tmp_path):
    """OSCAL prop values are one line; a target path with a newline must not make the document invalid."""
    doc = {"schema_version": "1.0", "scan": {"started": "2026-01-01T00:00:00Z", "targets": [{"type": "path", "path": "odd\nname/"}]},
           "summary": {}, "findings": [], "gaps": [], "waivers": [],
           "frameworks": [{"id": "fw", "title": "FW", "version": "1", "controls": [{"id": "Art. 32(1)(b)", "title": "t", "automation": "automated", "status": "not-assessed", "reason": "no population"}]}]}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(doc))
    assert run("report", path, "-f", "oscal", "-o", tmp_path / "o.json").exit_code == 0
    (res,) = load_assessment_results(tmp_path / "o.json").results
    assert prop(res, "subject") == "path odd name/"
    (finding,) = res.findings
    assert finding.target.target_id == "fw_Art._32_1_b" and prop(finding, "control-id") == "Art. 32(1)(b)"
    assert statuses_from(res) == {("fw", "Art. 32(1)(b)"): "not-assessed"}
