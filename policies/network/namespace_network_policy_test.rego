package kubecomply.network.namespace_network_policy_test

import rego.v1

import data.kubecomply.network.namespace_network_policy as check

_ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}

_np := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-all", "namespace": "shop"}, "spec": {"podSelector": {}}}

test_pass_policy_in_namespace if {
	count(check.deny) == 0 with input as _ns with data.inventory as {"namespace": {"shop": {"networking.k8s.io/v1": {"NetworkPolicy": {"deny-all": _np}}}}}
}

test_pass_legacy_api_version if {
	count(check.deny) == 0 with input as _ns with data.inventory as {"namespace": {"shop": {"extensions/v1beta1": {"NetworkPolicy": {"deny-all": _np}}}}}
}

test_fail_no_policy if {
	results := check.deny with input as _ns with data.inventory as {"namespace": {"shop": {"v1": {"Service": {"web": {}}}}}}
	count(results) == 1
	some r in results
	r.msg == `no NetworkPolicy in namespace "shop" among the scanned resources`
	r.path == ["metadata", "name"]
}

test_fail_policy_only_in_other_namespace if {
	count(check.deny) == 1 with input as _ns with data.inventory as {"namespace": {"payments": {"networking.k8s.io/v1": {"NetworkPolicy": {"deny-all": _np}}}}}
	count(check.deny) == 1 with input as _ns
}
