package kubecomply.network.allow_all_network_policy_test

import rego.v1

import data.kubecomply.network.allow_all_network_policy as check

_np(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec}

test_pass_specific_rules if {
	count(check.deny) == 0 with input as _np({
		"podSelector": {"matchLabels": {"app": "web"}},
		"policyTypes": ["Ingress", "Egress"],
		"ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}], "ports": [{"port": 8080}]}],
		"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}, {"ports": [{"port": 53, "protocol": "UDP"}]}],
	})
}

test_pass_default_deny if {
	count(check.deny) == 0 with input as _np({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
}

test_fail_empty_ingress_rule if {
	results := check.deny with input as _np({"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}, {}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "ingress", 1]
	r.msg == `NetworkPolicy "web": ingress rule 1 has no from and no ports, so it allows all ingress traffic for the pods it selects`
}

test_fail_empty_egress_rule if {
	results := check.deny with input as _np({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [], "ports": []}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "egress", 0]
}

test_fail_null_rule if {
	count(check.deny) == 1 with input as _np({"podSelector": {}, "ingress": [null]})
}

test_fail_any_address_ip_block if {
	count(check.deny) == 1 with input as _np({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]})
	count(check.deny) == 1 with input as _np({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "::/0"}}]}]})
	count(check.deny) == 0 with input as _np({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}]}]})
	count(check.deny) == 0 with input as _np({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"port": 443}]}]})
}

# Rules of a direction missing from policyTypes are not enforced.
test_unenforced_direction_ignored if {
	count(check.deny) == 0 with input as _np({"podSelector": {}, "policyTypes": ["Ingress"], "egress": [{}]})
	count(check.deny) == 0 with input as _np({"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]})
}

test_malformed_rules_ignored if {
	count(check.deny) == 0 with input as _np({"podSelector": {}, "ingress": {"from": []}})
	count(check.deny) == 0 with input as _np({"podSelector": {}, "ingress": ["x", 3]})
	count(check.deny) == 0 with input as {"kind": "NetworkPolicy", "metadata": {"name": "x"}}
}
