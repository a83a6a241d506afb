package kubecomply.pod_security.seccomp_required_test

import rego.v1

import data.kubecomply.pod_security.seccomp_required as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

_rd := {"seccompProfile": {"type": "RuntimeDefault"}}

test_pass_pod_level if {
	count(check.deny) == 0 with input as _deploy({"securityContext": _rd, "initContainers": [{"name": "i"}], "containers": [{"name": "app"}]})
}

test_pass_every_container if {
	count(check.deny) == 0 with input as _pod({"initContainers": [{"name": "i", "securityContext": _rd}], "containers": [{"name": "app", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "x"}}}]})
}

test_fail_missing_everywhere if {
	results := check.deny with input as _deploy({"containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0]
}

test_fail_one_container_missing_without_pod_level if {
	results := check.deny with input as _pod({"initContainers": [{"name": "i", "securityContext": {"runAsUser": 1}}], "containers": [{"name": "app", "securityContext": _rd}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "initContainers", 0, "securityContext"]
}

test_fail_container_unconfined_despite_pod_level if {
	results := check.deny with input as _pod({"securityContext": _rd, "containers": [{"name": "app", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "securityContext", "seccompProfile", "type"]
}

test_fail_pod_unconfined if {
	results := check.deny with input as _pod({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "app"}]})
	{r.path | some r in results} == {["spec", "securityContext", "seccompProfile", "type"], ["spec", "containers", 0]}
}

test_windows_pod_exempt if {
	count(check.deny) == 0 with input as _pod({"os": {"name": "windows"}, "containers": [{"name": "app"}]})
}

# A profile that is not an object, or has no or a null type, is a forbidden
# type ""/null; a null profile counts as unset.
test_malformed_profiles if {
	results := check.deny with input as _pod({"securityContext": {"seccompProfile": "RuntimeDefault"}, "containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": null}}}, {"name": "b", "securityContext": {"seccompProfile": null}}, {"name": "c", "securityContext": "x"}]})
	{[r.msg, r.path] | some r in results} == {
		[`pod sets securityContext.seccompProfile.type: ""`, ["spec", "securityContext", "seccompProfile"]],
		[`container "a" sets securityContext.seccompProfile.type: null`, ["spec", "containers", 0, "securityContext", "seccompProfile", "type"]],
		[`neither the pod nor container "b" sets securityContext.seccompProfile.type to RuntimeDefault or Localhost`, ["spec", "containers", 1, "securityContext"]],
		[`neither the pod nor container "c" sets securityContext.seccompProfile.type to RuntimeDefault or Localhost`, ["spec", "containers", 2]],
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
