package kubecomply.pod_security.proc_mount_restricted_test

import rego.v1

import data.kubecomply.pod_security.proc_mount_restricted as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_default_with_user_namespace if {
	count(check.deny) == 0 with input as _deploy({"hostUsers": false, "containers": [{"name": "app", "securityContext": {"procMount": "Default"}}]})
}

test_fail_unmasked_even_with_user_namespace if {
	results := check.deny with input as _deploy({"hostUsers": false, "containers": [{"name": "app", "securityContext": {"procMount": "Unmasked"}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "procMount"]
}

test_fail_init_container_unmasked if {
	count(check.deny) == 1 with input as _pod({"initContainers": [{"name": "i", "securityContext": {"procMount": "Unmasked"}}], "containers": [{"name": "app"}]})
}

# A securityContext that is not an object sets nothing; a null procMount is unset.
test_malformed_security_context if {
	count(check.deny) == 0 with input as _pod({"containers": [{"name": "a", "securityContext": "x"}, {"name": "b", "securityContext": {"procMount": null}}]})
}
