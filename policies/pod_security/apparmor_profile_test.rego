package kubecomply.pod_security.apparmor_profile_test

import rego.v1

import data.kubecomply.pod_security.apparmor_profile as check

_pod(meta, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}

_deploy(meta, spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"metadata": meta, "spec": spec}}}

_key := "container.apparmor.security.beta.kubernetes.io/app"

test_pass_runtime_default_and_localhost if {
	meta := {"name": "p", "annotations": {_key: "runtime/default", "container.apparmor.security.beta.kubernetes.io/b": "localhost/prof"}}
	spec := {"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "app", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}}}]}
	count(check.deny) == 0 with input as _pod(meta, spec)
}

test_fail_unconfined_annotation_in_template if {
	results := check.deny with input as _deploy({"annotations": {_key: "unconfined"}}, {"containers": [{"name": "app"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "metadata", "annotations", _key]
}

test_fail_unconfined_field_pod_and_container if {
	spec := {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [{"name": "app", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}]}
	results := check.deny with input as _pod({"name": "p"}, spec)
	{r.path | some r in results} == {
		["spec", "securityContext", "appArmorProfile", "type"],
		["spec", "containers", 0, "securityContext", "appArmorProfile", "type"],
	}
}

test_annotation_on_workload_metadata_is_not_pod_metadata if {
	obj := {"kind": "Deployment", "metadata": {"name": "d", "annotations": {_key: "unconfined"}}, "spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}}
	count(check.deny) == 0 with input as obj
}

test_malformed_annotation_value_is_reported_not_an_error if {
	results := check.deny with input as _pod({"name": "p", "annotations": {_key: 1}}, {"containers": [{"name": "app"}]})
	count(results) == 1
}

test_profile_without_type_points_to_profile if {
	results := check.deny with input as _pod({"name": "p"}, {"containers": [{"name": "app", "securityContext": {"appArmorProfile": {}}}]})
	some r in results
	r.path == ["spec", "containers", 0, "securityContext", "appArmorProfile"]
}

# Annotations that are not an object are ignored; a profile that is not an
# object has type "".
test_malformed_annotations_and_profiles if {
	count(check.deny) == 0 with input as _pod({"name": "p", "annotations": "x"}, {"containers": [{"name": "app"}]})
	results := check.deny with input as _pod({"name": "p", "annotations": {_key: 3}}, {"securityContext": {"appArmorProfile": "x"}, "containers": [{"name": "app", "securityContext": {"appArmorProfile": {}}}]})
	{[r.msg, r.path] | some r in results} == {
		[`annotation container.apparmor.security.beta.kubernetes.io/app sets the forbidden AppArmor profile 3`, ["metadata", "annotations", _key]],
		[`pod sets securityContext.appArmorProfile.type: ""`, ["spec", "securityContext", "appArmorProfile"]],
		[`container "app" sets securityContext.appArmorProfile.type: ""`, ["spec", "containers", 0, "securityContext", "appArmorProfile"]],
	}
}
