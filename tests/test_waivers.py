"""Waivers: validation, matching, expiry and inline annotations."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import write
from scanner.model import Finding, Origin, Resource
from scanner.compliance.waivers import WaiverError, apply_waivers, load_waivers

TODAY = dt.date(2026, 11, 28)
KNOWN = {"privileged-containers", "host-ports"}


def resource(name, namespace="shop", kind="Deployment", labels=None, annotations=None):
    meta = {"name": name, "namespace": namespace, "labels": labels or {}, "annotations": annotations or {}}
    return Resource({"apiVersion": "apps/v1", "kind": kind, "metadata": meta}, Origin("file", f"{name}.yaml", 1, 1))


def finding_for(res, check="privileged-containers"):
    return Finding(check, "critical", "t", "m", res.identity(), res.origin)


def waivers_file(tmp_path, body):
    return write(tmp_path, "waivers.yaml", "waivers:\n" + body)


ENTRY = """
  - check: privileged-containers
    match: {kind: Deployment, namespace: "sh*", name: "cart-*", labels: {team: store*}}
    justification: Needed for now.
    approved_by: alice@example.com
    expires: {expires}
    ticket: SEC-1
"""


def test_matching_waiver_marks_findings_waived_and_keeps_them(tmp_path):
    waivers = load_waivers(waivers_file(tmp_path, ENTRY.replace("{expires}", "2027-01-01")), KNOWN, TODAY)
    hit, miss = resource("cart-api", labels={"team": "storefront"}), resource("cart-api", labels={"team": "payments"})
    findings = [finding_for(hit), finding_for(miss), finding_for(hit, "host-ports")]
    register = apply_waivers(findings, [hit, miss, hit], waivers, [hit, miss], KNOWN)
    assert [f.status for f in findings] == ["waived", "fail", "fail"]
    assert findings[0].waiver == "waivers.yaml#1"
    assert register[0].status == "applied" and register[0].findings == 1


def test_expired_waiver_no_longer_applies_and_is_reported(tmp_path):
    waivers = load_waivers(waivers_file(tmp_path, ENTRY.replace("{expires}", "2026-11-27")), KNOWN, TODAY)
    res = resource("cart-api", labels={"team": "storefront"})
    findings = [finding_for(res)]
    register = apply_waivers(findings, [res], waivers, [res], KNOWN)
    assert findings[0].status == "fail"
    assert register[0].status == "expired"


def test_unused_waiver_is_reported(tmp_path):
    waivers = load_waivers(waivers_file(tmp_path, ENTRY.replace("{expires}", "2027-01-01")), KNOWN, TODAY)
    register = apply_waivers([], [], waivers, [], KNOWN)
    assert register[0].status == "unused"


INLINE = '{"justification": "Vendor image", "approved_by": "sec@example.com", "expires": "2027-01-01", "ticket": "OPS-9"}'


def test_inline_annotation_waives_only_its_check():
    res = resource("job", annotations={"kubecomply.io/waive.privileged-containers": INLINE})
    findings = [finding_for(res), finding_for(res, "host-ports")]
    register = apply_waivers(findings, [res, res], [], [res], KNOWN, TODAY)
    assert [f.status for f in findings] == ["waived", "fail"]
    assert (register[0].justification, register[0].approved_by, register[0].expires, register[0].ticket) == ("Vendor image", "sec@example.com", "2027-01-01", "OPS-9")
    assert register[0].source.startswith("annotation on Deployment/shop/job")


@pytest.mark.parametrize(
    "value, problem",
    [
        ("ok", "only a justification was given"),  # the self-approval the old format allowed
        ('{"justification": "j", "expires": "2027-01-01"}', "missing approved_by"),
        ('{"justification": "j", "approved_by": "a"}', "missing expires"),
        ('{"justification": "j", "approved_by": "a", "expires": "2027-02-30"}', "is not a date"),
        ('{"justification": "j", "approved_by": "a", "expires": "2027-01-01", "by": "x"}', "unknown field(s) by"),
        ("[1, 2]", "must be a mapping"),
    ],
)
def test_incomplete_inline_annotation_is_invalid_and_waives_nothing(value, problem):
    res = resource("job", annotations={"kubecomply.io/waive.privileged-containers": value})
    findings = [finding_for(res)]
    register = apply_waivers(findings, [res], [], [res], KNOWN, TODAY)
    assert findings[0].status == "fail"
    assert register[0].status == "invalid" and problem in register[0].problem


def test_expired_inline_annotation_waives_nothing():
    res = resource("job", annotations={"kubecomply.io/waive.privileged-containers": INLINE.replace("2027-01-01", "2020-01-01")})
    findings = [finding_for(res)]
    register = apply_waivers(findings, [res], [], [res], KNOWN, TODAY)
    assert findings[0].status == "fail" and register[0].status == "expired"


def test_inline_waivers_denied_are_refused_and_the_file_still_applies():
    res = resource("job", annotations={"kubecomply.io/waive.privileged-containers": INLINE})
    findings = [finding_for(res)]
    register = apply_waivers(findings, [res], [], [res], KNOWN, TODAY, inline_policy="deny")
    assert findings[0].status == "fail"
    assert register[0].status == "refused" and "--inline-waivers deny" in register[0].problem


def test_inline_annotation_for_unknown_check_is_invalid_not_silent():
    res = resource("job", annotations={"kubecomply.io/waive.no-such-check": "x"})
    register = apply_waivers([], [], [], [res], KNOWN)
    assert register[0].status == "invalid"


@pytest.mark.parametrize(
    "body, message",
    [
        (ENTRY.replace("{expires}", "2027-01-01").replace("privileged-containers", "typo-check"), "unknown check 'typo-check'"),
        (ENTRY.replace("{expires}", "soon"), "is not a date"),
        (ENTRY.replace("{expires}", "2027-01-01").replace("    approved_by: alice@example.com\n", ""), "missing approved_by"),
        ("  - check: host-ports\n    justification: j\n    approved_by: a\n    expires: 2027-01-01\n", "needs a 'match' selector"),
        (ENTRY.replace("{expires}", "2027-01-01").replace("kind: Deployment", "team: x"), "unknown match key"),
    ],
)
def test_invalid_waivers_are_errors(tmp_path, body, message):
    with pytest.raises(WaiverError, match=message):
        load_waivers(waivers_file(tmp_path, body), KNOWN, TODAY)


def test_yaml_error_names_the_line(tmp_path):
    path = write(tmp_path, "waivers.yaml", "waivers:\n  - check: [unclosed\n")
    with pytest.raises(WaiverError, match=r"waivers.yaml:\d+: invalid YAML"):
        load_waivers(path, KNOWN, TODAY)
