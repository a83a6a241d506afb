package kubecomply.platform.apiserver_audit_log_test

import rego.v1

import data.kubecomply.platform.apiserver_audit_log as check

_pod(command, args) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "kube-apiserver-cp1"}, "spec": {"containers": [{"name": "kube-apiserver", "command": command, "args": args}]}}

test_pass_path_in_args if {
	count(check.deny) == 0 with input as _pod(["kube-apiserver"], ["--audit-log-path=/var/log/kubernetes/audit.log"])
	count(check.deny) == 0 with input as _pod(["kube-apiserver"], ["--audit-log-path", "-"])
}

test_fail_missing if {
	results := check.deny with input as _pod(["kube-apiserver"], ["--profiling=false"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0]
}

test_fail_empty_value if {
	results := check.deny with input as _pod(["kube-apiserver"], ["--audit-log-path=", "--profiling=false"])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "args", 0]
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
