package kubecomply.hardening.net_raw_capability_test

import rego.v1

import data.kubecomply.hardening.net_raw_capability as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_drop_all_or_net_raw if {
	count(check.deny) == 0 with input as _deploy({
		"initContainers": [{"name": "i", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}],
		"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}],
	})
}

test_fail_no_security_context if {
	results := check.deny with input as _deploy({"containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0]
}

test_fail_drop_other_capability if {
	results := check.deny with input as _pod({"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["SYS_ADMIN"]}}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "securityContext", "capabilities", "drop"]
}

# Dropping ALL and adding NET_RAW back grants it again.
test_fail_added_back if {
	results := check.deny with input as _pod({"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["CHOWN", "NET_RAW"]}}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "securityContext", "capabilities", "add", 1]
	contains(r.msg, "NET_RAW")
}

test_fail_add_all_and_cap_prefix if {
	results := check.deny with input as _pod({"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["ALL", "CAP_NET_RAW"]}}}]})
	count(results) == 2
}

test_fail_ephemeral_container if {
	sc := {"capabilities": {"drop": ["ALL"]}}
	results := check.deny with input as _pod({"containers": [{"name": "app", "securityContext": sc}], "ephemeralContainers": [{"name": "debug"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "ephemeralContainers", 0]
}

test_windows_pod_exempt if {
	count(check.deny) == 0 with input as _pod({"os": {"name": "windows"}, "containers": [{"name": "app"}]})
}

test_malformed_capabilities if {
	results := check.deny with input as _pod({"containers": [
		{"name": "a", "securityContext": {"capabilities": {"drop": "ALL"}}},
		{"name": "b", "securityContext": {"capabilities": {"drop": ["ALL"], "add": "NET_RAW"}}},
		{"name": "c", "securityContext": {"capabilities": null}},
	]})
	{r.path | some r in results} == {
		["spec", "containers", 0, "securityContext", "capabilities", "drop"],
		["spec", "containers", 2, "securityContext", "capabilities"],
	}
}

# Population: workloads whose pods run Linux; Windows pods are not applicable.
test_applies_to_linux_pods if {
	check.applies with input as {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]}}
	check.applies with input as {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"os": {"name": "linux"}, "containers": [{"name": "app"}]}}}}
}

test_not_applicable_to_windows_pods if {
	win := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"os": {"name": "windows"}, "containers": [{"name": "app"}]}}}}
	not check.applies with input as win
	count(check.deny) == 0 with input as win
	not check.applies with input as {"kind": "Deployment", "metadata": {"name": "no-template"}, "spec": {}}
}
