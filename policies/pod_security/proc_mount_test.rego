package kubecomply.pod_security.proc_mount_test

import rego.v1

import data.kubecomply.pod_security.proc_mount as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_default if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "app", "securityContext": {"procMount": "Default"}}]})
}

test_fail_unmasked if {
	results := check.deny with input as _deploy({"containers": [{"name": "app", "securityContext": {"procMount": "Unmasked"}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "procMount"]
}

test_fail_unmasked_host_users_true if {
	count(check.deny) == 1 with input as _pod({"hostUsers": true, "containers": [{"name": "app", "securityContext": {"procMount": "Unmasked"}}]})
}

test_pass_unmasked_with_user_namespace if {
	count(check.deny) == 0 with input as _deploy({"hostUsers": false, "containers": [{"name": "app", "securityContext": {"procMount": "Unmasked"}}]})
}

# A securityContext that is not an object sets nothing; a null procMount is unset.
test_malformed_security_context if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "a", "securityContext": "x"}, {"name": "b", "securityContext": {"procMount": null}}]})
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
