package kubecomply.pod_security.run_as_non_root_test

import rego.v1

import data.kubecomply.pod_security.run_as_non_root as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_pod_level_true if {
	count(check.deny) == 0 with input as _deploy({"securityContext": {"runAsNonRoot": true}, "initContainers": [{"name": "i"}], "containers": [{"name": "app"}]})
}

test_pass_every_container_true if {
	sc := {"runAsNonRoot": true}
	count(check.deny) == 0 with input as _pod({"initContainers": [{"name": "i", "securityContext": sc}], "containers": [{"name": "app", "securityContext": sc}]})
}

test_fail_container_false_overrides_pod_true if {
	results := check.deny with input as _deploy({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "app", "securityContext": {"runAsNonRoot": false}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]
}

test_fail_one_container_missing if {
	results := check.deny with input as _pod({"containers": [{"name": "a", "securityContext": {"runAsNonRoot": true}}, {"name": "b"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 1]
}

test_fail_pod_false if {
	results := check.deny with input as _pod({"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "a", "securityContext": {"runAsNonRoot": true}}]})
	some r in results
	r.path == ["spec", "securityContext", "runAsNonRoot"]
}

test_pass_user_namespace if {
	count(check.deny) == 0 with input as _pod({"hostUsers": false, "containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}}]})
}

# A securityContext that is null or not an object counts as unset, at both levels.
test_malformed_security_contexts_count_as_unset if {
	results := check.deny with input as _pod({"securityContext": "x", "containers": [{"name": "a", "securityContext": null}, {"name": "b", "securityContext": [true]}, {"name": "c", "securityContext": {"runAsNonRoot": null}}]})
	{r.path | some r in results} == {["spec", "containers", 0], ["spec", "containers", 1], ["spec", "containers", 2, "securityContext"]}
	count(check.deny) == 0 with input as _pod({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "securityContext": "x"}]})
}

# A non-boolean value is neither false nor unset.
test_non_boolean_value_is_not_reported if {
	count(check.deny) == 0 with input as _pod({"securityContext": {"runAsNonRoot": "false"}, "containers": [{"name": "a", "securityContext": {"runAsNonRoot": 0}}]})
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
