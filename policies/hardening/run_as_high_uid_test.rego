package kubecomply.hardening.run_as_high_uid_test

import rego.v1

import data.kubecomply.hardening.run_as_high_uid as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_sts(spec) := {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": {"spec": spec}}}

test_pass_pod_level_high_uid if {
	count(check.deny) == 0 with input as _sts({"securityContext": {"runAsUser": 10001}, "initContainers": [{"name": "i"}], "containers": [{"name": "app"}]})
}

test_pass_container_level_high_uid if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app", "securityContext": {"runAsUser": 65532}}]})
}

test_fail_unset if {
	results := check.deny with input as _sts({"containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0]
	contains(r.msg, "sets no runAsUser")
}

test_fail_container_low if {
	results := check.deny with input as _pod({"securityContext": {"runAsUser": 20000}, "containers": [{"name": "app", "securityContext": {"runAsUser": 1000}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "securityContext", "runAsUser"]
	contains(r.msg, "1000")
}

# A low pod-level UID is reported once for each container that inherits it;
# a container that overrides it with a high UID passes.
test_fail_pod_low_inherited_and_override if {
	results := check.deny with input as _pod({
		"securityContext": {"runAsUser": 0},
		"initContainers": [{"name": "i"}],
		"containers": [{"name": "app", "securityContext": {"runAsUser": 10001}}],
	})
	count(results) == 1
	some r in results
	r.path == ["spec", "securityContext", "runAsUser"]
	contains(r.msg, `init container "i"`)
}

# A high pod-level UID does not excuse a container that overrides it with a low one.
test_fail_container_override_low if {
	results := check.deny with input as _pod({"securityContext": {"runAsUser": 10001}, "containers": [{"name": "app", "securityContext": {"runAsUser": 999}}]})
	count(results) == 1
}

test_fail_boundary if {
	count(check.deny) == 1 with input as _pod({"containers": [{"name": "app", "securityContext": {"runAsUser": 9999}}]})
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app", "securityContext": {"runAsUser": 10000}}]})
}

test_exempt_user_namespace_and_windows if {
	count(check.deny) == 0 with input as _pod({"hostUsers": false, "containers": [{"name": "app"}]})
	count(check.deny) == 0 with input as _pod({"os": {"name": "windows"}, "containers": [{"name": "app"}]})
}

# Values that are not numbers count as unset; the pod value is used instead.
test_malformed_values if {
	results := check.deny with input as _pod({"securityContext": {"runAsUser": 10001}, "containers": [{"name": "a", "securityContext": {"runAsUser": "0"}}, {"name": "b", "securityContext": null}]})
	count(results) == 0
	results2 := check.deny with input as _pod({"securityContext": "x", "containers": [{"name": "a", "securityContext": {"runAsUser": null}}]})
	count(results2) == 1
}

# Population: Linux pods in the node's user namespace.
test_applies_to_linux_pods_in_the_host_user_namespace if {
	check.applies with input as {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]}}
	check.applies with input as {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"os": {"name": "linux"}, "hostUsers": true, "containers": [{"name": "app"}]}}
}

test_not_applicable_to_windows_or_user_namespaced_pods if {
	userns := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostUsers": false, "containers": [{"name": "app", "securityContext": {"runAsUser": 0, "runAsGroup": 0}}]}}
	not check.applies with input as userns
	count(check.deny) == 0 with input as userns
	win := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"os": {"name": "windows"}, "containers": [{"name": "app"}]}}
	not check.applies with input as win
	count(check.deny) == 0 with input as win
}
