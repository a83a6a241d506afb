package kubecomply.pod_security.privileged_containers_test

import rego.v1

import data.kubecomply.pod_security.privileged_containers as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_not_privileged if {
	count(check.deny) == 0 with input as _deploy({"containers": [{"name": "app", "securityContext": {"privileged": false}}, {"name": "b"}]})
}

test_fail_privileged_deployment if {
	results := check.deny with input as _deploy({"containers": [{"name": "ok"}, {"name": "app", "securityContext": {"privileged": true}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 1, "securityContext", "privileged"]
	r.msg == `container "app" sets securityContext.privileged: true`
}

test_fail_privileged_init_container if {
	results := check.deny with input as _pod({"initContainers": [{"name": "setup", "securityContext": {"privileged": true}}], "containers": [{"name": "app"}]})
	some r in results
	r.path == ["spec", "initContainers", 0, "securityContext", "privileged"]
	contains(r.msg, "init container")
}

test_null_security_context_is_fine if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app", "securityContext": null}]})
}

# A securityContext that is not an object sets nothing.
test_malformed_security_context_sets_nothing if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "a", "securityContext": "privileged"}, {"name": "b", "securityContext": {"privileged": "true"}}]})
}
