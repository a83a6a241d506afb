package kubecomply.pod_security.baseline_capabilities_test

import rego.v1

import data.kubecomply.pod_security.baseline_capabilities as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_ds(spec) := {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_default_set if {
	count(check.deny) == 0 with input as _ds({"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE", "CHOWN", "SYS_CHROOT"], "drop": ["ALL"]}}}]})
}

test_fail_sys_admin if {
	results := check.deny with input as _ds({"containers": [{"name": "app", "securityContext": {"capabilities": {"add": ["CHOWN", "SYS_ADMIN"]}}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", 1]
	contains(r.msg, "SYS_ADMIN")
}

test_fail_net_raw_ephemeral if {
	results := check.deny with input as _pod({"containers": [{"name": "app"}], "ephemeralContainers": [{"name": "dbg", "securityContext": {"capabilities": {"add": ["NET_RAW"]}}}]})
	count(results) == 1
}

test_drop_only_is_fine if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}}]})
}

# Only a list of added capabilities is checked.
test_malformed_add_is_ignored if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "a", "securityContext": {"capabilities": {"add": {"x": "SYS_ADMIN"}}}}, {"name": "b", "securityContext": {"capabilities": "SYS_ADMIN"}}, {"name": "c", "securityContext": "x"}]})
}
