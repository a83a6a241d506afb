package kubecomply.platform.apiserver_encryption_test

import rego.v1

import data.kubecomply.platform.apiserver_encryption as check

_pod(command) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp1"}, "spec": {"containers": [{"name": "kube-apiserver", "command": command}]}}

test_pass_configured if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--encryption-provider-config=/etc/kubernetes/enc/config.yaml"])
}

test_fail_missing if {
	results := check.deny with input as _pod(["kube-apiserver", "--profiling=false"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0]
}

test_fail_empty if {
	results := check.deny with input as _pod(["kube-apiserver", "--encryption-provider-config"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "command", 1]
}
