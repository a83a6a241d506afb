package kubecomply.hardening.container_runtime_socket_test

import rego.v1

import data.kubecomply.hardening.container_runtime_socket as check

_pod(volumes) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}], "volumes": volumes}}

_cronjob(volumes) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "app"}], "volumes": volumes}}}}}}

test_pass_other_volumes if {
	count(check.deny) == 0 with input as _pod([
		{"name": "tmp", "emptyDir": {}},
		{"name": "logs", "hostPath": {"path": "/var/log"}},
		{"name": "kubelet", "hostPath": {"path": "/var/lib/kubelet/device-plugins/kubelet.sock"}},
		{"name": "runx", "hostPath": {"path": "/var/runtime"}},
	])
}

test_fail_docker_sock if {
	results := check.deny with input as _pod([{"name": "tmp", "emptyDir": {}}, {"name": "docker", "hostPath": {"path": "/var/run/docker.sock", "type": "Socket"}}])
	count(results) == 1
	some r in results
	r.path == ["spec", "volumes", 1, "hostPath", "path"]
	contains(r.msg, `"docker"`)
	contains(r.msg, "/var/run/docker.sock")
}

test_fail_containerd_dir_cronjob if {
	results := check.deny with input as _cronjob([{"name": "ctr", "hostPath": {"path": "/run/containerd/"}}])
	count(results) == 1
	some r in results
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "volumes", 0, "hostPath", "path"]
}

test_fail_parents_and_custom_locations if {
	results := check.deny with input as _pod([
		{"name": "root", "hostPath": {"path": "/"}},
		{"name": "run", "hostPath": {"path": "/var/run"}},
		{"name": "crio", "hostPath": {"path": "/run/crio/crio.sock"}},
		{"name": "custom", "hostPath": {"path": "/data/docker/docker.sock"}},
		{"name": "pipe", "hostPath": {"path": `\\.\pipe\docker_engine`}},
	])
	count(results) == 5
}

test_malformed_volumes if {
	count(check.deny) == 0 with input as _pod([{"name": "a", "hostPath": "/var/run/docker.sock"}, {"name": "b", "hostPath": {"path": 7}}, "x"])
	count(check.deny) == 0 with input as _pod({"hostPath": {"path": "/var/run/docker.sock"}})
}
