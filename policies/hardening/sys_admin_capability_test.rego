package kubecomply.hardening.sys_admin_capability_test

import rego.v1

import data.kubecomply.hardening.sys_admin_capability as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_ds(spec) := {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_other_capabilities if {
	count(check.deny) == 0 with input as _ds({"containers": [
		{"name": "app", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["SYS_ADMIN"]}}},
		{"name": "b"},
	]})
}

test_fail_sys_admin if {
	results := check.deny with input as _ds({"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["CHOWN", "SYS_ADMIN"]}}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", 1]
	contains(r.msg, `container "app"`)
}

test_fail_init_container_all if {
	results := check.deny with input as _pod({"initContainers": [{"name": "i", "securityContext": {"capabilities": {"add": ["ALL"]}}}], "containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "initContainers", 0, "securityContext", "capabilities", "add", 0]
}

test_fail_cap_prefix if {
	count(check.deny) == 1 with input as _pod({"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["CAP_SYS_ADMIN"]}}}]})
}

test_malformed_add if {
	count(check.deny) == 0 with input as _pod({"containers": [
		{"name": "a", "securityContext": {"capabilities": {"add": "SYS_ADMIN"}}},
		{"name": "b", "securityContext": {"capabilities": {"add": [null, 1, {"x": "SYS_ADMIN"}]}}},
	]})
}
