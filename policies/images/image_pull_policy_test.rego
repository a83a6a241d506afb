package kubecomply.images.image_pull_policy_test

import rego.v1

import data.kubecomply.images.image_pull_policy as check

_pod(containers) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers}}

test_pass_always_or_defaulted if {
	count(check.deny) == 0 with input as _pod([
		{"name": "a", "image": "nginx:latest", "imagePullPolicy": "Always"},
		{"name": "b", "image": "nginx"},
		{"name": "c", "image": "nginx:latest", "imagePullPolicy": null},
	])
}

test_pass_pinned_with_if_not_present if {
	count(check.deny) == 0 with input as _pod([
		{"name": "a", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent"},
		{"name": "b", "image": "localhost:5000/app:2", "imagePullPolicy": "Never"},
		{"name": "c", "image": "nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "imagePullPolicy": "IfNotPresent"},
	])
}

test_fail_latest_if_not_present if {
	results := check.deny with input as _pod([{"name": "app", "image": "nginx:latest", "imagePullPolicy": "IfNotPresent"}])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "imagePullPolicy"]
	contains(r.msg, "IfNotPresent")
}

test_fail_untagged_never_init_container if {
	obj := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {
		"initContainers": [{"name": "i", "image": "localhost:5000/tools", "imagePullPolicy": "Never"}],
		"containers": [{"name": "app", "image": "app:1"}],
	}}}}
	results := check.deny with input as obj
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "initContainers", 0, "imagePullPolicy"]
}

# Population: workloads with a :latest or untagged image, not pinned by digest.
test_applies_to_mutable_images if {
	check.applies with input as _pod([{"name": "a", "image": "nginx"}])
	check.applies with input as _pod([{"name": "a", "image": "nginx:1.25"}, {"name": "b", "image": "registry.example.com:5000/tools:latest"}])
	check.applies with input as _pod([{"name": "a", "image": "localhost:5000/app"}])
}

test_not_applicable_to_pinned_images if {
	pinned := _pod([
		{"name": "a", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent"},
		{"name": "b", "image": "nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "imagePullPolicy": "Never"},
	])
	not check.applies with input as pinned
	count(check.deny) == 0 with input as pinned
	not check.applies with input as _pod([{"name": "a", "image": ""}, {"name": "b"}, {"name": "c", "image": 3}])
}
