package kubecomply.network.loadbalancer_source_ranges_test

import rego.v1

import data.kubecomply.network.loadbalancer_source_ranges as check

_svc(spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": spec}

_annotated(annotations, spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "annotations": annotations}, "spec": spec}

test_pass_source_ranges if {
	count(check.deny) == 0 with input as _svc({"type": "LoadBalancer", "loadBalancerSourceRanges": ["203.0.113.0/24"]})
}

test_pass_other_types if {
	count(check.deny) == 0 with input as _svc({"type": "ClusterIP"})
	count(check.deny) == 0 with input as _svc({"type": "NodePort"})
	count(check.deny) == 0 with input as _svc({})
}

test_fail_no_source_ranges if {
	results := check.deny with input as _svc({"type": "LoadBalancer", "ports": [{"port": 443}]})
	count(results) == 1
	some r in results
	r.path == ["spec"]
	r.msg == `LoadBalancer Service "web" does not set spec.loadBalancerSourceRanges, so any address can connect`
	count(check.deny) == 1 with input as _svc({"type": "LoadBalancer", "loadBalancerSourceRanges": []})
	count(check.deny) == 1 with input as _svc({"type": "LoadBalancer", "loadBalancerSourceRanges": null})
}

test_fail_any_address_range if {
	results := check.deny with input as _svc({"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8", "0.0.0.0/0"]})
	count(results) == 1
	some r in results
	r.path == ["spec", "loadBalancerSourceRanges", 1]
}

test_pass_internal_load_balancers if {
	lb := {"type": "LoadBalancer"}
	count(check.deny) == 0 with input as _annotated({"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"}, lb)
	count(check.deny) == 0 with input as _annotated({"networking.gke.io/load-balancer-type": "Internal"}, lb)
	count(check.deny) == 0 with input as _annotated({"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}, lb)
}

test_fail_internal_annotation_false if {
	count(check.deny) == 1 with input as _annotated({"service.beta.kubernetes.io/azure-load-balancer-internal": "false"}, {"type": "LoadBalancer"})
	count(check.deny) == 1 with input as _annotated({"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing", "x": 1}, {"type": "LoadBalancer"})
}

test_legacy_annotation_counts if {
	count(check.deny) == 0 with input as _annotated({"service.beta.kubernetes.io/load-balancer-source-ranges": "203.0.113.0/24"}, {"type": "LoadBalancer"})
	count(check.deny) == 1 with input as _annotated({"service.beta.kubernetes.io/load-balancer-source-ranges": " "}, {"type": "LoadBalancer"})
}

# Population: Services of type LoadBalancer, internal ones included.
test_applies_to_load_balancers if {
	check.applies with input as _svc({"type": "LoadBalancer"})
	check.applies with input as _annotated({"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}, {"type": "LoadBalancer"})
}

test_not_applicable_to_other_service_types if {
	not check.applies with input as _svc({"type": "ClusterIP"})
	not check.applies with input as _svc({"type": "NodePort", "loadBalancerSourceRanges": ["0.0.0.0/0"]})
	count(check.deny) == 0 with input as _svc({"type": "NodePort", "loadBalancerSourceRanges": ["0.0.0.0/0"]})
	not check.applies with input as _svc({})
}
