package kubecomply.pod_security.windows_host_process_test

import rego.v1

import data.kubecomply.pod_security.windows_host_process as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_no_host_process if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app", "securityContext": {"windowsOptions": {"hostProcess": false}}}]})
}

test_fail_container_host_process if {
	results := check.deny with input as _deploy({"containers": [{"name": "app", "securityContext": {"windowsOptions": {"hostProcess": true}}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "windowsOptions", "hostProcess"]
	contains(r.msg, `container "app"`)
}

test_fail_pod_level_host_process if {
	results := check.deny with input as _pod({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [{"name": "app"}]})
	some r in results
	r.path == ["spec", "securityContext", "windowsOptions", "hostProcess"]
}

test_fail_ephemeral_container if {
	results := check.deny with input as _pod({"containers": [{"name": "app"}], "ephemeralContainers": [{"name": "dbg", "securityContext": {"windowsOptions": {"hostProcess": true}}}]})
	some r in results
	r.path == ["spec", "ephemeralContainers", 0, "securityContext", "windowsOptions", "hostProcess"]
}

test_ignores_non_workloads if {
	count(check.deny) == 0 with input as {"kind": "ConfigMap", "spec": {"securityContext": {"windowsOptions": {"hostProcess": true}}}}
}

# windowsOptions that is not an object sets nothing.
test_malformed_windows_options if {
	count(check.deny) == 0 with input as _pod({"securityContext": {"windowsOptions": "x"}, "containers": [{"name": "a", "securityContext": {"windowsOptions": [true]}}]})
}
