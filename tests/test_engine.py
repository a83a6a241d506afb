"""The embedded engine: batching through the wrapper, kinds, inventory and failures."""

from __future__ import annotations

from conftest import check_module, write
from scanner.engine.embedded import EmbeddedEngine
from scanner.engine.wrapper import build_wrapper, parse_result
from scanner.policies import load_policies

PRIVILEGED = """
deny contains result if {
\tsome i, c in input.spec.containers
\tc.securityContext.privileged == true
\tresult := {"msg": sprintf("%s is privileged", [c.name]), "path": ["spec", "containers", i, "securityContext", "privileged"]}
}
"""


def deployment(name, privileged=False, kind="Deployment"):
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "ns"},
            "spec": {"containers": [{"name": "c", "securityContext": {"privileged": privileged}}]}}


def load(policy_dir, **modules):
    for name, text in modules.items():
        write(policy_dir, f"{name}.rego", text)
    engine = EmbeddedEngine(batch_size=7)
    engine.load(load_policies([policy_dir], include_bundled=False))
    return engine


def test_batches_return_global_indexes_and_paths(policy_dir):
    engine = load(policy_dir, priv=check_module("priv", "t.priv", PRIVILEGED))
    resources = [deployment(f"d{i}", privileged=(i % 5 == 0)) for i in range(23)]
    result = engine.evaluate(resources, {})
    assert result.failed_checks == {}
    assert sorted(v.resource_index for v in result.violations) == [0, 5, 10, 15, 20]
    first = min(result.violations, key=lambda v: v.resource_index)
    assert first.path == ("spec", "containers", 0, "securityContext", "privileged")
    assert first.message == "c is privileged"


def test_checks_only_see_their_kinds(policy_dir):
    engine = load(policy_dir, priv=check_module("priv", "t.priv", PRIVILEGED, kinds="[Deployment]"))
    resources = [deployment("a", True, kind="StatefulSet"), deployment("b", True)]
    assert [v.resource_index for v in engine.evaluate(resources, {}).violations] == [1]


def test_inventory_is_visible_to_cross_resource_checks(policy_dir):
    body = """
deny contains {"msg": "namespace has no NetworkPolicy", "path": ["metadata", "name"]} if {
\tnot data.inventory.namespace[input.metadata.name]["networking.k8s.io/v1"].NetworkPolicy
}
"""
    engine = load(policy_dir, netpol=check_module("no-netpol", "t.netpol", body, kinds="[Namespace]"))
    namespaces = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in ("a", "b")]
    inventory = {"namespace": {"a": {"networking.k8s.io/v1": {"NetworkPolicy": {"deny": {}}}}}, "cluster": {}}
    result = engine.evaluate(namespaces, inventory)
    assert [v.resource_index for v in result.violations] == [1]


def test_a_check_that_errors_is_reported_not_passed(policy_dir):
    failing = 'deny contains "boom" if {\n\tx := to_number(input.metadata.name)\n\tx > 1\n}'
    engine = load(
        policy_dir,
        bad=check_module("bad-check", "t.bad", failing),
        priv=check_module("priv", "t.priv", PRIVILEGED),
    )
    resources = [deployment("5"), deployment("not-a-number", True), deployment("7"), deployment("0")]
    result = engine.evaluate(resources, {})
    reason = result.failed_checks["bad-check"]
    assert "bad.rego:12" in reason and "resource #2 (Deployment/ns/not-a-number)" in reason
    # the resources that could be evaluated still give their results, for both checks
    assert sorted((v.policy_id, v.resource_index) for v in result.violations) == [("bad-check", 0), ("bad-check", 2), ("priv", 1)]


def test_string_results_are_accepted_conftest_style(policy_dir):
    engine = load(policy_dir, s=check_module("str-check", "t.s", 'deny contains "plain message" if input.spec'))
    [violation] = engine.evaluate([deployment("a")], {}).violations
    assert violation.message == "plain message"
    assert violation.path is None


def test_no_resources_is_not_an_error(policy_dir):
    engine = load(policy_dir, priv=check_module("priv", "t.priv", PRIVILEGED))
    result = engine.evaluate([], {})
    assert result.violations == [] and result.failed_checks == {}


def test_wrapper_lists_every_check_once(policy_dir):
    write(policy_dir, "a.rego", check_module("a-check", "t.a", PRIVILEGED, kinds="['*']"))
    write(policy_dir, "b.rego", check_module("b-check", "t.b", PRIVILEGED))
    wrapper = build_wrapper(load_policies([policy_dir], include_bundled=False).policies)
    assert sorted(wrapper.rules.values()) == ["a-check", "b-check"]
    assert "some kind, group in input.kinds" in wrapper.text


def test_parse_result_keeps_extra_keys():
    v = parse_result("c", 3, {"msg": "m", "path": ["a", 0], "value": "x"})
    assert (v.message, v.path, v.details) == ("m", ("a", 0), {"value": "x"})
