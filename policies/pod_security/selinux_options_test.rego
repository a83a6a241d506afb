package kubecomply.pod_security.selinux_options_test

import rego.v1

import data.kubecomply.pod_security.selinux_options as check

_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_allowed_types_and_level if {
	spec := {"securityContext": {"seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}}, "containers": [{"name": "app", "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}, {"name": "b", "securityContext": {"seLinuxOptions": {}}}]}
	count(check.deny) == 0 with input as _deploy(spec)
}

test_fail_custom_type if {
	results := check.deny with input as _deploy({"containers": [{"name": "app", "securityContext": {"seLinuxOptions": {"type": "spc_t"}}}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "seLinuxOptions", "type"]
}

test_fail_user_and_role_pod_level if {
	results := check.deny with input as _pod({"securityContext": {"seLinuxOptions": {"user": "sysadm_u", "role": "sysadm_r"}}, "containers": [{"name": "app"}]})
	{r.path | some r in results} == {["spec", "securityContext", "seLinuxOptions", "user"], ["spec", "securityContext", "seLinuxOptions", "role"]}
}

# Options that are not an object are ignored; a null type is unset; messages
# name the pod or the container.
test_malformed_options_and_labels if {
	results := check.deny with input as _pod({"securityContext": {"seLinuxOptions": {"user": "u", "type": null}}, "containers": [{"name": "a", "securityContext": {"seLinuxOptions": "spc_t"}}, {"name": "b", "securityContext": {"seLinuxOptions": {"type": 3, "level": "s0"}}}]})
	{[r.msg, r.path] | some r in results} == {
		[`pod sets securityContext.seLinuxOptions.user: "u"`, ["spec", "securityContext", "seLinuxOptions", "user"]],
		[`container "b" sets securityContext.seLinuxOptions.type: 3`, ["spec", "containers", 1, "securityContext", "seLinuxOptions", "type"]],
	}
}
