"""The embedded engine: batching through the wrapper, kinds, inventory and failures."""

from __future__ import annotations

from conftest import REPO_ROOT, check_module, write
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
    engine = load(policy_dir, netpol=check_module("no-netpol", "t.netpol", body, kinds="[Namespace]", reads="[NetworkPolicy]"))
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
    # one fast-path group per distinct set of kinds
    assert len(wrapper.groups) == 2
    texts = "\n".join(text for _, text in wrapper.modules)
    assert "some kind, group in input.kinds" in texts


def test_forked_workers_give_the_same_results_as_one_process(policy_dir):
    write(policy_dir, "priv.rego", check_module("priv", "t.priv", PRIVILEGED))
    policy_set = load_policies([policy_dir], include_bundled=False)
    resources = [deployment(f"d{i}", privileged=(i % 7 == 0)) for i in range(2500)]
    outcomes = []
    for workers in (1, 2):
        engine = EmbeddedEngine(batch_size=300, workers=workers)
        engine.load(policy_set)
        result = engine.evaluate(resources, {})
        outcomes.append(sorted((v.policy_id, v.resource_index, v.path) for v in result.violations))
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[0]) == len(range(0, 2500, 7))


def test_errors_found_in_a_worker_reach_the_parent(policy_dir):
    failing = 'deny contains "boom" if {\n\tx := to_number(input.metadata.name)\n\tx > 1\n}'
    write(policy_dir, "bad.rego", check_module("bad-check", "t.bad", failing))
    engine = EmbeddedEngine(batch_size=500, workers=2)
    engine.load(load_policies([policy_dir], include_bundled=False))
    resources = [deployment(str(i)) for i in range(2000)] + [deployment("oops")]
    result = engine.evaluate(resources, {})
    assert "resource #2001 (Deployment/ns/oops)" in result.failed_checks["bad-check"]
    assert len(result.violations) == 1998  # every number above 1 still reported


def test_parse_result_keeps_extra_keys():
    v = parse_result("c", 3, {"msg": "m", "path": ["a", 0], "value": "x"})
    assert (v.message, v.path, v.details) == ("m", ("a", 0), {"value": "x"})


def _facts(*modules: tuple[str, str]):
    import regorus

    from scanner.engine.ast_facts import module_facts

    engine = regorus.Engine()
    for file, text in modules:
        engine.add_policy(file, text)
    return module_facts(engine.get_ast_as_json())


def test_inventory_detection_is_conservative():
    from scanner.engine.data_refs import modules_reading_inventory

    def reads_inventory(body: str) -> bool:
        return bool(modules_reading_inventory(_facts(("m.rego", f"package m\n\nimport rego.v1\n\n{body}\n"))))

    assert reads_inventory("x if data.inventory.namespace.shop")
    assert reads_inventory("import data.inventory as inv\nx if inv.cluster")
    assert reads_inventory('x if data["inventory"]')
    assert reads_inventory("x if { some k, _ in data; k }")
    assert reads_inventory("x if { k := input.k; data[k] }")
    assert reads_inventory("x if { count([1 | data.inventory.cluster[_]]) > 0 }")
    assert not reads_inventory("import data.kubecomply.lib.workloads\nx if { some p in workloads.pod_specs; p }")
    assert not reads_inventory('x if { data.kubecomply.config["a"] }')
    assert not reads_inventory("x if input.spec.hostNetwork")


def test_lanes_load_only_the_libraries_their_checks_reach():
    from scanner.engine.data_refs import libraries_needed

    header = "\n\nimport rego.v1\n\n"
    facts = _facts(
        ("lib/a.rego", "package lib.a" + header + "f(x) := data.lib.b.g(x)\n"),
        ("lib/b.rego", "package lib.b" + header + "g(x) := x\n"),
        ("lib/c.rego", "package lib.c" + header + "h := 1\n"),
        ("lib/d.rego", "package other.d" + header + "k := 1\n"),
        ("uses_a.rego", "package c1" + header + "import data.lib.a\ndeny contains 1 if a.f(input.x)\n"),
        ("uses_c.rego", "package c2" + header + "deny contains 1 if data.lib.c.h == input.x\n"),
        ("dynamic.rego", "package c3" + header + "deny contains 1 if data.lib[input.name]\n"),
        ("plain.rego", "package c4" + header + "deny contains 1 if input.x\n"),
    )
    libraries = ["lib/a.rego", "lib/b.rego", "lib/c.rego", "lib/d.rego"]
    assert libraries_needed(["uses_a.rego"], libraries, facts) == ["lib/a.rego", "lib/b.rego"]  # b through a
    assert libraries_needed(["uses_c.rego"], libraries, facts) == ["lib/c.rego"]
    assert libraries_needed(["dynamic.rego"], libraries, facts) == ["lib/a.rego", "lib/b.rego", "lib/c.rego"]
    assert libraries_needed(["plain.rego"], libraries, facts) == []
    assert libraries_needed(["not-in-the-ast.rego"], libraries, facts) == libraries  # unknown: everything


