package kubecomply.hardening.readonly_root_filesystem_test

import rego.v1

import data.kubecomply.hardening.readonly_root_filesystem as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

_ro := {"readOnlyRootFilesystem": true}

test_pass_all_read_only if {
	count(check.deny) == 0 with input as _pod({"initContainers": [{"name": "i", "securityContext": _ro}], "containers": [{"name": "app", "securityContext": _ro}]})
}

test_fail_missing_security_context if {
	results := check.deny with input as _pod({"containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0]
	contains(r.msg, `container "app"`)
}

test_fail_explicit_false_cronjob if {
	results := check.deny with input as _cronjob({"containers": [{"name": "app", "securityContext": {"readOnlyRootFilesystem": false}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "readOnlyRootFilesystem"]
}

test_fail_init_container_only if {
	results := check.deny with input as _pod({"initContainers": [{"name": "setup", "securityContext": {}}], "containers": [{"name": "app", "securityContext": _ro}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "initContainers", 0, "securityContext"]
	contains(r.msg, `init container "setup"`)
}

# A string "true" is not the boolean true.
test_fail_string_true if {
	count(check.deny) == 1 with input as _pod({"containers": [{"name": "app", "securityContext": {"readOnlyRootFilesystem": "true"}}]})
}

test_windows_pod_exempt if {
	count(check.deny) == 0 with input as _pod({"os": {"name": "windows"}, "containers": [{"name": "app"}]})
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
