"""The engine hands cross-resource checks only the kinds they name, and everything to checks we did not write."""

from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import REPO_ROOT, check_module, write
from scanner.cli import main
from scanner.engine.inventory_kinds import inventory_kinds, trim_inventory
import pytest

from scanner.policies import PolicyError, load_policies

INVENTORY = {
    "namespace": {"shop": {"v1": {"ServiceAccount": {"web": {}}, "ConfigMap": {"c": {}}}, "apps/v1": {"Deployment": {"d": {}}}}},
    "cluster": {"v1": {"Namespace": {"shop": {}}}},
}


def test_the_engine_keeps_the_kinds_the_loaded_checks_read():
    kinds = inventory_kinds(load_policies())
    assert kinds == {
        "NetworkPolicy", "PodDisruptionBudget", "HorizontalPodAutoscaler", "ServiceAccount", "ResourceQuota", "LimitRange", "Schedule",
        # namespace-network-policy, where the cluster serves them (custom.reads_if_served)
        "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "GlobalNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy",
    }


def test_a_library_module_reading_the_inventory_gets_everything(tmp_path):
    write(tmp_path, "lib.rego", "package mylib\nimport rego.v1\nall_objects contains o if { some _, v in data.inventory.cluster; some _, objs in v; some o in objs }\n")
    assert inventory_kinds(load_policies([tmp_path])) is None
    assert trim_inventory(INVENTORY, None) is INVENTORY


def test_a_check_reading_the_inventory_must_say_which_kinds(tmp_path):
    body = 'deny contains "x" if { not data.inventory.namespace[input.metadata.namespace] }'
    write(tmp_path, "c.rego", check_module("no-reads", "t.noreads", body))
    with pytest.raises(PolicyError, match="add custom.reads"):
        load_policies([tmp_path])


def test_trim_keeps_only_named_kinds_and_drops_empty_versions():
    assert trim_inventory(INVENTORY, {"ServiceAccount"}) == {"namespace": {"shop": {"v1": {"ServiceAccount": {"web": {}}}}}, "cluster": {}}


def test_trimmed_inventory_gives_the_same_scan_as_the_whole_one(monkeypatch):
    runner = CliRunner()
    args = ["scan", "manifests", str(REPO_ROOT / "examples" / "manifests"), "-f", "json"]
    trimmed = json.loads(runner.invoke(main, args).stdout)
    monkeypatch.setattr("scanner.engine.embedded.inventory_kinds", lambda modules: None)
    whole = json.loads(runner.invoke(main, args).stdout)
    assert trimmed["findings"] == whole["findings"]
    assert trimmed["frameworks"] == whole["frameworks"]
    flagged = {f["policy"] for f in whole["findings"]}
    assert {"pdb-coverage", "namespace-network-policy", "automount-sa-token"} <= flagged
    # shop keeps its NetworkPolicies in another file: the trimmed inventory must still hold them
    netpol = sorted(f["resource"]["name"] for f in trimmed["findings"] if f["policy"] == "namespace-network-policy")
    assert "shop" not in netpol and netpol


def test_user_check_walking_the_inventory_sees_every_kind_it_reads(tmp_path):
    body = """
deny contains {"msg": sprintf("%d objects", [n]), "path": ["metadata"]} if {
\tn := count([o | some _, kinds in data.inventory.namespace[input.metadata.namespace]; some _, objs in kinds; some o in objs])
\tn > 0
}
"""
    write(tmp_path / "policies", "walk.rego", check_module("walk-inventory", "t.walk", body, kinds="[Deployment]", reads="[ConfigMap, Deployment]"))
    write(tmp_path / "k8s", "a.yaml", """
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: shop}
""")
    run = CliRunner().invoke(main, ["scan", "manifests", str(tmp_path / "k8s"), "--policy-dir", str(tmp_path / "policies"), "-f", "json"])
    doc = json.loads(run.stdout)
    (finding,) = [f for f in doc["findings"] if f["policy"] == "walk-inventory"]
    assert finding["message"] == "2 objects"
