package kubecomply.pod_security.run_as_root_user_test

import rego.v1

import data.kubecomply.pod_security.run_as_root_user as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_non_zero_and_unset if {
	count(check.deny) == 0 with input as _deploy({"securityContext": {"runAsUser": 1000}, "containers": [{"name": "app"}, {"name": "b", "securityContext": {"runAsUser": 10001}}]})
}

test_fail_pod_zero if {
	results := check.deny with input as _deploy({"securityContext": {"runAsUser": 0}, "containers": [{"name": "app"}]})
	some r in results
	r.path == ["spec", "template", "spec", "securityContext", "runAsUser"]
}

test_fail_init_container_zero if {
	results := check.deny with input as _pod({"initContainers": [{"name": "i", "securityContext": {"runAsUser": 0}}], "containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "initContainers", 0, "securityContext", "runAsUser"]
}

test_pass_user_namespace if {
	count(check.deny) == 0 with input as _pod({"hostUsers": false, "securityContext": {"runAsUser": 0}, "containers": [{"name": "app"}]})
}

# A securityContext that is not an object sets nothing.
test_malformed_security_context if {
	count(check.deny) == 0 with input as _pod({"securityContext": "x", "containers": [{"name": "a", "securityContext": [0]}, {"name": "b", "securityContext": {"runAsUser": "0"}}]})
}

# Population: pods in the node's user namespace; spec.hostUsers: false is not applicable.
test_applies_to_pods_in_the_host_user_namespace if {
	check.applies with input as {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]}}
	check.applies with input as {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostUsers": true, "containers": [{"name": "app"}]}}
}

test_not_applicable_to_user_namespaced_pods if {
	userns := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"hostUsers": false, "securityContext": {"runAsNonRoot": false, "runAsUser": 0}, "containers": [{"name": "app", "securityContext": {"procMount": "Unmasked", "runAsNonRoot": false, "runAsUser": 0}}]}}}}
	not check.applies with input as userns
	count(check.deny) == 0 with input as userns
}
