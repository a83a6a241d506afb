package kubecomply.pod_security.seccomp_unconfined_test

import rego.v1

import data.kubecomply.pod_security.seccomp_unconfined as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_unset if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app"}]})
}

test_pass_runtime_default_and_localhost if {
	spec := {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "app", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}}]}
	count(check.deny) == 0 with input as _deploy(spec)
}

test_fail_pod_unconfined if {
	results := check.deny with input as _deploy({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "app"}]})
	some r in results
	r.path == ["spec", "template", "spec", "securityContext", "seccompProfile", "type"]
}

test_fail_init_container_unconfined if {
	results := check.deny with input as _pod({"initContainers": [{"name": "i", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}], "containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "initContainers", 0, "securityContext", "seccompProfile", "type"]
}

test_fail_profile_without_type_points_to_profile if {
	results := check.deny with input as _pod({"containers": [{"name": "app", "securityContext": {"seccompProfile": {}}}]})
	some r in results
	r.path == ["spec", "containers", 0, "securityContext", "seccompProfile"]
}

# A profile that is not an object has type ""; a null profile is unset.
test_malformed_profiles if {
	results := check.deny with input as _pod({"securityContext": {"seccompProfile": null}, "containers": [{"name": "a", "securityContext": {"seccompProfile": ["RuntimeDefault"]}}]})
	{[r.msg, r.path] | some r in results} == {[`container "a" sets securityContext.seccompProfile.type: ""`, ["spec", "containers", 0, "securityContext", "seccompProfile"]]}
}
