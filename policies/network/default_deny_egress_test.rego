package kubecomply.network.default_deny_egress_test

import rego.v1

import data.kubecomply.network.default_deny_egress as check

_ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}

_inv(spec) := {"namespace": {"shop": {"networking.k8s.io/v1": {"NetworkPolicy": {"p": {"kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}}}}}}

_passes(spec) if {
	count(check.deny) == 0 with input as _ns with data.inventory as _inv(spec)
}

_fails(spec) if {
	count(check.deny) == 1 with input as _ns with data.inventory as _inv(spec)
}

test_pass_default_deny if {
	_passes({"podSelector": {}, "policyTypes": ["Egress"]})
	_passes({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
	_passes({"podSelector": {"matchLabels": {}}, "policyTypes": ["Egress"], "egress": []})
	_passes({"podSelector": null, "policyTypes": ["Egress"]})
	_passes({"policyTypes": ["Egress"], "ingress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]})
}

test_fail_no_policy if {
	results := check.deny with input as _ns with data.inventory as {"namespace": {"shop": {}}}
	count(results) == 1
	some r in results
	r.path == ["metadata", "name"]
	r.msg == `no NetworkPolicy in namespace "shop" among the scanned resources denies all egress traffic (podSelector: {}, Egress in policyTypes, no egress rules)`
	count(check.deny) == 1 with input as _ns
}

test_fail_policy_selects_some_pods if {
	_fails({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"]})
	_fails({"podSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}, "policyTypes": ["Egress"]})
}

test_fail_policy_has_rules if {
	_fails({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{}]})
	_fails({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"ports": [{"port": 443}]}]})
}

test_fail_direction_not_in_policy_types if {
	_fails({"podSelector": {}, "policyTypes": ["Ingress"]})
}

test_fail_policy_in_other_namespace if {
	inv := {"namespace": {"payments": {"networking.k8s.io/v1": {"NetworkPolicy": {"p": {"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}}}}}}
	count(check.deny) == 1 with input as _ns with data.inventory as inv
}

test_malformed_spec_is_not_default_deny if {
	_fails("x")
	_fails({"podSelector": "all", "policyTypes": ["Egress"]})
}

# Without policyTypes, Egress applies only when there are egress rules.
test_fail_policy_types_unset if {
	_fails({"podSelector": {}})
	_fails({"podSelector": {}, "egress": []})
}
