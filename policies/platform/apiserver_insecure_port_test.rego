package kubecomply.platform.apiserver_insecure_port_test

import rego.v1

import data.kubecomply.platform.apiserver_insecure_port as check

_pod(command) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp1"}, "spec": {"containers": [{"name": "kube-apiserver", "command": command}]}}

test_pass_absent_or_zero if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--secure-port=6443"])
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--insecure-port=0"])
	count(check.deny) == 0 with input as _pod(["kube-apiserver", "--insecure-port", "0"])
}

test_fail_non_zero if {
	results := check.deny with input as _pod(["kube-apiserver", "--insecure-port=8080"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "command", 1]
	contains(r.msg, "8080")
}

# Population: kube-apiserver Pods only; any other Pod is not applicable.
test_applies_to_apiserver_pods if {
	check.applies with input as {"kind": "Pod", "metadata": {"name": "kube-apiserver-cp1"}, "spec": {"containers": [{"name": "kube-apiserver", "command": ["kube-apiserver", "--secure-port=6443"]}]}}
	check.applies with input as {"kind": "Pod", "metadata": {"name": "api"}, "spec": {"containers": [{"name": "sidecar", "image": "envoy"}, {"name": "api", "command": ["/usr/local/bin/hyperkube", "kube-apiserver"]}]}}
}

test_not_applicable_to_other_pods if {
	other := {"kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": [{"name": "web", "image": "nginx", "args": ["--insecure-port=8080", "--anonymous-auth=true"]}]}}
	not check.applies with input as other
	count(check.deny) == 0 with input as other
	not check.applies with input as {"kind": "Pod", "metadata": {"name": "shell"}, "spec": {"containers": [{"name": "sh", "command": ["sh", "-c", "kube-apiserver --profiling=true"]}]}}
	not check.applies with input as {"kind": "Pod", "metadata": {"name": "empty"}}
}
