package kubecomply.platform.apiserver_profiling_test

import rego.v1

import data.kubecomply.platform.apiserver_profiling as check

_pod(container) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp1"}, "spec": {"containers": [object.union({"name": "kube-apiserver"}, container)]}}

test_pass_false if {
	count(check.deny) == 0 with input as _pod({"command": ["kube-apiserver", "--profiling=false"]})
	count(check.deny) == 0 with input as _pod({"args": ["kube-apiserver", "--profiling=False"]})
}

test_fail_missing if {
	results := check.deny with input as _pod({"command": ["/usr/local/bin/kube-apiserver"], "args": ["--secure-port=6443"]})
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0]
}

test_fail_true_or_bare if {
	count(check.deny) == 1 with input as _pod({"command": ["kube-apiserver", "--profiling=true"]})
	count(check.deny) == 1 with input as _pod({"command": ["kube-apiserver", "--profiling"]})
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
