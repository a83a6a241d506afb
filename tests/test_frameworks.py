"""Framework mappings: loader validation and the control roll-up rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write
from scanner.compliance.frameworks import (
    CheckCoverage,
    FrameworkError,
    load_framework,
    load_frameworks,
    roll_up,
    select_frameworks,
    validate_references,
)
from scanner.model import Finding, Origin, ResourceRef
from scanner.policies import load_policies

FRAMEWORK = """
id: test-fw
title: Test framework
version: "1"
controls:
  - id: C1
    title: Privileged
    automation: automated
    checks: [check-a]
  - id: C2
    title: Two checks
    automation: partial
    manual_evidence: Interview the team.
    checks: [check-a, check-b]
  - id: C3
    title: Paper only
    automation: manual
    manual_evidence: Read the policy document.
"""


def finding(check: str, status: str = "fail") -> Finding:
    return Finding(check, "high", "t", "m", ResourceRef("v1", "Pod", "ns", "p"), Origin("file", "a.yaml"), status=status)


@pytest.fixture
def framework(tmp_path: Path):
    return load_framework(write(tmp_path, "fw.yaml", FRAMEWORK))


def statuses(result):
    return {c.id: c.status for c in result.controls}


def test_bundled_mappings_are_valid_and_every_check_is_mapped():
    frameworks = load_frameworks()
    checks = set(load_policies().by_id())
    validate_references(frameworks, checks)
    mapped = set().union(*(fw.check_ids() for fw in frameworks))
    assert checks - mapped == set(), "every bundled check must be mapped to a control"
    assert {"pss-baseline", "pss-restricted"} <= {fw.id for fw in frameworks}


def test_fail_pass_manual(framework):
    coverage = {"check-a": CheckCoverage(evaluated=3), "check-b": CheckCoverage(evaluated=2)}
    [result] = roll_up([framework], [finding("check-a")], coverage)
    assert statuses(result) == {"C1": "fail", "C2": "fail", "C3": "manual"}
    assert (result.score, result.coverage) == (0.0, round(2 / 3, 4))
    [result] = roll_up([framework], [], coverage)
    assert statuses(result) == {"C1": "pass", "C2": "pass", "C3": "manual"}
    assert result.score == 1.0


def test_waived_findings_do_not_fail_a_control(framework):
    coverage = {"check-a": CheckCoverage(evaluated=1), "check-b": CheckCoverage(evaluated=1)}
    [result] = roll_up([framework], [finding("check-a", status="waived")], coverage)
    assert statuses(result)["C1"] == "pass"


def test_nothing_in_scope_is_not_assessed_never_pass(framework):
    coverage = {"check-a": CheckCoverage(evaluated=1), "check-b": CheckCoverage(evaluated=0)}
    [result] = roll_up([framework], [], coverage)
    assert statuses(result) == {"C1": "pass", "C2": "not-assessed", "C3": "manual"}
    c2 = result.controls[1]
    assert "check-b found no resources" in c2.reason
    assert result.score == 1.0 and result.counts["not-assessed"] == 1


def test_a_check_that_could_not_run_is_not_assessed(framework):
    coverage = {"check-a": CheckCoverage(evaluated=5, error="evaluation error: boom"), "check-b": CheckCoverage(evaluated=1)}
    [result] = roll_up([framework], [], coverage)
    assert statuses(result)["C1"] == "not-assessed"
    assert "could not run" in result.controls[0].reason
    assert result.score is None


@pytest.mark.parametrize(
    "change, message",
    [
        (("  - id: C2\n", "  - id: C1\n"), "listed twice"),
        (("automation: manual", "automation: sometimes"), "automation must be one of"),
        (("    manual_evidence: Interview the team.\n", ""), "must say what manual_evidence"),
        (("    manual_evidence: Read the policy document.\n", "    manual_evidence: x\n    checks: [check-a]\n"), "is 'manual' but names checks"),
        (("    title: Paper only\n", "    title: Paper only\n    title_en: ''\n"), "'title_en' must be a non-empty string"),
    ],
)
def test_invalid_mapping_files(tmp_path, change, message):
    path = write(tmp_path, "fw.yaml", FRAMEWORK.replace(*change))
    with pytest.raises(FrameworkError, match=message):
        load_framework(path)


def test_english_label_reaches_the_control_result(tmp_path):
    path = write(tmp_path, "fw.yaml", FRAMEWORK.replace("    title: Paper only\n", "    title: 서류만\n    title_en: Paper only\n"))
    fw = load_framework(path)
    (result,) = roll_up([fw], [], {})
    manual = next(c for c in result.controls if c.id == "C3")
    assert (manual.title, manual.title_en) == ("서류만", "Paper only")
    assert manual.to_dict()["title_en"] == "Paper only"


def test_unknown_check_in_mapping_is_an_error(framework):
    with pytest.raises(FrameworkError, match="unknown check"):
        validate_references([framework], {"check-a"})


def test_select_unknown_framework_lists_the_available_ones(framework):
    with pytest.raises(FrameworkError, match="available: test-fw"):
        select_frameworks([framework], ["nope"])
