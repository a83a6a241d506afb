package kubecomply.images.image_digest_test

import rego.v1

import data.kubecomply.images.image_digest as check

_digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

_deploy(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}}

test_pass_digests if {
	count(check.deny) == 0 with input as _deploy({
		"initContainers": [{"name": "i", "image": sprintf("busybox@%s", [_digest])}],
		"containers": [{"name": "app", "image": sprintf("registry.example.com/app:1.2@%s", [_digest])}],
	})
}

test_fail_version_tag if {
	results := check.deny with input as _deploy({"containers": [{"name": "app", "image": "registry.example.com/app:1.2.3"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "image"]
	contains(r.msg, `"registry.example.com/app:1.2.3"`)
}

test_fail_ephemeral_and_init if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
		"initContainers": [{"name": "i", "image": "busybox:1.36"}],
		"containers": [{"name": "app", "image": sprintf("app@%s", [_digest])}],
		"ephemeralContainers": [{"name": "debug", "image": "busybox"}],
	}}
	results := check.deny with input as obj
	{r.path | some r in results} == {["spec", "initContainers", 0, "image"], ["spec", "ephemeralContainers", 0, "image"]}
}

test_malformed_images if {
	count(check.deny) == 0 with input as _deploy({"containers": [{"name": "a"}, {"name": "b", "image": ["x"]}, {"name": "c", "image": ""}]})
}
