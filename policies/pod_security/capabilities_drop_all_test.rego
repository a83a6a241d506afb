package kubecomply.pod_security.capabilities_drop_all_test

import rego.v1

import data.kubecomply.pod_security.capabilities_drop_all as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_drop_all_add_net_bind if {
	sc := {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}
	count(check.deny) == 0 with input as _deploy({"initContainers": [{"name": "i", "securityContext": sc}], "containers": [{"name": "app", "securityContext": sc}]})
}

test_fail_missing_drop if {
	results := check.deny with input as _deploy({"containers": [{"name": "app", "securityContext": {"capabilities": {}}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities"]
}

test_fail_drop_without_all if {
	results := check.deny with input as _pod({"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}]})
	some r in results
	r.path == ["spec", "containers", 0, "securityContext", "capabilities", "drop"]
}

test_fail_add_chown if {
	results := check.deny with input as _pod({"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "CHOWN"]}}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "securityContext", "capabilities", "add", 1]
}

test_fail_ephemeral_container_without_security_context if {
	sc := {"capabilities": {"drop": ["ALL"]}}
	results := check.deny with input as _pod({"containers": [{"name": "app", "securityContext": sc}], "ephemeralContainers": [{"name": "dbg"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "ephemeralContainers", 0]
}

test_windows_pod_exempt if {
	count(check.deny) == 0 with input as _pod({"os": {"name": "windows"}, "containers": [{"name": "app"}]})
}

# Only a list can drop ALL: an object or string `drop` does not, and an
# object or string `add` adds nothing.
test_malformed_drop_and_add if {
	results := check.deny with input as _pod({"containers": [
		{"name": "a", "securityContext": {"capabilities": {"drop": {"x": "ALL"}, "add": {"x": "SYS_ADMIN"}}}},
		{"name": "b", "securityContext": {"capabilities": {"drop": "ALL", "add": "SYS_ADMIN"}}},
		{"name": "c", "securityContext": {"capabilities": null}},
		{"name": "d", "securityContext": {"capabilities": {"drop": ["ALL"], "add": [null, 3]}}},
	]})
	{r.path | some r in results} == {
		["spec", "containers", 0, "securityContext", "capabilities", "drop"],
		["spec", "containers", 1, "securityContext", "capabilities", "drop"],
		["spec", "containers", 2, "securityContext", "capabilities"],
		["spec", "containers", 3, "securityContext", "capabilities", "add", 0],
		["spec", "containers", 3, "securityContext", "capabilities", "add", 1],
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
