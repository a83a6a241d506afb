"""The JSON result's bytes and schema 1.2 (issue 16): fast encoders, same bytes, lean findings, old results still read.

Every JSON output is defined as ``json.dumps(indent=2, sort_keys=True,
ensure_ascii=False) + "\\n"`` and the digest over the compact form; orjson
writes them now, so each test compares against the stdlib on values where the
two could differ.  Schema 1.2 leaves out of each finding what its check says;
a result read back must give every renderer whole findings, and results
written by 1.0/1.1 must still render.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEMO_ARGS
from scanner.cli import main
from scanner.integrity import canonical, result_digest, verify
from scanner.jsonbytes import compact, float_safe, pretty
from scanner.model import SCHEMA_VERSION, ScanResult
from scanner.reports.json_report import render_json
from scanner.reports.sarif import render_sarif, to_sarif


def stdlib_pretty(value) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def stdlib_compact(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


ODD_VALUES = [
    {"score": 1e-05, "ok": 0.5},  # an exponent in repr: orjson would write 0.00001
    {"big": 1e16, "neg": -1.5e300},
    {"nan": float("nan")},  # the stdlib writes NaN, orjson null
    {"inf": [float("inf"), float("-inf")]},
    {"huge": 2**70, "negative": -(2**64)},  # beyond 64 bits: orjson refuses
    {"ints": [2**63 - 1, -(2**63), 2**64 - 1]},
    {1: "a non-string key"},
    {"text": "é 한국어 \u2028 \u0000 \x1f \x7f \ufeff 😀 \"quoted\" back\\slash\n\ttab"},
    {"nested": {"z": [], "a": {}, "m": [[], {}, [1, [2, {"q": None}]]], "t": (1, 2)}, "b": True, "f": False},
    {"fine": [0.1, 1 / 3, 2 / 3, 100.0, -0.0, 0.0, 0.0001, 123456789.125]},
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: next(iter(v)) if isinstance(v, dict) else "value")
def test_encoders_write_the_stdlib_bytes_for_odd_values(value):
    assert pretty(value) == stdlib_pretty(value)
    assert compact(value) == stdlib_compact(value)
    assert canonical(value) == stdlib_compact(value)


def test_float_safe_finds_floats_that_orjson_would_spell_differently():
    assert float_safe({"a": [1, "x", 0.25, {"b": 0.0001}]})
    assert not float_safe({"a": [1, {"b": 1e-05}]})
    assert not float_safe([float("nan")])
    assert not float_safe({"deep": [[{"x": 1e22}]]})


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-out")
    out = folder / "results.json"
    run = CliRunner().invoke(main, [*DEMO_ARGS, "-f", "json", "-o", str(out), "--quiet"])
    assert run.exit_code == 1, run.output
    return out


def test_the_json_result_is_the_stdlib_rendering_of_its_document(demo):
    saved = demo.read_bytes()
    document = json.loads(saved)
    assert saved == stdlib_pretty(document)
    assert verify(document) is None
    assert document["scan"]["result_digest"] == result_digest(document)
    assert result_digest(document) == "sha256:" + hashlib.sha256(stdlib_compact({**document, "scan": {k: v for k, v in document["scan"].items() if k != "result_digest"}})).hexdigest()
    assert render_json(ScanResult.from_dict(document)) == saved  # read back and written again: the same bytes


def test_schema_1_2_findings_leave_out_what_their_check_says(demo):
    document = json.loads(demo.read_bytes())
    assert document["schema_version"] == SCHEMA_VERSION == "1.2"
    checks = {c["id"]: c for c in document["checks"]}
    assert document["findings"]
    for finding in document["findings"]:
        assert not {"title", "remediation", "controls"} & set(finding), finding
        assert finding["policy"] in checks and finding["severity"] and finding["message"]
    # The reader puts them back: the finding as every renderer sees it.
    result = ScanResult.from_dict(document)
    [privileged] = [f for f in result.findings if f.policy == "privileged-containers" and f.resource.name == "payments-api"]
    assert privileged.title == checks["privileged-containers"]["title"] == "Privileged containers"
    assert privileged.remediation == checks["privileged-containers"]["remediation"] and privileged.remediation
    assert privileged.controls["pss-baseline"] == ["Privileged Containers"]
    assert set(privileged.controls) == {fw["id"] for fw in document["frameworks"] if any("privileged-containers" in c["checks"] for c in fw["controls"])}


def test_a_finding_that_differs_from_its_check_keeps_its_own(demo):
    result = ScanResult.from_dict(json.loads(demo.read_bytes()))
    first, second = result.findings[0], result.findings[1]
    first.title = "a title of its own"
    second.controls = {"soc2": ["CC0.0"]}
    third = result.findings[2]
    third.remediation = "its own remediation"
    written = result.to_dict()["findings"]
    assert written[0]["title"] == "a title of its own" and "controls" not in written[0]
    assert written[1]["controls"] == {"soc2": ["CC0.0"]} and "title" not in written[1]
    assert written[2]["remediation"] == "its own remediation"
    again = ScanResult.from_dict(json.loads(render_json(result)))
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in result.findings]


# A result as kubecomply 1.1 wrote it, by hand: each finding carries its check's title,
# remediation and controls.
OLD_RESULT = {
    "schema_version": "1.1",
    "scan": {"tool": "kubecomply", "version": "0.1.0", "source": "manifests", "frameworks": ["pss-baseline"], "checks": ["privileged-containers"]},
    "summary": {"resources": 1, "findings": 1, "gaps": 0, "findings_by_status": {"fail": 1}},
    "findings": [{
        "policy": "privileged-containers", "severity": "critical", "title": "Privileged containers (as 1.1 wrote it)",
        "message": "container \"app\" sets securityContext.privileged: true",
        "resource": {"apiVersion": "v1", "kind": "Pod", "namespace": "shop", "name": "cart"},
        "origin": {"type": "file", "path": "pod.yaml", "document": 1, "line": 9},
        "path": "spec.containers[0].securityContext.privileged", "status": "fail",
        "controls": {"pss-baseline": ["Privileged Containers"]}, "remediation": "Remove privileged: true.",
    }],
    "gaps": [],
    "frameworks": [{
        "id": "pss-baseline", "title": "Pod Security Standards: Baseline", "version": "v1.31", "score": 0.0, "score_with_exceptions": 0.0,
        "scoring": "score", "coverage": 1.0, "counts": {"fail": 1},
        "controls": [{"id": "Privileged Containers", "title": "Privileged Containers", "automation": "automated", "status": "fail",
                      "checks": ["privileged-containers"], "findings": [0], "resources_evaluated": 1, "resources_failed": 1}],
    }],
    "waivers": [],
    "checks": [{"id": "privileged-containers", "title": "Privileged containers", "severity": "critical", "remediation": "Set privileged: false.",
                "applies_to": ["Pod"], "resources_evaluated": 1, "resources_failed": 1}],
}


@pytest.mark.parametrize("fmt", ["json", "table", "sarif", "junit", "csv", "markdown", "html"])
def test_report_reads_a_result_written_by_schema_1_1(tmp_path, fmt):
    path = tmp_path / "old.json"
    path.write_text(json.dumps(OLD_RESULT), encoding="utf-8")
    run = CliRunner().invoke(main, ["report", str(path), "-f", fmt])
    assert run.exit_code == 0, run.output
    if fmt == "json":  # written as it was read: an old result is not turned into a 1.2 one
        again = json.loads(run.output)
        assert again["schema_version"] == "1.1"
        assert again["findings"][0]["title"] == "Privileged containers (as 1.1 wrote it)"
        assert again["findings"][0]["controls"] == {"pss-baseline": ["Privileged Containers"]}
        assert again["findings"][0]["remediation"] == "Remove privileged: true."
    elif fmt == "sarif":
        [result] = json.loads(run.output)["runs"][0]["results"]
        assert result["ruleId"] == "privileged-containers" and result["properties"]["resource"]["name"] == "cart"
    elif fmt != "csv":
        assert "cart" in run.output


def test_odd_values_in_a_result_fall_back_to_the_stdlib_bytes(demo):
    """A uid from the YAML can be any value, a waiver's match too: the bytes stay the stdlib's."""
    result = ScanResult.from_dict(json.loads(demo.read_bytes()))
    from dataclasses import replace

    result.findings[0].resource = replace(result.findings[0].resource, uid=1e-07)
    result.findings[1].resource = replace(result.findings[1].resource, uid=2**70)
    result.scan["note"] = {"nan": float("nan"), "text": "é"}
    written = render_json(result)
    document = json.loads(written)
    assert b"1e-07" in written and str(2**70).encode() in written and b"NaN" in written
    rebuilt = result.to_dict()
    rebuilt["scan"] = {**rebuilt["scan"], "result_digest": document["scan"]["result_digest"]}
    assert written == stdlib_pretty(rebuilt)
    unsealed = result.to_dict()
    unsealed["scan"] = {k: v for k, v in unsealed["scan"].items() if k != "result_digest"}
    assert document["scan"]["result_digest"] == "sha256:" + hashlib.sha256(stdlib_compact(unsealed)).hexdigest()


def test_sarif_is_streamed_with_the_stdlib_bytes(demo):
    result = ScanResult.from_dict(json.loads(demo.read_bytes()))
    log = to_sarif(result)
    assert render_sarif(result) == stdlib_pretty(log)
    assert log["runs"][0]["results"] and all("controls" not in r["properties"] for r in log["runs"][0]["results"])
    empty = copy.deepcopy(result)
    empty.findings = []
    assert render_sarif(empty) == stdlib_pretty(to_sarif(empty))


def test_json_and_sarif_to_stdout_are_the_file_bytes(demo, tmp_path):
    for fmt in ("json", "sarif"):
        target = tmp_path / f"out.{fmt}"
        to_file = CliRunner().invoke(main, ["report", str(demo), "-f", fmt, "-o", str(target)])
        to_stdout = CliRunner().invoke(main, ["report", str(demo), "-f", fmt])
        assert to_file.exit_code == to_stdout.exit_code == 0
        assert to_stdout.stdout_bytes == Path(target).read_bytes()


def test_the_streamed_json_is_the_whole_documents_bytes(demo, monkeypatch):
    """Findings are encoded in batches; any batch size, and values that looked like the stand-ins of the earlier splice, give the same bytes."""
    from scanner.reports import json_report

    result = ScanResult.from_dict(json.loads(demo.read_bytes()))
    whole, _ = json_report.sealed_document(result)
    expected = stdlib_pretty(whole)
    for size in (1, 3, len(result.findings), 10_000):
        monkeypatch.setattr(json_report, "FINDINGS_PER_BATCH", size)
        assert render_json(result) == expected
        assert json_report.json_digests(result) == (hashlib.sha256(expected).hexdigest(), whole["scan"]["result_digest"])
    result.findings[0].message = "\x00kubecomply-findings\x00"
    result.findings[1].message = '"result_digest": "sha256:' + "0" * 64 + '"'
    whole, _ = json_report.sealed_document(result)
    assert render_json(result) == stdlib_pretty(whole)
