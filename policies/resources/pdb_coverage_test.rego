package kubecomply.resources.pdb_coverage_test

import rego.v1

import data.kubecomply.resources.pdb_coverage as check

_labels := {"app": "web", "tier": "frontend"}

_deploy(replicas) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": replicas, "template": {"metadata": {"labels": _labels}, "spec": {"containers": [{"name": "app"}]}}}}

_pdb(selector) := {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"maxUnavailable": 1, "selector": selector}}

_inv(version, pdb) := {"namespace": {"shop": {version: {"PodDisruptionBudget": {"web": pdb}}}}}

_covered(selector) if {
	count(check.deny) == 0 with input as _deploy(3) with data.inventory as _inv("policy/v1", _pdb(selector))
}

_uncovered(selector) if {
	count(check.deny) == 1 with input as _deploy(3) with data.inventory as _inv("policy/v1", _pdb(selector))
}

test_pass_match_labels if {
	_covered({"matchLabels": {"app": "web"}})
	_covered({"matchLabels": {"app": "web", "tier": "frontend"}})
}

test_fail_no_pdb if {
	results := check.deny with input as _deploy(3) with data.inventory as {"namespace": {"shop": {}}}
	count(results) == 1
	some r in results
	r.path == ["spec", "replicas"]
	r.msg == `Deployment "web" runs 3 replicas but no PodDisruptionBudget in namespace "shop" among the scanned resources selects its pod labels`
}

test_fail_no_inventory if {
	count(check.deny) == 1 with input as _deploy(2)
}

test_fail_pdb_selects_other_pods if {
	_uncovered({"matchLabels": {"app": "api"}})
	_uncovered({"matchLabels": {"app": "web", "tier": "backend"}})
	_uncovered({"matchLabels": {"app": "web", "missing": "x"}})
}

test_fail_pdb_in_other_namespace if {
	count(check.deny) == 1 with input as _deploy(2) with data.inventory as {"namespace": {"other": {"policy/v1": {"PodDisruptionBudget": {"web": _pdb({})}}}}}
}

test_match_expressions if {
	_covered({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]})
	_uncovered({"matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}]})
	_covered({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]})
	_covered({"matchExpressions": [{"key": "absent", "operator": "NotIn", "values": ["x"]}]})
	_uncovered({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]})
	_covered({"matchExpressions": [{"key": "tier", "operator": "Exists"}]})
	_uncovered({"matchExpressions": [{"key": "absent", "operator": "Exists"}]})
	_covered({"matchExpressions": [{"key": "absent", "operator": "DoesNotExist"}]})
	_uncovered({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]})
	_covered({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend"]}]})
	_uncovered({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["backend"]}]})
	_uncovered({"matchExpressions": [{"key": "app", "operator": "Bogus", "values": ["web"]}]})
	_uncovered({"matchExpressions": [{"key": "app", "operator": "In", "values": "web"}]})
}

# policy/v1: an empty selector selects every pod of the namespace; null selects none.
test_empty_and_null_selectors_v1 if {
	_covered({})
	_covered({"matchLabels": {}})
	_uncovered(null)
	count(check.deny) == 1 with input as _deploy(3) with data.inventory as _inv("policy/v1", object.remove(_pdb({}), ["spec"]))
}

# policy/v1beta1: an empty selector selects nothing.
test_empty_selector_v1beta1 if {
	beta := object.union(_pdb({}), {"apiVersion": "policy/v1beta1"})
	count(check.deny) == 1 with input as _deploy(3) with data.inventory as _inv("policy/v1beta1", beta)
	beta_labels := object.union(_pdb({"matchLabels": {"app": "web"}}), {"apiVersion": "policy/v1beta1"})
	count(check.deny) == 0 with input as _deploy(3) with data.inventory as _inv("policy/v1beta1", beta_labels)
}

test_single_or_unset_replicas_not_checked if {
	count(check.deny) == 0 with input as _deploy(1)
	count(check.deny) == 0 with input as _deploy(null)
	count(check.deny) == 0 with input as _deploy("3")
	count(check.deny) == 0 with input as {"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {}}
}

test_hpa_min_replicas_makes_it_replicated if {
	hpa := {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "h", "namespace": "shop"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 2, "maxReplicas": 5}}
	inv := {"namespace": {"shop": {"autoscaling/v2": {"HorizontalPodAutoscaler": {"h": hpa}}}}}
	results := check.deny with input as _deploy(null) with data.inventory as inv
	count(results) == 1
	some r in results
	contains(r.msg, "kept at 2 or more replicas by a HorizontalPodAutoscaler")
	r.path == ["spec", "replicas"]
	inv2 := object.union(inv, {"namespace": {"shop": {"policy/v1": {"PodDisruptionBudget": {"web": _pdb({"matchLabels": {"app": "web"}})}}}}})
	count(check.deny) == 0 with input as _deploy(null) with data.inventory as inv2
}

test_namespace_less_objects_use_cluster_bucket if {
	d := object.union(_deploy(2), {"metadata": {"name": "web", "namespace": null}})
	results := check.deny with input as d with data.inventory as {}
	some r in results
	contains(r.msg, "in the objects without a namespace among the scanned resources")
	count(check.deny) == 0 with input as d with data.inventory as {"cluster": {"policy/v1": {"PodDisruptionBudget": {"web": _pdb({})}}}}
}

test_workload_without_template_labels if {
	d := {"kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "app"}]}}}}
	count(check.deny) == 0 with input as d with data.inventory as _inv("policy/v1", _pdb({}))
	count(check.deny) == 1 with input as d with data.inventory as _inv("policy/v1", _pdb({"matchLabels": {"app": "web"}}))
}

# Population: workloads that run two or more replicas (spec.replicas or an HPA).
test_applies_to_replicated_workloads if {
	check.applies with input as _deploy(2) with data.inventory as {"namespace": {}}
	hpa := {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "h", "namespace": "shop"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 3, "maxReplicas": 5}}
	check.applies with input as _deploy(1) with data.inventory as {"namespace": {"shop": {"autoscaling/v2": {"HorizontalPodAutoscaler": {"h": hpa}}}}}
}

test_not_applicable_to_single_replicas if {
	not check.applies with input as _deploy(1) with data.inventory as {"namespace": {}}
	count(check.deny) == 0 with input as _deploy(1) with data.inventory as {"namespace": {}}
	not check.applies with input as _deploy(null) with data.inventory as {"namespace": {}}
	not check.applies with input as _deploy("3") with data.inventory as {"namespace": {}}
	hpa := {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "h", "namespace": "shop"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5}}
	not check.applies with input as _deploy(1) with data.inventory as {"namespace": {"shop": {"autoscaling/v2": {"HorizontalPodAutoscaler": {"h": hpa}}}}}
}
