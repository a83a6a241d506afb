package kubecomply.pod_security.privilege_escalation_test

import rego.v1

import data.kubecomply.pod_security.privilege_escalation as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

_ok := {"allowPrivilegeEscalation": false}

test_pass_all_false if {
	count(check.deny) == 0 with input as _deploy({"initContainers": [{"name": "i", "securityContext": _ok}], "containers": [{"name": "app", "securityContext": _ok}]})
}

test_fail_true if {
	results := check.deny with input as _deploy({"containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": true}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"]
}

test_fail_unset_points_to_parent if {
	results := check.deny with input as _pod({"initContainers": [{"name": "i", "securityContext": {"runAsUser": 1}}], "containers": [{"name": "app"}]})
	{r.path | some r in results} == {["spec", "initContainers", 0, "securityContext"], ["spec", "containers", 0]}
}

test_windows_pod_exempt if {
	count(check.deny) == 0 with input as _pod({"os": {"name": "windows"}, "containers": [{"name": "app"}]})
}

# A securityContext that is null or not an object, or a null value, is unset.
test_malformed_security_context_is_unset if {
	results := check.deny with input as _pod({"containers": [{"name": "a", "securityContext": "x"}, {"name": "b", "securityContext": null}, {"name": "c", "securityContext": {"allowPrivilegeEscalation": null}}, {"name": "d", "securityContext": {"allowPrivilegeEscalation": "true"}}]})
	{r.path | some r in results} == {["spec", "containers", 0], ["spec", "containers", 1], ["spec", "containers", 2, "securityContext"]}
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