def test_calls_are_found_with_their_lines():
    facts = _facts(("m.rego", "package m\n\nimport rego.v1\n\nx if {\n\tcount(input.a) > 1\n\tdata.lib.k.quote(strings.reverse(input.b))\n}\n"))
    assert sorted(facts["m.rego"].calls) == [("count", 6), ("data.lib.k.quote", 7), ("strings.reverse", 7)]


def test_lanes_give_the_same_violations_as_one_engine():
    # The checks are spread over several small regorus engines for speed; how
    # they are split must never change what is found.
    from scanner.engine.inventory import build_inventory
    from scanner.sources.manifests import load_manifests

    load = load_manifests([str(REPO_ROOT / "examples" / "manifests")])
    objs = [r.obj for r in load.resources]
    policies = load_policies()
    found = {}
    for size in (1, 12, 1000):
        engine = EmbeddedEngine(workers=1, lane_size=size)
        engine.load(policies)
        evaluation = engine.evaluate(objs, build_inventory(load.resources))
        assert evaluation.failed_checks == {}
        found[size] = sorted((v.policy_id, v.resource_index, v.path or (), v.message) for v in evaluation.violations)
    assert found[1] == found[12] == found[1000]
    assert len({v[0] for v in found[1]}) > 20  # many checks, from many lanes, found something


def test_lane_plan_keeps_kinds_together_and_lanes_small():
    from scanner.engine.embedded import lane_plan

    policies = load_policies().policies
    lanes = lane_plan(policies, 12)
    assert sorted(p.id for lane in lanes for p in lane) == sorted(p.id for p in policies)
    for lane in lanes:
        assert len(lane) <= 12
        assert len({tuple(p.kinds) for p in lane}) == 1


def test_findings_are_sorted_exactly_by_their_sort_key():
    # sorted_findings memoises parts of Finding.sort_key; the order must be the same.
    import random

    from scanner.model import Finding
    from scanner.findings import sorted_findings
    from scanner.pipeline import ScanOptions, scan_manifests

    result = scan_manifests([str(REPO_ROOT / "examples" / "manifests")], ScanOptions(workers=1))
    shuffled = list(result.findings)
    random.Random(3).shuffle(shuffled)
    assert len(shuffled) > 50
    assert sorted_findings(shuffled) == sorted(shuffled, key=Finding.sort_key) == result.findings


def test_an_applies_rule_that_fails_marks_only_its_own_check(policy_dir):
    """The fast path answers violations and populations together; when one check's
    ``applies`` raises, the batch is re-run check by check, and only that check is
    reported as not having run: the other check's findings and population stay."""
    broken = PRIVILEGED + '\napplies if startswith(input.metadata.labels.tier, "web")\n'
    narrowed = PRIVILEGED + '\napplies if input.metadata.name != "d0"\n'
    engine = load(policy_dir, a=check_module("broken-applies", "t.a", broken), b=check_module("narrowed", "t.b", narrowed))
    resources = [deployment(f"d{i}", privileged=True) for i in range(3)]
    resources[1]["metadata"]["labels"] = {"tier": 7}  # startswith() on a number: regorus raises
    result = engine.evaluate(resources, {})
    assert "its applies rule could not be evaluated" in result.failed_checks["broken-applies"]
    assert "narrowed" not in result.failed_checks
    assert result.not_applicable["narrowed"] == {0}
    assert sorted(v.resource_index for v in result.violations if v.policy_id == "narrowed") == [0, 1, 2]


def test_the_fast_path_gives_populations_and_findings_of_every_check_in_a_lane(policy_dir):
    narrowed = PRIVILEGED + '\napplies if input.metadata.name != "d3"\n'
    engine = load(policy_dir, a=check_module("plain", "t.a", PRIVILEGED), b=check_module("narrowed", "t.b", narrowed))
    resources = [deployment(f"d{i}", privileged=(i % 2 == 1)) for i in range(6)]
    result = engine.evaluate(resources, {})
    assert result.failed_checks == {}
    assert result.not_applicable == {"narrowed": {3}}
    found = sorted((v.policy_id, v.resource_index) for v in result.violations)
    assert found == [("narrowed", 1), ("narrowed", 3), ("narrowed", 5), ("plain", 1), ("plain", 3), ("plain", 5)]
