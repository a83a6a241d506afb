package kubecomply.images.image_latest_tag_test

import rego.v1

import data.kubecomply.images.image_latest_tag as check

_pod(containers) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers}}

_images(images) := _pod([{"name": sprintf("c%d", [i]), "image": image} | some i, image in images])

test_pass_pinned_tags_and_digests if {
	count(check.deny) == 0 with input as _images([
		"nginx:1.25.3",
		"registry.example.com/team/app:1.2.3",
		"localhost:5000/app:v2",
		"registry.example.com:443/a/b/c:2024-01",
		"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"localhost:5000/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"app:latest-1",
	])
}

test_fail_latest if {
	results := check.deny with input as _images(["nginx:1.25", "nginx:latest"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 1, "image"]
	contains(r.msg, `container "c1" image "nginx:latest" uses the :latest tag`)
}

test_fail_no_tag if {
	results := check.deny with input as _images(["nginx", "ghcr.io/acme/app", "localhost:5000/app", "registry.example.com:443/a/b"])
	count(results) == 4
	some r in results
	contains(r.msg, "has no tag")
}

test_fail_init_container_cronjob if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {
		"initContainers": [{"name": "migrate", "image": "acme/migrate"}],
		"containers": [{"name": "app", "image": "acme/app:3"}],
	}}}}}}
	results := check.deny with input as obj
	count(results) == 1
	some r in results
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "initContainers", 0, "image"]
	contains(r.msg, `init container "migrate"`)
}

test_malformed_images if {
	count(check.deny) == 0 with input as _pod([{"name": "a"}, {"name": "b", "image": null}, {"name": "c", "image": 5}, {"name": "d", "image": ""}])
}
