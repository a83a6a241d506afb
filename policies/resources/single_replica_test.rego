package kubecomply.resources.single_replica_test

import rego.v1

import data.kubecomply.resources.single_replica as check

_deploy(replicas) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "app"}]}}}}

_hpa(target, min) := {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target}, "minReplicas": min, "maxReplicas": 10}}

_inventory(hpa) := {"namespace": {"shop": {"autoscaling/v2": {"HorizontalPodAutoscaler": {"web": hpa}}}}}

test_pass_two_replicas if {
	count(check.deny) == 0 with input as _deploy(2)
}

test_pass_scaled_to_zero if {
	count(check.deny) == 0 with input as _deploy(0)
}

test_fail_one_replica if {
	results := check.deny with input as _deploy(1)
	count(results) == 1
	some r in results
	r.path == ["spec", "replicas"]
	contains(r.msg, `Deployment "web" runs 1 replica`)
}

test_fail_replicas_unset if {
	results := check.deny with input as {"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"serviceName": "db"}}
	count(results) == 1
	some r in results
	r.path == ["spec"]
	contains(r.msg, "does not set spec.replicas")
}

test_fail_replicas_null_and_no_spec if {
	count(check.deny) == 1 with input as _deploy(null)
	some r in check.deny with input as {"kind": "Deployment", "metadata": {"name": "x"}}
	r.path == []
}

test_pass_hpa_keeps_two if {
	count(check.deny) == 0 with input as _deploy(1) with data.inventory as _inventory(_hpa("web", 2))
	count(check.deny) == 0 with input as object.remove(_deploy(1), ["spec"]) with data.inventory as _inventory(_hpa("web", 3))
}

# minReplicas defaults to 1; another target, or another namespace, does not count.
test_fail_hpa_that_allows_one_or_targets_another if {
	count(check.deny) == 1 with input as _deploy(1) with data.inventory as _inventory(object.remove(_hpa("web", 2), ["spec"]))
	count(check.deny) == 1 with input as _deploy(1) with data.inventory as _inventory(_hpa("web", 1))
	count(check.deny) == 1 with input as _deploy(1) with data.inventory as _inventory(_hpa("api", 5))
	count(check.deny) == 1 with input as _deploy(1) with data.inventory as {"namespace": {"other": {"autoscaling/v2": {"HorizontalPodAutoscaler": {"web": _hpa("web", 5)}}}}}
}

test_namespace_less_workload_uses_cluster_bucket if {
	d := object.remove(_deploy(1), ["metadata"])
	dd := object.union(d, {"metadata": {"name": "web"}})
	count(check.deny) == 0 with input as dd with data.inventory as {"cluster": {"autoscaling/v1": {"HorizontalPodAutoscaler": {"web": _hpa("web", 2)}}}}
	count(check.deny) == 1 with input as dd with data.inventory as _inventory(_hpa("web", 2))
}
