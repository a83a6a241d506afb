package kubecomply.pod_security.unsafe_sysctls_test

import rego.v1

import data.kubecomply.pod_security.unsafe_sysctls as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_safe_including_v1_37_additions if {
	sysctls := [
		{"name": "net.ipv4.tcp_syncookies", "value": "1"},
		{"name": "net.ipv4.tcp_slow_start_after_idle", "value": "0"},
		{"name": "net.ipv4.tcp_notsent_lowat", "value": "16384"},
		{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 16777216"},
	]
	count(check.deny) == 0 with input as _deploy({"securityContext": {"sysctls": sysctls}, "containers": [{"name": "app"}]})
}

test_fail_unsafe_sysctl if {
	sysctls := [{"name": "kernel.shm_rmid_forced", "value": "0"}, {"name": "kernel.msgmax", "value": "1"}]
	results := check.deny with input as _deploy({"securityContext": {"sysctls": sysctls}, "containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "securityContext", "sysctls", 1, "name"]
	contains(r.msg, "kernel.msgmax")
}

test_fail_net_core_somaxconn_pod if {
	count(check.deny) == 1 with input as _pod({"securityContext": {"sysctls": [{"name": "net.core.somaxconn", "value": "1024"}]}, "containers": [{"name": "app"}]})
}

# Sysctls that are not a list are ignored; an entry that is not an object, or
# has no name, is reported with the name "".
test_malformed_sysctls if {
	count(check.deny) == 0 with input as _pod({"securityContext": {"sysctls": {"name": "kernel.msgmax"}}, "containers": [{"name": "app"}]})
	results := check.deny with input as _pod({"securityContext": {"sysctls": ["x", {"value": "1"}, {"name": null}]}, "containers": [{"name": "app"}]})
	{[r.msg, r.path] | some r in results} == {
		[`pod sets the unsafe sysctl "" in securityContext.sysctls`, ["spec", "securityContext", "sysctls", 0]],
		[`pod sets the unsafe sysctl "" in securityContext.sysctls`, ["spec", "securityContext", "sysctls", 1]],
		[`pod sets the unsafe sysctl null in securityContext.sysctls`, ["spec", "securityContext", "sysctls", 2, "name"]],
	}
}
