package kubecomply.platform.istio_mtls_strict_test

import rego.v1

import data.kubecomply.platform.istio_mtls_strict as check

_pa(ns, spec) := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": ns}, "spec": spec}

test_pass_strict if {
	count(check.deny) == 0 with input as _pa("istio-system", {"mtls": {"mode": "STRICT"}})
	count(check.deny) == 0 with input as _pa("shop", {"mtls": {"mode": "STRICT"}, "portLevelMtls": {"8080": {"mode": "STRICT"}}})
}

# Outside the root namespace, an unset mode inherits the namespace or mesh policy.
test_pass_unset_inherits if {
	count(check.deny) == 0 with input as _pa("shop", {"selector": {"matchLabels": {"app": "web"}}})
	count(check.deny) == 0 with input as _pa("shop", {"mtls": {"mode": "UNSET"}})
}

test_fail_permissive if {
	results := check.deny with input as _pa("shop", {"mtls": {"mode": "PERMISSIVE"}})
	count(results) == 1
	some r in results
	r.path == ["spec", "mtls", "mode"]
}

test_fail_port_level_disable if {
	results := check.deny with input as _pa("shop", {"mtls": {"mode": "STRICT"}, "portLevelMtls": {"9090": {"mode": "DISABLE"}}})
	count(results) == 1
	some r in results
	r.path == ["spec", "portLevelMtls", "9090", "mode"]
	contains(r.msg, "9090")
}

test_fail_mesh_wide_unset if {
	results := check.deny with input as _pa("istio-system", {})
	count(results) == 1
	some r in results
	r.path == ["spec"]
	count(check.deny) == 1 with input as _pa("istio-system", {"mtls": {"mode": "UNSET"}})
}

test_mesh_namespace_with_selector_is_a_workload_policy if {
	count(check.deny) == 0 with input as _pa("istio-system", {"selector": {"matchLabels": {"app": "istio-ingressgateway"}}})
}

test_other_api_groups_ignored if {
	count(check.deny) == 0 with input as {"apiVersion": "example.com/v1", "kind": "PeerAuthentication", "metadata": {"name": "x", "namespace": "istio-system"}, "spec": {"mtls": {"mode": "DISABLE"}}}
	count(check.deny) == 0 with input as {"kind": "PeerAuthentication", "metadata": {"name": "x"}, "spec": {"portLevelMtls": ["x"]}}
	count(check.deny) == 0 with input as {"apiVersion": 1, "kind": "PeerAuthentication", "metadata": {"name": "x", "namespace": "istio-system"}}
	count(check.deny) == 1 with input as _pa("istio-system", {"selector": {"matchLabels": "x"}, "mtls": {"mode": "UNSET"}})
}

# Population: Istio PeerAuthentications; the same kind from another group is not applicable.
test_applies_to_istio_peer_authentication if {
	check.applies with input as _pa("shop", {"mtls": {"mode": "STRICT"}})
}

test_not_applicable_to_other_groups if {
	other := {"apiVersion": "security.example.com/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "istio-system"}, "spec": {"mtls": {"mode": "DISABLE"}}}
	not check.applies with input as other
	count(check.deny) == 0 with input as other
	not check.applies with input as {"kind": "PeerAuthentication", "metadata": {"name": "x"}}
}
