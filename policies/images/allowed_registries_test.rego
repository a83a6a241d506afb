package kubecomply.images.allowed_registries_test

import rego.v1

import data.kubecomply.images.allowed_registries as check

_pod(images) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": sprintf("c%d", [i]), "image": image} | some i, image in images]}}

_config := {"allowed_registries": ["registry.example.com", "ghcr.io/acme/", "docker.io/library", "localhost:5000"]}

# Without the list the check reports nothing, whatever the images.
test_no_data_no_findings if {
	count(check.deny) == 0 with input as _pod(["evil.example.net/x:1", "nginx"])
	count(check.deny) == 0 with input as _pod(["evil.example.net/x:1"]) with data.kubecomply.config as {}
	count(check.deny) == 0 with input as _pod(["evil.example.net/x:1"]) with data.kubecomply.config as {"allowed_registries": "registry.example.com"}
}

test_pass_allowed_images if {
	count(check.deny) == 0 with input as _pod([
		"registry.example.com/team/app:1.2.3",
		"registry.example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"ghcr.io/acme/tool:2",
		"nginx:1.25",
		"index.docker.io/library/redis:7",
		"docker.io/busybox",
		"localhost:5000/app",
	])
		with data.kubecomply.config as _config
}

test_fail_other_registries if {
	results := check.deny with input as _pod([
		"registry.example.com/app:1",
		"registry.example.com.evil.net/app:1",
		"ghcr.io/acme-evil/tool:1",
		"acme/app:1",
		"quay.io/prometheus/node-exporter:v1.8.0",
		"localhost:5001/app",
	])
		with data.kubecomply.config as _config
	{r.path | some r in results} == {
		["spec", "containers", 1, "image"],
		["spec", "containers", 2, "image"],
		["spec", "containers", 3, "image"],
		["spec", "containers", 4, "image"],
		["spec", "containers", 5, "image"],
	}
	some r in results
	contains(r.msg, `image "acme/app:1" (docker.io/acme/app) is not from an allowed registry`)
}

# An entry that names a whole repository allows exactly that repository.
test_repository_entry if {
	config := {"allowed_registries": ["docker.io/library/nginx"]}
	count(check.deny) == 0 with input as _pod(["nginx:1.25", "nginx"]) with data.kubecomply.config as config
	count(check.deny) == 1 with input as _pod(["nginx-unprivileged:1"]) with data.kubecomply.config as config
}

# An empty list allows nothing; entries that are not strings are ignored.
test_empty_list_and_malformed_entries if {
	count(check.deny) == 1 with input as _pod(["registry.example.com/app:1"]) with data.kubecomply.config as {"allowed_registries": []}
	count(check.deny) == 1 with input as _pod(["registry.example.com/app:1"]) with data.kubecomply.config as {"allowed_registries": [null, 3, ""]}
}

test_init_container_cronjob if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {
		"initContainers": [{"name": "i", "image": "busybox"}],
		"containers": [{"name": "app", "image": "registry.example.com/app:1"}],
	}}}}}}
	results := check.deny with input as obj with data.kubecomply.config as {"allowed_registries": ["registry.example.com"]}
	count(results) == 1
	some r in results
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "initContainers", 0, "image"]
	contains(r.msg, "docker.io/library/busybox")
}

test_repository_normalisation if {
	check._repository("nginx") == "docker.io/library/nginx"
	check._repository("nginx:1.25@sha256:abc") == "docker.io/library/nginx"
	check._repository("acme/app:1") == "docker.io/acme/app"
	check._repository("docker.io/nginx") == "docker.io/library/nginx"
	check._repository("registry-1.docker.io/acme/app") == "docker.io/acme/app"
	check._repository("localhost/app") == "localhost/app"
	check._repository("localhost:5000/a/b:2") == "localhost:5000/a/b"
	check._repository("registry.example.com:443/a") == "registry.example.com:443/a"
}
