"""The bundled library: every check is documented, tested and passes its Rego tests."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.policies import BUNDLED_POLICY_DIR, load_policies
from scanner.policy_tests import TEST_RULE, run_policy_tests


def test_every_rego_unit_test_passes():
    report = run_policy_tests(load_policies())
    failures = [f"{o.file}: {o.rule}: {o.detail}" for o in report.outcomes if o.status != "pass"]
    assert failures == []
    assert report.count("pass") >= 2 * len(load_policies().policies)


def test_every_check_has_at_least_two_tests_beside_it():
    for policy in load_policies().policies:
        test_file = (Path.cwd() / policy.file) if not Path(policy.file).is_absolute() else Path(policy.file)
        test_file = test_file.with_name(test_file.stem + "_test.rego")
        assert test_file.is_file(), f"{policy.id}: no {test_file.name}"
        assert len(TEST_RULE.findall(test_file.read_text())) >= 2, f"{policy.id}: fewer than two tests"


def test_every_check_says_what_to_do_and_where_else_it_exists():
    for policy in load_policies().policies:
        assert len(policy.description) > 40, policy.id
        assert len(policy.remediation) > 20, policy.id
        assert policy.references, f"{policy.id} has no references"
        assert re.fullmatch(r"kubecomply\.[a-z_]+\.[a-z_]+", policy.package), policy.package
        assert policy.package.rsplit(".", 1)[1] == policy.id.replace("-", "_")


def test_bundle_folder_is_where_the_package_expects_it():
    assert (BUNDLED_POLICY_DIR / "lib" / "kubernetes.rego").is_file()
