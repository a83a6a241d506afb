"""The bundled library: every check is documented, tested and passes its Rego tests."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.policies import BUNDLED_POLICY_DIR, load_policies, parse_metadata
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


# A check narrows its population with a complete rule `applies` at the start
# of a line (docs/policies.md, "Populations: applies"); reports explain an
# empty population with custom.population, so each needs the other.
APPLIES_RULE = re.compile(r"^applies\b", re.MULTILINE)

# The checks whose population is narrower than the resources of their kinds,
# as audited for issue 13. Pinned so that dropping an `applies` (and with it
# the population that keeps a control from passing on nothing) is a
# deliberate change here, not an accident.
CHECKS_WITH_A_POPULATION = {
    "backup-schedule-coverage",
    "apiserver-anonymous-auth", "apiserver-audit-log", "apiserver-audit-retention",
    "apiserver-authorization-not-always-allow", "apiserver-authorization-node", "apiserver-authorization-rbac",
    "apiserver-encryption", "apiserver-insecure-port",
    "apiserver-profiling", "istio-mtls-strict", "loadbalancer-source-ranges", "naked-pods",
    "capabilities-drop-all", "privilege-escalation", "seccomp-required", "net-raw-capability",
    "readonly-root-filesystem", "proc-mount", "run-as-non-root", "run-as-root-user",
    "run-as-high-uid", "run-as-high-gid", "liveness-probe", "readiness-probe", "pdb-coverage",
    "image-pull-policy", "rbac-bind-escalate", "rbac-create-pods", "rbac-csr-approval",
    "rbac-impersonate", "rbac-nodes-proxy", "rbac-pods-exec", "rbac-sa-token-create",
    "rbac-secrets-read", "rbac-webhook-config", "rbac-wildcard", "cluster-admin-binding",
    "system-masters-group", "anonymous-binding",
}


def _population_and_applies(policy) -> tuple[object, bool]:
    path = Path(policy.file) if Path(policy.file).is_absolute() else Path.cwd() / policy.file
    text = path.read_text(encoding="utf-8")
    metadata, _ = parse_metadata(text, policy.file)
    assert metadata is not None, policy.id
    return metadata["custom"].get("population"), bool(APPLIES_RULE.search(text))


def test_a_check_with_applies_describes_its_population_and_only_then():
    problems = []
    for policy in load_policies().policies:
        population, defines_applies = _population_and_applies(policy)
        if defines_applies and not (isinstance(population, str) and population.strip()):
            problems.append(f"{policy.id}: defines applies but has no custom.population")
        if not defines_applies and population is not None:
            problems.append(f"{policy.id}: has custom.population but defines no applies rule")
        if isinstance(population, str) and ("\n" in population.strip() or len(population) > 200):
            problems.append(f"{policy.id}: custom.population must be one line (reports quote it)")
    assert problems == []


def test_the_audited_checks_keep_their_population():
    with_applies = {p.id for p in load_policies().policies if _population_and_applies(p)[1]}
    assert with_applies == CHECKS_WITH_A_POPULATION
